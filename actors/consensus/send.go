package consensus

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// ErrInstanceFailed means a table's instance stopped working (its store or
// its replay failed); the reason follows.
var ErrInstanceFailed = errors.New("consensus: table instance failed")

// persistAndSend runs off the actor: it writes rd's records in one synced
// batch and only then hands rd's messages to the mesh (DESIGN.md: persist,
// then send). seats are the players of the round, for messages to "every
// other seated player". It touches no instance state but immutable fields.
func (in *instance) persistAndSend(rd bft.Ready, seats []bft.PublicKey) error {
	start := time.Now()
	if err := in.store.Persist(in.table, rd.Persist); err != nil {
		return err
	}
	in.opts.Metrics.persisted(time.Since(start))
	for _, m := range rd.Messages {
		out := []bft.Message{m}
		if byz := in.opts.byzantine.Load(); byz != nil {
			out = (*byz)(in.table, m, in.opts.Identity.Sign)
		}
		for _, o := range out {
			if err := in.sendMessage(o, seats); err != nil {
				in.log.Warn("consensus message not sent", "type", o.Type().String(), "err", err)
			}
		}
	}
	return nil
}

// sendMessage sends m straight to its recipient, or to each other seat:
// one signed envelope per seat costs a signature each, but no relaying and
// no verification on nodes that are not at the table.
func (in *instance) sendMessage(m bft.Message, seats []bft.PublicKey) error {
	to := m.To
	m.To = bft.PublicKey{}
	raw, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	frame, err := messages.EncodeFrame(messages.FrameBFT, in.table, raw)
	if err != nil {
		return err
	}
	if to != (bft.PublicKey{}) {
		return in.route(to, frame)
	}
	for _, k := range seats {
		if k == in.me {
			continue
		}
		if err := in.route(k, frame); err != nil {
			return err
		}
	}
	return nil
}

func (in *instance) route(to bft.PublicKey, frame []byte) error {
	return routeEnvelope(in.system, in.mesh, in.opts.Identity, to, frame)
}

// routeEnvelope signs frame into a CONSENSUS envelope to one peer and hands
// it to the mesh.
func routeEnvelope(sys *actor.ActorSystem, mesh *actor.PID, id *identity.Identity, to bft.PublicKey, frame []byte) error {
	signer := messages.Signer{PublicKey: id.PublicKey, Sign: id.Sign}
	env, err := messages.NewEnvelopeTo(signer, to[:], messages.MessageType_MESSAGE_TYPE_CONSENSUS, frame, messages.DefaultTTL)
	if err != nil {
		return fmt.Errorf("envelope to %s: %w", to.Short(), err)
	}
	sys.Root.Send(mesh, &messages.RouteEnvelope{Envelope: env})
	return nil
}

// routeFrame frames body for table and routes it to one peer.
func routeFrame(sys *actor.ActorSystem, mesh *actor.PID, id *identity.Identity, to bft.PublicKey, kind byte, table string, body []byte) error {
	frame, err := messages.EncodeFrame(kind, table, body)
	if err != nil {
		return err
	}
	return routeEnvelope(sys, mesh, id, to, frame)
}

// sendFrame sends a lifecycle frame to one seat.
func (in *instance) sendFrame(to bft.PublicKey, kind byte, body []byte) {
	if err := routeFrame(in.system, in.mesh, in.opts.Identity, to, kind, in.table, body); err != nil {
		in.log.Debug("lifecycle frame not sent", "kind", kind, "to", to.Short(), "err", err)
	}
}

// broadcastFrame sends a lifecycle frame to every other seat: the bft
// node's, or after a dissolution the seats of the round after the last.
func (in *instance) broadcastFrame(kind byte, body []byte) {
	var seats []bft.PublicKey
	if in.node != nil {
		seats = in.node.Status().Seats
	} else if s, err := in.nextSeats(); err == nil {
		seats = s
	}
	for _, k := range seats {
		if k != in.me {
			in.sendFrame(k, kind, body)
		}
	}
}
