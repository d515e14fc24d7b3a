package tcp

import (
	"encoding/hex"
	"net"
	"time"

	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// dial is an address this node connects out to and keeps connected: after
// the connection drops it is redialed with capped exponential backoff,
// unless another connection to the same peer is up.
type dial struct {
	addr     string
	expect   []byte // public key the handshake must authenticate; nil: any
	peer     string // peer ID, once known
	pending  []*messages.Envelope
	inFlight bool
	failures int // consecutive
	timer    *time.Timer
}

type redial struct{ addr string }

func (d *dial) succeeded(peer string) {
	d.peer, d.failures, d.inFlight = peer, 0, false
}

func (d *dial) stopTimer() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

// backoff is RedialMin·2^(failures-1), capped at RedialMax.
func (a *Actor) backoff(failures int) time.Duration {
	d := a.opts.RedialMin
	for i := 1; i < failures && d < a.opts.RedialMax; i++ {
		d *= 2
	}
	return min(d, a.opts.RedialMax)
}

func (a *Actor) ensureDial(addr string, expect []byte) *dial {
	d := a.dials[addr]
	if d == nil {
		d = &dial{addr: addr}
		a.dials[addr] = d
	}
	if expect != nil {
		d.expect, d.peer = expect, hex.EncodeToString(expect)
	}
	return d
}

// startDial dials now if a slot is free, otherwise retries later.
func (a *Actor) startDial(d *dial) {
	if d.inFlight || a.connected(d) {
		return
	}
	if until, ok := a.cooldown[d.peer]; ok && time.Now().Before(until) {
		a.forgetDial(d, "cooldown")
		return
	}
	if !a.slotsFree() {
		a.opts.Metrics.Refused.WithLabelValues(messages.TransportTCP, "max_connections").Inc()
		a.dialFailed(d, "no_slot")
		return
	}
	d.stopTimer()
	d.inFlight = true
	p := &pendingConn{dial: d}
	a.pending[p] = struct{}{}
	go a.dialAndHandshake(p, d.addr, a.linkConfig(d.expect))
}

func (a *Actor) connected(d *dial) bool {
	return d.peer != "" && a.conns[d.peer] != nil
}

func (a *Actor) dialAndHandshake(p *pendingConn, addr string, cfg link.Config) {
	dialer := net.Dialer{Timeout: a.opts.DialTimeout}
	nc, err := dialer.DialContext(a.ctx, "tcp", addr)
	if err != nil {
		a.sendSelf(&handshakeDone{p: p, err: &dialError{err: err}})
		return
	}
	a.handshake(p, nc, cfg)
}

// dialFailed counts a failed attempt and schedules the next one, or gives
// up after RedialAttempts in a row and drops what waited for the peer.
func (a *Actor) dialFailed(d *dial, result string) {
	d.inFlight = false
	d.failures++
	a.opts.Metrics.Dials.WithLabelValues(messages.TransportTCP, result).Inc()
	if d.failures >= a.opts.RedialAttempts {
		a.opts.Metrics.Dials.WithLabelValues(messages.TransportTCP, "gave_up").Inc()
		a.forgetDial(d, "dial_failed")
		return
	}
	a.scheduleRedial(d, a.backoff(d.failures))
}

func (a *Actor) scheduleRedial(d *dial, after time.Duration) {
	d.stopTimer()
	addr := d.addr
	d.timer = time.AfterFunc(after, func() { a.sendSelf(&redial{addr: addr}) })
}

func (a *Actor) onRedial(m *redial) {
	if d := a.dials[m.addr]; d != nil {
		d.timer = nil
		a.startDial(d)
	}
}

// redialPeer schedules reconnection to a peer whose last connection
// dropped, if this node dialed it.
func (a *Actor) redialPeer(peer string) {
	for _, d := range a.dials {
		if d.peer == peer && !d.inFlight {
			a.scheduleRedial(d, a.backoff(1))
		}
	}
}

func (a *Actor) forgetDial(d *dial, dropReason string) {
	d.stopTimer()
	if len(d.pending) > 0 {
		a.opts.Metrics.Drops.WithLabelValues(messages.TransportTCP, dropReason).Add(float64(len(d.pending)))
	}
	delete(a.dials, d.addr)
}

// flushPending hands envelopes that waited for a dial to the connection.
func (a *Actor) flushPending(c *conn) {
	for _, d := range a.dials {
		if d.peer != c.peer {
			continue
		}
		for _, env := range d.pending {
			a.enqueue(c, env)
		}
		d.pending = nil
	}
}

// dialError marks a failure before the handshake started.
type dialError struct{ err error }

func (e *dialError) Error() string { return "dial: " + e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }
