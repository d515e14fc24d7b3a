package mesh

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// simNet wires pure routers through in-memory links: a FIFO of packets in
// flight, processed until quiet. It is the routing core's test harness.
type simNet struct {
	t         *testing.T
	routers   map[string]*Router
	delivered map[string]int
	drops     map[string]map[DropReason]int
	queue     []inflight
	hops      int
}

type inflight struct {
	p        Packet
	from, to string
}

func newSimNet(t *testing.T, names ...string) *simNet {
	n := &simNet{t: t, routers: map[string]*Router{}, delivered: map[string]int{}, drops: map[string]map[DropReason]int{}}
	for _, name := range names {
		n.routers[name] = NewRouter(RouterConfig{Self: name})
		n.drops[name] = map[DropReason]int{}
	}
	return n
}

func (n *simNet) link(a, b string) {
	n.routers[a].SetConnected(b, true, t0)
	n.routers[b].SetConnected(a, true, t0)
}

func (n *simNet) apply(node string, p Packet, acts []Action) {
	for _, a := range acts {
		switch a.Kind {
		case Deliver:
			n.delivered[node]++
		case Forward:
			q := p
			q.TTL = a.TTL
			n.queue = append(n.queue, inflight{p: q, from: node, to: a.Peer})
		case Drop:
			n.drops[node][a.Reason]++
		}
	}
}

func (n *simNet) originate(node string, p Packet) {
	n.apply(node, p, n.routers[node].Originate(p, t0))
	n.run()
}

func (n *simNet) run() {
	for len(n.queue) > 0 {
		f := n.queue[0]
		n.queue = n.queue[1:]
		n.hops++
		if n.hops > 1000 {
			n.t.Fatal("flood did not terminate")
		}
		n.apply(f.to, f.p, n.routers[f.to].Receive(f.p, f.from, t0))
	}
}

func packet(id, sender, recipient string, ttl uint32) Packet {
	return Packet{ID: id, Sender: sender, Recipient: recipient, Class: ClassData, TTL: ttl}
}

func lineABCD(t *testing.T) *simNet {
	n := newSimNet(t, "A", "B", "C", "D")
	n.link("A", "B")
	n.link("B", "C")
	n.link("C", "D")
	return n
}

func TestBroadcastCrossesLineOncePerNode(t *testing.T) {
	n := lineABCD(t)
	n.originate("A", packet("m1", "A", "", 8))
	want := map[string]int{"B": 1, "C": 1, "D": 1}
	if fmt.Sprint(n.delivered) != fmt.Sprint(want) {
		t.Fatalf("delivered %v, want %v", n.delivered, want)
	}
	if n.hops != 3 {
		t.Fatalf("%d transmissions, want 3 (A→B→C→D)", n.hops)
	}
}

func TestUnicastReachesOnlyRecipientAcrossLine(t *testing.T) {
	n := lineABCD(t)
	n.originate("A", packet("m1", "A", "D", 8))
	if fmt.Sprint(n.delivered) != fmt.Sprint(map[string]int{"D": 1}) {
		t.Fatalf("delivered %v, want only D once", n.delivered)
	}
}

func TestDirectWhenConnected(t *testing.T) {
	n := newSimNet(t, "A", "B", "C")
	n.link("A", "B")
	n.link("A", "C")
	acts := n.routers["A"].Originate(packet("m", "A", "C", 8), t0)
	if len(acts) != 1 || acts[0].Kind != Forward || acts[0].Peer != "C" {
		t.Fatalf("actions %v, want one forward to C", acts)
	}
}

func TestLoopsProduceDuplicatesThatAreDropped(t *testing.T) {
	// A–B, B–C, C–D, plus E linked to B and C: the flood reaches C twice.
	n := newSimNet(t, "A", "B", "C", "D", "E")
	n.link("A", "B")
	n.link("B", "C")
	n.link("C", "D")
	n.link("B", "E")
	n.link("C", "E")
	n.originate("A", packet("m1", "A", "", 8))
	for _, node := range []string{"B", "C", "D", "E"} {
		if n.delivered[node] != 1 {
			t.Fatalf("%s delivered %d times, want 1 (all: %v)", node, n.delivered[node], n.delivered)
		}
	}
	total := 0
	for _, d := range n.drops {
		total += d[DropDuplicate]
	}
	if total == 0 {
		t.Fatal("no duplicate was dropped, yet the topology has a loop")
	}
	// A replay of the same envelope later is dropped everywhere.
	before := fmt.Sprint(n.delivered)
	n.apply("B", packet("m1", "A", "", 8), n.routers["B"].Receive(packet("m1", "A", "", 8), "A", t0))
	n.run()
	if fmt.Sprint(n.delivered) != before || n.drops["B"][DropDuplicate] == 0 {
		t.Fatalf("replay changed deliveries: %v → %v", before, n.delivered)
	}
}

func TestTTLExpiry(t *testing.T) {
	for _, tc := range []struct {
		ttl  uint32
		want map[string]int
	}{
		{0, map[string]int{"B": 1}},
		{1, map[string]int{"B": 1, "C": 1}},
		{2, map[string]int{"B": 1, "C": 1, "D": 1}},
	} {
		n := lineABCD(t)
		n.originate("A", packet("m", "A", "", tc.ttl))
		if fmt.Sprint(n.delivered) != fmt.Sprint(tc.want) {
			t.Fatalf("ttl %d: delivered %v, want %v", tc.ttl, n.delivered, tc.want)
		}
		last := []string{"B", "C", "D"}[tc.ttl]
		if last != "D" && n.drops[last][DropTTLExpired] != 1 {
			t.Fatalf("ttl %d: %s drops %v, want one ttl_expired", tc.ttl, last, n.drops[last])
		}
	}
}

func TestDuplicatesSkipSignatureCheck(t *testing.T) {
	r := NewRouter(RouterConfig{Self: "B"})
	calls := 0
	p := packet("m", "A", "", 3)
	p.Verify = func() error { calls++; return nil }
	r.Receive(p, "A", t0)
	r.Receive(p, "A", t0)
	if calls != 1 {
		t.Fatalf("verify called %d times, want 1", calls)
	}
}

func TestBadSignaturesLeadToCoolDown(t *testing.T) {
	r := NewRouter(RouterConfig{Self: "B"})
	r.SetConnected("A", true, t0)
	bad := func(i int) Packet {
		p := packet(fmt.Sprint("bad", i), "A", "", 3)
		p.Verify = func() error { return errors.New("forged") }
		return p
	}
	var acts []Action
	for i := range 3 {
		acts = r.Receive(bad(i), "A", t0)
		if acts[0].Reason != DropBadSignature {
			t.Fatalf("bad packet %d: %v, want bad_signature", i, acts)
		}
	}
	if len(acts) != 2 || acts[1].Kind != Disconnect || acts[1].Peer != "A" || !acts[1].Until.Equal(t0.Add(time.Minute)) {
		t.Fatalf("third bad signature: %v, want a one-minute disconnect of A", acts)
	}
	if got := r.Receive(packet("good", "A", "", 3), "A", t0.Add(time.Second)); got[0].Reason != DropBanned {
		t.Fatalf("during cool-down: %v, want banned", got)
	}
	if got := r.SetConnected("A", true, t0.Add(time.Second)); len(got) != 1 || got[0].Kind != Disconnect {
		t.Fatalf("reconnect during cool-down: %v, want disconnect", got)
	}
	if got := r.Receive(packet("good", "A", "", 3), "A", t0.Add(time.Minute)); got[0].Kind != Deliver {
		t.Fatalf("after cool-down: %v, want deliver", got)
	}
	// A forged copy must not poison the de-duplication of the real one.
	forged := bad(99)
	forged.ID = "real"
	r.Receive(forged, "C", t0.Add(time.Minute))
	if got := r.Receive(packet("real", "A", "", 3), "C", t0.Add(time.Minute)); got[0].Kind != Deliver {
		t.Fatalf("real message after a forged copy: %v, want deliver", got)
	}
}

func TestTableCreationRateLimit(t *testing.T) {
	r := NewRouter(RouterConfig{Self: "B"})
	r.SetConnected("A", true, t0)
	delivered, limited := 0, 0
	for i := range 8 {
		p := packet(fmt.Sprint("t", i), "A", "", 3)
		p.Class = ClassTable
		switch r.Receive(p, "A", t0)[0].Kind {
		case Deliver:
			delivered++
		case Drop:
			limited++
		}
	}
	if delivered != 5 || limited != 3 {
		t.Fatalf("delivered %d limited %d, want 5 and 3 (5 per minute)", delivered, limited)
	}
	p := packet("t-later", "A", "", 3)
	p.Class = ClassTable
	if r.Receive(p, "A", t0.Add(12*time.Second))[0].Kind != Deliver {
		t.Fatal("a token should have refilled after 12 s")
	}
}

func TestFloodingNeighbourIsDisconnectedButRelayIsNot(t *testing.T) {
	lim := DefaultLimits()
	r := NewRouter(RouterConfig{Self: "B", Limits: lim})
	r.SetConnected("A", true, t0)
	r.SetConnected("R", true, t0)
	burst := lim.PerClass[ClassDiscovery].Burst
	var disconnected []string
	for i := range burst + lim.RateViolations.Burst + 5 {
		for _, from := range []string{"A", "R"} {
			sender := from
			if from == "R" {
				sender = "far" // R relays someone else's flood
			}
			p := packet(fmt.Sprint(from, i), sender, "", 3)
			p.Class = ClassDiscovery
			for _, a := range r.Receive(p, from, t0) {
				if a.Kind == Disconnect {
					disconnected = append(disconnected, a.Peer)
				}
			}
		}
	}
	if !slices.Equal(disconnected, []string{"A"}) {
		t.Fatalf("disconnected %v, want only the flooding neighbour A", disconnected)
	}
}

func TestNoRouteWhenAlone(t *testing.T) {
	r := NewRouter(RouterConfig{Self: "A"})
	if acts := r.Originate(packet("m", "A", "Z", 8), t0); acts[0].Reason != DropNoRoute {
		t.Fatalf("%v, want no_route", acts)
	}
}

func TestLinkLocalIsNeverRelayed(t *testing.T) {
	r := NewRouter(RouterConfig{Self: "B"})
	r.SetConnected("A", true, t0)
	r.SetConnected("C", true, t0)
	p := packet("ping", "A", "", 3)
	p.LinkLocal = true
	if acts := r.Receive(p, "A", t0); len(acts) != 1 || acts[0].Kind != Deliver {
		t.Fatalf("%v, want deliver only", acts)
	}
	if acts := r.Receive(p, "C", t0); acts[0].Reason != DropLinkLocal {
		t.Fatalf("%v, want link_local_relayed", acts)
	}
}

func TestSeenCacheIsBoundedAndExpires(t *testing.T) {
	c := newSeenCache(3, time.Second)
	for i := range 5 {
		c.Record(fmt.Sprint(i), t0)
	}
	if c.Len() != 3 || c.Seen("0", t0) || !c.Seen("4", t0) || c.evicted != 2 {
		t.Fatalf("len %d evicted %d; want 3 held, oldest two evicted", c.Len(), c.evicted)
	}
	if c.Seen("4", t0.Add(time.Second)) {
		t.Fatal("an ID is still seen after its ttl")
	}
}
