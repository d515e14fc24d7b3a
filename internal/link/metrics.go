package link

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/metric"
	"github.com/bitcraps/bitcraps/messages"
)

// Metrics are the transport-level counters every link-carrying transport
// (tcp, ble) shares, one family each with a "transport" label. NewMetrics is
// idempotent per registry, so each transport builds its own handle from the
// node's registry and they land in the same families.
type Metrics struct {
	BytesReceived     *prometheus.CounterVec // transport, type
	BytesSent         *prometheus.CounterVec // transport, type
	MessagesReceived  *prometheus.CounterVec // transport, type
	MessagesSent      *prometheus.CounterVec // transport, type
	HandshakeFailures *prometheus.CounterVec // transport, reason
	Drops             *prometheus.CounterVec // transport, reason
	Refused           *prometheus.CounterVec // transport, reason
	Connections       *prometheus.GaugeVec   // transport
	Dials             *prometheus.CounterVec // transport, result
	Throttled         *prometheus.CounterVec // transport, direction
}

// NewMetrics registers (or finds already registered) the families in reg.
// A nil reg gives working, unregistered metrics: the no-op path for tests.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
		return register(reg, c)
	}
	gauge := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: metric.TransportConnections,
		Help: "Authenticated connections currently open.",
	}, []string{"transport"})
	m := &Metrics{
		BytesReceived:     counter(metric.TransportReceivedBytesTotal, "Envelope frame bytes received (plaintext size).", "transport", "type"),
		BytesSent:         counter(metric.TransportSentBytesTotal, "Envelope frame bytes sent (plaintext size).", "transport", "type"),
		MessagesReceived:  counter(metric.TransportReceivedMessagesTotal, "Verified envelopes received.", "transport", "type"),
		MessagesSent:      counter(metric.TransportSentMessagesTotal, "Envelopes written to a connection.", "transport", "type"),
		HandshakeFailures: counter(metric.TransportHandshakeFailuresTotal, "Handshakes that failed, by reason.", "transport", "reason"),
		Drops:             counter(metric.TransportDropsTotal, "Envelopes dropped, by reason.", "transport", "reason"),
		Refused:           counter(metric.TransportRefusedConnectionsTotal, "Connections refused or closed by a limit or policy.", "transport", "reason"),
		Connections:       register(reg, gauge),
		Dials:             counter(metric.TransportDialsTotal, "Outbound dial attempts, by result.", "transport", "result"),
		Throttled:         counter(metric.TransportThrottledTotal, "Times a read or write waited for bandwidth tokens.", "transport", "direction"),
	}
	m.preset()
	return m
}

// preset creates the known label values at 0, for both transports, so the
// first failed handshake or drop alerts (increase() ignores a series born
// at 1) and a dashboard shows zeros rather than gaps.
func (m *Metrics) preset() {
	for _, transport := range []string{messages.TransportTCP, messages.TransportBLE} {
		for t := range messages.MessageType_name {
			if t == 0 {
				continue
			}
			label := messages.MessageType(t).Label()
			for _, c := range []*prometheus.CounterVec{m.BytesReceived, m.BytesSent, m.MessagesReceived, m.MessagesSent} {
				c.WithLabelValues(transport, label)
			}
		}
		for _, r := range []string{"bad_request", "closed", "disconnected", "malformed", "no_connection", "no_route",
			"no_subscriber", "queue_full", "dial_failed", "cooldown"} {
			m.Drops.WithLabelValues(transport, r)
		}
		for _, r := range []string{"pending_per_addr", "max_connections", "reserved_slots", "duplicate", "stale_handshake", "cooldown_list_full"} {
			m.Refused.WithLabelValues(transport, r)
		}
		for _, d := range []string{"in", "out"} {
			m.Throttled.WithLabelValues(transport, d)
		}
		for _, r := range reasons {
			m.HandshakeFailures.WithLabelValues(transport, r.label)
		}
		for _, r := range []string{"io", "cooldown"} {
			m.HandshakeFailures.WithLabelValues(transport, r)
		}
		for _, r := range []string{"connected", "failed", "no_slot", "gave_up"} {
			m.Dials.WithLabelValues(transport, r)
		}
		m.Connections.WithLabelValues(transport)
	}
}

// register adds c to reg, or returns the identical collector registered
// before (by the other transport).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	c, err := metric.Register(reg, c)
	if err != nil {
		panic("link metrics: " + err.Error()) // a name clash is a programming error
	}
	return c
}
