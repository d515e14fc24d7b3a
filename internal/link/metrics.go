package link

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
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
		Name: "bitcraps_transport_connections",
		Help: "Authenticated connections currently open.",
	}, []string{"transport"})
	return &Metrics{
		BytesReceived:     counter("bitcraps_transport_received_bytes_total", "Envelope frame bytes received (plaintext size).", "transport", "type"),
		BytesSent:         counter("bitcraps_transport_sent_bytes_total", "Envelope frame bytes sent (plaintext size).", "transport", "type"),
		MessagesReceived:  counter("bitcraps_transport_received_messages_total", "Verified envelopes received.", "transport", "type"),
		MessagesSent:      counter("bitcraps_transport_sent_messages_total", "Envelopes written to a connection.", "transport", "type"),
		HandshakeFailures: counter("bitcraps_transport_handshake_failures_total", "Handshakes that failed, by reason.", "transport", "reason"),
		Drops:             counter("bitcraps_transport_drops_total", "Envelopes dropped, by reason.", "transport", "reason"),
		Refused:           counter("bitcraps_transport_refused_connections_total", "Connections refused or closed by a limit or policy.", "transport", "reason"),
		Connections:       register(reg, gauge),
		Dials:             counter("bitcraps_transport_dials_total", "Outbound dial attempts, by result.", "transport", "result"),
		Throttled:         counter("bitcraps_transport_throttled_total", "Times a read or write waited for bandwidth tokens.", "transport", "direction"),
	}
}

// register adds c to reg, or returns the identical collector registered
// before (by the other transport).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if reg == nil {
		return c
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic("link metrics: " + err.Error()) // a name clash is a programming error
	}
	return c
}
