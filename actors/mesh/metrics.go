package mesh

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the mesh's Prometheus series. A nil *Metrics counts nothing,
// so tests and tools need no registry.
type Metrics struct {
	peers       *prometheus.GaugeVec
	dropped     *prometheus.CounterVec
	routed      *prometheus.CounterVec
	joins       *prometheus.CounterVec
	rejected    *prometheus.CounterVec
	disconnects *prometheus.CounterVec
	evictions   prometheus.Counter
	healthScore prometheus.Gauge
}

// NewMetrics registers the mesh series with reg (reusing them if already
// registered there). Call it outside the actor producer, so restarts share
// one set, and pass the result in Options.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	counters := func(name, help, label string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
	}
	m := &Metrics{
		peers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "bitcraps_mesh_peers", Help: "Peers in the peer table by state.",
		}, []string{"state"}),
		dropped: counters("bitcraps_mesh_dropped_total", "Envelopes the mesh dropped, by reason.", "reason"),
		routed: counters("bitcraps_mesh_routed_total",
			"Envelopes handled by the mesh, by action (originated, delivered, forwarded).", "action"),
		joins: counters("bitcraps_mesh_join_attempts_total", "Memberlist join attempts, by result.", "result"),
		rejected: counters("bitcraps_mesh_members_rejected_total",
			"Memberlist alive messages refused because the metadata failed verification, by reason.", "reason"),
		disconnects: counters("bitcraps_mesh_disconnects_total", "Peers the mesh cut for a cool-down, by reason.", "reason"),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_mesh_dedup_evictions_total", Help: "Message IDs forgotten early because the de-duplication cache was full.",
		}),
		healthScore: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_mesh_memberlist_health_score", Help: "Memberlist awareness score: 0 is healthy, higher means this node is slow to answer probes.",
		}),
	}
	var errs []error
	keep := func(err error) { errs = append(errs, err) }
	m.peers = reuse(reg, m.peers, keep)
	m.dropped = reuse(reg, m.dropped, keep)
	m.routed = reuse(reg, m.routed, keep)
	m.joins = reuse(reg, m.joins, keep)
	m.rejected = reuse(reg, m.rejected, keep)
	m.disconnects = reuse(reg, m.disconnects, keep)
	m.evictions = reuse(reg, m.evictions, keep)
	m.healthScore = reuse(reg, m.healthScore, keep)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("mesh metrics: %w", err)
	}
	return m, nil
}

// reuse registers c with reg, or returns the identical collector already
// registered there, so a node that rebuilds its services shares one set.
// Any other error goes to fail.
func reuse[C prometheus.Collector](reg prometheus.Registerer, c C, fail func(error)) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	fail(err)
	return c
}

func (m *Metrics) drop(reason DropReason) {
	if m != nil {
		m.dropped.WithLabelValues(string(reason)).Inc()
	}
}

func (m *Metrics) route(action string) {
	if m != nil {
		m.routed.WithLabelValues(action).Inc()
	}
}

func (m *Metrics) join(ok bool) {
	if m == nil {
		return
	}
	if ok {
		m.joins.WithLabelValues("ok").Inc()
	} else {
		m.joins.WithLabelValues("failed").Inc()
	}
}

func (m *Metrics) reject(reason string) {
	if m != nil {
		m.rejected.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) disconnect(reason string) {
	if m != nil {
		m.disconnects.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) evicted(n uint64) {
	if m != nil && n > 0 {
		m.evictions.Add(float64(n))
	}
}

func (m *Metrics) setPeers(counts map[string]int, healthScore int) {
	if m == nil {
		return
	}
	for state, n := range counts {
		m.peers.WithLabelValues(state).Set(float64(n))
	}
	m.healthScore.Set(float64(healthScore))
}
