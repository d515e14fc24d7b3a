package messages

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Transport names: the Transport field of the messages below and the
// "transport" label of metrics.
const (
	TransportTCP = "tcp"
	TransportBLE = "ble"
)

// Peer IDs in these messages are lowercase hex of the peer's 32-byte Ed25519
// public key (identity.PeerID's format), as plain strings so this package
// depends on no identity code.

// SendEnvelope asks the transport actor (or one of its children) to deliver
// Envelope to peer To over an authenticated connection, dialing Addr
// (host:port, TCP only) when there is none yet. Fire and forget: a message
// that cannot be queued (queue full, no route, dial failed) is dropped and
// counted in bitcraps_transport_drops_total; reliability is the sender's job.
type SendEnvelope struct {
	To        string
	Addr      string
	Transport string // "" lets the transport actor choose; TransportTCP/BLE forces one
	Envelope  *Envelope
}

// ConnectPeer asks for a connection to Addr that the transport keeps up,
// redialing with capped exponential backoff after it drops, until
// DisconnectPeer. Peer, when set, is the peer ID the handshake must
// authenticate; another identity at Addr is refused.
type ConnectPeer struct {
	Peer      string
	Addr      string
	Transport string
}

// DisconnectPeer closes every connection to Peer, stops redialing it and
// refuses its handshakes for CoolDown (zero: close and forget, no refusal).
// The mesh sends it for peers that misbehave or that membership says left.
type DisconnectPeer struct {
	Peer     string
	CoolDown time.Duration
	Reason   string
}

// SubscribeTransport names the actor that receives FrameReceived and the
// Peer* events (the mesh, which starts after the transport). The transport
// answers by sending a PeerConnected for every connection already up, so a
// restarted subscriber rebuilds its view. A later subscription replaces it.
type SubscribeTransport struct {
	Subscriber *actor.PID
}

// FrameReceived is a verified envelope from an authenticated peer: its id
// matches its content and its sender's signature is valid. From is the peer
// at the other end of the connection; Envelope.SenderID() differs from it
// when the envelope was relayed (never for link-local types).
type FrameReceived struct {
	From      string
	Transport string
	Envelope  *Envelope
	Size      int // bytes of the frame, for accounting
}

// Relayed reports whether the envelope came through an intermediate peer.
func (f *FrameReceived) Relayed() bool { return f.Envelope.SenderID() != f.From }

// PeerConnected: a handshake with Peer completed (identity and PoW checked).
type PeerConnected struct {
	Peer      string
	Transport string
	Addr      string // remote address as the socket sees it
	Inbound   bool
	PoWNonce  uint64
}

// PeerDisconnected: the last connection to Peer over Transport closed.
type PeerDisconnected struct {
	Peer      string
	Transport string
	Reason    string
}

// PeerMisbehaved reports an authenticated peer that sent something invalid
// (Reason: "bad_signature", "bad_id", "malformed", "sender_mismatch", ...).
// The transport has already dropped the frame and counted it; the mesh
// decides on a cool-down. Handshake failures are not reported here: before
// authentication there is no trustworthy peer ID to blame.
type PeerMisbehaved struct {
	Peer      string
	Transport string
	Reason    string
}

// ListConnections asks a transport for its live connections; the reply
// (ctx.Respond, so send it with Request or RequestFuture) is *Connections.
type ListConnections struct{}

// Connections answers ListConnections.
type Connections struct {
	Items []ConnectionInfo
}

// ConnectionInfo describes one authenticated connection.
type ConnectionInfo struct {
	Peer      string
	Transport string
	Addr      string
	Inbound   bool
	Since     time.Time
	BytesIn   uint64
	BytesOut  uint64
	QueueLen  int // frames waiting to be written
}

// GetListenAddr asks the transport (forwarded to its tcp child) for the
// address it actually listens on, which differs from the configured one
// when the port is 0; the reply (ctx.Respond) is *ListenAddr.
type GetListenAddr struct{}

// ListenAddr answers GetListenAddr; Addr is "" when not listening.
type ListenAddr struct {
	Transport string
	Addr      string
}
