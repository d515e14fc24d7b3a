package ledger

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/metric"
)

// Metrics are the ledger's Prometheus series. A nil *Metrics records
// nothing, so tests and tools can pass none.
type Metrics struct {
	ops            *prometheus.CounterVec
	commits        prometheus.Counter
	commitOps      prometheus.Histogram
	commitDuration prometheus.Histogram
	queueFull      prometheus.Counter
	verifyDuration prometheus.Histogram
	verifyFailures prometheus.Counter
	snapshots      *prometheus.CounterVec
	halted         prometheus.Gauge
	grantsRefused  *prometheus.CounterVec
}

// NewMetrics builds the ledger's metrics and registers them with reg (nil:
// not registered). Registering twice (a restarted actor) reuses the series
// already registered instead of failing.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		ops: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.LedgerOpsTotal,
			Help: "Ops submitted to the ledger, by kind and result (applied, duplicate, refused, equivocation, failed).",
		}, []string{"kind", "result"}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.LedgerCommitsTotal,
			Help: "Synced pebble batches written by the committer (one fsync each).",
		}),
		commitOps: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    metric.LedgerCommitOps,
			Help:    "Ops acknowledged per synced batch (group commit size).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11),
		}),
		commitDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    metric.LedgerCommitDurationSeconds,
			Help:    "Time to write and sync one batch.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
		}),
		queueFull: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.LedgerQueueFullTotal,
			Help: "Ops refused because the write queue was full.",
		}),
		verifyDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    metric.LedgerVerifyDurationSeconds,
			Help:    "Time of one full ledger verification (sums and replay).",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}),
		verifyFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.LedgerVerifyFailuresTotal,
			Help: "Verifications that found a problem.",
		}),
		snapshots: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.LedgerSnapshotsTotal,
			Help: "Snapshots attempted, by result (ok, failed).",
		}, []string{"result"}),
		halted: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metric.LedgerHalted,
			Help: "1 while the ledger refuses writes after a failure it cannot vouch for.",
		}),
		grantsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_ledger_grants_refused_total",
			Help: "Grants the money policy refused, by reason (unsigned, wrong_treasury, bad_signature, play_money, conflict, invalid): each is an attempt to create money outside the treasury.",
		}, []string{"reason"}),
	}
	if reg != nil {
		m.grantsRefused = metric.Unchecked(metric.Register(reg, m.grantsRefused))
		m.ops = metric.Unchecked(metric.Register(reg, m.ops))
		m.commits = metric.Unchecked(metric.Register(reg, m.commits))
		m.commitOps = metric.Unchecked(metric.Register(reg, m.commitOps))
		m.commitDuration = metric.Unchecked(metric.Register(reg, m.commitDuration))
		m.queueFull = metric.Unchecked(metric.Register(reg, m.queueFull))
		m.verifyDuration = metric.Unchecked(metric.Register(reg, m.verifyDuration))
		m.verifyFailures = metric.Unchecked(metric.Register(reg, m.verifyFailures))
		m.snapshots = metric.Unchecked(metric.Register(reg, m.snapshots))
		m.halted = metric.Unchecked(metric.Register(reg, m.halted))
	}
	// Every known label pair from the start, so the first equivocation alerts.
	for _, k := range Kinds() {
		for _, result := range []string{"applied", "duplicate", "refused", "equivocation", "failed"} {
			m.ops.WithLabelValues(k.String(), result)
		}
	}
	m.snapshots.WithLabelValues("ok")
	m.snapshots.WithLabelValues("failed")
	return m
}

func (m *Metrics) op(kind Kind, result string) {
	if m != nil {
		m.ops.WithLabelValues(kind.String(), result).Inc()
	}
}

func (m *Metrics) grantRefused(err error) {
	if m != nil {
		m.grantsRefused.WithLabelValues(GrantRefusal(err)).Inc()
	}
}

func (m *Metrics) commit(ops int, took time.Duration) {
	if m != nil {
		m.commits.Inc()
		m.commitOps.Observe(float64(ops))
		m.commitDuration.Observe(took.Seconds())
	}
}

func (m *Metrics) queueWasFull() {
	if m != nil {
		m.queueFull.Inc()
	}
}

func (m *Metrics) verified(ok bool, took time.Duration) {
	if m != nil {
		m.verifyDuration.Observe(took.Seconds())
		if !ok {
			m.verifyFailures.Inc()
		}
	}
}

// Snapshot counts one snapshot attempt.
func (m *Metrics) Snapshot(err error) {
	if m != nil {
		result := "ok"
		if err != nil {
			result = "failed"
		}
		m.snapshots.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) setHalted() {
	if m != nil {
		m.halted.Set(1)
	}
}
