package transport_test

import (
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/actors/transport"
	"github.com/bitcraps/bitcraps/actors/transport/tcp"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// service is one transport under a stand-in root, with a mesh stand-in
// subscribed.
type service struct {
	t      *testing.T
	sys    *actor.ActorSystem
	id     *identity.Identity
	pid    *actor.PID // the transport actor
	root   chan any   // what the transport reports to its parent
	events chan any   // what the subscriber receives
	reg    *prometheus.Registry
}

func tcpOptions(id *identity.Identity, r interface{ Read([]byte) (int, error) }, listen string) *tcp.Options {
	return &tcp.Options{ListenAddr: listen, Local: link.LocalFrom(id), Difficulty: testDifficulty, Rand: r}
}

// startService starts a transport; subscribe=false leaves the mesh out.
func startService(t *testing.T, sys *actor.ActorSystem, id *identity.Identity, opts transport.Options, subscribe bool) *service {
	t.Helper()
	s := &service{t: t, sys: sys, id: id, reg: prometheus.NewRegistry()}
	opts.Metrics = link.NewMetrics(s.reg)
	if subscribe {
		var sub *actor.PID
		sub, s.events = spawnInbox(t, sys, nil)
		opts.Subscriber = sub
	}
	props, err := transport.NewProps(opts)
	if err != nil {
		t.Fatalf("NewProps: %v", err)
	}
	var rootPID *actor.PID
	rootPID, s.root = spawnInbox(t, sys, props)
	s.pid = actor.NewPID(sys.Address(), rootPID.Id+"/transport")
	return s
}

func (s *service) listenAddr() string {
	s.t.Helper()
	res, err := s.sys.Root.RequestFuture(s.pid, &messages.GetListenAddr{}, waitLimit).Result()
	if err != nil {
		s.t.Fatalf("GetListenAddr: %v", err)
	}
	return res.(*messages.ListenAddr).Addr
}

func (s *service) envelope(payload string) *messages.Envelope {
	s.t.Helper()
	env, err := messages.NewEnvelope(messages.Signer{PublicKey: s.id.PublicKey, Sign: s.id.Sign},
		messages.MessageType_MESSAGE_TYPE_DATA, []byte(payload), 1)
	if err != nil {
		s.t.Fatalf("NewEnvelope: %v", err)
	}
	return env
}

func TestTwoServicesExchangeAndReportHealthy(t *testing.T) {
	sys := newSystem(t)
	r := seeded(t, 31)
	ida, idb := newIdentity(t, r), newIdentity(t, r)
	a := startService(t, sys, ida, transport.Options{TCP: tcpOptions(ida, r, "127.0.0.1:0")}, true)
	b := startService(t, sys, idb, transport.Options{TCP: tcpOptions(idb, r, "127.0.0.1:0")}, true)
	for _, s := range []*service{a, b} {
		if h := health(t, s.root); h.Service != "transport" || h.Status != messages.Healthy {
			t.Fatalf("health %+v, want transport Healthy", h)
		}
	}
	sys.Root.Send(a.pid, &messages.SendEnvelope{To: string(idb.PeerID()), Addr: b.listenAddr(), Envelope: a.envelope("hello")})
	got := waitFor(t, b.events, func(*messages.FrameReceived) bool { return true })
	if got.From != string(ida.PeerID()) || string(got.Envelope.GetPayload()) != "hello" {
		t.Fatalf("B got %+v", got)
	}
	// B answers without an address: the parent routes over the tcp link A opened.
	sys.Root.Send(b.pid, &messages.SendEnvelope{To: string(ida.PeerID()), Envelope: b.envelope("hi back")})
	back := waitFor(t, a.events, func(*messages.FrameReceived) bool { return true })
	if string(back.Envelope.GetPayload()) != "hi back" {
		t.Fatalf("A got %q", back.Envelope.GetPayload())
	}
	res, err := sys.Root.RequestFuture(a.pid, &messages.ListConnections{}, waitLimit).Result()
	if err != nil {
		t.Fatalf("ListConnections: %v", err)
	}
	if items := res.(*messages.Connections).Items; len(items) != 1 || items[0].Peer != string(idb.PeerID()) {
		t.Fatalf("A's connections: %+v", items)
	}
}

func TestHealthFollowsBLEChild(t *testing.T) {
	sys := newSystem(t)
	r := seeded(t, 32)
	cases := []struct {
		name   string
		tcp    bool
		ble    messages.HealthStatus
		reason string
		want   messages.HealthStatus
	}{
		{"auto mode, no adapter: TCP carries on", true, messages.Unavailable, "no adapter (auto)", messages.Healthy},
		{"mode on, no adapter", true, messages.Degraded, "BLE on but no adapter", messages.Degraded},
		{"mobile mode, no adapter", false, messages.Unavailable, "no adapter", messages.Degraded},
		{"mobile mode, radio working", false, messages.Healthy, "advertising", messages.Healthy},
	}
	for _, c := range cases {
		id := newIdentity(t, r)
		opts := transport.Options{BLE: fakeBLEProps(c.ble, c.reason, make(chan any, 8))}
		if c.tcp {
			opts.TCP = tcpOptions(id, r, "127.0.0.1:0")
		}
		s := startService(t, sys, id, opts, false)
		if h := health(t, s.root); h.Status != c.want {
			t.Errorf("%s: %v (%s), want %v", c.name, h.Status, h.Reason, c.want)
		}
	}
}

func TestListenFailureIsCritical(t *testing.T) {
	sys := newSystem(t)
	r := seeded(t, 33)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer busy.Close()
	id := newIdentity(t, r)
	s := startService(t, sys, id, transport.Options{TCP: tcpOptions(id, r, busy.Addr().String())}, false)
	if h := health(t, s.root); h.Status != messages.Critical {
		t.Fatalf("port in use: %v (%s), want Critical", h.Status, h.Reason)
	}
}

func TestRoutesToBLEForBLEPeersAndReplaysToLateSubscriber(t *testing.T) {
	sys := newSystem(t)
	r := seeded(t, 34)
	id, peer := newIdentity(t, r), newIdentity(t, r)
	sent := make(chan any, 8)
	s := startService(t, sys, id, transport.Options{
		TCP: tcpOptions(id, r, "127.0.0.1:0"),
		BLE: fakeBLEProps(messages.Healthy, "advertising", sent),
	}, false)
	health(t, s.root)
	ble := actor.NewPID(sys.Address(), s.pid.Id+"/ble")
	sys.Root.Send(ble, &bleUp{peer: string(peer.PeerID())})

	// Nobody subscribed yet; subscribing replays the BLE connection.
	sub, events := spawnInbox(t, sys, nil)
	sys.Root.Send(s.pid, &messages.SubscribeTransport{Subscriber: sub})
	up := waitFor(t, events, func(*messages.PeerConnected) bool { return true })
	if up.Peer != string(peer.PeerID()) || up.Transport != messages.TransportBLE {
		t.Fatalf("replayed %+v", up)
	}
	sys.Root.Send(s.pid, &messages.SendEnvelope{To: string(peer.PeerID()), Envelope: s.envelope("over the air")})
	select {
	case m := <-sent:
		if m.(*messages.SendEnvelope).To != string(peer.PeerID()) {
			t.Fatalf("BLE asked to send %+v", m)
		}
	case <-time.After(waitLimit):
		t.Fatal("envelope for a BLE peer did not reach the ble child")
	}
}

func TestBLECrashLoopEndsUnavailable(t *testing.T) {
	sys := newSystem(t)
	r := seeded(t, 35)
	id := newIdentity(t, r)
	s := startService(t, sys, id, transport.Options{
		BLE:         fakeBLEProps(messages.Healthy, "advertising", make(chan any, 8)),
		MaxRestarts: 1,
		Within:      time.Minute,
	}, false)
	if h := health(t, s.root); h.Status != messages.Healthy {
		t.Fatalf("mobile with radio: %v", h.Status)
	}
	ble := actor.NewPID(sys.Address(), s.pid.Id+"/ble")
	// A crash's message is not redelivered but later ones wait in the
	// mailbox across the restart: the second crash exceeds the budget.
	sys.Root.Send(ble, &bleBoom{})
	sys.Root.Send(ble, &bleBoom{})
	h := waitFor(t, s.root, func(h *messages.ServiceHealth) bool { return h.Status != messages.Healthy })
	if h.Status != messages.Degraded {
		t.Fatalf("mobile mode after BLE gave up: %v (%s), want Degraded", h.Status, h.Reason)
	}
}
