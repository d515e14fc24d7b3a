package ble

import (
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// pending is a link whose handshake is running.
type pending struct {
	l       Link
	fc      *frameConn
	stats   *fragmentStats
	inbound bool
}

// conn is an authenticated link. The actor owns it; its goroutines read
// only the immutable fields, the queue and done.
type conn struct {
	peer    string
	l       Link
	sess    *link.Session
	stats   *fragmentStats
	inbound bool
	since   time.Time
	queue   chan *messages.Envelope
	done    chan struct{}
	once    sync.Once
}

// Messages from link goroutines to the actor.
type (
	handshakeDone struct {
		p    *pending
		sess *link.Session
		err  error
	}
	frameIn struct {
		c    *conn
		env  *messages.Envelope
		size int
	}
	frameBad struct {
		c      *conn
		reason string
	}
	connClosed struct {
		c   *conn
		err error
	}
)

// handshake runs Noise XX over the fragmenting link in a goroutine, bounded
// by closing the link when the timeout passes.
func (a *Actor) handshake(l Link, inbound bool, expect string) {
	stats := &fragmentStats{}
	p := &pending{l: l, stats: stats, inbound: inbound,
		fc: newFrameConn(l, a.reassembly(), a.randomID(), a.opts.Now, stats)}
	a.pending[p] = struct{}{}
	cfg := link.Config{Local: a.opts.Local, Static: a.static, Difficulty: a.opts.Difficulty}
	if expect != "" {
		if pub, err := hex.DecodeString(expect); err == nil {
			cfg.Expect = pub
		}
	}
	timeout := a.opts.HandshakeTimeout
	go func() {
		t := time.AfterFunc(timeout, func() { _ = l.Close() })
		defer t.Stop()
		var sess *link.Session
		var err error
		if inbound {
			sess, err = link.Respond(p.fc, cfg)
		} else {
			sess, err = link.Initiate(p.fc, cfg)
		}
		a.sendSelf(&handshakeDone{p: p, sess: sess, err: err})
	}()
}

func (a *Actor) reassembly() reassembly {
	return reassembly{Timeout: a.opts.Reassembly, MaxMessage: link.MaxMessageSize, MaxEarly: 64}
}

func (a *Actor) onHandshake(ctx actor.Context, m *handshakeDone) {
	p := m.p
	if _, ok := a.pending[p]; !ok {
		_ = p.l.Close() // stopped meanwhile
		return
	}
	delete(a.pending, p)
	if m.err != nil {
		a.failHandshake(p, link.Reason(m.err), m.err)
		return
	}
	peer := m.sess.PeerID()
	if until, ok := a.cooldown[peer]; ok && time.Now().Before(until) {
		a.failHandshake(p, "cooldown", fmt.Errorf("peer %s is cooling down", peer[:8]))
		return
	}
	if !p.inbound {
		a.opts.Metrics.Dials.WithLabelValues(messages.TransportBLE, "connected").Inc()
	}
	c := &conn{peer: peer, l: p.l, sess: m.sess, stats: p.stats, inbound: p.inbound, since: time.Now(),
		queue: make(chan *messages.Envelope, a.opts.SendQueue), done: make(chan struct{})}
	old := a.conns[peer]
	if old != nil && !a.prefer(c, old) {
		a.failHandshake(p, "duplicate", fmt.Errorf("already linked to %s", peer[:8]))
		return
	}
	a.adopt(ctx, c, old)
}

func (a *Actor) failHandshake(p *pending, reason string, err error) {
	a.opts.Metrics.HandshakeFailures.WithLabelValues(messages.TransportBLE, reason).Inc()
	a.opts.Logger.Debug("ble handshake failed", "addr", p.l.RemoteAddr(), "reason", reason, "err", err)
	_ = p.l.Close()
	a.release(p.l.RemoteAddr())
	a.opts.Fragments.record(p.stats.Snapshot())
}

// release forgets that addr is busy unless another link to it is up or
// handshaking (both ends' links to one peer share its address).
func (a *Actor) release(addr string) {
	for _, c := range a.conns {
		if c.l.RemoteAddr() == addr {
			return
		}
	}
	for p := range a.pending {
		if p.l.RemoteAddr() == addr {
			return
		}
	}
	delete(a.busy, addr)
}

// prefer decides between two links to one peer the same way on both ends:
// keep the one dialed by the node with the smaller peer ID.
func (a *Actor) prefer(c, old *conn) bool {
	dialer := func(x *conn) string {
		if x.inbound {
			return x.peer
		}
		return a.selfID
	}
	return dialer(c) < dialer(old)
}

// adopt makes c the peer's link (retiring old, if any) and starts its
// reader and writer.
func (a *Actor) adopt(ctx actor.Context, c, old *conn) {
	a.conns[c.peer] = c
	go a.readLoop(c)
	go a.writeLoop(c)
	if old != nil {
		a.moveQueue(old, c)
		a.closeConn(old)
		return // the peer stays connected: no events
	}
	a.opts.Metrics.Connections.WithLabelValues(messages.TransportBLE).Inc()
	a.opts.Logger.Info("ble link up", "peer", c.peer[:8], "addr", c.l.RemoteAddr(), "inbound", c.inbound, "mtu", c.l.MTU())
	a.emit(ctx, &messages.PeerConnected{Peer: c.peer, Transport: messages.TransportBLE, Addr: c.l.RemoteAddr(),
		Inbound: c.inbound, PoWNonce: c.sess.Peer().Nonce})
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

func (a *Actor) closeConn(c *conn) {
	c.once.Do(func() {
		close(c.done)
		_ = c.l.Close()
		if a.conns[c.peer] == c {
			delete(a.conns, c.peer)
		}
		a.release(c.l.RemoteAddr())
		a.opts.Fragments.record(c.stats.Snapshot())
	})
}

func (a *Actor) onClosed(ctx actor.Context, c *conn, err error) {
	if a.conns == nil || a.conns[c.peer] != c {
		a.closeConn(c)
		return
	}
	delete(a.conns, c.peer)
	a.closeConn(c)
	a.opts.Metrics.Connections.WithLabelValues(messages.TransportBLE).Dec()
	reason := "closed"
	if err != nil {
		reason = err.Error()
	}
	a.opts.Logger.Info("ble link down", "peer", c.peer[:8], "reason", reason)
	a.emit(ctx, &messages.PeerDisconnected{Peer: c.peer, Transport: messages.TransportBLE, Reason: reason})
}

// readLoop reads and verifies frames off the actor (an Ed25519 check each).
func (a *Actor) readLoop(c *conn) {
	for {
		env, n, err := messages.ReadFrame(c.sess)
		if err != nil {
			if errors.Is(err, messages.ErrMalformed) || errors.Is(err, messages.ErrFrameTooLarge) {
				a.sendSelf(&frameBad{c: c, reason: "malformed"})
			}
			a.sendSelf(&connClosed{c: c, err: err})
			return
		}
		if err := env.Verify(); err != nil {
			a.sendSelf(&frameBad{c: c, reason: verifyReason(err)})
			continue
		}
		a.sendSelf(&frameIn{c: c, env: env, size: n})
	}
}

// writeLoop writes queued envelopes until done closes or a write fails.
func (a *Actor) writeLoop(c *conn) {
	for {
		select {
		case <-c.done:
			return
		case env := <-c.queue:
			if _, err := messages.WriteFrame(c.sess, env); err != nil {
				a.sendSelf(&connClosed{c: c, err: err})
				return
			}
		}
	}
}

func (a *Actor) onFrame(ctx actor.Context, m *frameIn) {
	if a.conns[m.c.peer] != m.c {
		return
	}
	env := m.env
	if env.GetType().LinkLocal() && env.SenderID() != m.c.peer {
		a.misbehaved(ctx, m.c, "sender_mismatch")
		return
	}
	label := env.GetType().Label()
	a.opts.Metrics.BytesReceived.WithLabelValues(messages.TransportBLE, label).Add(float64(m.size))
	a.opts.Metrics.MessagesReceived.WithLabelValues(messages.TransportBLE, label).Inc()
	a.emit(ctx, &messages.FrameReceived{From: m.c.peer, Transport: messages.TransportBLE, Envelope: env, Size: m.size})
}

func (a *Actor) onBadFrame(ctx actor.Context, m *frameBad) {
	if a.conns[m.c.peer] == m.c {
		a.misbehaved(ctx, m.c, m.reason)
	}
}

func (a *Actor) misbehaved(ctx actor.Context, c *conn, reason string) {
	a.drop(reason)
	a.emit(ctx, &messages.PeerMisbehaved{Peer: c.peer, Transport: messages.TransportBLE, Reason: reason})
}

func (a *Actor) send(m *messages.SendEnvelope) {
	c := a.conns[m.To]
	if c == nil {
		a.drop("no_connection")
		return
	}
	a.enqueue(c, m.Envelope)
}

func (a *Actor) enqueue(c *conn, env *messages.Envelope) {
	frame, err := messages.Encode(env)
	if err != nil {
		a.drop("malformed")
		return
	}
	select {
	case c.queue <- env:
		label := env.GetType().Label()
		a.opts.Metrics.BytesSent.WithLabelValues(messages.TransportBLE, label).Add(float64(len(frame)))
		a.opts.Metrics.MessagesSent.WithLabelValues(messages.TransportBLE, label).Inc()
	default:
		a.drop("queue_full")
	}
}

func (a *Actor) disconnectPeer(ctx actor.Context, m *messages.DisconnectPeer) {
	if m.CoolDown > 0 {
		now := time.Now()
		for p, until := range a.cooldown {
			if now.After(until) {
				delete(a.cooldown, p)
			}
		}
		a.cooldown[m.Peer] = now.Add(m.CoolDown)
	}
	if c := a.conns[m.Peer]; c != nil {
		delete(a.conns, m.Peer)
		a.closeConn(c)
		a.opts.Metrics.Connections.WithLabelValues(messages.TransportBLE).Dec()
		a.emit(ctx, &messages.PeerDisconnected{Peer: m.Peer, Transport: messages.TransportBLE, Reason: "disconnected: " + m.Reason})
	}
}

func (a *Actor) connections() *messages.Connections {
	out := &messages.Connections{}
	for _, c := range a.conns {
		out.Items = append(out.Items, messages.ConnectionInfo{
			Peer: c.peer, Transport: messages.TransportBLE, Addr: c.l.RemoteAddr(),
			Inbound: c.inbound, Since: c.since, QueueLen: len(c.queue),
		})
	}
	return out
}

func verifyReason(err error) string {
	switch {
	case errors.Is(err, messages.ErrBadID):
		return "bad_id"
	case errors.Is(err, messages.ErrBadSignature):
		return "bad_signature"
	}
	return "malformed"
}
