package transport

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

func (a *Actor) subscribe(ctx actor.Context, m *messages.SubscribeTransport) {
	if m.Subscriber == nil {
		return
	}
	a.subscriber = m.Subscriber
	for _, byTransport := range a.routes {
		for _, up := range byTransport {
			ctx.Send(a.subscriber, up)
		}
	}
}

// forward passes a child's event to the subscriber; frames arriving before
// anyone subscribed are dropped and counted.
func (a *Actor) forward(ctx actor.Context, m any, transport string) {
	if a.subscriber == nil {
		if transport != "" {
			a.opts.Metrics.Drops.WithLabelValues(transport, "no_subscriber").Inc()
		}
		return
	}
	ctx.Send(a.subscriber, m)
}

func (a *Actor) peerUp(m *messages.PeerConnected) {
	byTransport := a.routes[m.Peer]
	if byTransport == nil {
		byTransport = map[string]*messages.PeerConnected{}
		a.routes[m.Peer] = byTransport
	}
	byTransport[m.Transport] = m
}

func (a *Actor) peerDown(m *messages.PeerDisconnected) {
	delete(a.routes[m.Peer], m.Transport)
	if len(a.routes[m.Peer]) == 0 {
		delete(a.routes, m.Peer)
	}
}

// dropRoutes forgets a stopped child's peers and tells the subscriber.
func (a *Actor) dropRoutes(ctx actor.Context, transport string) {
	for peer, byTransport := range a.routes {
		if _, ok := byTransport[transport]; ok {
			down := &messages.PeerDisconnected{Peer: peer, Transport: transport, Reason: transport + " transport stopped"}
			a.peerDown(down)
			a.forward(ctx, down, "")
		}
	}
}

// route picks the child for an envelope: the one asked for; else one
// connected to the peer (TCP first: more bandwidth); else TCP, which can
// dial Addr or hold the envelope for a peer that just dropped; else BLE.
func (a *Actor) route(ctx actor.Context, m *messages.SendEnvelope) {
	if pid := a.childFor(m.Transport, m.To); pid != nil {
		ctx.Send(pid, m)
		return
	}
	a.opts.Metrics.Drops.WithLabelValues("none", "no_route").Inc()
}

func (a *Actor) childFor(transport, peer string) *actor.PID {
	switch transport {
	case messages.TransportTCP:
		return a.tcp
	case messages.TransportBLE:
		return a.ble
	}
	connected := a.routes[peer]
	if _, ok := connected[messages.TransportTCP]; ok && a.tcp != nil {
		return a.tcp
	}
	if _, ok := connected[messages.TransportBLE]; ok && a.ble != nil {
		return a.ble
	}
	if a.tcp != nil {
		return a.tcp
	}
	return a.ble
}

func (a *Actor) connect(ctx actor.Context, m *messages.ConnectPeer) {
	pid := a.tcp
	if m.Transport == messages.TransportBLE || (m.Transport == "" && pid == nil) {
		pid = a.ble
	}
	if pid != nil {
		ctx.Send(pid, m)
	}
}

func (a *Actor) toChildren(ctx actor.Context, m any) {
	for _, pid := range []*actor.PID{a.tcp, a.ble} {
		if pid != nil {
			ctx.Send(pid, m)
		}
	}
}

// listenAddr forwards to tcp so it answers the asker directly.
func (a *Actor) listenAddr(ctx actor.Context) {
	if a.tcp == nil {
		ctx.Respond(&messages.ListenAddr{Transport: messages.TransportTCP})
		return
	}
	ctx.Forward(a.tcp)
}

// listConnections asks each child in turn (ReenterAfter, so the actor
// keeps serving meanwhile) and answers with the union; a child that does
// not answer in ListTimeout is left out.
func (a *Actor) listConnections(ctx actor.Context) {
	children := []*actor.PID{}
	for _, pid := range []*actor.PID{a.tcp, a.ble} {
		if pid != nil {
			children = append(children, pid)
		}
	}
	a.collect(ctx, children, &messages.Connections{})
}

func (a *Actor) collect(ctx actor.Context, children []*actor.PID, acc *messages.Connections) {
	if len(children) == 0 {
		ctx.Respond(acc)
		return
	}
	f := ctx.RequestFuture(children[0], &messages.ListConnections{}, a.opts.ListTimeout)
	ctx.ReenterAfter(f, func(res any, err error) {
		if c, ok := res.(*messages.Connections); ok && err == nil {
			acc.Items = append(acc.Items, c.Items...)
		}
		a.collect(ctx, children[1:], acc)
	})
}
