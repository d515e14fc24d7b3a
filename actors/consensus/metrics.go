package consensus

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/lifecycle"
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
	// The lifecycle (lifecycle.go): tables by mode, absent seats and rounds
	// behind summed over this node's tables (bounded labels: four modes).
	withheld  prometheus.Counter
	modes     *prometheus.GaugeVec
	absent    prometheus.Gauge
	behind    prometheus.Gauge
	unseats   prometheus.Counter
	dissolves prometheus.Counter
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
	// Every reason is present from the start, so the first drop alerts.
	for _, r := range []string{"undecodable", "unknown_kind", "unknown_table", "bad_presence", "bad_rounds", "bad_rounds_ask", "rounds_ask_over_budget"} {
		m.dropped.WithLabelValues(r)
	}
	m.withheld = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "bitcraps_consensus_withheld_reveals_total",
		Help: "Reveals withheld in certified void rounds (each withholder lost its bets of the round and its seat).",
	})
	m.modes = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "bitcraps_tables", Help: "Tables this node sits at, by lifecycle mode (playing, paused, catching_up, dissolving, dissolved).",
	}, []string{"mode"})
	for _, mode := range []lifecycle.Mode{lifecycle.Playing, lifecycle.Paused, lifecycle.CatchingUp, lifecycle.Dissolving, lifecycle.Dissolved} {
		m.modes.WithLabelValues(mode.String()) // present from the start, so the first change alerts
	}
	m.absent = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "bitcraps_table_absent_seats", Help: "Seats not heard from, summed over this node's tables.",
	})
	m.behind = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "bitcraps_table_rounds_behind", Help: "Certified rounds this node is known to lack, summed over its tables.",
	})
	m.unseats = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "bitcraps_table_unseats_asked_total", Help: "Unseatings of players absent past the seat grace this node asked for.",
	})
	m.dissolves = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "bitcraps_tables_dissolved_total", Help: "Tables this node dissolved (paused past the seat grace).",
	})
	for _, c := range []prometheus.Collector{m.certified, m.voids, m.evidence, m.refused, m.dropped, m.persist, m.roundTime, m.instances, m.viewChange, m.carried,
		m.withheld, m.modes, m.absent, m.behind, m.unseats, m.dissolves} {
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
		m.withheld.Add(float64(len(c.Body.Withholders)))
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

// lifeSeen is what an instance last reported of its lifecycle, so that the
// summed gauges move by its differences.
type lifeSeen struct {
	mode           lifecycle.Mode
	absent, behind int
}

// observeLife moves the lifecycle gauges from what an instance reported
// before (was) to now; a zero now takes the instance out (it stopped).
func (m *Metrics) observeLife(was, now lifeSeen) {
	if m == nil || was == now {
		return
	}
	if was.mode != 0 {
		m.modes.WithLabelValues(was.mode.String()).Dec()
	}
	if now.mode != 0 {
		m.modes.WithLabelValues(now.mode.String()).Inc()
	}
	m.absent.Add(float64(now.absent - was.absent))
	m.behind.Add(float64(now.behind - was.behind))
}

func (m *Metrics) unseatAsked() {
	if m != nil {
		m.unseats.Inc()
	}
}

func (m *Metrics) dissolved() {
	if m != nil {
		m.dissolves.Inc()
	}
}
