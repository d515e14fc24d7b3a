package backupactor

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the backup service's series. The two plain gauges exist on
// every node (0 until set), so the staleness alert in
// deploy/prometheus/bitcraps-rules.yaml can always be evaluated.
type Metrics struct {
	lastSuccess     prometheus.Gauge
	interval        prometheus.Gauge
	destLastSuccess *prometheus.GaugeVec
	failures        *prometheus.CounterVec
	size            prometheus.Gauge
	duration        prometheus.Histogram
}

// NewMetrics registers the series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_backup_last_success_timestamp_seconds",
			Help: "Unix time of the newest backup every destination confirmed (0: none since start).",
		}),
		interval: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_backup_interval_seconds",
			Help: "Configured time between scheduled backups (0: no schedule).",
		}),
		destLastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "bitcraps_backup_destination_last_success_timestamp_seconds",
			Help: "Unix time of the newest backup each destination confirmed.",
		}, []string{"destination"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bitcraps_backup_failures_total",
			Help: "Backups a destination did not get: its upload failed, or the backup failed before any upload.",
		}, []string{"destination"}),
		size: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "bitcraps_backup_size_bytes",
			Help: "Size of the newest archive, compressed and encrypted.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "bitcraps_backup_duration_seconds",
			Help: "Time of each backup from checkpoint to the last destination's answer.",
			// From a second (a small node to a local dir) to an hour (a
			// big ledger over a slow uplink).
			Buckets: prometheus.ExponentialBuckets(0.25, 2, 15),
		}),
	}
	if reg != nil {
		reg.MustRegister(m.lastSuccess, m.interval, m.destLastSuccess, m.failures, m.size, m.duration)
	}
	return m
}

func (m *Metrics) setInterval(d time.Duration) {
	if m != nil {
		m.interval.Set(d.Seconds())
	}
}

// done records one backup's outcome: failed lists the destinations that did
// not confirm, confirmed those that did.
func (m *Metrics) done(at time.Time, took time.Duration, size int64, confirmed, failed []string) {
	if m == nil {
		return
	}
	m.duration.Observe(took.Seconds())
	for _, d := range confirmed {
		m.destLastSuccess.WithLabelValues(d).Set(float64(at.Unix()))
	}
	for _, d := range failed {
		m.failures.WithLabelValues(d).Inc()
	}
	if size > 0 {
		m.size.Set(float64(size))
	}
	if len(failed) == 0 && len(confirmed) > 0 {
		m.lastSuccess.Set(float64(at.Unix()))
	}
}

// restored sets the newest backup found at start, so a restarted node does
// not look as if it never backed up.
func (m *Metrics) restored(newest time.Time) {
	if m != nil && !newest.IsZero() {
		m.lastSuccess.Set(float64(newest.Unix()))
	}
}
