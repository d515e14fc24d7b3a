package node

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/bitcraps/bitcraps/internal/metric"
)

// metrics are the node-level series; every service registers its own.
type metrics struct {
	powSeconds prometheus.Histogram
	buildInfo  *prometheus.GaugeVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		powSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: metric.IdentityPowSeconds,
			Help: "Time spent searching the proof-of-work nonce of a new identity.",
			// Difficulty 8 takes microseconds, 16 tens of milliseconds, 24 seconds.
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 10),
		}),
		buildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: metric.BuildInfo,
			Help: "Always 1; the labels say which build and identity this node runs.",
		}, []string{"version", "peer_id"}),
	}
	reg.MustRegister(m.powSeconds, m.buildInfo,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
