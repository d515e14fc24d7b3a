package test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// What a newcomer types in the first hour, and the exact answers (issue 11,
// items 5, 8 and 10).

// cliSays runs a command and checks its exit code and its whole output.
func cliSays(t *testing.T, wantCode int, want string, args ...string) {
	t.Helper()
	out, code := harness.RunCLI(t, args...)
	if code != wantCode || out != want {
		t.Errorf("bitcraps %s: exit %d\n%s\nwant exit %d\n%s", strings.Join(args, " "), code, out, wantCode, want)
	}
}

// Argument mistakes are answered before any node is asked.
func TestCLIArgumentMistakesSayWhatToType(t *testing.T) {
	node := "--node=127.0.0.1:1"
	cliSays(t, 1, "bitcraps: bet: place needs the number it is on: bitcraps bet 3f2a9c0d1e2b4a5f place_5 AMOUNT, or bitcraps bet 3f2a9c0d1e2b4a5f place AMOUNT --number 5\n"+
		"usage: bitcraps bet TABLE TYPE AMOUNT [flags]\n", "bet", "3f2a9c0d1e2b4a5f", "place", "5", node)
	cliSays(t, 1, "bitcraps: bet: place needs its number in the id or as --number: bitcraps bet 3f2a9c0d1e2b4a5f place_5 10 (or: bitcraps bet 3f2a9c0d1e2b4a5f place 10 --number 5)\n"+
		"usage: bitcraps bet TABLE TYPE AMOUNT [flags]\n", "bet", "3f2a9c0d1e2b4a5f", "place", "5", "10", node)
	cliSays(t, 1, "bitcraps: bet: hard needs the number it is on: one of hard_4, hard_6, hard_8, hard_10 (bitcraps bet T hard_4 3), or --number\n"+
		"usage: bitcraps bet TABLE TYPE AMOUNT [flags]\n", "bet", "T", "hard", "3", node)
	cliSays(t, 1, "bitcraps: table join: missing AMOUNT\nusage: bitcraps table join TABLE AMOUNT [flags]\n", "table", "join", "3f2a9c0d1e2b4a5f", node)
	cliSays(t, 1, "bitcraps: bet: missing TYPE AMOUNT\nusage: bitcraps bet TABLE TYPE AMOUNT [flags]\n", "bet", "3f2a9c0d1e2b4a5f", node)
	cliSays(t, 1, "bitcraps: balance takes no arguments, got \"now\"\nusage: bitcraps balance [flags]\n", "balance", "now", node)
	cliSays(t, 1, "bitcraps: --node \"ftp://127.0.0.1:8080\": want host:port or a URL such as http://127.0.0.1:8080\n", "tables", "--node", "ftp://127.0.0.1:8080")

	help, code := harness.RunCLI(t, "bet", "--help")
	if code != 0 || !strings.Contains(help, "any_7") || strings.Contains(help, "any_seven") || !strings.Contains(help, "place_6") {
		t.Errorf("bet --help: exit %d, want the real bet ids (any_7, place_6):\n%s", code, help)
	}
	rules, _ := harness.RunCLI(t, "rules")
	for i, line := range strings.Split(rules, "\n") {
		if len([]rune(line)) > 100 {
			t.Errorf("rules line %d is %d columns wide: %q", i+1, len([]rune(line)), line)
		}
	}
	if wide, _ := harness.RunCLI(t, "rules", "--wide"); !strings.Contains(wide, "Don't Come Bar 12 on 10") {
		t.Errorf("rules --wide lacks the bet names:\n%s", wide)
	}
}

func TestCLIFirstHourAtATable(t *testing.T) {
	n := harness.StartNode(t, harness.NodeSpec{})
	n.WaitReady(t, 60*time.Second)
	// --node without a scheme, as `bitcraps node` prints its --http.
	bare := fmt.Sprintf("127.0.0.1:%d", n.Spec.HTTPPort)
	if out, code := harness.RunCLI(t, "--node", bare, "status"); code != 0 || !strings.Contains(out, "Running") {
		t.Fatalf("status --node %s: exit %d\n%s", bare, code, out)
	}

	out := cli(t, n, "table", "create", "--bankroll", "100", "--max-bet", "20", "--buy-in", "50", "--bet-window", "60s")
	m := createdPattern.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("table create printed no table id:\n%s", out)
	}
	id := m[1]
	if out, code := n.CLI(t, "table", "join", id, "10"); code != 1 ||
		!strings.HasSuffix(out, "bitcraps: table join: you already sit at table "+id+" with 50 CRAP in chips; nothing was bought\n") {
		t.Errorf("join where seated: exit %d\n%s", code, out)
	}
	waiting := createdPattern.FindStringSubmatch(cli(t, n, "table", "create", "--bankroll", "40", "--min-players", "2"))[1]
	mustMatch(t, "balance", cli(t, n, "balance"), `wallet\s+810 CRAP`, `chips at `+id+`\s+50 CRAP`,
		`bank of `+id+` \(you host\)\s+100 CRAP`, `bank of `+waiting+` \(you host\)\s+40 CRAP`, `total\s+1000 CRAP`)
	cli(t, n, "table", "cancel", waiting)
	if out := cli(t, n, "balance"); strings.Contains(out, waiting) || !regexp.MustCompile(`wallet\s+850 CRAP`).MatchString(out) {
		t.Errorf("balance after the cancel still shows the closed table, or not its money back:\n%s", out)
	}

	var view messages.TableView
	eventually(t, 30*time.Second, "table playing", func() (bool, string) {
		cliJSON(t, n, &view, "table", "show", id)
		return view.Status == "playing" && view.Shooter != "", view.Status
	})
	cliFails(t, n, []string{"bitcraps: bet: table " + id + ": bet of 25 CRAP on pass is above the table maximum of 20 CRAP (node answered 409 bet_not_allowed)\n"},
		"bet", id, "pass", "25")
	cliFails(t, n, []string{"bitcraps: bet: table " + id + ": bet of 60 CRAP on field is above the table maximum of 20 CRAP"}, "bet", id, "field", "60")
	cli(t, n, "bet", id, "field", "1")
	cli(t, n, "bet", id, "pass", "2")
	out = cli(t, n, "table", "roll", id)
	mustMatch(t, "table roll", out, `^round 1 at table `+id+`: (\d) \+ (\d) = \d+, (the point is \d+|a natural: pass wins|craps: pass loses)\n`,
		`\n  field \(1 CRAP\) (wins \d+ CRAP|loses)\n`, `\n  you are (up|down) \d+(\.\d+)? CRAP this roll\n$`)
	if strings.Contains(out, "the point is") == strings.Contains(out, "pass (2 CRAP)") {
		t.Errorf("table roll: pass is decided exactly when no point is set:\n%s", out)
	}
	mustContain(t, "table roll --no-wait", cli(t, n, "table", "roll", id, "--no-wait"), "roll requested at table "+id)

	exported := filepath.Join(t.TempDir(), "t.json")
	cli(t, n, "table", "export", id, "--out", exported)
	if out, code := harness.RunCLI(t, "verify", exported); code != 0 || !strings.Contains(out, "table "+id+": 1 seat, bank ") ||
		!strings.Contains(out, "1 of 1 seat confirmed") {
		t.Errorf("verify of a one-seat table: exit %d\n%s", code, out)
	}
}

// A table closed because its last player left still shows its last
// certified round after the node restarts: the node reads the rounds from
// its own store, as nobody is left at the table to ask.
func TestClosedTableKeepsItsLastRoundAfterRestart(t *testing.T) {
	n := harness.StartNode(t, harness.NodeSpec{})
	n.WaitReady(t, 60*time.Second)
	id := createdPattern.FindStringSubmatch(cli(t, n, "table", "create", "--bankroll", "100", "--buy-in", "50", "--bet-window", "60s"))[1]
	var view messages.TableView
	eventually(t, 30*time.Second, "table playing", func() (bool, string) {
		cliJSON(t, n, &view, "table", "show", id)
		return view.Status == "playing" && view.Shooter != "", view.Status
	})
	cli(t, n, "bet", id, "field", "1")
	cli(t, n, "table", "roll", id)
	cli(t, n, "table", "leave", id)
	cli(t, n, "table", "roll", id) // the round the leave rides in
	eventually(t, 30*time.Second, "table closed", func() (bool, string) {
		cliJSON(t, n, &view, "table", "show", id)
		return view.Status == "closed", view.Status
	})
	if view.Round < 2 {
		t.Fatalf("closed at round %d, want 2 or more", view.Round)
	}
	if code := n.Signal(t, syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM", code)
	}
	again := n.Restart(t)
	again.WaitReady(t, 60*time.Second)
	var after messages.TableView
	eventually(t, 30*time.Second, "the last round shown again", func() (bool, string) {
		cliJSON(t, again, &after, "table", "show", id)
		return after.Round == view.Round, fmt.Sprintf("round %d, want %d", after.Round, view.Round)
	})
	if after.Status != "closed" || after.LastDice != view.LastDice || after.StateHash != view.StateHash || after.Bank != view.Bank {
		t.Fatalf("after the restart %+v\nwant as before %+v", after, view)
	}
	harness.SameLedgers(t, []*harness.Node{again}, 10*time.Second)
}
