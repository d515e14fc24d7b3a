package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/metric"
)

// Metrics count the API's limits being hit. A nil *Metrics counts nothing.
type Metrics struct {
	eventsDropped  prometheus.Counter
	streamsRefused prometheus.Counter
	streamsOpen    prometheus.Gauge
	streamsEnded   *prometheus.CounterVec
	connsRefused   *prometheus.CounterVec
}

// NewMetrics registers the series with reg; a nil reg gives nil Metrics.
// A series already registered (a second server on one registry) is
// reused, so tests can build servers freely.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	if reg == nil {
		return nil
	}
	m := &Metrics{
		eventsDropped: metric.Unchecked(metric.Register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.ApiSseEventsDroppedTotal,
			Help: "Table events not sent to an event-stream client because its buffer was full (slow reader).",
		}))),
		streamsRefused: metric.Unchecked(metric.Register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: metric.ApiSseStreamsRefusedTotal,
			Help: "Event streams refused because the limit of concurrent streams was reached.",
		}))),
		streamsOpen: metric.Unchecked(metric.Register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metric.ApiSseStreams,
			Help: "Event streams open now.",
		}))),
		streamsEnded: metric.Unchecked(metric.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.ApiSseStreamsDroppedTotal,
			Help: "Event streams the node ended itself: idle (no event past the session timeout) or write_failed (the client went away or stopped reading past the write deadline).",
		}, []string{"reason"}))),
		connsRefused: metric.Unchecked(metric.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metric.ApiConnectionsRefusedTotal,
			Help: "HTTP connections cut at the connection cap: evicted_idle (an idle one made room) or busy (the new one was refused).",
		}, []string{"reason"}))),
	}
	// Every reason from the start, so the first one alerts.
	m.streamsEnded.WithLabelValues("idle")
	m.streamsEnded.WithLabelValues("write_failed")
	m.connsRefused.WithLabelValues("evicted_idle")
	m.connsRefused.WithLabelValues("busy")
	return m
}

func (m *Metrics) eventDropped() {
	if m != nil {
		m.eventsDropped.Inc()
	}
}

func (m *Metrics) streamRefused() {
	if m != nil {
		m.streamsRefused.Inc()
	}
}

func (m *Metrics) streamOpened(delta float64) {
	if m != nil {
		m.streamsOpen.Add(delta)
	}
}

func (m *Metrics) streamDropped(reason string) {
	if m != nil {
		m.streamsEnded.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) connRefused(reason string) {
	if m != nil {
		m.connsRefused.WithLabelValues(reason).Inc()
	}
}
