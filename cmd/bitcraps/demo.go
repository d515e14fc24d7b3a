package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/node"
	"github.com/bitcraps/bitcraps/messages"
)

// Demo settings, each with its reason.
const (
	// One minute for the nodes to find each other and for every bot to
	// sit: loopback gossip converges in seconds, so this only trips on a
	// real fault, which the demo then reports.
	demoSetupTimeout = time.Minute
	// A bot looks at its table five times a second: fast enough that a
	// round follows the last one at once, cheap on loopback.
	demoPoll = 200 * time.Millisecond
	// The shooter waits this long after a round before rolling, so the
	// other bots' bets (placed as soon as they see the round) are in.
	demoShooterPause = 700 * time.Millisecond
	// The table's own bet window: longer than the shooter's pause, so the
	// bots' shooter rolls, and short enough that a table whose shooter's
	// node stalls still moves.
	demoBetWindow = "5s"
	// Money: each player buys in with 100 CRAP of its 1000 CRAP grant (the
	// testing profile's), bets 1-3 CRAP, and the host funds a 300 CRAP bank.
	demoBuyIn    = 100 * config.MicrosPerCRAP
	demoBankroll = 300 * config.MicrosPerCRAP
	demoMinBet   = 1 * config.MicrosPerCRAP
	demoMaxBet   = 10 * config.MicrosPerCRAP
	// demoSummaryGrace bounds the balances and ledger checks printed after
	// Ctrl-C: each node answers from memory and a local disk.
	demoSummaryGrace = 15 * time.Second
	// demoStopGrace bounds stopping every node after Ctrl-C.
	demoStopGrace = 30 * time.Second
)

func init() {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a whole bitcraps cluster on this machine, with bots playing craps",
		Long: `Start N nodes in this process on 127.0.0.1 (testing profile, free ports,
temporary data dirs), joined into one mesh, with a bot player on each. The
first node hosts a table, every bot sits at it, and they play: each bot
bets pass on the come-out and come or field while a point is on, through its
own node's HTTP API; the shooter rolls, the dice come from every player's
reveal, and every round is certified by the players' quorum.

Each node's web table URL is printed: open one to watch the table live,
or join in. Ctrl-C stops every node cleanly and removes the data dirs
(unless --data was given). Node logs go to <data>/node-<i>.log.`,
		Example: `  bitcraps demo                      # 4 nodes, plays until Ctrl-C
  bitcraps demo --nodes 3 --rounds 20
  bitcraps demo --data /tmp/bitcraps-demo --seed 7`,
		Args: cobra.NoArgs,
		RunE: runDemo,
	}
	f := cmd.Flags()
	f.Int("nodes", 4, "nodes (and bot players) to start, 1 to 16")
	f.Int("rounds", 0, "certified rounds to play before stopping (0: until Ctrl-C)")
	f.String("data", "", "keep the nodes' data dirs under this dir (default: a temporary dir, removed at exit)")
	f.Uint64("seed", 0, "seed of the bots' bet choices (0: from the clock; printed either way)")
	rootCmd.AddCommand(cmd)
}

// maxDemoNodes keeps a typo from starting hundreds of nodes on a laptop.
const maxDemoNodes = 16

// demoNode is one in-process node and its API client.
type demoNode struct {
	index  int
	node   *node.Node
	client *apiClient
	logs   *os.File
}

func runDemo(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	count, _ := f.GetInt("nodes")
	rounds, _ := f.GetInt("rounds")
	dataFlag, _ := f.GetString("data")
	seed, _ := f.GetUint64("seed")
	switch {
	case count < 1 || count > maxDemoNodes:
		return fmt.Errorf("--nodes %d: want 1 to %d", count, maxDemoNodes)
	case rounds < 0:
		return fmt.Errorf("--rounds %d: want 0 (forever) or more", rounds)
	}
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	out := cmd.OutOrStdout()
	dir, cleanup, err := demoDir(dataFlag)
	if err != nil {
		return err
	}
	defer cleanup()

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	nodes, err := startDemoNodes(ctx, out, dir, count)
	defer stopDemoNodes(out, nodes)
	if err != nil {
		return err
	}
	table, err := setUpDemoTable(ctx, out, nodes)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\ntable %s: %d players, playing", table, count)
	if rounds > 0 {
		fmt.Fprintf(out, " %d rounds", rounds)
	}
	fmt.Fprintf(out, " (bot seed %d); Ctrl-C stops\n\n", seed)
	err = playDemo(ctx, out, nodes, table, uint64(rounds), seed)
	if ctx.Err() != nil {
		// Ctrl-C: the balances are what the person watched for, so they
		// are printed still (a second Ctrl-C kills at once).
		stop()
		fmt.Fprintln(out, "\nstopping")
		summaryCtx, cancel := context.WithTimeout(context.Background(), demoSummaryGrace)
		defer cancel()
		return demoSummary(summaryCtx, out, nodes, table)
	}
	if err != nil {
		return err
	}
	return demoSummary(cmd.Context(), out, nodes, table)
}

// demoDir is the base data dir and how to clean it up.
func demoDir(flag string) (string, func(), error) {
	if flag != "" {
		if err := os.MkdirAll(flag, 0o700); err != nil {
			return "", nil, fmt.Errorf("--data %s: %w", flag, err)
		}
		return flag, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "bitcraps-demo-")
	if err != nil {
		return "", nil, fmt.Errorf("demo data dir: %w", err)
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}

// startDemoNodes starts the nodes one by one, each joining the first's
// gossip, and waits until every node sees all the others.
func startDemoNodes(ctx context.Context, out io.Writer, dir string, count int) ([]*demoNode, error) {
	var nodes []*demoNode
	var seed string
	for i := range count {
		fmt.Fprintf(out, "starting node %d of %d...\n", i+1, count)
		d, gossip, err := startDemoNode(ctx, dir, i, seed)
		if d != nil {
			nodes = append(nodes, d) // started, so stopped at the end even if not ready
		}
		if err != nil {
			return nodes, err
		}
		if i == 0 {
			seed = gossip
		}
		fmt.Fprintf(out, "  node %d  peer %s  web table  http://%s/\n", i+1, d.node.PeerID().Short(), d.node.HTTPAddr())
	}
	return nodes, waitDemoMesh(ctx, out, nodes)
}

func startDemoNode(ctx context.Context, dir string, i int, join string) (*demoNode, string, error) {
	cfg, err := config.Defaults(config.ProfileTesting)
	if err != nil {
		return nil, "", err
	}
	cfg.DataDir = filepath.Join(dir, fmt.Sprintf("node-%d", i+1))
	cfg.BindAddr = "127.0.0.1"
	cfg.HTTPAddr = "127.0.0.1:0"
	if cfg.Port, err = freeDemoPort(); err != nil {
		return nil, "", err
	}
	if cfg.GossipPort, err = freeDemoPort(); err != nil {
		return nil, "", err
	}
	if join != "" {
		cfg.Join = []string{join}
	}
	cfg.Plugins = demoBotPlugins(i)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, "", fmt.Errorf("node %d data dir: %w", i+1, err)
	}
	logs, err := os.Create(filepath.Join(dir, fmt.Sprintf("node-%d.log", i+1)))
	if err != nil {
		return nil, "", fmt.Errorf("node %d log file: %w", i+1, err)
	}
	n, err := node.Start(ctx, node.Options{Config: cfg, Version: version,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		logs.Close()
		return nil, "", fmt.Errorf("start node %d: %w", i+1, err)
	}
	d := &demoNode{index: i, node: n, logs: logs,
		client: &apiClient{base: "http://" + n.HTTPAddr(), http: &http.Client{Timeout: clientTimeout}}}
	readyCtx, cancel := context.WithTimeout(ctx, demoSetupTimeout)
	defer cancel()
	if err := n.WaitReady(readyCtx); err != nil {
		return d, "", fmt.Errorf("node %d: %w (log: %s)", i+1, err, logs.Name())
	}
	return d, net.JoinHostPort(cfg.BindAddr, strconv.Itoa(cfg.GossipPort)), nil
}

// freeDemoPort is a loopback port free on both TCP and UDP a moment ago
// (memberlist gossips on both).
func freeDemoPort() (int, error) {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, uerr := net.ListenPacket("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		l.Close()
		if uerr == nil {
			u.Close()
			return port, nil
		}
	}
	return 0, errors.New("free port: none free on both tcp and udp after 20 tries")
}

// waitDemoMesh waits until every node sees every other alive and
// connected.
func waitDemoMesh(ctx context.Context, out io.Writer, nodes []*demoNode) error {
	want := len(nodes) - 1
	if want == 0 {
		return nil
	}
	fmt.Fprintf(out, "waiting for the mesh: each node must reach %d peers...\n", want)
	return demoPollUntil(ctx, "the mesh to connect every node", func() (bool, error) {
		for _, d := range nodes {
			var peers []messages.PeerInfo
			if _, err := d.client.do(ctx, "GET", "/api/v1/peers", nil, &peers); err != nil {
				return false, nil // a node still starting its mesh: ask again
			}
			alive := 0
			for _, p := range peers {
				// Alive and connected: table traffic goes over the transport.
				if p.State == messages.PeerAlive && p.Transport != "gossip" && p.Transport != "" {
					alive++
				}
			}
			if alive < want {
				return false, nil
			}
		}
		return true, nil
	})
}

// demoPollUntil polls done until it is true, fails, or the setup timeout
// or ctx ends.
func demoPollUntil(ctx context.Context, what string, done func() (bool, error)) error {
	deadline := time.Now().Add(demoSetupTimeout)
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: waited %s for %s", demoSetupTimeout, what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(demoPoll):
		}
	}
}

// setUpDemoTable has the first node host a table for every node and sit
// at it, then each other node join it once the announcement reached it.
func setUpDemoTable(ctx context.Context, out io.Writer, nodes []*demoNode) (string, error) {
	host := nodes[0]
	body := createBody{MinPlayers: len(nodes), MaxPlayers: len(nodes), Bankroll: demoBankroll,
		MinBet: demoMinBet, MaxBet: demoMaxBet, BetWindow: demoBetWindow, BuyIn: demoBuyIn}
	var t messages.TableView
	if _, err := host.client.do(ctx, "POST", "/api/v1/tables", body, &t); err != nil {
		return "", fmt.Errorf("node 1 creates the table: %w", err)
	}
	fmt.Fprintf(out, "\nnode 1 hosts table %s (bank %s CRAP, bets %s-%s CRAP)\n", t.ID,
		config.FormatCRAP(demoBankroll), config.FormatCRAP(demoMinBet), config.FormatCRAP(demoMaxBet))
	for _, d := range nodes[1:] {
		err := demoPollUntil(ctx, fmt.Sprintf("node %d to see table %s", d.index+1, t.ID), func() (bool, error) {
			var list []messages.TableView
			if _, err := d.client.do(ctx, "GET", "/api/v1/tables", nil, &list); err != nil {
				return false, err
			}
			for _, v := range list {
				if v.ID == t.ID {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return "", err
		}
		if _, err := d.client.do(ctx, "POST", tablePath(t.ID, "join"), map[string]int64{"buy_in": demoBuyIn}, nil); err != nil {
			return "", fmt.Errorf("node %d joins table %s: %w", d.index+1, t.ID, err)
		}
		fmt.Fprintf(out, "node %d sits at the table with %s CRAP\n", d.index+1, config.FormatCRAP(demoBuyIn))
	}
	return t.ID, nil
}

// playDemo runs one bot per node and reports each certified round as the
// first node sees it, until rounds are played (0: until ctx ends).
func playDemo(ctx context.Context, out io.Writer, nodes []*demoNode, table string, rounds, seed uint64) error {
	if demoPluginBots() {
		reportRounds(ctx, out, nodes[0], table, rounds)
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(nodes))
	for _, d := range nodes {
		b := &demoBot{node: d, table: table, rounds: rounds, out: out,
			rng: rand.New(rand.NewPCG(seed, uint64(d.index)))}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := b.run(ctx); err != nil && ctx.Err() == nil {
				errs <- err
				cancel()
			}
		}()
	}
	reportRounds(ctx, out, nodes[0], table, rounds)
	wg.Wait()
	close(errs)
	return <-errs
}

// reportRounds prints each round the first node certifies.
func reportRounds(ctx context.Context, out io.Writer, d *demoNode, table string, rounds uint64) {
	var printed uint64
	for ctx.Err() == nil && (rounds == 0 || printed < rounds) {
		var list []messages.RoundView
		if _, err := d.client.do(ctx, "GET", tablePath(table, "rounds"), nil, &list); err == nil {
			for _, r := range list {
				if r.Round <= printed {
					continue
				}
				printed = r.Round
				if r.Void {
					fmt.Fprintf(out, "round %3d  void (a player withheld its reveal)\n", r.Round)
					continue
				}
				fmt.Fprintf(out, "round %3d  dice %d + %d = %2d  state %.12s\n", r.Round, r.Dice[0], r.Dice[1],
					r.Dice[0]+r.Dice[1], r.StateHash)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(demoPoll):
		}
	}
}

// demoBot plays for one node through its HTTP API, like a person would.
type demoBot struct {
	node   *demoNode
	table  string
	rounds uint64
	out    io.Writer
	rng    *rand.Rand
	// betRound is the last certified round after which it bet; rolled is
	// the last round after which it (as shooter) asked for the roll.
	betRound, rolled uint64
	betAt            time.Time
	started          bool
}

func (b *demoBot) run(ctx context.Context) error {
	me := string(b.node.node.PeerID())
	for ctx.Err() == nil {
		var t messages.TableView
		if _, err := b.node.client.do(ctx, "GET", tablePath(b.table, ""), nil, &t); err != nil {
			return fmt.Errorf("bot %d: %w", b.node.index+1, err)
		}
		if b.rounds > 0 && t.Round >= b.rounds {
			return nil
		}
		if t.Status == "playing" && t.Shooter != "" && (!b.started || t.Round != b.betRound) {
			b.bet(ctx, t, me)
			b.started, b.betRound, b.betAt = true, t.Round, time.Now()
		}
		if t.Shooter == me && b.started && t.Round == b.betRound && b.rolled != t.Round+1 &&
			time.Since(b.betAt) >= demoShooterPause {
			if _, err := b.node.client.do(ctx, "POST", tablePath(b.table, "roll"), nil, nil); err == nil {
				b.rolled = t.Round + 1
			} else {
				b.say("roll: %v", err)
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(demoPoll):
		}
	}
	return nil
}

// bet places this round's bets: pass on the come-out (once the line is
// empty), a come bet while a point is on, and sometimes the field.
func (b *demoBot) bet(ctx context.Context, t messages.TableView, me string) {
	var chips int64
	var open []messages.BetView
	for _, p := range t.Players {
		if p.PeerID == me {
			chips, open = p.Chips, p.Bets
		}
	}
	amount := func() int64 { return (1 + b.rng.Int64N(3)) * config.MicrosPerCRAP }
	var want []betBody
	switch {
	case t.Phase == "come_out" && !hasBet(open, "pass"):
		want = append(want, betBody{Type: "pass", Amount: amount()})
	case t.Phase == "point" && len(open) < 4 && b.rng.IntN(2) == 0:
		want = append(want, betBody{Type: "come", Amount: amount()})
	}
	if b.rng.IntN(3) == 0 {
		want = append(want, betBody{Type: "field", Amount: amount()})
	}
	for _, w := range want {
		if w.Amount > chips {
			return // out of chips: keep rolling for the others
		}
		chips -= w.Amount
		if _, err := b.node.client.do(ctx, "POST", tablePath(b.table, "bets"), w, nil); err != nil && ctx.Err() == nil {
			b.say("%s bet: %v", w.Type, err)
		}
	}
}

func hasBet(bets []messages.BetView, kind string) bool {
	for _, b := range bets {
		if b.Type == kind {
			return true
		}
	}
	return false
}

func (b *demoBot) say(format string, args ...any) {
	fmt.Fprintf(b.out, "  bot %d: %s\n", b.node.index+1, fmt.Sprintf(format, args...))
}

// demoSummary prints each node's chips and ledger check after the rounds.
func demoSummary(ctx context.Context, out io.Writer, nodes []*demoNode, table string) error {
	fmt.Fprintln(out)
	var failed error
	for _, d := range nodes {
		var bal struct {
			Wallet int64            `json:"wallet"`
			Chips  map[string]int64 `json:"chips"`
		}
		var rep struct {
			OK        bool   `json:"ok"`
			StateHash string `json:"state_hash"`
		}
		if _, err := d.client.do(ctx, "GET", "/api/v1/balance", nil, &bal); err != nil {
			return fmt.Errorf("node %d balance: %w", d.index+1, err)
		}
		if _, err := d.client.do(ctx, "GET", "/api/v1/ledger/verify", nil, &rep); err != nil {
			return fmt.Errorf("node %d ledger verify: %w", d.index+1, err)
		}
		verdict := "ledger OK"
		if !rep.OK {
			verdict = "LEDGER FAILED"
			failed = fmt.Errorf("node %d: %w", d.index+1, errLedgerFailed)
		}
		fmt.Fprintf(out, "node %d  wallet %s CRAP  chips %s CRAP  %s  state %.12s\n", d.index+1,
			config.FormatCRAP(bal.Wallet), config.FormatCRAP(bal.Chips[table]), verdict, rep.StateHash)
	}
	return failed
}

// stopDemoNodes stops every node, last started first.
func stopDemoNodes(out io.Writer, nodes []*demoNode) {
	ctx, cancel := context.WithTimeout(context.Background(), demoStopGrace)
	defer cancel()
	for i := len(nodes) - 1; i >= 0; i-- {
		d := nodes[i]
		if err := d.node.Stop(ctx); err != nil {
			fmt.Fprintf(out, "node %d: stop: %v\n", d.index+1, err)
		}
		d.logs.Close()
	}
	if len(nodes) > 0 {
		fmt.Fprintf(out, "%d nodes stopped\n", len(nodes))
	}
}
