package supervisor

import (
	"fmt"
	"time"

	"github.com/bitcraps/bitcraps/internal/metric"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the root supervisor's Prometheus metrics. A nil *Metrics is a
// valid no-op, used when no Registerer is configured.
//
// bitcraps_service_health carries messages.HealthStatus as a number:
// 0 Healthy, 1 Degraded, 2 Critical, 3 Unavailable (larger is worse), so an
// alert can be "max(bitcraps_service_health) >= 2".
type Metrics struct {
	startup       prometheus.Histogram
	state         *prometheus.GaugeVec
	transitions   *prometheus.CounterVec
	serviceHealth *prometheus.GaugeVec
	restarts      *prometheus.CounterVec
	processed     *prometheus.CounterVec
}

// NewMetrics builds the metrics and registers them with reg. A nil reg gives
// a nil (no-op) *Metrics. If any registration fails, none stays registered.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &Metrics{
		startup: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: metric.AppStartupDurationSeconds,
			Help: "Time from entering Initializing to reaching Running, per start sequence.",
			// 10 ms (tests, empty data dir) doubling to about 80 s (slow
			// disk replaying a large WAL).
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 14),
		}),
		state: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: metric.AppState,
			Help: "1 for the application state the node is in, 0 for every other state.",
		}, []string{"state"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.StateTransitionsTotal,
			Help: "Application state transitions applied, by from and to state.",
		}, []string{"from", "to"}),
		serviceHealth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: metric.ServiceHealth,
			Help: "Health of each service: 0 Healthy, 1 Degraded, 2 Critical, 3 Unavailable.",
		}, []string{"service"}),
		restarts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.ActorRestartsTotal,
			Help: "Times a service actor was started again after its first start (supervisor restarts and back-off respawns).",
		}, []string{"actor"}),
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.MessagesProcessedTotal,
			Help: "Messages received by each supervised actor, lifecycle messages included.",
		}, []string{"actor"}),
	}
	if err := m.register(reg); err != nil {
		return nil, err
	}
	// Every legal transition from the start, so the first one into Error
	// alerts (increase() ignores a series born at 1).
	for _, from := range AllStates() {
		for _, to := range AllStates() {
			if CanTransition(from, to) {
				m.transitions.WithLabelValues(from.String(), to.String())
			}
		}
	}
	return m, nil
}

func (m *Metrics) register(reg prometheus.Registerer) error {
	cs := []prometheus.Collector{m.startup, m.state, m.transitions, m.serviceHealth, m.restarts, m.processed}
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done)
			}
			return fmt.Errorf("register supervisor metrics: %w", err)
		}
	}
	return nil
}

// initServices creates every series up front so dashboards see zeros
// rather than gaps before the first event.
func (m *Metrics) initServices(names []string) {
	if m == nil {
		return
	}
	for _, n := range names {
		m.serviceHealth.WithLabelValues(n).Set(float64(messages.Unavailable))
		m.restarts.WithLabelValues(n)
		m.processed.WithLabelValues(n)
	}
}

func (m *Metrics) setState(s AppState) {
	if m == nil {
		return
	}
	for _, st := range AllStates() {
		v := 0.0
		if st == s {
			v = 1
		}
		m.state.WithLabelValues(st.String()).Set(v)
	}
}

func (m *Metrics) countTransition(from, to AppState) {
	if m == nil {
		return
	}
	m.transitions.WithLabelValues(from.String(), to.String()).Inc()
}

func (m *Metrics) observeStartup(d time.Duration) {
	if m == nil {
		return
	}
	m.startup.Observe(d.Seconds())
}

func (m *Metrics) setServiceHealth(service string, s messages.HealthStatus) {
	if m == nil {
		return
	}
	m.serviceHealth.WithLabelValues(service).Set(float64(s))
}

func (m *Metrics) countRestart(service string) {
	if m == nil {
		return
	}
	m.restarts.WithLabelValues(service).Inc()
}

// processedCounter is resolved once per spawn so the per-message path is a
// single atomic add. Nil when metrics are off.
func (m *Metrics) processedCounter(actorName string) prometheus.Counter {
	if m == nil {
		return nil
	}
	return m.processed.WithLabelValues(actorName)
}
