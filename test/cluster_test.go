package test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/internal/node"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// The cluster helpers run several real nodes in this test process: each
// with its own data dir, ledger, transport (Noise over loopback TCP),
// memberlist gossip, consensus and games, all on 127.0.0.1.

const crap = 1_000_000

type peerNode struct {
	t    testing.TB
	name string
	cfg  config.Config
	n    *node.Node
}

func nodeConfig(t testing.TB, join ...string) config.Config {
	t.Helper()
	cfg, err := config.Defaults(config.ProfileTesting)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.BindAddr = "127.0.0.1"
	for _, p := range []*int{&cfg.Port, &cfg.GossipPort} {
		if *p, err = harness.FreePort(); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Join = join
	return cfg
}

// testLog is silent unless TABLES_TEST_LOG is set (to a slog level).
func testLog(name string) *slog.Logger {
	lvl, ok := os.LookupEnv("TABLES_TEST_LOG")
	if !ok {
		return nil
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(lvl))
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("node", name)
}

// startPeer starts a node and waits until it is Running.
func startPeer(t testing.TB, name string, cfg config.Config) *peerNode {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := node.Start(ctx, node.Options{Config: cfg, Version: "test", Logger: testLog(name)})
	if err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &peerNode{t: t, name: name, cfg: cfg, n: n}
	t.Cleanup(p.stop)
	if err := n.WaitReady(ctx); err != nil {
		t.Fatalf("%s ready: %v", name, err)
	}
	return p
}

func (p *peerNode) stop() {
	if p.n == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.n.Stop(ctx); err != nil {
		p.t.Errorf("stop %s: %v", p.name, err)
	}
	p.n = nil
}

func (p *peerNode) gossipAddr() string {
	return net.JoinHostPort(p.cfg.BindAddr, strconv.Itoa(p.cfg.GossipPort))
}

func (p *peerNode) peerID() string { return string(p.n.PeerID()) }

func (p *peerNode) pid(service string) *actor.PID {
	return actor.NewPID(p.n.ActorSystem().Address(), "root/"+service)
}

// ask sends a request to one of the node's services and waits for the
// answer.
func (p *peerNode) ask(service string, msg any) any {
	p.t.Helper()
	res, err := p.n.ActorSystem().Root.RequestFuture(p.pid(service), msg, 15*time.Second).Result()
	if err != nil {
		p.t.Fatalf("%s: ask %s %T: %v", p.name, service, msg, err)
	}
	return res
}

func (p *peerNode) table(id string) *messages.TableView {
	p.t.Helper()
	r := p.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
	if r.Err != nil {
		p.t.Fatalf("%s: get table %s: %v", p.name, id, r.Err)
	}
	return r.Table
}

func (p *peerNode) holdings() ledger.Holdings {
	p.t.Helper()
	r := p.ask("ledger", &messages.LedgerHoldingsRequest{Peer: p.n.PeerID()}).(*messages.LedgerHoldings)
	if r.Err != nil {
		p.t.Fatalf("%s: holdings: %v", p.name, r.Err)
	}
	return r.Holdings
}

// verified runs the ledger's full check and returns its report.
func (p *peerNode) verified() ledger.Report {
	p.t.Helper()
	r := p.ask("ledger", &messages.LedgerVerifyRequest{}).(*messages.LedgerVerifyResult)
	if r.Err != nil || !r.Report.OK {
		p.t.Fatalf("%s: ledger verify: err %v, report %+v", p.name, r.Err, r.Report)
	}
	return r.Report
}

func (p *peerNode) ledgerTable(id string) ledger.TableInfo {
	p.t.Helper()
	r := p.ask("ledger", &messages.LedgerTableRequest{Table: id}).(*messages.LedgerTable)
	if r.Err != nil {
		p.t.Fatalf("%s: ledger table: %v", p.name, r.Err)
	}
	return r.Info
}

// startCluster starts size nodes that join the first by gossip, and waits
// until every node has a transport connection to every other.
func startCluster(t testing.TB, size int) []*peerNode {
	t.Helper()
	return startClusterFrom(t, nodeConfig(t), size)
}

// startClusterFrom is startCluster with the first node's configuration.
func startClusterFrom(t testing.TB, firstCfg config.Config, size int) []*peerNode {
	t.Helper()
	first := startPeer(t, "A", firstCfg)
	nodes := []*peerNode{first}
	for i := 1; i < size; i++ {
		nodes = append(nodes, startPeer(t, string(rune('A'+i)), nodeConfig(t, first.gossipAddr())))
	}
	waitConnected(t, nodes)
	return nodes
}

// waitConnected waits until every node has a transport connection to every
// other.
func waitConnected(t testing.TB, nodes []*peerNode) {
	t.Helper()
	size := len(nodes)
	eventually(t, 30*time.Second, "full mesh over tcp", func() (bool, string) {
		for _, n := range nodes {
			peers := n.ask("mesh", &messages.ListPeers{}).(*messages.Peers)
			connected := 0
			for _, p := range peers.Items {
				if p.State == messages.PeerAlive && p.Transport != "gossip" && p.Transport != "" {
					connected++
				}
			}
			if connected < size-1 {
				return false, fmt.Sprintf("%s has %d of %d peers connected: %+v", n.name, connected, size-1, peers.Items)
			}
		}
		return true, ""
	})
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
