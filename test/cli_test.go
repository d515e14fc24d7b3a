package test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// The CLI client commands against a real `bitcraps node` process, as a
// person types them: readable output by default, the node's JSON with
// --json, and a non-zero exit with the node's message on error.

// cli runs a command that must succeed and returns its output.
func cli(t *testing.T, n *harness.Node, args ...string) string {
	t.Helper()
	out, code := n.CLI(t, args...)
	if code != 0 {
		t.Fatalf("bitcraps %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// cliFails runs a command that must fail and checks its message.
func cliFails(t *testing.T, n *harness.Node, want []string, args ...string) {
	t.Helper()
	out, code := n.CLI(t, args...)
	if code == 0 {
		t.Fatalf("bitcraps %s: exit 0, want a failure\n%s", strings.Join(args, " "), out)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("bitcraps %s: output does not say %q:\n%s", strings.Join(args, " "), w, out)
		}
	}
}

// cliJSON runs a command with --json and decodes its output.
func cliJSON(t *testing.T, n *harness.Node, out any, args ...string) {
	t.Helper()
	raw := cli(t, n, append(args, "--json")...)
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		t.Fatalf("bitcraps %s --json: %v\n%s", strings.Join(args, " "), err, raw)
	}
}

func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s: %q missing from:\n%s", what, w, out)
		}
	}
}

func mustMatch(t *testing.T, what, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(out) {
			t.Errorf("%s: no match for %s in:\n%s", what, p, out)
		}
	}
}

var createdPattern = regexp.MustCompile(`created table ([0-9a-f]{16})`)

func TestCLIPlaysAgainstANodeProcess(t *testing.T) {
	n := harness.StartNode(t, harness.NodeSpec{})
	n.WaitReady(t, 60*time.Second)

	mustContain(t, "peers", cli(t, n, "peers"), "no peers known")
	var peers []messages.PeerInfo
	cliJSON(t, n, &peers, "peers")
	if len(peers) != 0 {
		t.Fatalf("peers --json: %+v, want none", peers)
	}
	mustContain(t, "balance", cli(t, n, "balance"), "wallet", "1000 CRAP", "total")
	var bal struct {
		Wallet int64            `json:"wallet"`
		Chips  map[string]int64 `json:"chips"`
	}
	cliJSON(t, n, &bal, "balance")
	if bal.Wallet != 1000*crap {
		t.Fatalf("balance --json wallet %d, want 1000 CRAP in micro-CRAP", bal.Wallet)
	}
	mustContain(t, "tables", cli(t, n, "tables"), "no tables yet")

	out := cli(t, n, "table", "create", "--bankroll", "100", "--min-bet", "0.5", "--max-bet", "20",
		"--buy-in", "50", "--bet-window", "30s")
	m := createdPattern.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("table create printed no table id:\n%s", out)
	}
	id := m[1]
	mustMatch(t, "table create", out, `bank\s+100 CRAP`, `bets\s+0\.5 to 20 CRAP`)
	mustContain(t, "tables", cli(t, n, "tables"), id, "seated", "0.5-20")
	var list []messages.TableView
	cliJSON(t, n, &list, "tables")
	if len(list) != 1 || list[0].ID != id || list[0].MinBet != crap/2 {
		t.Fatalf("tables --json %+v, want %s with min bet 0.5 CRAP", list, id)
	}
	env := []string{"BITCRAPS_NODE=" + n.URL}
	if out, code := harness.RunCLIEnv(t, env, "tables"); code != 0 || !strings.Contains(out, id) {
		t.Fatalf("tables with BITCRAPS_NODE: exit %d\n%s", code, out)
	}

	var view messages.TableView
	eventually(t, 30*time.Second, "table playing", func() (bool, string) {
		cliJSON(t, n, &view, "table", "show", id)
		return view.Status == "playing" && view.Shooter != "", view.Status
	})
	mustContain(t, "bet", cli(t, n, "bet", id, "pass", "2.5"), "pass: 2.5 CRAP, waiting for the roll")
	var bet struct {
		BetID string `json:"bet_id"`
	}
	cliJSON(t, n, &bet, "bet", id, "field", "1")
	if bet.BetID == "" {
		t.Fatal("bet --json: no bet_id")
	}
	mustContain(t, "show", cli(t, n, "table", "show", id), "2 bets waiting for the roll",
		"waiting for the roll  pass: 2.5 CRAP (bet ", "waiting for the roll  field: 1 CRAP (bet "+bet.BetID+")")
	cliFails(t, n, []string{"bad_request", "unknown bet", "martingale"}, "bet", id, "martingale", "1")
	cliFails(t, n, []string{"AMOUNT", "6 decimals"}, "bet", id, "pass", "1.0000001")
	cliFails(t, n, []string{"400", "place", "got 7"}, "bet", id, "place", "1", "--number", "7")

	mustMatch(t, "roll", cli(t, n, "table", "roll", id), `^round 1 at table `+id+`: \d \+ \d = \d+, `)
	eventually(t, 30*time.Second, "round 1 certified", func() (bool, string) {
		cliJSON(t, n, &view, "table", "show", id)
		return view.Round >= 1, view.Status
	})
	mustMatch(t, "show after the roll", cli(t, n, "table", "show", id), `last roll\s+\d \+ \d = \d+`, `round\s+[1-9]`)
	mustContain(t, "balance", cli(t, n, "balance"), "chips at "+id)

	exported := filepath.Join(t.TempDir(), "t.json")
	if out, code := harness.RunCLIEnv(t, env, "table", "export", id, "--out", exported); code != 0 ||
		!regexp.MustCompile(`exported table `+id+`: \d+ certified rounds? \(\d+ bytes\) to `).MatchString(out) {
		t.Fatalf("table export with BITCRAPS_NODE: exit %d\n%s", code, out)
	}
	if out, code := harness.RunCLI(t, "verify", "--quiet", exported); code != 0 || !strings.Contains(out, "OK: ") {
		t.Fatalf("verify of the export: exit %d\n%s", code, out)
	}
	cliFails(t, n, []string{"404", "unknown_table"}, "table", "export", "ffffffffffffffff")
	cliFails(t, n, []string{"404", "unknown_table"}, "table", "join", "ffffffffffffffff", "5")
	cliFails(t, n, []string{"400", "table id"}, "table", "show", "nope")
	cliFails(t, n, []string{"AMOUNT", "abc"}, "table", "join", id, "abc")
	if sum := view.LastDice[0] + view.LastDice[1]; sum == 4 || sum == 5 || sum == 6 || sum == 8 || sum == 9 || sum == 10 {
		cliFails(t, n, []string{"409", "bet_not_allowed", "contract"}, "table", "leave", id)
	} else {
		var ack map[string]string
		cliJSON(t, n, &ack, "table", "leave", id)
		if ack["status"] != "accepted" {
			t.Fatalf("leave --json %v", ack)
		}
	}
	// A table that waits for a second player is cancelled by its host.
	out = cli(t, n, "table", "create", "--bankroll", "40", "--min-players", "2")
	if m = createdPattern.FindStringSubmatch(out); m == nil {
		t.Fatalf("table create printed no table id:\n%s", out)
	}
	mustMatch(t, "table cancel", cli(t, n, "table", "cancel", m[1]), `table `+m[1]+` is closed \(cancelled by the host\)`,
		`status\s+closed`, `bank\s+0 CRAP`)
	cliFails(t, n, []string{"404", "unknown_table", "ffffffffffffffff"}, "table", "cancel", "ffffffffffffffff")
	out, code := harness.RunCLI(t, "--node", "http://127.0.0.1:1", "tables")
	if code == 0 || !strings.Contains(out, "reach node") {
		t.Fatalf("unreachable node: exit %d\n%s", code, out)
	}
}

// Every client command documents itself with examples.
func TestCLIHelpHasExamples(t *testing.T) {
	for _, args := range [][]string{{"peers"}, {"balance"}, {"tables"}, {"table"}, {"table", "create"},
		{"table", "join"}, {"table", "show"}, {"table", "roll"}, {"table", "leave"}, {"table", "cancel"}, {"table", "export"}, {"bet"}, {"demo"}} {
		out, code := harness.RunCLI(t, append(args, "--help")...)
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "bitcraps "+args[0]) {
			t.Errorf("bitcraps %s --help: exit %d, no examples:\n%s", strings.Join(args, " "), code, out)
		}
		leaf := len(args) > 1 || (args[0] != "table" && args[0] != "demo")
		if leaf && (!strings.Contains(out, "--node") || !strings.Contains(out, "--json")) {
			t.Errorf("bitcraps %s --help: no --node/--json:\n%s", strings.Join(args, " "), out)
		}
	}
}

// `bitcraps demo` plays the rounds asked for on a cluster in one process
// and every node's ledger checks out.
func TestDemoPlaysRoundsAndStops(t *testing.T) {
	out, code := harness.RunCLI(t, "demo", "--nodes", "2", "--rounds", "3", "--seed", "1")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s", code, out)
	}
	mustContain(t, "demo", out, "web table  http://127.0.0.1:", "node 2 sits at the table", "round   3",
		"node 1  wallet", "node 2  wallet", "2 nodes stopped")
	if strings.Count(out, "ledger OK") != 2 {
		t.Fatalf("demo: want ledger OK on both nodes:\n%s", out)
	}
}

// Ctrl-C stops a demo that plays forever, cleanly.
func TestDemoStopsOnInterrupt(t *testing.T) {
	bin, err := harness.Binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "demo", "--nodes", "2")
	// A file, not a buffer: the test reads it while the demo writes.
	out, err := os.Create(filepath.Join(t.TempDir(), "demo.out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	printed := func() string {
		b, err := os.ReadFile(out.Name())
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		select {
		case <-done:
		default:
			_ = cmd.Process.Kill()
			<-done
		}
	})
	eventually(t, 90*time.Second, "the demo's first round", func() (bool, string) {
		return strings.Contains(printed(), "round   1"), printed()
	})
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		if waitErr != nil {
			t.Fatalf("demo after Ctrl-C: %v\n%s", waitErr, printed())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("demo still running 60s after Ctrl-C:\n%s", printed())
	}
	mustContain(t, "demo after Ctrl-C", printed(), "stopping", "node 1  wallet", "node 2  wallet", "2 nodes stopped")
	if strings.Count(printed(), "ledger OK") != 2 {
		t.Fatalf("demo after Ctrl-C: want both balances with ledger OK:\n%s", printed())
	}
}
