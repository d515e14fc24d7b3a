package mesh

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// classOf maps a message type to its rate-limit class.
func classOf(t messages.MessageType) Class {
	switch t {
	case messages.MessageType_MESSAGE_TYPE_CONSENSUS, messages.MessageType_MESSAGE_TYPE_LEDGER_OP:
		return ClassConsensus
	case messages.MessageType_MESSAGE_TYPE_TABLE_ANNOUNCE:
		return ClassTable
	case messages.MessageType_MESSAGE_TYPE_DISCOVERY:
		return ClassDiscovery
	}
	return ClassData
}

func packetOf(env *messages.Envelope) Packet {
	return Packet{
		ID:        string(env.GetId()),
		Sender:    env.SenderID(),
		Recipient: env.RecipientID(),
		Class:     classOf(env.GetType()),
		TTL:       env.GetTtl(),
		LinkLocal: env.GetType().LinkLocal(),
		// Verify stays nil: the transport verified id and signature in its
		// reader goroutine before sending FrameReceived.
	}
}

// withTTL is env with another ttl. Byte slices are shared: envelopes are
// never modified after signing.
func withTTL(env *messages.Envelope, ttl uint32) *messages.Envelope {
	return &messages.Envelope{
		Sender: env.GetSender(), Recipient: env.GetRecipient(), Type: env.GetType(),
		Payload: env.GetPayload(), Id: env.GetId(), Ttl: ttl, Signature: env.GetSignature(),
	}
}

func (a *meshActor) receiveRouting(ctx actor.Context, msg any) {
	now := a.opts.Now()
	switch m := msg.(type) {
	case *messages.FrameReceived:
		if m.Envelope == nil {
			a.opts.Metrics.drop(DropMalformed)
			return
		}
		a.table.Heard(m.From, now)
		acts := a.router.Receive(packetOf(m.Envelope), m.From, now)
		a.apply(ctx, acts, m.Envelope, m.From, m.Transport)
	case *messages.RouteEnvelope:
		if m.Envelope == nil {
			a.opts.Metrics.drop(DropMalformed)
			return
		}
		a.opts.Metrics.route("originated")
		a.apply(ctx, a.router.Originate(packetOf(m.Envelope), now), m.Envelope, a.self, "")
	case *messages.PeerConnected:
		a.conn(m.Peer, m.Transport, true)
		a.table.Connected(m.Peer, m.Transport, m.Addr, now)
		a.apply(ctx, a.router.SetConnected(m.Peer, true, now), nil, "", "")
	case *messages.PeerDisconnected:
		still := a.conn(m.Peer, m.Transport, false)
		a.table.Disconnected(m.Peer, m.Transport, now)
		if !still {
			a.router.SetConnected(m.Peer, false, now)
		}
	case *messages.PeerMisbehaved:
		a.apply(ctx, a.router.Misbehaved(m.Peer, now), nil, "", "")
	case *messages.SubscribeMesh:
		a.subscribe(ctx, m)
	case *messages.UnsubscribeMesh:
		if m.Subscriber != nil {
			delete(a.subs, m.Subscriber.String())
			ctx.Unwatch(m.Subscriber)
		}
	case *actor.Terminated:
		delete(a.subs, m.Who.String())
	case *messages.ListPeers:
		ctx.Respond(a.peers())
	}
}

// conn tracks which transports connect a peer; it returns whether any is
// left after the change.
func (a *meshActor) conn(peer, transport string, up bool) bool {
	set := a.conns[peer]
	if up {
		if set == nil {
			set = map[string]bool{}
			a.conns[peer] = set
		}
		set[transport] = true
		return true
	}
	delete(set, transport)
	if len(set) == 0 {
		delete(a.conns, peer)
		return false
	}
	return true
}

func (a *meshActor) subscribe(ctx actor.Context, m *messages.SubscribeMesh) {
	if m.Subscriber == nil {
		return
	}
	s := subscription{pid: m.Subscriber, types: map[messages.MessageType]bool{}}
	for _, t := range m.Types {
		s.types[t] = true
	}
	a.subs[m.Subscriber.String()] = s
	ctx.Watch(m.Subscriber)
}

// apply carries out the router's decisions for env, which arrived from
// from over transport (from is this node for envelopes it originated).
func (a *meshActor) apply(ctx actor.Context, acts []Action, env *messages.Envelope, from, transport string) {
	for _, act := range acts {
		switch act.Kind {
		case Deliver:
			a.deliver(ctx, env, from, transport)
		case Forward:
			a.forward(ctx, env, act)
		case Drop:
			a.opts.Metrics.drop(act.Reason)
		case Disconnect:
			a.cut(ctx, act)
		}
	}
}

func (a *meshActor) deliver(ctx actor.Context, env *messages.Envelope, from, transport string) {
	d := &messages.MeshDelivery{From: from, Transport: transport, Envelope: env}
	sent := false
	for _, s := range a.subs {
		if len(s.types) == 0 || s.types[env.GetType()] {
			ctx.Send(s.pid, d)
			sent = true
		}
	}
	if !sent {
		a.opts.Metrics.drop(DropNotSubscribed)
		return
	}
	a.opts.Metrics.route("delivered")
}

func (a *meshActor) forward(ctx actor.Context, env *messages.Envelope, act Action) {
	if a.opts.Transport == nil {
		a.opts.Metrics.drop(DropNoRoute)
		return
	}
	send := &messages.SendEnvelope{To: act.Peer, Envelope: withTTL(env, act.TTL)}
	if act.Dial {
		send.Addr, send.Transport = a.table.MeshAddr(act.Peer), messages.TransportTCP
	}
	ctx.Send(a.opts.Transport, send)
	a.opts.Metrics.route("forwarded")
}

func (a *meshActor) cut(ctx actor.Context, act Action) {
	cool := act.Until.Sub(a.opts.Now())
	a.log.Warn("disconnecting misbehaving peer", "peer", act.Peer, "cool_down", cool)
	a.opts.Metrics.disconnect("misbehaviour")
	delete(a.dialed, act.Peer)
	if a.opts.Transport != nil {
		ctx.Send(a.opts.Transport, &messages.DisconnectPeer{Peer: act.Peer, CoolDown: cool, Reason: "misbehaviour: rate limits or bad signatures"})
	}
}

func (a *meshActor) peers() *messages.Peers {
	self := messages.MeshSelf{PeerID: a.self, Joined: a.joined || !a.opts.Gossip, Members: a.members}
	if a.ml != nil {
		self.GossipAddr = a.mlAddr
	}
	return &messages.Peers{Self: self, Items: a.table.Snapshot()}
}
