package tcp

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// maxCooldowns bounds the refusal list; expired entries are pruned first.
const maxCooldowns = 4096

func (a *Actor) send(m *messages.SendEnvelope) {
	if a.conns == nil || m.Envelope == nil {
		a.drop("bad_request")
		return
	}
	if c := a.conns[m.To]; c != nil {
		a.enqueue(c, m.Envelope)
		return
	}
	if a.holdEnvelope(m.To, m.Envelope) {
		return
	}
	if m.Addr == "" {
		a.opts.Logger.Debug("tcp send: no route", "peer", shortID(m.To))
		a.drop("no_route")
		return
	}
	pub, err := identity.ParsePeerID(m.To)
	if err != nil {
		a.drop("bad_request")
		return
	}
	d := a.ensureDial(m.Addr, pub)
	if len(d.pending) >= a.opts.SendQueue {
		a.drop("queue_full")
		return
	}
	d.pending = append(d.pending, m.Envelope)
	a.startDial(d)
}

func (a *Actor) connectPeer(m *messages.ConnectPeer) {
	if a.conns == nil || m.Addr == "" {
		return
	}
	var expect []byte
	if m.Peer != "" {
		pub, err := identity.ParsePeerID(m.Peer)
		if err != nil {
			a.opts.Logger.Warn("tcp connect: bad peer ID", "peer", m.Peer, "err", err)
			return
		}
		expect = pub
	}
	a.startDial(a.ensureDial(m.Addr, expect))
}

func (a *Actor) disconnectPeer(ctx actor.Context, m *messages.DisconnectPeer) {
	if a.conns == nil {
		return
	}
	for _, d := range a.dials {
		if d.peer == m.Peer {
			a.forgetDial(d, "disconnected")
		}
	}
	if m.CoolDown > 0 {
		a.addCooldown(m.Peer, time.Now().Add(m.CoolDown))
	}
	for c := range a.draining {
		if c.peer == m.Peer {
			delete(a.draining, c)
			a.closeConn(c)
		}
	}
	if c := a.conns[m.Peer]; c != nil {
		reason := m.Reason
		if reason == "" {
			reason = "disconnect requested"
		}
		a.closeNow(ctx, c, reason)
	}
	a.releaseHeld(m.Peer, 0)
}

func (a *Actor) addCooldown(peer string, until time.Time) {
	now := time.Now()
	for p, t := range a.cooldown {
		if now.After(t) {
			delete(a.cooldown, p)
		}
	}
	if len(a.cooldown) >= maxCooldowns {
		a.opts.Metrics.Refused.WithLabelValues(messages.TransportTCP, "cooldown_list_full").Inc()
		return
	}
	a.cooldown[peer] = until
}

func (a *Actor) connections() *messages.Connections {
	out := &messages.Connections{}
	for _, c := range a.conns {
		out.Items = append(out.Items, messages.ConnectionInfo{
			Peer: c.peer, Transport: messages.TransportTCP, Addr: c.nc.RemoteAddr().String(),
			Inbound: c.inbound, Since: c.since,
			BytesIn: c.bytesIn.Load(), BytesOut: c.bytesOut.Load(), QueueLen: len(c.queue),
		})
	}
	return out
}

// subscribe redirects events (used when the tcp actor runs without the
// transport parent) and replays the connections already up.
func (a *Actor) subscribe(ctx actor.Context, m *messages.SubscribeTransport) {
	if m.Subscriber == nil {
		return
	}
	a.events = m.Subscriber
	for _, c := range a.conns {
		a.emit(ctx, c.connectedEvent())
	}
	if a.healthMsg != "" {
		a.emit(ctx, &messages.ServiceHealth{Service: messages.TransportTCP, Status: a.health, Reason: a.healthMsg})
	}
}
