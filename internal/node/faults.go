package node

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/bitcraps/bitcraps/actors/mesh"
	"github.com/bitcraps/bitcraps/actors/transport"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// errNotStarted: a fault was asked for before the services exist.
var errNotStarted = errors.New("node services not started")

// errUnknownPeer: a link to drop to a peer the mesh cannot dial.
var errUnknownPeer = errors.New("no mesh address known for the peer")

// faults are the API's fault-injection hooks (api.Faults) over this node,
// given to the API only with --fault-injection: `make chaos` drives node
// processes from outside and has no other way into their actors.
type faults struct{ n *Node }

// Panic makes a root service panic once (supervisor.Root.Inject).
func (f faults) Panic(service string) error {
	if f.n.root == nil {
		return errNotStarted
	}
	return f.n.root.Inject(service)
}

// DropLink cuts the link to peer for cut, as a broken network would, while
// both nodes stay up (each may still reach the other through a third): the
// transport closes every connection to the peer and refuses it for cut
// (DisconnectPeer), then this node dials it again. DisconnectPeer alone
// forgets the dial for good, being meant for misbehaving peers.
func (f faults) DropLink(peer string, cut time.Duration) error {
	if _, err := identity.ParsePeerID(peer); err != nil {
		return fmt.Errorf("drop link to %q: %w", peer, err)
	}
	if f.n.system == nil {
		return errNotStarted
	}
	addr, err := f.meshAddr(peer)
	if err != nil {
		return fmt.Errorf("drop link to %s: %w", peer, err)
	}
	root, tr := f.n.system.Root, f.n.sibling(transport.ServiceName)
	root.Send(tr, &messages.DisconnectPeer{Peer: peer, CoolDown: cut, Reason: "fault injection"})
	time.AfterFunc(cut, func() {
		root.Send(tr, &messages.ConnectPeer{Peer: peer, Addr: addr, Transport: messages.TransportTCP})
	})
	return nil
}

// meshAddr is the peer's transport address from the mesh's peer table.
func (f faults) meshAddr(peer string) (string, error) {
	res, err := f.n.system.Root.RequestFuture(f.n.sibling(mesh.ServiceName), &messages.ListPeers{}, 5*time.Second).Result()
	if err != nil {
		return "", err
	}
	peers, ok := res.(*messages.Peers)
	if !ok {
		return "", fmt.Errorf("mesh answered %T", res)
	}
	for _, p := range peers.Items {
		if p.PeerID != peer || p.MeshPort == 0 || len(p.Addresses) == 0 {
			continue
		}
		if host, _, err := net.SplitHostPort(p.Addresses[0]); err == nil {
			return net.JoinHostPort(host, strconv.Itoa(p.MeshPort)), nil
		}
	}
	return "", errUnknownPeer
}
