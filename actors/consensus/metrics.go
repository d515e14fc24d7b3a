package consensus

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// Metrics are the consensus service's Prometheus series. A nil *Metrics
// counts nothing.
type Metrics struct {
	certified  prometheus.Counter
	voids      prometheus.Counter
	evidence   *prometheus.CounterVec
	refused    prometheus.Counter
	dropped    *prometheus.CounterVec
	persist    prometheus.Histogram
	roundTime  prometheus.Histogram
	instances  prometheus.Gauge
	viewChange prometheus.Counter
	carried    *prometheus.CounterVec
}

// NewMetrics registers the series with reg; nil reg gives nil Metrics.
// Call it once per process, not per actor incarnation.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &Metrics{
		certified: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_consensus_rounds_certified_total", Help: "Rounds this node certified, all tables.",
		}),
		voids: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_consensus_rounds_void_total", Help: "Certified rounds that were void (withheld reveals).",
		}),
		evidence: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_consensus_evidence_total", Help: "Evidence of Byzantine acts seen, by kind.",
		}, []string{"kind"}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_consensus_messages_refused_total", Help: "Consensus messages the BFT core refused (bad, late, over a limit).",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_consensus_frames_dropped_total", Help: "Consensus frames dropped before the BFT core, by reason.",
		}, []string{"reason"}),
		persist: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bitcraps_consensus_persist_seconds", Help: "Time to persist one Ready's records (synced).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
		}),
		roundTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bitcraps_consensus_round_seconds", Help: "Time from a round's first activity on this node to its certificate being durable.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}),
		instances: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_consensus_instances", Help: "Table instances running.",
		}),
		viewChange: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_consensus_view_changes_total", Help: "View changes this node started or joined.",
		}),
		carried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_consensus_late_bets_total", Help: "Local bets that missed their round, by what became of them (carried into the next round, or dropped).",
		}, []string{"result"}),
	}
	for _, c := range []prometheus.Collector{m.certified, m.voids, m.evidence, m.refused, m.dropped, m.persist, m.roundTime, m.instances, m.viewChange, m.carried} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("consensus metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) certifiedRound(c *bft.Certificate, took time.Duration) {
	if m == nil {
		return
	}
	m.certified.Inc()
	if c.Void() {
		m.voids.Inc()
	}
	m.roundTime.Observe(took.Seconds())
}

func (m *Metrics) sawEvidence(k bft.EvidenceKind) {
	if m != nil {
		m.evidence.WithLabelValues(k.String()).Inc()
	}
}

func (m *Metrics) refusedMessage() {
	if m != nil {
		m.refused.Inc()
	}
}

func (m *Metrics) droppedFrame(reason string) {
	if m != nil {
		m.dropped.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) persisted(took time.Duration) {
	if m != nil {
		m.persist.Observe(took.Seconds())
	}
}

func (m *Metrics) setInstances(n int) {
	if m != nil {
		m.instances.Set(float64(n))
	}
}

func (m *Metrics) viewChanges(n uint64) {
	if m != nil && n > 0 {
		m.viewChange.Add(float64(n))
	}
}

func (m *Metrics) carriedBet(err error) {
	if m != nil {
		result := "carried"
		if err != nil {
			result = "dropped"
		}
		m.carried.WithLabelValues(result).Inc()
	}
}
