package table

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/actors/consensus"
	ledgeractor "github.com/bitcraps/bitcraps/actors/ledger"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// The harness runs the ledger, consensus and games services of one node
// under a parent named "root", exactly as the supervisor names them, so the
// services find each other by their stable names. There is no mesh: a
// one-seat table sends nothing.

const testDifficulty = 8

const crap = 1_000_000

func testLogger() *slog.Logger {
	if os.Getenv("TABLE_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func newIdentity(t testing.TB, seed uint64) *identity.Identity {
	t.Helper()
	id, err := identity.Generate(rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 0x7a}), testDifficulty)
	if err != nil {
		t.Fatalf("identity seed %d: %v", seed, err)
	}
	return id
}

// root stands in for the root supervisor: it spawns the services in order
// with their supervisor names and keeps their health reports.
type root struct {
	specs  []childSpec
	health chan messages.ServiceHealth
}

type childSpec struct {
	name  string
	props *actor.Props
}

func (r *root) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		for _, s := range r.specs {
			if _, err := ctx.SpawnNamed(s.props, s.name); err != nil {
				panic(err)
			}
		}
	case *messages.ServiceHealth:
		select {
		case r.health <- *m:
		default:
		}
	}
}

type node struct {
	t    testing.TB
	sys  *actor.ActorSystem
	id   *identity.Identity
	root *actor.PID
	dir  string
}

const initialBalance = 1000 * crap

func startNode(t testing.TB, seed uint64, tune func(*Options)) *node {
	t.Helper()
	return startNodeWith(t, seed, tune, nil)
}

// startNodeWith is startNode that also tunes the consensus options.
func startNodeWith(t testing.TB, seed uint64, tune func(*Options), tuneConsensus func(*consensus.Options)) *node {
	t.Helper()
	sys := actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	})))
	n := &node{t: t, sys: sys, id: newIdentity(t, seed), dir: t.TempDir()}
	lp, err := ledgeractor.Props(ledgeractor.Options{DataDir: n.dir, InitialBalance: initialBalance,
		Identity: n.id.PeerID(), Certificates: consensus.CertificateVerifier{}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	co := consensus.Options{DataDir: n.dir, Identity: n.id, TickInterval: 5 * time.Millisecond, Logger: testLogger()}
	if tuneConsensus != nil {
		tuneConsensus(&co)
	}
	cp, err := consensus.NewProps(co)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Identity: n.id, MaxGames: 4, TickInterval: 5 * time.Millisecond, Logger: testLogger()}
	if tune != nil {
		tune(&opts)
	}
	gp, err := NewProps(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := &root{specs: []childSpec{{"ledger", lp}, {"consensus", cp()}, {"games", gp()}}, health: make(chan messages.ServiceHealth, 64)}
	n.root, err = sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return r }), "root")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sys.Root.StopFuture(n.root).Wait() })
	n.waitLedger()
	n.waitHealthy(r.health, ServiceName)
	return n
}

func (n *node) pid(name string) *actor.PID { return actor.NewPID(n.sys.Address(), "root/"+name) }

func (n *node) ask(service string, msg any) any {
	n.t.Helper()
	res, err := n.sys.Root.RequestFuture(n.pid(service), msg, 10*time.Second).Result()
	if err != nil {
		n.t.Fatalf("ask %s %T: %v", service, msg, err)
	}
	return res
}

// waitLedger waits until the ledger took the node's genesis grant.
func (n *node) waitLedger() {
	eventually(n.t, 10*time.Second, "genesis grant", func() (bool, string) {
		res, err := n.sys.Root.RequestFuture(n.pid("ledger"), &messages.LedgerHoldingsRequest{Peer: n.id.PeerID()}, time.Second).Result()
		if err != nil {
			return false, err.Error()
		}
		h := res.(*messages.LedgerHoldings)
		return h.Err == nil && h.Holdings.Wallet == initialBalance, fmt.Sprintf("holdings %+v, err %v", h.Holdings, h.Err)
	})
}

func (n *node) waitHealthy(health chan messages.ServiceHealth, service string) {
	n.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case h := <-health:
			if h.Service == service && h.Status == messages.Healthy {
				return
			}
		case <-timeout:
			n.t.Fatalf("%s not healthy within 10s", service)
		}
	}
}

func (n *node) holdings() ledger.Holdings {
	n.t.Helper()
	r := n.ask("ledger", &messages.LedgerHoldingsRequest{Peer: n.id.PeerID()}).(*messages.LedgerHoldings)
	if r.Err != nil {
		n.t.Fatal(r.Err)
	}
	return r.Holdings
}

func (n *node) verifyLedger() ledger.Report {
	n.t.Helper()
	r := n.ask("ledger", &messages.LedgerVerifyRequest{}).(*messages.LedgerVerifyResult)
	if r.Err != nil || !r.Report.OK {
		n.t.Fatalf("ledger verify: err %v, report %+v", r.Err, r.Report)
	}
	return r.Report
}

func (n *node) table(id string) *messages.TableView {
	n.t.Helper()
	r := n.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
	if r.Err != nil {
		n.t.Fatalf("get table %s: %v", id, r.Err)
	}
	return r.Table
}

// eventually polls cond every 10 ms until it holds or the deadline passes.
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
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
}
