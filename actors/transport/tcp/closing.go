package tcp

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// A connection ends in one of two ways. Gracefully (drain): its writer
// finishes the frame in hand and half-closes, so the peer reads everything
// written and then EOF, while its reader goes on delivering until the
// peer's EOF; the socket closes when both loops have ended. This is how a
// replaced connection ends (both ends drain the same one, see preferNew) and
// how a connection ends when the peer half-closed it. At once (closeConn):
// on I/O errors, bad frames, DisconnectPeer and stop.

// drainTimeout bounds a drain; the peer half-closes within a round trip,
// so it only matters when the peer is gone or misbehaving.
const drainTimeout = 5 * time.Second

type drainExpired struct{ c *conn }

// retire takes c out of use in favour of winner: queued envelopes move to
// winner and c drains.
func (a *Actor) retire(c, winner *conn) {
	a.opts.Logger.Debug("tcp connection retired", "peer", shortID(c.peer), "conn", c.id, "for", winner.id)
	a.drain(c)
	a.moveQueue(c, winner)
}

func (a *Actor) drain(c *conn) {
	a.draining[c] = struct{}{}
	close(c.done)
	c.drainTimer = time.AfterFunc(drainTimeout, func() { a.sendSelf(&drainExpired{c: c}) })
	a.closeIfDrained(c)
}

func (a *Actor) closeIfDrained(c *conn) {
	if c.readerEnded && c.writerEnded {
		delete(a.draining, c)
		a.closeConn(c)
	}
}

// closeConn closes c's socket at once; the caller has taken it out of
// conns and draining.
func (a *Actor) closeConn(c *conn) {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	if c.drainTimer != nil {
		c.drainTimer.Stop()
	}
	_ = c.nc.Close()
}

func (a *Actor) onReaderDone(ctx actor.Context, m *readerDone) {
	c := m.c
	c.readerEnded = true
	if _, ok := a.draining[c]; ok {
		a.closeIfDrained(c)
		return
	}
	if a.conns[c.peer] != c {
		return
	}
	a.detach(ctx, c, closeReason(m.err))
	if errors.Is(m.err, io.EOF) {
		a.drain(c) // the peer half-closed: it still reads what we write
		return
	}
	a.closeConn(c)
}

func (a *Actor) onWriterDone(ctx actor.Context, m *writerDone) {
	c := m.c
	c.writerEnded = true
	if _, ok := a.draining[c]; ok {
		if m.err != nil {
			delete(a.draining, c)
			a.closeConn(c)
			return
		}
		a.closeIfDrained(c)
		return
	}
	if a.conns[c.peer] == c && m.err != nil {
		a.detach(ctx, c, closeReason(m.err))
		a.closeConn(c)
	}
}

func (a *Actor) onDrainExpired(c *conn) {
	if _, ok := a.draining[c]; ok {
		delete(a.draining, c)
		a.closeConn(c)
	}
}

// closeNow closes a peer's current connection at once (DisconnectPeer).
func (a *Actor) closeNow(ctx actor.Context, c *conn, reason string) {
	a.detach(ctx, c, reason)
	a.closeConn(c)
}

// detach ends c's time as the peer's connection: the peer is reported
// down, what was queued is held for its next connection, and a peer this
// node dialed is redialed.
func (a *Actor) detach(ctx actor.Context, c *conn, reason string) {
	a.opts.Logger.Debug("tcp connection down", "peer", shortID(c.peer), "conn", c.id, "reason", reason)
	delete(a.conns, c.peer)
	a.opts.Metrics.Connections.WithLabelValues(messages.TransportTCP).Dec()
	a.hold(c)
	a.emit(ctx, &messages.PeerDisconnected{Peer: c.peer, Transport: messages.TransportTCP, Reason: reason})
	a.redialPeer(c.peer)
}

func closeReason(err error) string {
	switch {
	case errors.Is(err, io.EOF):
		return "closed by peer"
	case errors.Is(err, link.ErrDecrypt):
		return "decrypt_failed"
	case errors.Is(err, net.ErrClosed):
		return "closed"
	}
	return err.Error()
}
