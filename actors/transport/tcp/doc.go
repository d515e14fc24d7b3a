// Package tcp is the transport child that carries envelopes over TCP: it
// listens on the mesh port, dials peers, runs the internal/link handshake
// on every connection and then moves encrypted envelope frames. It exists
// as its own actor so the transport parent can run it beside BLE and turn
// it off in mobile mode.
//
// The actor owns all state; per connection a reader and a writer goroutine
// do the blocking socket work and only ever send messages to the actor (the
// writer drains a bounded queue the actor fills without blocking).
package tcp
