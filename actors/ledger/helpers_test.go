package ledgeractor

import (
	"crypto/ed25519"
	"crypto/sha256"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

const crap = 1_000_000

// waitFor bounds every wait in these tests; nothing is expected to take
// more than a fraction of it.
const waitFor = 30 * time.Second

func newSystem(t *testing.T) *actor.ActorSystem {
	t.Helper()
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	})))
}

// parent stands in for the root supervisor: it spawns the ledger as its
// child "ledger" and hands over every health report.
type parent struct {
	props    *actor.Props
	children chan *actor.PID
	health   chan *messages.ServiceHealth
}

func (p *parent) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		pid, err := ctx.SpawnNamed(p.props, ServiceName)
		if err != nil {
			panic(err)
		}
		p.children <- pid
	case *messages.ServiceHealth:
		p.health <- m
	}
}

type node struct {
	system *actor.ActorSystem
	parent *actor.PID
	ledger *actor.PID
	health chan *messages.ServiceHealth
}

func start(t *testing.T, system *actor.ActorSystem, props *actor.Props) *node {
	t.Helper()
	p := &parent{props: props, children: make(chan *actor.PID, 1), health: make(chan *messages.ServiceHealth, 64)}
	pid := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return p }))
	n := &node{system: system, parent: pid, ledger: <-p.children, health: p.health}
	t.Cleanup(n.stop)
	return n
}

func (n *node) stop() { _ = n.system.Root.StopFuture(n.parent).Wait() }

func (n *node) nextHealth(t *testing.T) *messages.ServiceHealth {
	t.Helper()
	select {
	case h := <-n.health:
		return h
	case <-time.After(waitFor):
		t.Fatal("no health report")
		return nil
	}
}

func ask[T any](t *testing.T, n *node, msg any) T {
	t.Helper()
	res, err := n.system.Root.RequestFuture(n.ledger, msg, waitFor).Result()
	if err != nil {
		t.Fatalf("request %T: %v", msg, err)
	}
	out, ok := res.(T)
	if !ok {
		t.Fatalf("request %T answered %T", msg, res)
	}
	return out
}

func props(t *testing.T, opts Options) *actor.Props {
	t.Helper()
	p, err := Props(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type player struct {
	priv ed25519.PrivateKey
	id   identity.PeerID
}

func newPlayer(seed string) player {
	s := sha256.Sum256([]byte(seed))
	priv := ed25519.NewKeyFromSeed(s[:])
	return player{priv: priv, id: identity.PeerIDOf(priv.Public().(ed25519.PublicKey))}
}

func (p player) sign(op ledger.Op) ledger.Op {
	op.Owner = p.id
	op.Sign(p.priv)
	return op
}
