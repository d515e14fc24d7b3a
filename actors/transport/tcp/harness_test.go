package tcp_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/actors/transport/tcp"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

const testDifficulty = 8

// waitLimit bounds every wait; a passing test never comes near it.
const waitLimit = 10 * time.Second

func newSystem(t testing.TB) *actor.ActorSystem {
	t.Helper()
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
}

// seeded is a deterministic random stream; the seed is printed on failure.
func seeded(t testing.TB, seed uint64) io.Reader {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("random seed: %d", seed)
		}
	})
	var s [32]byte
	s[0], s[1] = byte(seed), byte(seed>>8)
	return rand.NewChaCha8(s)
}

func newIdentity(t testing.TB, r io.Reader, difficulty int) *identity.Identity {
	t.Helper()
	id, err := identity.Generate(r, difficulty)
	if err != nil {
		t.Fatalf("identity.Generate: %v", err)
	}
	return id
}

// collector is the events subscriber: it forwards every message to a
// channel the test reads.
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

// node is one tcp transport actor under test.
type node struct {
	t      testing.TB
	sys    *actor.ActorSystem
	id     *identity.Identity
	pid    *actor.PID
	events chan any
	reg    *prometheus.Registry
	addr   string
}

type nodeOpt func(*tcp.Options)

func startNode(t testing.TB, sys *actor.ActorSystem, id *identity.Identity, r io.Reader, listen string, opts ...nodeOpt) *node {
	t.Helper()
	n := &node{t: t, sys: sys, id: id, events: make(chan any, 4096), reg: prometheus.NewRegistry()}
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log of %s:\n%s", id.PeerID().Short(), logs.String())
		}
	})
	sub := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &collector{ch: n.events} }))
	o := tcp.Options{
		ListenAddr: listen,
		Local:      link.LocalFrom(id),
		Difficulty: testDifficulty,
		Events:     sub,
		Metrics:    link.NewMetrics(n.reg),
		Rand:       r,
		RedialMin:  20 * time.Millisecond,
		RedialMax:  200 * time.Millisecond,
		Logger:     slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, f := range opts {
		f(&o)
	}
	props, err := tcp.Props(o)
	if err != nil {
		t.Fatalf("tcp.Props: %v", err)
	}
	n.pid = sys.Root.Spawn(props)
	h := n.waitEvent(func(m any) bool { _, ok := m.(*messages.ServiceHealth); return ok }).(*messages.ServiceHealth)
	if h.Status != messages.Healthy {
		t.Fatalf("tcp started %v: %s", h.Status, h.Reason)
	}
	res, err := sys.Root.RequestFuture(n.pid, &messages.GetListenAddr{}, waitLimit).Result()
	if err != nil {
		t.Fatalf("GetListenAddr: %v", err)
	}
	n.addr = res.(*messages.ListenAddr).Addr
	t.Cleanup(func() { n.stop(); _ = sys.Root.StopFuture(sub).Wait() })
	return n
}

func (n *node) stop() {
	if n.pid != nil {
		_ = n.sys.Root.StopFuture(n.pid).Wait()
		n.pid = nil
	}
}

func (n *node) peerID() string { return string(n.id.PeerID()) }

// waitEvent returns the first event matching pred, discarding others.
func (n *node) waitEvent(pred func(any) bool) any {
	n.t.Helper()
	deadline := time.After(waitLimit)
	var skipped []string
	for {
		select {
		case m := <-n.events:
			if pred(m) {
				return m
			}
			skipped = append(skipped, fmt.Sprintf("%T%+v", m, m))
		case <-deadline:
			n.t.Fatalf("no matching event within %v; skipped:\n%s", waitLimit, strings.Join(skipped, "\n"))
			return nil
		}
	}
}

func (n *node) waitConnected(peer string) *messages.PeerConnected {
	n.t.Helper()
	return n.waitEvent(func(m any) bool {
		c, ok := m.(*messages.PeerConnected)
		return ok && c.Peer == peer
	}).(*messages.PeerConnected)
}

func (n *node) waitFrame(pred func(*messages.FrameReceived) bool) *messages.FrameReceived {
	n.t.Helper()
	return n.waitEvent(func(m any) bool {
		f, ok := m.(*messages.FrameReceived)
		return ok && pred(f)
	}).(*messages.FrameReceived)
}

func (n *node) send(to *node, addr string, env *messages.Envelope) {
	n.sys.Root.Send(n.pid, &messages.SendEnvelope{To: to.peerID(), Addr: addr, Envelope: env})
}

func (n *node) signer() messages.Signer {
	return messages.Signer{PublicKey: n.id.PublicKey, Sign: n.id.Sign}
}

func (n *node) envelope(payload string) *messages.Envelope {
	n.t.Helper()
	env, err := messages.NewEnvelope(n.signer(), messages.MessageType_MESSAGE_TYPE_DATA, []byte(payload), 1)
	if err != nil {
		n.t.Fatalf("NewEnvelope: %v", err)
	}
	return env
}

// counter reads one sample of a metric family by its label values.
func (n *node) counter(name string, labels map[string]string) float64 {
	n.t.Helper()
	fams, err := n.reg.Gather()
	if err != nil {
		n.t.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			return m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return 0
}

// waitCounter polls a counter until it reaches at least want.
func (n *node) waitCounter(name string, labels map[string]string, want float64) {
	n.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for n.counter(name, labels) < want {
		if time.Now().After(deadline) {
			n.t.Fatalf("%s%v = %v, want >= %v", name, labels, n.counter(name, labels), want)
		}
		time.Sleep(5 * time.Millisecond) // polling a counter, not standing in for synchronisation
	}
}

func (n *node) connections() []messages.ConnectionInfo {
	n.t.Helper()
	res, err := n.sys.Root.RequestFuture(n.pid, &messages.ListConnections{}, waitLimit).Result()
	if err != nil {
		n.t.Fatalf("ListConnections: %v", err)
	}
	return res.(*messages.Connections).Items
}

// sniffer is a TCP proxy on loopback that records every byte it relays.
type sniffer struct {
	ln  net.Listener
	mu  sync.Mutex
	buf bytes.Buffer
}

func newSniffer(t testing.TB, target string) *sniffer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("sniffer listen: %v", err)
	}
	s := &sniffer{ln: ln}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); s.pipe(out, in) }()
			go func() { defer wg.Done(); s.pipe(in, out) }()
		}
	}()
	return s
}

func (s *sniffer) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			s.mu.Lock()
			s.buf.Write(buf[:n])
			s.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			_ = dst.Close()
			return
		}
	}
}

func (s *sniffer) addr() string { return s.ln.Addr().String() }

func (s *sniffer) seen() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.buf.Bytes())
}

// syncBuffer collects a node's log, shown only when its test fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
