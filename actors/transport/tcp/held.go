package tcp

import (
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// holdFor is how long envelopes for a peer whose connection just dropped
// wait for the next one. Connections are replaced in under a round trip
// (two nodes dialing each other at once, see retire) and a restarting peer
// is usually back within a second or two; longer than that, the sender's
// own retransmission is the better judge.
const holdFor = 5 * time.Second

// held are envelopes for a peer between two connections.
type held struct {
	envs  []*messages.Envelope
	timer *time.Timer
	gen   uint64
}

type holdExpired struct {
	peer string
	gen  uint64
}

// hold starts holding for peer, keeping what was still queued on c.
func (a *Actor) hold(c *conn) {
	a.nextHold++
	h := &held{gen: a.nextHold}
	for len(h.envs) < a.opts.SendQueue {
		select {
		case env := <-c.queue:
			h.envs = append(h.envs, env)
			continue
		default:
		}
		break
	}
	if old := a.held[c.peer]; old != nil {
		old.timer.Stop()
	}
	peer, gen := c.peer, h.gen
	h.timer = time.AfterFunc(holdFor, func() { a.sendSelf(&holdExpired{peer: peer, gen: gen}) })
	a.held[c.peer] = h
}

// holdEnvelope queues env for a peer being held; false if not held.
func (a *Actor) holdEnvelope(peer string, env *messages.Envelope) bool {
	h := a.held[peer]
	if h == nil {
		return false
	}
	if len(h.envs) >= a.opts.SendQueue {
		a.drop("queue_full")
		return true
	}
	h.envs = append(h.envs, env)
	return true
}

// flushHeld hands held envelopes to the peer's new connection.
func (a *Actor) flushHeld(c *conn) {
	h := a.held[c.peer]
	if h == nil {
		return
	}
	h.timer.Stop()
	delete(a.held, c.peer)
	for _, env := range h.envs {
		a.enqueue(c, env)
	}
}

func (a *Actor) releaseHeld(peer string, gen uint64) {
	h := a.held[peer]
	if h == nil || (gen != 0 && h.gen != gen) {
		return
	}
	h.timer.Stop()
	delete(a.held, peer)
	if len(h.envs) > 0 {
		a.opts.Metrics.Drops.WithLabelValues(messages.TransportTCP, "disconnected").Add(float64(len(h.envs)))
	}
}
