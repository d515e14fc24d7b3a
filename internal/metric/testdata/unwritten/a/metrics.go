package a

import "github.com/prometheus/client_golang/prometheus"

type Metrics struct {
	written      prometheus.Counter
	handedOut    *prometheus.CounterVec
	uncalled     prometheus.Gauge
	neverWritten *prometheus.HistogramVec
	Exported     *prometheus.CounterVec
}

func (m *Metrics) count() { m.written.Inc() }

func (m *Metrics) child(label string) prometheus.Counter { return m.handedOut.WithLabelValues(label) }

// set is never called: its series stays at its first value.
func (m *Metrics) set(v float64) { m.uncalled.Set(v) }

func (m *Metrics) preset() { m.neverWritten.WithLabelValues("x") }

func use(m *Metrics) {
	m.count()
	m.child("y").Inc()
	m.preset()
}
