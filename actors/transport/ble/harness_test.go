package ble

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

const testDifficulty = 8

// waitLimit bounds every wait; a passing test never comes near it.
const waitLimit = 20 * time.Second

func newSystem(t testing.TB) *actor.ActorSystem {
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
}

func testLogger() *slog.Logger {
	if os.Getenv("BLE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func seeded(t testing.TB, seed uint64) io.Reader {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("random seed: %d", seed)
		}
	})
	return rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 0xb1})
}

func newIdentity(t testing.TB, r io.Reader) *identity.Identity {
	t.Helper()
	id, err := identity.Generate(r, testDifficulty)
	if err != nil {
		t.Fatalf("identity: %v", err)
	}
	return id
}

// collector receives the ble actor's events.
type collector struct{ ch chan any }

func (c *collector) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
		return
	}
	select {
	case c.ch <- ctx.Message():
	default:
		panic("test collector overflow") // the test stopped reading: a test bug
	}
}

type node struct {
	t      testing.TB
	sys    *actor.ActorSystem
	id     *identity.Identity
	pid    *actor.PID
	events chan any
	reg    *prometheus.Registry
}

func startNode(t testing.TB, sys *actor.ActorSystem, id *identity.Identity, r io.Reader, opts Options) *node {
	t.Helper()
	n := &node{t: t, sys: sys, id: id, events: make(chan any, 4096), reg: prometheus.NewRegistry()}
	sub := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &collector{ch: n.events} }))
	opts.Local = link.LocalFrom(id)
	opts.Difficulty = testDifficulty
	opts.Events = sub
	opts.Metrics = link.NewMetrics(n.reg)
	opts.Rand = r
	opts.Logger = testLogger()
	if opts.Mode == "" {
		opts.Mode = config.BLEAuto
	}
	props, err := Props(opts)
	if err != nil {
		t.Fatalf("ble.Props: %v", err)
	}
	n.pid = sys.Root.Spawn(props)
	t.Cleanup(func() { n.stop(); _ = sys.Root.StopFuture(sub).Wait() })
	return n
}

// onAir starts a node whose radio is on air at addr.
func onAir(t testing.TB, sys *actor.ActorSystem, air *MemoryAir, addr string, seed uint64, mtu int) *node {
	t.Helper()
	r := seeded(t, seed)
	id := newIdentity(t, r)
	radio := air.NewRadio(addr, mtu)
	n := startNode(t, sys, id, r, Options{OpenRadio: func() (Radio, error) { return radio, nil }, Reassembly: time.Second})
	if h := n.waitHealth(); h.Status != messages.Healthy {
		t.Fatalf("%s: health %+v, want Healthy", addr, h)
	}
	return n
}

func (n *node) stop() {
	if n.pid != nil {
		_ = n.sys.Root.StopFuture(n.pid).Wait()
		n.pid = nil
	}
}

func (n *node) peerID() string { return string(n.id.PeerID()) }

func (n *node) waitEvent(pred func(any) bool) any {
	n.t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case m := <-n.events:
			if pred(m) {
				return m
			}
		case <-deadline:
			n.t.Fatalf("no matching event within %v", waitLimit)
			return nil
		}
	}
}

func (n *node) waitHealth() *messages.ServiceHealth {
	n.t.Helper()
	return n.waitEvent(func(m any) bool { _, ok := m.(*messages.ServiceHealth); return ok }).(*messages.ServiceHealth)
}

func (n *node) waitConnected(peer string) *messages.PeerConnected {
	n.t.Helper()
	return n.waitEvent(func(m any) bool {
		c, ok := m.(*messages.PeerConnected)
		return ok && c.Peer == peer
	}).(*messages.PeerConnected)
}

func (n *node) waitDisconnected(peer string) *messages.PeerDisconnected {
	n.t.Helper()
	return n.waitEvent(func(m any) bool {
		c, ok := m.(*messages.PeerDisconnected)
		return ok && c.Peer == peer
	}).(*messages.PeerDisconnected)
}

func (n *node) waitFrame() *messages.FrameReceived {
	n.t.Helper()
	return n.waitEvent(func(m any) bool { _, ok := m.(*messages.FrameReceived); return ok }).(*messages.FrameReceived)
}

func (n *node) envelope(payload string) *messages.Envelope {
	n.t.Helper()
	env, err := messages.NewEnvelope(messages.Signer{PublicKey: n.id.PublicKey, Sign: n.id.Sign},
		messages.MessageType_MESSAGE_TYPE_DATA, []byte(payload), 1)
	if err != nil {
		n.t.Fatal(err)
	}
	return env
}

func (n *node) send(to *node, env *messages.Envelope) {
	n.sys.Root.Send(n.pid, &messages.SendEnvelope{To: to.peerID(), Transport: messages.TransportBLE, Envelope: env})
}

func (n *node) connections() []messages.ConnectionInfo {
	n.t.Helper()
	res, err := n.sys.Root.RequestFuture(n.pid, &messages.ListConnections{}, waitLimit).Result()
	if err != nil {
		n.t.Fatal(err)
	}
	return res.(*messages.Connections).Items
}

func (n *node) counter(name, label string) float64 {
	n.t.Helper()
	fams, err := n.reg.Gather()
	if err != nil {
		n.t.Fatal(err)
	}
	total := 0.0
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == label {
					total += m.GetCounter().GetValue()
				}
			}
		}
	}
	return total
}

func verifies(id *identity.Identity) bool {
	return identity.VerifyPoW(id.PublicKey, id.Nonce, testDifficulty) == nil
}

// waitCounter polls until the labelled counter is non-zero.
func (n *node) waitCounter(name, label string) {
	n.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for n.counter(name, label) == 0 {
		if time.Now().After(deadline) {
			n.t.Fatalf("%s{%s} stayed zero for %v", name, label, waitLimit)
		}
		time.Sleep(10 * time.Millisecond) // polling a metric
	}
}
