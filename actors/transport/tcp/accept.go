package tcp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// Messages from goroutines to the actor.
type (
	accepted     struct{ nc net.Conn }
	acceptFailed struct{ err error }
	// handshakeDone ends a pendingConn: sess on success, err otherwise.
	handshakeDone struct {
		p    *pendingConn
		nc   net.Conn
		sess *link.Session
		err  error
		// release unties nc from the actor's lifetime once the actor has
		// closed it or handed it to a conn (which closes it itself).
		release func() bool
	}
)

// readBuffer holds one full Noise message (64 KiB) plus its length prefix.
const readBuffer = link.MaxMessageSize + 2

// pendingConn is a connection being dialed or handshaken. It holds a
// connection slot from the start, so a flood of half-open connections
// cannot exceed MaxConnections.
type pendingConn struct {
	inbound bool
	dial    *dial // outbound only
	// Inbound only, for admission (admit.go): the source address, the
	// socket, when and in which order it was accepted.
	from  string
	nc    net.Conn
	since time.Time
	seq   uint64
}

func (a *Actor) listen() error {
	ln, err := net.Listen("tcp", a.opts.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.opts.ListenAddr, err)
	}
	a.ln, a.listenAddr = ln, ln.Addr().String()
	go a.acceptLoop(ln)
	return nil
}

// acceptLoop hands every accepted socket to the actor. Transient errors
// (out of file descriptors) back off instead of spinning.
func (a *Actor) acceptLoop(ln net.Listener) {
	backoff := 5 * time.Millisecond
	for {
		nc, err := ln.Accept()
		if err == nil {
			backoff = 5 * time.Millisecond
			a.sendSelf(&accepted{nc: nc})
			continue
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		a.sendSelf(&acceptFailed{err: err})
		time.Sleep(backoff)
		backoff = min(2*backoff, time.Second)
	}
}

func (a *Actor) onAccepted(m *accepted) {
	if a.conns == nil { // stopped
		_ = m.nc.Close()
		return
	}
	from := hostOf(m.nc.RemoteAddr().String())
	if refusal := a.admitInbound(from); refusal != "" {
		a.opts.Metrics.Refused.WithLabelValues(messages.TransportTCP, refusal).Inc()
		_ = m.nc.Close()
		return
	}
	a.nextPending++
	p := &pendingConn{inbound: true, from: from, nc: m.nc, since: time.Now(), seq: a.nextPending}
	a.pending[p] = struct{}{}
	go a.handshake(p, m.nc, a.linkConfig(nil))
}

func (a *Actor) linkConfig(expect []byte) link.Config {
	return link.Config{Local: a.opts.Local, Static: a.static, Difficulty: a.opts.Difficulty, Expect: expect}
}

// handshake runs in its own goroutine, bounded by HandshakeTimeout. The
// socket is tied to the actor's lifetime: stopping the actor closes it
// wherever it is (handshaking, in a message on its way, or adopted).
func (a *Actor) handshake(p *pendingConn, nc net.Conn, cfg link.Config) {
	release := context.AfterFunc(a.ctx, func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(a.opts.HandshakeTimeout))
	// Buffered reads: a Noise message is a 2-byte length then its body, two
	// syscalls per frame without a buffer. The buffer stays with the
	// session, so nothing read ahead during the handshake is lost.
	mc := link.NewStreamConn(struct {
		io.Reader
		io.Writer
	}{bufio.NewReaderSize(nc, readBuffer), nc})
	var sess *link.Session
	var err error
	if p.inbound {
		sess, err = link.Respond(mc, cfg)
	} else {
		sess, err = link.Initiate(mc, cfg)
	}
	if err == nil {
		err = nc.SetDeadline(time.Time{})
	}
	a.sendSelf(&handshakeDone{p: p, nc: nc, sess: sess, err: err, release: release})
}

func (a *Actor) onHandshake(ctx actor.Context, m *handshakeDone) {
	p := m.p
	if m.release != nil {
		m.release()
	}
	if _, ok := a.pending[p]; !ok { // stopped meanwhile
		closeQuietly(m.nc)
		return
	}
	delete(a.pending, p)
	var de *dialError
	if errors.As(m.err, &de) {
		a.dialFailed(p.dial, "dial_failed")
		return
	}
	if m.err != nil {
		a.handshakeFailed(p, m.nc, link.Reason(m.err), m.err)
		return
	}
	peer := m.sess.PeerID()
	if until, ok := a.cooldown[peer]; ok && time.Now().Before(until) {
		a.handshakeFailed(p, m.nc, "cooldown", fmt.Errorf("peer %s is cooling down", identity.PeerID(peer).Short()))
		return
	}
	if p.dial != nil {
		p.dial.succeeded(peer)
		a.opts.Metrics.Dials.WithLabelValues(messages.TransportTCP, "connected").Inc()
	}
	c := a.newConn(p, m.nc, m.sess)
	old := a.conns[peer]
	if old != nil && !a.preferNew(old, c) {
		a.opts.Metrics.Refused.WithLabelValues(messages.TransportTCP, "duplicate").Inc()
		a.startLoops(c)
		a.retire(c, old)
		return
	}
	a.adopt(ctx, c, old)
}

func (a *Actor) handshakeFailed(p *pendingConn, nc net.Conn, reason string, err error) {
	a.opts.Metrics.HandshakeFailures.WithLabelValues(messages.TransportTCP, reason).Inc()
	a.opts.Logger.Info("tcp handshake failed", "reason", reason, "inbound", p.inbound, "err", err)
	closeQuietly(nc)
	if p.dial != nil {
		a.dialFailed(p.dial, "handshake_failed")
	}
}

// preferNew decides between two connections to one peer so that both ends
// keep the same one: of two in opposite directions, the one dialed by the
// smaller peer ID; of two in the same direction, the newer (the older one
// is left over from before a restart).
func (a *Actor) preferNew(old, c *conn) bool {
	if old.inbound == c.inbound {
		return true
	}
	return a.dialer(c) < a.dialer(old)
}

func (a *Actor) dialer(c *conn) string {
	if c.inbound {
		return c.peer
	}
	return a.selfID
}

func closeQuietly(nc net.Conn) {
	if nc != nil {
		_ = nc.Close()
	}
}
