package ledger

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
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
			Name: "bitcraps_ledger_ops_total",
			Help: "Ops submitted to the ledger, by kind and result (applied, duplicate, refused, equivocation, failed).",
		}, []string{"kind", "result"}),
		commits: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_ledger_commits_total",
			Help: "Synced pebble batches written by the committer (one fsync each).",
		}),
		commitOps: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "bitcraps_ledger_commit_ops",
			Help:    "Ops acknowledged per synced batch (group commit size).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11),
		}),
		commitDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "bitcraps_ledger_commit_duration_seconds",
			Help:    "Time to write and sync one batch.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
		}),
		queueFull: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_ledger_queue_full_total",
			Help: "Ops refused because the write queue was full.",
		}),
		verifyDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "bitcraps_ledger_verify_duration_seconds",
			Help:    "Time of one full ledger verification (sums and replay).",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}),
		verifyFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "bitcraps_ledger_verify_failures_total",
			Help: "Verifications that found a problem.",
		}),
		snapshots: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_ledger_snapshots_total",
			Help: "Snapshots attempted, by result (ok, failed).",
		}, []string{"result"}),
		halted: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_ledger_halted",
			Help: "1 while the ledger refuses writes after a failure it cannot vouch for.",
		}),
		grantsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_ledger_grants_refused_total",
			Help: "Grants the money policy refused, by reason (unsigned, wrong_treasury, bad_signature, play_money, conflict, invalid): each is an attempt to create money outside the treasury.",
		}, []string{"reason"}),
	}
	if reg != nil {
		m.grantsRefused = register(reg, m.grantsRefused)
		m.ops = register(reg, m.ops)
		m.commits = register(reg, m.commits)
		m.commitOps = register(reg, m.commitOps)
		m.commitDuration = register(reg, m.commitDuration)
		m.queueFull = register(reg, m.queueFull)
		m.verifyDuration = register(reg, m.verifyDuration)
		m.verifyFailures = register(reg, m.verifyFailures)
		m.snapshots = register(reg, m.snapshots)
		m.halted = register(reg, m.halted)
	}
	return m
}

func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
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
