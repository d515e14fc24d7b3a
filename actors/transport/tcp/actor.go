package tcp

import (
	"context"
	"encoding/hex"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/flynn/noise"
	"golang.org/x/time/rate"

	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// Props validates the options and returns the actor's props; each start or
// restart builds a fresh actor from them.
func Props(opts Options) (*actor.Props, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	return actor.PropsFromProducer(func() actor.Actor { return &Actor{opts: opts} }), nil
}

// Actor is the tcp transport. All fields belong to the actor goroutine.
type Actor struct {
	opts   Options
	system *actor.ActorSystem
	self   *actor.PID
	events *actor.PID

	ctx        context.Context // cancelled on stop: ends dials in progress
	cancel     context.CancelFunc
	static     noise.DHKey
	ln         net.Listener
	listenAddr string

	conns       map[string]*conn // established, by peer ID
	draining    map[*conn]struct{}
	held        map[string]*held // by peer ID, between connections
	nextHold    uint64
	pending     map[*pendingConn]struct{}
	nextPending uint64
	dials       map[string]*dial // by address
	cooldown    map[string]time.Time
	in, out     *rate.Limiter // nil when unlimited
	nextConn    uint64
	selfID      string
	health      messages.HealthStatus
	healthMsg   string
}

// Receive dispatches; every handler returns without blocking.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		a.stop()
	case *messages.SendEnvelope:
		a.send(m)
	case *messages.ConnectPeer:
		a.connectPeer(m)
	case *messages.DisconnectPeer:
		a.disconnectPeer(ctx, m)
	case *messages.SubscribeTransport:
		a.subscribe(ctx, m)
	case *messages.ListConnections:
		ctx.Respond(a.connections())
	case *messages.GetListenAddr:
		ctx.Respond(&messages.ListenAddr{Transport: messages.TransportTCP, Addr: a.listenAddr})
	case *accepted:
		a.onAccepted(m)
	case *acceptFailed:
		a.opts.Logger.Warn("tcp accept failed", "err", m.err)
	case *handshakeDone:
		a.onHandshake(ctx, m)
	case *frameIn:
		a.onFrame(ctx, m)
	case *frameBad:
		a.onBadFrame(ctx, m)
	case *readerDone:
		a.onReaderDone(ctx, m)
	case *writerDone:
		a.onWriterDone(ctx, m)
	case *drainExpired:
		a.onDrainExpired(m.c)
	case *redial:
		a.onRedial(m)
	case *holdExpired:
		a.releaseHeld(m.peer, m.gen)
	}
}

func (a *Actor) start(ctx actor.Context) {
	a.system, a.self = ctx.ActorSystem(), ctx.Self()
	a.events = a.opts.Events
	if a.events == nil {
		a.events = ctx.Parent()
	}
	a.selfID = hex.EncodeToString(a.opts.Local.PublicKey)
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.conns = map[string]*conn{}
	a.draining = map[*conn]struct{}{}
	a.held = map[string]*held{}
	a.pending = map[*pendingConn]struct{}{}
	a.dials = map[string]*dial{}
	a.cooldown = map[string]time.Time{}
	if a.opts.MaxBandwidth > 0 {
		a.in = rate.NewLimiter(rate.Limit(a.opts.MaxBandwidth), a.opts.BandwidthBurst)
		a.out = rate.NewLimiter(rate.Limit(a.opts.MaxBandwidth), a.opts.BandwidthBurst)
	}
	var err error
	if a.static, err = link.NewStatic(a.opts.Rand); err != nil {
		a.report(ctx, messages.Critical, err.Error())
		return
	}
	if err := a.listen(); err != nil {
		a.report(ctx, messages.Critical, err.Error())
		return
	}
	a.report(ctx, messages.Healthy, "listening on "+a.listenAddr)
}

// stop releases every socket and timer (cancelling ctx closes sockets still
// handshaking); goroutines end on their closed sockets, and whatever they
// send afterwards goes to dead letters.
func (a *Actor) stop() {
	if a.cancel == nil {
		return
	}
	a.cancel()
	if a.ln != nil {
		_ = a.ln.Close()
	}
	for _, c := range a.conns {
		a.closeConn(c)
	}
	for c := range a.draining {
		a.closeConn(c)
	}
	for _, d := range a.dials {
		d.stopTimer()
	}
	for _, h := range a.held {
		h.timer.Stop()
	}
	a.opts.Metrics.Connections.WithLabelValues(messages.TransportTCP).Sub(float64(len(a.conns)))
	a.conns, a.draining, a.pending, a.dials, a.held = nil, nil, nil, nil, nil
	a.cancel = nil
}

func (a *Actor) report(ctx actor.Context, status messages.HealthStatus, reason string) {
	a.health, a.healthMsg = status, reason
	a.emit(ctx, &messages.ServiceHealth{Service: messages.TransportTCP, Status: status, Reason: reason})
}

func (a *Actor) emit(ctx actor.Context, msg any) {
	if a.events != nil {
		ctx.Send(a.events, msg)
	}
}

// sendSelf is how goroutines talk to the actor.
func (a *Actor) sendSelf(msg any) { a.system.Root.Send(a.self, msg) }

func (a *Actor) drop(reason string) {
	a.opts.Metrics.Drops.WithLabelValues(messages.TransportTCP, reason).Inc()
}

func (a *Actor) slotsFree() bool {
	return len(a.conns)+len(a.pending) < a.opts.MaxConnections
}
