package mesh

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// testDifficulty keeps identity generation to microseconds.
const testDifficulty = 8

func quietSystem(t testing.TB) *actor.ActorSystem {
	t.Helper()
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	})))
}

func testLogger() *slog.Logger {
	if os.Getenv("MESH_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newIdentity makes a deterministic identity from seed.
func newIdentity(t testing.TB, seed uint64) *identity.Identity {
	t.Helper()
	id, err := identity.Generate(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 0xb1}), testDifficulty)
	if err != nil {
		t.Fatalf("identity seed %d: %v", seed, err)
	}
	return id
}

func testOptions(id *identity.Identity, join ...string) Options {
	return Options{
		Identity:      id,
		PoWDifficulty: testDifficulty,
		Profile:       config.ProfileTesting,
		Gossip:        true,
		BindAddr:      "127.0.0.1",
		MeshPort:      9000,
		HTTPPort:      8080,
		Join:          join,
		Logger:        testLogger(),
	}
}

// parent stands in for the root supervisor: it spawns the mesh as its
// child and records every ServiceHealth the mesh reports.
type parent struct {
	props  *actor.Props
	health chan messages.ServiceHealth
	child  chan *actor.PID
}

func (p *parent) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		p.child <- ctx.Spawn(p.props)
	case *messages.ServiceHealth:
		select {
		case p.health <- *m:
		default: // a test that stopped reading does not block the actor
		}
	}
}

// node is one mesh actor under a recording parent.
type node struct {
	t      testing.TB
	sys    *actor.ActorSystem
	id     *identity.Identity
	parent *actor.PID
	mesh   *actor.PID
	health chan messages.ServiceHealth
}

func startNode(t testing.TB, sys *actor.ActorSystem, opts Options) *node {
	t.Helper()
	props, err := Props(opts)
	if err != nil {
		t.Fatalf("props: %v", err)
	}
	p := &parent{props: props, health: make(chan messages.ServiceHealth, 64), child: make(chan *actor.PID, 1)}
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return p }))
	n := &node{t: t, sys: sys, id: opts.Identity, parent: pid, mesh: <-p.child, health: p.health}
	t.Cleanup(n.stop)
	return n
}

func (n *node) stop() {
	if n.parent != nil {
		_ = n.sys.Root.StopFuture(n.parent).Wait()
		n.parent = nil
	}
}

func (n *node) peers() *messages.Peers {
	n.t.Helper()
	res, err := n.sys.Root.RequestFuture(n.mesh, &messages.ListPeers{}, 5*time.Second).Result()
	if err != nil {
		n.t.Fatalf("list peers: %v", err)
	}
	return res.(*messages.Peers)
}

func (n *node) peerID() string { return string(n.id.PeerID()) }

// stateOf returns the state of peer in n's table, or "" if absent.
func (n *node) stateOf(peer string) string {
	for _, p := range n.peers().Items {
		if p.PeerID == peer {
			return p.State
		}
	}
	return ""
}

// eventually polls cond every 20 ms until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %v: %s", what, within, detail)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
}

// allSeeAll reports whether every node lists every other as alive.
func allSeeAll(nodes []*node) (bool, string) {
	for _, n := range nodes {
		for _, o := range nodes {
			if n == o {
				continue
			}
			if s := n.stateOf(o.peerID()); s != messages.PeerAlive {
				return false, fmt.Sprintf("%s sees %s as %q", n.id.PeerID().Short(), o.id.PeerID().Short(), s)
			}
		}
	}
	return true, ""
}

// nextHealth waits for a report matching cond.
func (n *node) waitHealth(within time.Duration, cond func(messages.ServiceHealth) bool) messages.ServiceHealth {
	n.t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	var last messages.ServiceHealth
	for {
		select {
		case h := <-n.health:
			if cond(h) {
				return h
			}
			last = h
		case <-timer.C:
			n.t.Fatalf("no matching health report within %v; last %+v", within, last)
		}
	}
}
