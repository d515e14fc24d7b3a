package node

import (
	"errors"
	"fmt"
	"time"

	"github.com/bitcraps/bitcraps/actors/transport"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// errNotStarted: a fault was asked for before the services exist.
var errNotStarted = errors.New("node services not started")

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

// DropLink asks the transport to close every connection to peer and to
// refuse it for cut: the link between the two nodes is down while both
// stay up, and each may still reach the other through a third.
func (f faults) DropLink(peer string, cut time.Duration) error {
	if _, err := identity.ParsePeerID(peer); err != nil {
		return fmt.Errorf("drop link to %q: %w", peer, err)
	}
	if f.n.system == nil {
		return errNotStarted
	}
	f.n.system.Root.Send(f.n.sibling(transport.ServiceName),
		&messages.DisconnectPeer{Peer: peer, CoolDown: cut, Reason: "fault injection"})
	return nil
}
