package api

import "github.com/prometheus/client_golang/prometheus"

// Metrics count the API's limits being hit. A nil *Metrics counts nothing.
type Metrics struct {
	eventsDropped  prometheus.Counter
	streamsRefused prometheus.Counter
	streamsOpen    prometheus.Gauge
	streamsEnded   *prometheus.CounterVec
	connsRefused   *prometheus.CounterVec
}

// NewMetrics registers the series with reg; a nil reg gives nil Metrics.
// A series already registered (a second server on one registry) is
// reused, so tests can build servers freely.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	if reg == nil {
		return nil
	}
	return &Metrics{
		eventsDropped: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_api_sse_events_dropped_total",
			Help: "Table events not sent to an event-stream client because its buffer was full (slow reader).",
		})),
		streamsRefused: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_api_sse_streams_refused_total",
			Help: "Event streams refused because the limit of concurrent streams was reached.",
		})),
		streamsOpen: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_api_sse_streams",
			Help: "Event streams open now.",
		})),
		streamsEnded: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_api_sse_streams_dropped_total",
			Help: "Event streams the node ended itself: idle (no event past the session timeout) or write_failed (the client went away or stopped reading past the write deadline).",
		}, []string{"reason"})),
		connsRefused: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_api_connections_refused_total",
			Help: "HTTP connections cut at the connection cap: evicted_idle (an idle one made room) or busy (the new one was refused).",
		}, []string{"reason"})),
	}
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		// Only a clash of names with another package's series lands here:
		// the series is then left unregistered rather than failing the node.
	}
	return c
}

func (m *Metrics) eventDropped() {
	if m != nil {
		m.eventsDropped.Inc()
	}
}

func (m *Metrics) streamRefused() {
	if m != nil {
		m.streamsRefused.Inc()
	}
}

func (m *Metrics) streamOpened(delta float64) {
	if m != nil {
		m.streamsOpen.Add(delta)
	}
}

func (m *Metrics) streamDropped(reason string) {
	if m != nil {
		m.streamsEnded.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) connRefused(reason string) {
	if m != nil {
		m.connsRefused.WithLabelValues(reason).Inc()
	}
}
