package consensus

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/lifecycle"
	"github.com/bitcraps/bitcraps/internal/metric"
	"github.com/bitcraps/bitcraps/internal/tracing"
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
	interval   prometheus.Histogram
	phases     *prometheus.HistogramVec
	failures   prometheus.Counter
	active     prometheus.Gauge
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
			Name: metric.ConsensusRoundsCertifiedTotal, Help: "Rounds this node certified, all tables.",
		}),
		voids: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.ConsensusRoundsVoidTotal, Help: "Certified rounds that were void (withheld reveals).",
		}),
		evidence: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.ConsensusEvidenceTotal, Help: "Evidence of Byzantine acts seen, by kind.",
		}, []string{"kind"}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.ConsensusMessagesRefusedTotal, Help: "Consensus messages the BFT core refused (bad, late, over a limit).",
		}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.ConsensusFramesDroppedTotal, Help: "Consensus frames dropped before the BFT core, by reason.",
		}, []string{"reason"}),
		persist: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: metric.ConsensusPersistSeconds, Help: "Time to persist one Ready's records (synced).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
		}),
		roundTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: metric.ConsensusRoundSeconds, Help: "Time from this node's first signature on a round's proposal to its certificate being durable: the protocol's latency, without the bet window.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}),
		interval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: metric.ConsensusRoundIntervalSeconds, Help: "Time between two certified rounds of one table on this node: the table's pace, bet window and client pacing included.",
			// 10 ms (bots on loopback) doubling to about 20 min (a paused table).
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 18),
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.ConsensusFailuresTotal, Help: "Table instances that stopped working (a certified round this node could not settle, replay or reseat); each needs an operator.",
		}),
		active: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metric.ActiveGames, Help: "Tables this node sits at that are not dissolved (playing, paused or catching up).",
		}),
		instances: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metric.ConsensusInstances, Help: "Table instances running.",
		}),
		viewChange: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.ConsensusViewChangesTotal, Help: "View changes this node started or joined.",
		}),
		carried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.ConsensusLateBetsTotal, Help: "Local bets that missed their round, by what became of them (carried into the next round, or dropped).",
		}, []string{"result"}),
	}
	// Every label value is present from the start, so the first event alerts
	// (increase() ignores a series born at 1).
	for _, k := range []bft.EvidenceKind{bft.EvidenceEquivocation, bft.EvidenceRevealMismatch, bft.EvidenceBadSignature,
		bft.EvidenceWrongStateHash, bft.EvidenceConflictingCertificate} {
		m.evidence.WithLabelValues(k.String())
	}
	m.carried.WithLabelValues("carried")
	m.carried.WithLabelValues("dropped")
	for _, r := range []string{"undecodable", "unknown_kind", "unknown_table", "bad_presence", "bad_rounds", "bad_rounds_ask", "rounds_ask_over_budget"} {
		m.dropped.WithLabelValues(r)
	}
	m.withheld = prometheus.NewCounter(prometheus.CounterOpts{
		Name: metric.ConsensusWithheldRevealsTotal,
		Help: "Reveals withheld in certified void rounds (each withholder lost its bets of the round and its seat).",
	})
	m.modes = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: metric.Tables, Help: "Tables this node sits at, by lifecycle mode (playing, paused, catching_up, dissolving, dissolved).",
	}, []string{"mode"})
	for _, mode := range []lifecycle.Mode{lifecycle.Playing, lifecycle.Paused, lifecycle.CatchingUp, lifecycle.Dissolving, lifecycle.Dissolved} {
		m.modes.WithLabelValues(mode.String()) // present from the start, so the first change alerts
	}
	m.absent = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: metric.TableAbsentSeats, Help: "Seats not heard from, summed over this node's tables.",
	})
	m.behind = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: metric.TableRoundsBehind, Help: "Certified rounds this node is known to lack, summed over its tables.",
	})
	m.unseats = prometheus.NewCounter(prometheus.CounterOpts{
		Name: metric.TableUnseatsAskedTotal, Help: "Unseatings of players absent past the seat grace this node asked for.",
	})
	m.dissolves = prometheus.NewCounter(prometheus.CounterOpts{
		Name: metric.TablesDissolvedTotal, Help: "Tables this node dissolved (paused past the seat grace).",
	})
	for _, c := range []prometheus.Collector{m.certified, m.voids, m.evidence, m.refused, m.dropped, m.persist, m.roundTime, m.instances, m.viewChange, m.carried,
		m.withheld, m.modes, m.absent, m.behind, m.unseats, m.dissolves, m.interval, m.failures, m.active} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("consensus metrics: %w", err)
		}
	}
	phases, err := metric.RoundPhases(reg)
	if err != nil {
		return nil, fmt.Errorf("consensus metrics: %w", err)
	}
	m.phases = phases
	return m, nil
}

// certifiedRound counts a round certified at now, since after the one
// before it, with the phases clock saw.
func (m *Metrics) certifiedRound(c *bft.Certificate, since time.Duration, clock *roundClock, now time.Time) {
	if m == nil {
		return
	}
	m.certified.Inc()
	if c.Void() {
		m.voids.Inc()
		m.withheld.Add(float64(len(c.Body.Withholders)))
	}
	m.interval.Observe(since.Seconds())
	latency := clock.latency(c.Round, now)
	if latency == 0 {
		return // caught up or restarted mid-round: this node did not see it play
	}
	m.roundTime.Observe(latency.Seconds())
	steps := []struct {
		phase    string
		from, to time.Time
	}{
		{metric.PhaseProposeToLock, clock.proposed, clock.locked},
		{metric.PhaseLockToReveals, clock.locked, clock.confirmed},
		{metric.PhaseRevealsToCertified, clock.confirmed, now},
	}
	for _, s := range steps {
		if !s.from.IsZero() && !s.to.IsZero() {
			m.phases.WithLabelValues(s.phase).Observe(s.to.Sub(s.from).Seconds())
		}
	}
}

// roundClock remembers when this node first took each step of the round in
// play, read from the records of its Readys: its commit on the proposal (or
// the proposal itself, as shooter), the lock, its confirm.
type roundClock struct {
	round                       uint64
	proposed, locked, confirmed time.Time
}

// sawReady notes the steps rd takes at now; a step of a later round starts
// that round afresh.
func (k *roundClock) sawReady(rd *bft.Ready, now time.Time) {
	for _, r := range rd.Persist {
		step := stepOf(r)
		if step == stepNone || r.Round < k.round {
			continue
		}
		if r.Round > k.round {
			*k = roundClock{round: r.Round}
		}
		at := [...]*time.Time{stepProposed: &k.proposed, stepLocked: &k.locked, stepConfirmed: &k.confirmed}[step]
		if at.IsZero() {
			*at = now
		}
	}
}

// traceRound records this node's spans of round, certified at now: one
// per phase it saw, in the round's trace (internal/tracing).
func (k *roundClock) traceRound(node, table string, round uint64, now time.Time) {
	if k.round != round {
		return // caught up or restarted mid-round: no phases to show
	}
	tracing.RecordRound(node, table, round, []tracing.Phase{
		{Name: metric.PhaseProposeToLock, Start: k.proposed, End: k.locked},
		{Name: metric.PhaseLockToReveals, Start: k.locked, End: k.confirmed},
		{Name: metric.PhaseRevealsToCertified, Start: k.confirmed, End: now},
	})
}

// latency is round's time from its proposal to now, or zero when this node
// did not see it proposed.
func (k *roundClock) latency(round uint64, now time.Time) time.Duration {
	if k.round != round || k.proposed.IsZero() {
		return 0
	}
	return now.Sub(k.proposed)
}

type roundStep int

const (
	stepNone roundStep = iota
	stepProposed
	stepLocked
	stepConfirmed
)

// stepOf is the step of a round a persisted record shows this node took.
func stepOf(r bft.Record) roundStep {
	switch {
	case r.Kind == bft.RecordLock:
		return stepLocked
	case r.Kind != bft.RecordSigned || r.Message == nil:
		return stepNone
	case r.Message.Proposal != nil:
		return stepProposed
	case r.Message.Vote != nil && r.Message.Vote.Kind == bft.VoteCommit:
		return stepProposed
	case r.Message.Vote != nil && r.Message.Vote.Kind == bft.VoteConfirm:
		return stepConfirmed
	}
	return stepNone
}

func (m *Metrics) instanceFailed() {
	if m != nil {
		m.failures.Inc()
	}
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
	m.active.Add(active(now.mode) - active(was.mode))
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

// active is 1 for a mode in which the table is still a game (not dissolved,
// not stopped).
func active(mode lifecycle.Mode) float64 {
	if mode == 0 || mode == lifecycle.Dissolved {
		return 0
	}
	return 1
}
