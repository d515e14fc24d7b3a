package mesh

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/metric"
	"github.com/bitcraps/bitcraps/messages"
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
	rtt         prometheus.Histogram
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
			Name: metric.MeshPeers, Help: "Peers in the peer table by state.",
		}, []string{"state"}),
		dropped: counters(metric.MeshDroppedTotal, "Envelopes the mesh dropped, by reason.", "reason"),
		routed: counters(metric.MeshRoutedTotal,
			"Envelopes handled by the mesh, by action (originated, delivered, forwarded).", "action"),
		joins: counters(metric.MeshJoinAttemptsTotal, "Memberlist join attempts, by result.", "result"),
		rejected: counters(metric.MeshMembersRejectedTotal,
			"Memberlist alive messages refused because the metadata failed verification, by reason.", "reason"),
		disconnects: counters(metric.MeshDisconnectsTotal, "Peers the mesh cut for a cool-down, by reason.", "reason"),
		evictions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.MeshDedupEvictionsTotal, Help: "Message IDs forgotten early because the de-duplication cache was full.",
		}),
		healthScore: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metric.MeshMemberlistHealthScore, Help: "Memberlist awareness score: 0 is healthy, higher means this node is slow to answer probes.",
		}),
		rtt: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: metric.MeshPeerRttSeconds, Help: "Round-trip time of memberlist's probes of peers (one per probe interval, all peers together).",
			// 100 µs (loopback) doubling to about 1.6 s (a probe about to time out).
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 15),
		}),
	}
	var errs [9]error
	m.peers, errs[0] = metric.Register(reg, m.peers)
	m.dropped, errs[1] = metric.Register(reg, m.dropped)
	m.routed, errs[2] = metric.Register(reg, m.routed)
	m.joins, errs[3] = metric.Register(reg, m.joins)
	m.rejected, errs[4] = metric.Register(reg, m.rejected)
	m.disconnects, errs[5] = metric.Register(reg, m.disconnects)
	m.evictions, errs[6] = metric.Register(reg, m.evictions)
	m.healthScore, errs[7] = metric.Register(reg, m.healthScore)
	m.rtt, errs[8] = metric.Register(reg, m.rtt)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("mesh metrics: %w", err)
	}
	m.preset()
	return m, nil
}

// preset creates every known label value at 0, so the first event alerts
// (increase() ignores a series born at 1).
func (m *Metrics) preset() {
	for _, r := range []DropReason{DropDuplicate, DropTTLExpired, DropRateLimited, DropBadSignature, DropBanned,
		DropNoRoute, DropLinkLocal, DropMalformed, DropNotSubscribed, DropSendFailed} {
		m.dropped.WithLabelValues(string(r))
	}
	for _, a := range []string{"originated", "delivered", "forwarded"} {
		m.routed.WithLabelValues(a)
	}
	for _, r := range []string{"ok", "failed"} {
		m.joins.WithLabelValues(r)
	}
	for _, r := range []string{"name_mismatch", "bad_meta", "pow"} {
		m.rejected.WithLabelValues(r)
	}
	m.disconnects.WithLabelValues("misbehaviour")
	for _, s := range []string{messages.PeerAlive, messages.PeerSuspect, messages.PeerDead, messages.PeerLeft} {
		m.peers.WithLabelValues(s)
	}
}

func (m *Metrics) probed(rtt time.Duration) {
	if m != nil {
		m.rtt.Observe(rtt.Seconds())
	}
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
