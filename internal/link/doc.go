// Package link turns any ordered byte or message channel into an
// authenticated, encrypted link to one bitcraps peer: a Noise XX handshake
// whose payload binds the Noise static key to the peer's Ed25519 identity
// (signature plus proof of work), then ChaCha20-Poly1305 transport messages
// carrying envelope frames.
//
// It exists apart from the TCP transport so the BLE transport runs exactly
// the same handshake and framing over its own channel. It owns no sockets,
// goroutines or clocks: callers set deadlines on their connections and run
// the blocking calls in their own goroutines.
package link
