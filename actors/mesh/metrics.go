package mesh

import (
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

// NewMetrics registers the mesh series with reg. Call it once per process
// (not per actor incarnation) and pass the result in Options.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		peers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "bitcraps_mesh_peers", Help: "Peers in the peer table by state.",
		}, []string{"state"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_mesh_dropped_total", Help: "Envelopes the mesh dropped, by reason.",
		}, []string{"reason"}),
		routed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_mesh_routed_total", Help: "Envelopes handled by the mesh, by action (originated, delivered, forwarded).",
		}, []string{"action"}),
		joins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_mesh_join_attempts_total", Help: "Memberlist join attempts, by result.",
		}, []string{"result"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_mesh_members_rejected_total", Help: "Memberlist alive messages refused because the metadata failed verification, by reason.",
		}, []string{"reason"}),
		disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_mesh_disconnects_total", Help: "Peers the mesh cut for a cool-down, by reason.",
		}, []string{"reason"}),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_mesh_dedup_evictions_total", Help: "Message IDs forgotten early because the de-duplication cache was full.",
		}),
		healthScore: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_mesh_memberlist_health_score", Help: "Memberlist awareness score: 0 is healthy, higher means this node is slow to answer probes.",
		}),
	}
	for _, c := range []prometheus.Collector{m.peers, m.dropped, m.routed, m.joins, m.rejected, m.disconnects, m.evictions, m.healthScore} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("mesh metrics: %w", err)
		}
	}
	return m, nil
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
