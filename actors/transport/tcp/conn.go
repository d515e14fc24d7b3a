package tcp

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// conn is one authenticated connection. The actor owns it; the reader and
// writer goroutines only read its immutable fields, the queue, done and the
// atomic counters.
type conn struct {
	id      uint64
	peer    string
	nc      net.Conn
	sess    *link.Session
	inbound bool
	since   time.Time
	queue   chan *messages.Envelope
	done    chan struct{} // closed by the actor: the writer finishes and exits

	// Actor-owned close state (see closing.go).
	readerEnded, writerEnded bool
	drainTimer               *time.Timer

	bytesIn, bytesOut atomic.Uint64
}

func (a *Actor) newConn(p *pendingConn, nc net.Conn, sess *link.Session) *conn {
	a.nextConn++
	return &conn{
		id:      a.nextConn,
		peer:    sess.PeerID(),
		nc:      nc,
		sess:    sess,
		inbound: p.inbound,
		since:   time.Now(),
		queue:   make(chan *messages.Envelope, a.opts.SendQueue),
		done:    make(chan struct{}),
	}
}

// adopt makes c the peer's connection, replacing old (nil if none), and
// starts its goroutines.
func (a *Actor) adopt(ctx actor.Context, c, old *conn) {
	a.opts.Logger.Debug("tcp connection up", "peer", shortID(c.peer), "conn", c.id, "inbound", c.inbound, "replaces", old != nil)
	a.conns[c.peer] = c
	a.startLoops(c)
	if old != nil {
		a.retire(old, c)
		return
	}
	a.opts.Metrics.Connections.WithLabelValues(messages.TransportTCP).Inc()
	a.emit(ctx, c.connectedEvent())
	a.flushHeld(c)
	a.flushPending(c)
}

func (c *conn) connectedEvent() *messages.PeerConnected {
	return &messages.PeerConnected{
		Peer: c.peer, Transport: messages.TransportTCP, Addr: c.nc.RemoteAddr().String(),
		Inbound: c.inbound, PoWNonce: c.sess.Peer().Nonce,
	}
}

func (a *Actor) startLoops(c *conn) {
	go a.readLoop(c)
	go a.writeLoop(c)
}

func (a *Actor) enqueue(c *conn, env *messages.Envelope) {
	select {
	case c.queue <- env:
	default:
		a.drop("queue_full")
	}
}

func (a *Actor) moveQueue(from, to *conn) {
	for {
		select {
		case env := <-from.queue:
			a.enqueue(to, env)
		default:
			return
		}
	}
}

// live reports whether frames from c are still wanted: it is the peer's
// connection, or one being drained.
func (a *Actor) live(c *conn) bool {
	if a.conns[c.peer] == c {
		return true
	}
	_, ok := a.draining[c]
	return ok
}

func (a *Actor) onFrame(ctx actor.Context, m *frameIn) {
	c := m.c
	if !a.live(c) {
		return
	}
	env := m.env
	if env.GetType().LinkLocal() && env.SenderID() != c.peer {
		a.misbehaved(ctx, c, "sender_mismatch")
		return
	}
	label := env.GetType().Label()
	a.opts.Metrics.BytesReceived.WithLabelValues(messages.TransportTCP, label).Add(float64(m.size))
	a.opts.Metrics.MessagesReceived.WithLabelValues(messages.TransportTCP, label).Inc()
	a.emit(ctx, &messages.FrameReceived{From: c.peer, Transport: messages.TransportTCP, Envelope: env, Size: m.size})
}

func (a *Actor) onBadFrame(ctx actor.Context, m *frameBad) {
	if !a.live(m.c) {
		return
	}
	a.misbehaved(ctx, m.c, m.reason)
	if !m.fatal {
		return
	}
	if a.conns[m.c.peer] == m.c {
		a.detach(ctx, m.c, m.reason)
	}
	delete(a.draining, m.c)
	a.closeConn(m.c)
}

func (a *Actor) misbehaved(ctx actor.Context, c *conn, reason string) {
	a.drop(reason)
	a.emit(ctx, &messages.PeerMisbehaved{Peer: c.peer, Transport: messages.TransportTCP, Reason: reason})
}

func shortID(peer string) string { return identity.PeerID(peer).Short() }
