package messages

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Peer states in the mesh's peer table (PeerInfo.State).
const (
	// PeerAlive: membership or a live connection says the peer is there.
	PeerAlive = "alive"
	// PeerSuspect: still a member, but neither a probe ack nor any traffic
	// from it for three full probe rounds; memberlist may soon declare it
	// dead.
	PeerSuspect = "suspect"
	// PeerDead: membership declared it failed, or its last connection
	// dropped without a goodbye.
	PeerDead = "dead"
	// PeerLeft: it said goodbye (graceful shutdown).
	PeerLeft = "left"
)

// ListPeers asks the mesh actor for its peer table; the reply (ctx.Respond:
// send it with Request or RequestFuture) is *Peers.
type ListPeers struct{}

// Peers answers ListPeers. Items are sorted by peer ID and exclude Self.
type Peers struct {
	Self  MeshSelf
	Items []PeerInfo
}

// MeshSelf describes this node as the mesh sees it.
type MeshSelf struct {
	PeerID string
	// GossipAddr is the host:port memberlist actually bound (useful when
	// the configured gossip port was 0); "" when gossip is off.
	GossipAddr string
	// Joined is true once a join succeeded (or none was asked for).
	Joined bool
	// Members counts alive and suspect members, this node included, as of
	// the mesh's last refresh of memberlist (a fraction of a second old).
	Members int
}

// PeerInfo is one row of the peer table and of GET /api/v1/peers.
type PeerInfo struct {
	PeerID string `json:"peer_id"`
	State  string `json:"state"`
	// Addresses: gossip host:port, mesh (transport) host:port, and the
	// remote address of each live connection, without repeats.
	Addresses []string `json:"addresses"`
	// Transport is how data reaches the peer now: "tcp", "ble", "tcp,ble",
	// or "gossip" when only membership knows it (no connection yet).
	Transport string `json:"transport"`
	// RTTMillis is the last memberlist probe round trip; 0 when unknown.
	RTTMillis float64   `json:"rtt_ms"`
	LastSeen  time.Time `json:"last_seen"`
	// MeshPort and HTTPPort come from the peer's signed-in metadata.
	MeshPort int `json:"mesh_port,omitempty"`
	HTTPPort int `json:"http_port,omitempty"`
}

// RouteEnvelope asks the mesh to send an envelope this node created and
// signed: straight to its recipient when connected, else flooded with its
// TTL. Broadcasts (no recipient) go to every reachable node. Fire and
// forget; an envelope that cannot go anywhere is counted as dropped.
type RouteEnvelope struct {
	Envelope *Envelope
}

// SubscribeMesh registers Subscriber for envelopes delivered to this node
// (addressed to it, or broadcast) of the given Types; no Types means all.
// A later subscription of the same PID replaces its types. The mesh
// watches the subscriber and forgets it when it stops.
type SubscribeMesh struct {
	Subscriber *actor.PID
	Types      []MessageType
}

// UnsubscribeMesh removes a subscriber.
type UnsubscribeMesh struct {
	Subscriber *actor.PID
}

// MeshDelivery is an envelope for this node, sent to each subscriber of
// its type. From is the neighbour it arrived from (the sender itself when
// not relayed).
type MeshDelivery struct {
	From      string
	Transport string
	Envelope  *Envelope
}
