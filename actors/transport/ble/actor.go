package ble

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/flynn/noise"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// Actor is the ble transport. All fields belong to the actor goroutine;
// radio callbacks and link goroutines only send it messages.
type Actor struct {
	opts   Options
	system *actor.ActorSystem
	self   *actor.PID
	events *actor.PID
	selfID string

	ctx      context.Context // cancelled on stop: ends scans, adverts, dials
	cancel   context.CancelFunc
	radio    Radio
	radioCtx context.CancelFunc
	static   noise.DHKey
	retry    *time.Timer

	conns    map[string]*conn // established, by peer ID
	pending  map[*pending]struct{}
	busy     map[string]bool // radio addresses dialing, handshaking or connected
	cooldown map[string]time.Time
	reported *messages.ServiceHealth
}

// Messages from goroutines to the actor.
type (
	radioOpened struct {
		radio Radio
		err   error
	}
	radioFailed struct {
		radio Radio
		err   error
	}
	retryRadio  struct{ owner *Actor }
	advertSeen  struct{ ad Advert }
	linkArrived struct{ l Link }
	dialDone    struct {
		addr   string
		expect string
		l      Link
		err    error
	}
)

// Receive dispatches; nothing here blocks.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		a.stop()
	case *radioOpened:
		a.onRadio(ctx, m)
	case *radioFailed:
		a.onRadioFailed(ctx, m)
	case *retryRadio:
		if m.owner == a {
			a.openRadio()
		}
	case *advertSeen:
		a.onAdvert(m.ad)
	case *linkArrived:
		a.onInbound(m.l)
	case *dialDone:
		a.onDialed(m)
	case *handshakeDone:
		a.onHandshake(ctx, m)
	case *frameIn:
		a.onFrame(ctx, m)
	case *frameBad:
		a.onBadFrame(ctx, m)
	case *connClosed:
		a.onClosed(ctx, m.c, m.err)
	case *messages.SendEnvelope:
		a.send(m)
	case *messages.ConnectPeer:
		a.dial(m.Addr, m.Peer)
	case *messages.DisconnectPeer:
		a.disconnectPeer(ctx, m)
	case *messages.ListConnections:
		ctx.Respond(a.connections())
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
	a.conns, a.pending = map[string]*conn{}, map[*pending]struct{}{}
	a.busy, a.cooldown = map[string]bool{}, map[string]time.Time{}
	if a.opts.Mode == config.BLEOff {
		a.report(ctx, messages.Unavailable, "ble: off by configuration")
		return
	}
	var err error
	if a.static, err = link.NewStatic(a.opts.Rand); err != nil {
		a.report(ctx, messages.Critical, fmt.Sprintf("ble: %v", err))
		return
	}
	a.openRadio()
}

// openRadio opens the device in a goroutine: HCI initialisation talks to
// the controller and can take a while.
func (a *Actor) openRadio() {
	open := a.opts.OpenRadio
	if open == nil {
		name := NamePrefix + a.selfID[:8]
		open = func() (Radio, error) { return OpenHCI(name) }
	}
	sys, pid := a.system, a.self
	go func() {
		r, err := open()
		sys.Root.Send(pid, &radioOpened{radio: r, err: err})
	}()
}

func (a *Actor) onRadio(ctx actor.Context, m *radioOpened) {
	if a.cancel == nil { // stopped meanwhile
		if m.radio != nil {
			_ = m.radio.Close()
		}
		return
	}
	if m.err != nil {
		a.radioMissing(ctx, m.err)
		return
	}
	a.radio = m.radio
	rctx, cancel := context.WithCancel(a.ctx)
	a.radioCtx = cancel
	a.runRadio(rctx, m.radio)
	a.report(ctx, messages.Healthy, "ble: advertising and scanning as "+m.radio.Address())
}

// radioMissing reports an absent or broken radio as the mode demands.
func (a *Actor) radioMissing(ctx actor.Context, err error) {
	if !errors.Is(err, ErrNoAdapter) {
		a.report(ctx, messages.Degraded, fmt.Sprintf("ble: bluetooth adapter failed, retrying in %v: %v", a.opts.RetryRadio, err))
		a.scheduleRetry()
		return
	}
	switch {
	case a.opts.Mobile:
		a.report(ctx, messages.Degraded, fmt.Sprintf("ble: mobile mode needs Bluetooth, but there is no usable adapter (%v); no peers can be reached", err))
	case a.opts.Mode == config.BLEOn:
		a.report(ctx, messages.Degraded, fmt.Sprintf("ble: mode is on but there is no usable Bluetooth adapter (%v); running without BLE", err))
	default:
		a.report(ctx, messages.Unavailable, fmt.Sprintf("ble: no usable Bluetooth adapter (%v); mode auto, running on TCP only", err))
	}
}

func (a *Actor) scheduleRetry() {
	sys, pid, msg := a.system, a.self, &retryRadio{owner: a}
	a.retry = time.AfterFunc(a.opts.RetryRadio, func() { sys.Root.Send(pid, msg) })
}

// runRadio starts advertising and scanning; both block until ctx ends, so
// each runs in its own goroutine and reports only a failure.
func (a *Actor) runRadio(ctx context.Context, r Radio) {
	sys, pid := a.system, a.self
	name := NamePrefix + a.selfID[:8]
	fail := func(err error) {
		if err != nil && ctx.Err() == nil {
			sys.Root.Send(pid, &radioFailed{radio: r, err: err})
		}
	}
	go func() {
		fail(r.Advertise(ctx, name, func(l Link) { sys.Root.Send(pid, &linkArrived{l: l}) }))
	}()
	go func() {
		fail(r.Scan(ctx, func(ad Advert) { sys.Root.Send(pid, &advertSeen{ad: ad}) }))
	}()
}

func (a *Actor) onRadioFailed(ctx actor.Context, m *radioFailed) {
	if m.radio != a.radio {
		return
	}
	a.closeRadio()
	a.report(ctx, messages.Degraded, fmt.Sprintf("ble: radio failed, retrying in %v: %v", a.opts.RetryRadio, m.err))
	a.scheduleRetry()
}

func (a *Actor) closeRadio() {
	if a.radioCtx != nil {
		a.radioCtx()
		a.radioCtx = nil
	}
	if a.radio != nil {
		_ = a.radio.Close()
		a.radio = nil
	}
}

// stop releases the radio and every link; goroutines end on closed links
// and whatever they send afterwards goes to dead letters.
func (a *Actor) stop() {
	if a.cancel == nil {
		return
	}
	a.cancel()
	a.cancel = nil
	if a.retry != nil {
		a.retry.Stop()
	}
	a.opts.Metrics.Connections.WithLabelValues(messages.TransportBLE).Sub(float64(len(a.conns)))
	for _, c := range a.conns {
		a.closeConn(c)
	}
	for p := range a.pending {
		_ = p.l.Close()
	}
	a.conns, a.pending = nil, nil
	a.closeRadio()
}

func (a *Actor) report(ctx actor.Context, status messages.HealthStatus, reason string) {
	h := &messages.ServiceHealth{Service: messages.TransportBLE, Status: status, Reason: reason}
	if a.reported != nil && *a.reported == *h {
		return
	}
	a.reported = h
	a.opts.Logger.Info("ble health", "status", status.String(), "reason", reason)
	a.emit(ctx, h)
}

func (a *Actor) emit(ctx actor.Context, msg any) {
	if a.events != nil {
		ctx.Send(a.events, msg)
	}
}

func (a *Actor) sendSelf(msg any) { a.system.Root.Send(a.self, msg) }

func (a *Actor) drop(reason string) {
	a.opts.Metrics.Drops.WithLabelValues(messages.TransportBLE, reason).Inc()
}

// onAdvert dials a newly seen bitcraps node. Only the side whose peer-ID
// prefix is smaller dials (equal prefixes: both, and the handshake sorts
// it out), so two nodes that see each other make one link, not two.
func (a *Actor) onAdvert(ad Advert) {
	short, ok := strings.CutPrefix(ad.Name, NamePrefix)
	if !ok || short < a.selfID[:8] || a.busy[ad.Addr] {
		return
	}
	a.dial(ad.Addr, "")
}

// dial connects to addr in a goroutine; expect, when set, is the peer the
// handshake must authenticate.
func (a *Actor) dial(addr, expect string) {
	if a.radio == nil || addr == "" || a.busy[addr] || !a.slotsFree() {
		return
	}
	a.busy[addr] = true
	r, ctx, timeout := a.radio, a.ctx, a.opts.DialTimeout
	go func() {
		dctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		l, err := r.Dial(dctx, addr)
		a.sendSelf(&dialDone{addr: addr, expect: expect, l: l, err: err})
	}()
}

func (a *Actor) onDialed(m *dialDone) {
	if m.err != nil {
		delete(a.busy, m.addr)
		a.opts.Metrics.Dials.WithLabelValues(messages.TransportBLE, "failed").Inc()
		a.opts.Logger.Debug("ble dial failed", "addr", m.addr, "err", m.err)
		return
	}
	if a.cancel == nil {
		_ = m.l.Close()
		return
	}
	a.handshake(m.l, false, m.expect)
}

func (a *Actor) onInbound(l Link) {
	if a.cancel == nil || !a.slotsFree() {
		a.opts.Metrics.Refused.WithLabelValues(messages.TransportBLE, "max_connections").Inc()
		_ = l.Close()
		return
	}
	a.busy[l.RemoteAddr()] = true
	a.handshake(l, true, "")
}

func (a *Actor) slotsFree() bool {
	return len(a.conns)+len(a.pending) < a.opts.MaxConnections
}

// randomID draws a fragment-ID start from the injected random source.
func (a *Actor) randomID() uint32 {
	var b [4]byte
	_, _ = a.opts.Rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
