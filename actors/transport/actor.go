package transport

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// Actor is the transport service. It keeps no connection state of its own
// beyond which child reaches which peer.
type Actor struct {
	opts     Options
	tcpProps func() *actor.Props

	tcp, ble   *actor.PID
	tcpHealth  childHealth
	bleHealth  childHealth
	reported   *messages.ServiceHealth
	subscriber *actor.PID
	stopping   bool

	// routes: peer ID → transport name → its PeerConnected (replayed to a
	// new subscriber).
	routes map[string]map[string]*messages.PeerConnected
}

// Receive dispatches; nothing here blocks.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.start(ctx)
	case *actor.Stopping:
		a.stopping = true
	case *actor.Terminated:
		a.childStopped(ctx, m.Who)
	case *messages.ServiceHealth:
		a.childHealth(ctx, m)
	case *messages.SubscribeTransport:
		a.subscribe(ctx, m)
	case *messages.FrameReceived:
		a.forward(ctx, m, m.Transport)
	case *messages.PeerConnected:
		a.peerUp(m)
		a.forward(ctx, m, "")
	case *messages.PeerDisconnected:
		a.peerDown(m)
		a.forward(ctx, m, "")
	case *messages.PeerMisbehaved:
		a.forward(ctx, m, "")
	case *messages.SendEnvelope:
		a.route(ctx, m)
	case *messages.ConnectPeer:
		a.connect(ctx, m)
	case *messages.DisconnectPeer:
		a.toChildren(ctx, m)
	case *messages.GetListenAddr:
		a.listenAddr(ctx)
	case *messages.ListConnections:
		a.listConnections(ctx)
	}
}

func (a *Actor) start(ctx actor.Context) {
	a.routes = map[string]map[string]*messages.PeerConnected{}
	a.subscriber = a.opts.Subscriber
	a.tcpHealth = childHealth{configured: a.tcpProps != nil}
	a.bleHealth = childHealth{configured: a.opts.BLE != nil}
	if a.tcpProps != nil {
		a.tcp = a.spawn(ctx, messages.TransportTCP, a.tcpProps())
	}
	if a.opts.BLE != nil {
		a.ble = a.spawn(ctx, messages.TransportBLE, a.opts.BLE())
	}
}

func (a *Actor) spawn(ctx actor.Context, name string, props *actor.Props) *actor.PID {
	pid, err := ctx.SpawnNamed(props, name)
	if err != nil {
		// Only a name clash fails, and names are fixed: an invariant broke.
		panic("transport: spawn " + name + ": " + err.Error())
	}
	return pid
}

func (a *Actor) childHealth(ctx actor.Context, m *messages.ServiceHealth) {
	h := childHealth{configured: true, reported: true, status: m.Status, reason: m.Reason}
	switch m.Service {
	case messages.TransportTCP:
		a.tcpHealth = h
	case messages.TransportBLE:
		a.bleHealth = h
	default:
		return
	}
	a.reportHealth(ctx)
}

// childStopped: a child exhausted its restart budget (or the service is
// stopping). Its peers are gone with it.
func (a *Actor) childStopped(ctx actor.Context, who *actor.PID) {
	if a.stopping {
		return
	}
	gone := childHealth{configured: true, reported: true, status: messages.Unavailable, reason: "stopped after repeated failures"}
	switch {
	case who.Equal(a.tcp):
		a.tcpHealth, a.tcp = gone, nil
		a.dropRoutes(ctx, messages.TransportTCP)
	case who.Equal(a.ble):
		a.bleHealth, a.ble = gone, nil
		a.dropRoutes(ctx, messages.TransportBLE)
	default:
		return
	}
	a.opts.Logger.Error("transport child stopped", "child", who.Id)
	a.reportHealth(ctx)
}

// reportHealth tells the root supervisor when the aggregate changes.
func (a *Actor) reportHealth(ctx actor.Context) {
	h, ready := aggregate(a.tcpHealth, a.bleHealth)
	if !ready || a.stopping || ctx.Parent() == nil {
		return
	}
	if a.reported != nil && *a.reported == h {
		return
	}
	a.reported = &h
	ctx.Send(ctx.Parent(), &h)
}
