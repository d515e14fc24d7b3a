package audit

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/metric"
)

// Metrics counts appends and times the fsyncs they share. A nil *Metrics
// records nothing, for tests.
type Metrics struct {
	entries  prometheus.Counter
	failures prometheus.Counter
	syncs    prometheus.Histogram
}

// NewMetrics registers the audit metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		entries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.AuditEntriesTotal,
			Help: "Audit entries appended and fsynced.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.AuditAppendFailuresTotal,
			Help: "Audit appends that failed (bad entry, write or fsync error, closed log).",
		}),
		syncs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: metric.AuditFsyncDurationSeconds,
			Help: "Time of each fsync of the audit log; one fsync covers every append waiting for it.",
			// fsync here is 0.3–0.5 ms; the tail catches a slow disk.
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 14),
		}),
	}
	reg.MustRegister(m.entries, m.failures, m.syncs)
	return m
}

func (m *Metrics) appended() {
	if m != nil {
		m.entries.Inc()
	}
}

func (m *Metrics) appendFailed() {
	if m != nil {
		m.failures.Inc()
	}
}

func (m *Metrics) synced(d time.Duration) {
	if m != nil {
		m.syncs.Observe(d.Seconds())
	}
}
