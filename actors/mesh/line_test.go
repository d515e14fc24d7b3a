package mesh

import (
	"fmt"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/actors/transport/tcp"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/link"
	"github.com/bitcraps/bitcraps/messages"
)

// meshNode is a real mesh actor wired to a real tcp transport actor on
// loopback, with gossip off so the links are exactly the ones the test makes.
type meshNode struct {
	*node
	name       string
	via        string     // the transport links use
	tcp        *actor.PID // the transport actor: tcp itself, or the transport parent
	addr       string
	reg        *prometheus.Registry
	deliveries chan *messages.MeshDelivery
}

// inbox subscribes to a mesh and forwards what it delivers.
type inbox struct {
	mesh *actor.PID
	ch   chan *messages.MeshDelivery
}

func (b *inbox) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		ctx.Send(b.mesh, &messages.SubscribeMesh{Subscriber: ctx.Self()})
	case *messages.MeshDelivery:
		b.ch <- m
	}
}

// startMeshOnly starts the mesh actor of a line node (gossip off) whose
// transport will be spawned under the name transportName.
func startMeshOnly(t *testing.T, sys *actor.ActorSystem, name, via, transportName string, seed uint64) (*meshNode, *identity.Identity) {
	t.Helper()
	id := newIdentity(t, seed)
	reg := prometheus.NewRegistry()
	metrics, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	trPID := actor.NewPID(sys.Address(), transportName)
	opts := testOptions(id)
	opts.Gossip, opts.Transport, opts.Metrics = false, trPID, metrics
	return &meshNode{node: startNode(t, sys, opts), name: name, via: via, tcp: trPID, reg: reg,
		deliveries: make(chan *messages.MeshDelivery, 64)}, id
}

func startMeshNode(t *testing.T, sys *actor.ActorSystem, name string, seed uint64) *meshNode {
	t.Helper()
	n, id := startMeshOnly(t, sys, name, messages.TransportTCP, "tcp-"+name, seed)
	tcpPID, reg := n.tcp, n.reg
	props, err := tcp.Props(tcp.Options{
		ListenAddr: "127.0.0.1:0", Local: link.LocalFrom(id), Difficulty: testDifficulty,
		Events: n.mesh, Logger: testLogger(), Metrics: link.NewMetrics(reg),
	})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := sys.Root.SpawnNamed(props, "tcp-"+name)
	if err != nil || !pid.Equal(tcpPID) {
		t.Fatalf("spawn tcp-%s: %v (pid %v)", name, err, pid)
	}
	t.Cleanup(func() { _ = sys.Root.StopFuture(pid).Wait() })
	res, err := sys.Root.RequestFuture(pid, &messages.GetListenAddr{}, 5*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	n.addr = res.(*messages.ListenAddr).Addr
	n.subscribe()
	return n
}

func (n *meshNode) subscribe() {
	box := n.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &inbox{mesh: n.mesh, ch: n.deliveries} }))
	n.t.Cleanup(func() { _ = n.sys.Root.StopFuture(box).Wait() })
}

func (n *meshNode) linkTo(o *meshNode) {
	n.sys.Root.Send(n.tcp, &messages.ConnectPeer{Peer: o.peerID(), Addr: o.addr, Transport: messages.TransportTCP})
}

func (n *meshNode) connectedTo(o *meshNode) (bool, string) {
	for _, p := range n.peers().Items {
		if p.PeerID == o.peerID() {
			return p.Transport == n.via, fmt.Sprintf("%s sees %s over %q", n.name, o.name, p.Transport)
		}
	}
	return false, fmt.Sprintf("%s does not know %s", n.name, o.name)
}

func (n *meshNode) envelope(to *meshNode, payload string, ttl uint32) *messages.Envelope {
	var recipient []byte
	if to != nil {
		recipient = to.id.PublicKey
	}
	env, err := messages.NewEnvelopeTo(messages.Signer{PublicKey: n.id.PublicKey, Sign: n.id.Sign}, recipient,
		messages.MessageType_MESSAGE_TYPE_DATA, []byte(payload), ttl)
	if err != nil {
		n.t.Fatal(err)
	}
	return env
}

func (n *meshNode) route(env *messages.Envelope) {
	n.sys.Root.Send(n.mesh, &messages.RouteEnvelope{Envelope: env})
}

// received waits for the delivery with payload marker and returns every
// payload delivered before it. Links are FIFO and a line has one path, so
// anything a node would get before the marker has arrived by then.
func (n *meshNode) receivedUntil(marker string) []string {
	n.t.Helper()
	var got []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case d := <-n.deliveries:
			p := string(d.Envelope.GetPayload())
			if p == marker {
				return got
			}
			got = append(got, p)
		case <-timeout:
			n.t.Fatalf("%s: marker %q not delivered; got %v", n.name, marker, got)
		}
	}
}

func (n *meshNode) dropped(reason DropReason) float64 {
	return counterValue(n.t.(*testing.T), n.reg, "bitcraps_mesh_dropped_total", string(reason))
}

// lineOfFour builds A–B–C–D over real Noise TCP connections; A and D have
// no link.
func lineOfFour(t *testing.T) []*meshNode {
	sys := quietSystem(t)
	var line []*meshNode
	for i, name := range []string{"A", "B", "C", "D"} {
		line = append(line, startMeshNode(t, sys, name, uint64(200+i)))
	}
	for i := 0; i+1 < len(line); i++ {
		line[i].linkTo(line[i+1])
	}
	return waitLine(t, line)
}

// waitLine waits until each neighbour pair of the line sees the other over
// its transport, and checks that the ends are not linked.
func waitLine(t *testing.T, line []*meshNode) []*meshNode {
	t.Helper()
	for i := 0; i+1 < len(line); i++ {
		a, b := line[i], line[i+1]
		eventually(t, 10*time.Second, "link up", func() (bool, string) { return a.connectedTo(b) })
		eventually(t, 10*time.Second, "link up", func() (bool, string) { return b.connectedTo(a) })
	}
	if ok, _ := line[0].connectedTo(line[3]); ok {
		t.Fatal("A and D must not be linked")
	}
	return line
}

func TestLineTopologyOverRealTransport(t *testing.T) {
	line := lineOfFour(t)
	crossLine(t, line)

	// A duplicate sent straight down A's link is dropped by B, once.
	a := line[0]
	dup := a.envelope(nil, "twice", messages.DefaultTTL)
	for range 2 {
		a.sys.Root.Send(a.tcp, &messages.SendEnvelope{To: line[1].peerID(), Envelope: dup})
	}
	a.route(a.envelope(nil, "marker-4", messages.DefaultTTL))
	for _, n := range line[1:] {
		if got := n.receivedUntil("marker-4"); len(got) != 1 || got[0] != "twice" {
			t.Fatalf("%s got %v, want exactly one copy of twice", n.name, got)
		}
	}
	if got := line[1].dropped(DropDuplicate); got != 1 {
		t.Fatalf("B dropped %v duplicates, want 1", got)
	}
}

// crossLine checks broadcast, unicast and TTL across an A–B–C–D line.
func crossLine(t *testing.T, line []*meshNode) {
	t.Helper()
	a, d := line[0], line[3]

	// A broadcast crosses the line and reaches each other node exactly once.
	a.route(a.envelope(nil, "hello", messages.DefaultTTL))
	a.route(a.envelope(nil, "marker-1", messages.DefaultTTL))
	for _, n := range line[1:] {
		if got := n.receivedUntil("marker-1"); len(got) != 1 || got[0] != "hello" {
			t.Fatalf("%s got %v before the marker, want exactly [hello]", n.name, got)
		}
	}

	// A unicast to D is relayed by B and C but delivered only at D.
	a.route(a.envelope(d, "for-d", messages.DefaultTTL))
	a.route(a.envelope(nil, "marker-2", messages.DefaultTTL))
	for _, n := range line[1:] {
		got := n.receivedUntil("marker-2")
		want := 0
		if n == d {
			want = 1
		}
		if len(got) != want {
			t.Fatalf("%s got %v, want %d copies of for-d", n.name, got, want)
		}
	}

	// TTL 1: B relays it once more (ttl 0); C delivers and must not relay.
	a.route(a.envelope(nil, "short", 1))
	a.route(a.envelope(nil, "marker-3", messages.DefaultTTL))
	for i, n := range line[1:] {
		got := n.receivedUntil("marker-3")
		if want := i < 2; (len(got) == 1) != want {
			t.Fatalf("%s got %v; want the ttl-1 message: %v", n.name, got, want)
		}
	}
	eventually(t, 5*time.Second, "C counts the ttl expiry", func() (bool, string) {
		return line[2].dropped(DropTTLExpired) == 1, fmt.Sprint(line[2].dropped(DropTTLExpired))
	})
}

func TestMisbehavingPeerIsCutOverRealTransport(t *testing.T) {
	sys := quietSystem(t)
	a, b := startMeshNode(t, sys, "A", 300), startMeshNode(t, sys, "B", 301)
	a.linkTo(b)
	eventually(t, 10*time.Second, "link up", func() (bool, string) { return a.connectedTo(b) })
	// What the transport reports when it catches b forging signatures;
	// the default tolerance forgives two.
	for range 3 {
		sys.Root.Send(a.mesh, &messages.PeerMisbehaved{Peer: b.peerID(), Transport: messages.TransportTCP, Reason: "bad_signature"})
	}
	eventually(t, 10*time.Second, "b cut off", func() (bool, string) {
		ok, detail := a.connectedTo(b)
		return !ok, detail
	})
	// During the cool-down the transport refuses b, so it stays cut.
	b.linkTo(a)
	eventually(t, 10*time.Second, "a refuses b's handshake", func() (bool, string) {
		return counterValue(t, a.reg, "bitcraps_transport_handshake_failures_total", "cooldown") > 0, ""
	})
	if got := counterValue(t, a.reg, "bitcraps_mesh_disconnects_total", "misbehaviour"); got != 1 {
		t.Fatalf("disconnects counted %v, want 1", got)
	}
	if ok, detail := a.connectedTo(b); ok {
		t.Fatalf("b reconnected during its cool-down: %s", detail)
	}
}
