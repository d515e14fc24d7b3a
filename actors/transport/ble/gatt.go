package ble

// GATT identifiers of the bitcraps service. They were generated once at
// random (version 4) and never change: a peer finds others by ServiceUUID.
const (
	// ServiceUUID is advertised and scanned for.
	ServiceUUID = "ef4e2c10-ac72-4af8-bab8-5de67e6b858a"
	// RXCharUUID is written by the central (write with response, so the
	// ATT layer acknowledges every fragment and applies backpressure).
	RXCharUUID = "663e1a40-d44d-49a8-8bd2-dd021f0ab97a"
	// TXCharUUID notifies the central of the peripheral's fragments.
	TXCharUUID = "4a074876-49d9-41c9-ac74-51609088b885"
	// NamePrefix starts the advertised local name; the rest is the peer
	// ID's first eight hex digits, which decides who dials whom.
	NamePrefix = "bc-"
)
