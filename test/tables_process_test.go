package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// Four `bitcraps node` processes on loopback play a table driven only by
// the CLI: create, join, bet, roll. Every node ends with the same certified
// rounds and the same ledger state.
func TestFourNodeProcessesPlayATableWithTheCLI(t *testing.T) {
	const rounds = 100
	nodes, ids := harness.StartCluster(t, 4)
	id := cliTable(t, nodes[0], "table", "create", "--min-players", "4", "--max-players", "4", "--bankroll", "400",
		"--min-bet", "1", "--max-bet", "20", "--buy-in", "100", "--bet-window", "10m").ID
	for _, n := range nodes[1:] {
		waitHTTP(t, n, "/api/v1/tables/"+id, 30*time.Second)
		cliTable(t, n, "table", "join", id, "100")
	}
	for r := 1; r <= rounds; r++ {
		bets := 0
		for _, n := range nodes {
			out, code := n.CLI(t, "bet", id, "field", "1")
			if code == 0 {
				bets++
			} else if !strings.Contains(out, "bank_cannot_cover") && !strings.Contains(out, "insufficient") {
				t.Fatalf("round %d: bet: exit %d\n%s", r, code, out)
			}
		}
		shooter := waitProcessShooter(t, nodes, ids, id, bets)
		if out, code := shooter.CLI(t, "table", "roll", id); code != 0 {
			t.Fatalf("round %d: roll: exit %d\n%s", r, code, out)
		}
		deadline := time.Now().Add(30 * time.Second)
		for _, n := range nodes {
			for tableOf(t, n, id).Round < uint64(r) {
				if time.Now().After(deadline) {
					t.Fatalf("round %d not certified on %s: %+v", r, n.URL, tableOf(t, n, id))
				}
				time.Sleep(20 * time.Millisecond) // polling interval, bounded by the deadline
			}
		}
	}
	var want []messages.RoundView
	states := map[string]bool{}
	for i, n := range nodes {
		var got []messages.RoundView
		if code := n.GetJSON(t, "/api/v1/tables/"+id+"/rounds", &got); code != 200 || len(got) < rounds {
			t.Fatalf("node %d: rounds: status %d, %d rounds", i, code, len(got))
		}
		if i == 0 {
			want = got
		}
		for r := range rounds {
			if got[r].StateHash != want[r].StateHash {
				t.Fatalf("round %d: node 0 certified %s, node %d %s", r+1, want[r].StateHash, i, got[r].StateHash)
			}
		}
		out, code := n.CLI(t, "ledger", "verify", "--json")
		var rep struct {
			OK        bool   `json:"ok"`
			StateHash string `json:"state_hash"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || !rep.OK {
			t.Fatalf("node %d: ledger verify: exit %d\n%s", i, code, out)
		}
		states[rep.StateHash] = true
	}
	if len(states) != 1 {
		t.Fatalf("ledger state hashes differ: %v", states)
	}
	auditWithTheCLI(t, nodes, id, want[len(want)-1])
}

// verifiedPattern is `bitcraps verify`'s verdict on a good export.
var verifiedPattern = regexp.MustCompile(`OK: (\d+) rounds? verified; final state hash ([0-9a-f]{64})`)

// auditWithTheCLI audits the table as anyone could, trusting no node: it
// exports the table from two players' nodes with the CLI, checks that
// `bitcraps verify` replays both to the state the nodes certified last,
// and that copies with one certified state hash or one signed bet amount
// changed fail, naming their round.
func auditWithTheCLI(t *testing.T, nodes []*harness.Node, id string, last messages.RoundView) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for _, i := range []int{0, 2} {
		file := filepath.Join(dir, fmt.Sprintf("export-node%d.json", i))
		out, code := nodes[i].CLI(t, "table", "export", id, "--out", file)
		if code != 0 || !strings.Contains(out, file) || !strings.Contains(out, fmt.Sprintf("%d certified rounds", last.Round)) {
			t.Fatalf("node %d: table export --out: exit %d, want %d rounds written to %s\n%s", i, code, last.Round, file, out)
		}
		if rounds, hash := cliVerify(t, file); rounds != int(last.Round) || hash != last.StateHash {
			t.Fatalf("node %d's export verifies %d rounds to %s; the nodes certified %d rounds to %s",
				i, rounds, hash, last.Round, last.StateHash)
		}
		files = append(files, file)
	}
	raw, err := os.ReadFile(files[1])
	if err != nil {
		t.Fatal(err)
	}
	if out, code := nodes[2].CLI(t, "table", "export", id); code != 0 || out != string(raw) {
		t.Fatalf("table export to stdout: exit %d, %d bytes; want the %d bytes --out wrote", code, len(out), len(raw))
	}
	exp, err := game.DecodeExport(raw)
	if err != nil {
		t.Fatal(err)
	}
	// Re-encoded unchanged, the copy verifies: what fails below is the
	// change, not the round trip.
	if rounds, _ := cliVerify(t, writeExport(t, dir, "copy.json", exp)); rounds != int(last.Round) {
		t.Fatalf("an unchanged re-encoded copy verifies %d rounds, want %d", rounds, last.Round)
	}
	hashed := exp
	hashed.Certificates = slices.Clone(exp.Certificates)
	hashed.Certificates[49].StateHash[0] ^= 0xff
	cliVerifyFailsAt(t, writeExport(t, dir, "state-hash.json", hashed), 50)

	bets := exp
	bets.Certificates = slices.Clone(exp.Certificates)
	round := raiseOneBet(t, bets.Certificates, 20)
	cliVerifyFailsAt(t, writeExport(t, dir, "bet-amount.json", bets), round)
}

// cliVerify runs `bitcraps verify FILE`, which must pass, and returns
// the rounds it verified and the final state hash.
func cliVerify(t *testing.T, file string) (int, string) {
	t.Helper()
	out, code := harness.RunCLI(t, "verify", file)
	m := verifiedPattern.FindStringSubmatch(out)
	if code != 0 || m == nil {
		t.Fatalf("bitcraps verify %s: exit %d\n%s", file, code, outputEnd(out))
	}
	rounds, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return rounds, m[2]
}

// cliVerifyFailsAt runs `bitcraps verify FILE`, which must fail naming round.
func cliVerifyFailsAt(t *testing.T, file string, round uint64) {
	t.Helper()
	out, code := harness.RunCLI(t, "verify", file)
	if code == 0 || !strings.Contains(out, fmt.Sprintf("FAILED at round %d:", round)) ||
		!strings.Contains(out, fmt.Sprintf("round %d: verification failed", round)) {
		t.Fatalf("bitcraps verify of %s: exit %d, want a failure at round %d\n%s", file, code, round, outputEnd(out))
	}
}

// raiseOneBet adds 1 CRAP to the first bet at or after round from, in a
// copy of its certificate's bets (the export it came from keeps its own),
// and returns that round.
func raiseOneBet(t *testing.T, certs []bft.Certificate, from int) uint64 {
	t.Helper()
	for i := from - 1; i < len(certs); i++ {
		for j, b := range certs[i].Body.Bets {
			p, err := game.DecodePayload(b.Payload)
			if err != nil || p.Kind != game.KindBet {
				continue
			}
			p.Amount += 1_000_000
			if b.Payload, err = game.EncodePayload(p); err != nil {
				t.Fatal(err)
			}
			certs[i].Body.Bets = slices.Clone(certs[i].Body.Bets)
			certs[i].Body.Bets[j] = b
			return certs[i].Round
		}
	}
	t.Fatalf("no bet in rounds %d..%d to change", from, len(certs))
	return 0
}

func writeExport(t *testing.T, dir, name string, e game.Export) string {
	t.Helper()
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// outputEnd is the end of a long output, enough to show a verdict.
func outputEnd(out string) string {
	if len(out) > 2000 {
		return "…" + out[len(out)-2000:]
	}
	return out
}

// cliTable runs a table command with --json and decodes the table.
func cliTable(t *testing.T, n *harness.Node, args ...string) messages.TableView {
	t.Helper()
	out, code := n.CLI(t, append(args, "--json")...)
	var v messages.TableView
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil {
		t.Fatalf("bitcraps %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return v
}

func tableOf(t *testing.T, n *harness.Node, id string) messages.TableView {
	t.Helper()
	var v messages.TableView
	if code := n.GetJSON(t, "/api/v1/tables/"+id, &v); code != 200 {
		t.Fatalf("GET table %s on %s: status %d", id, n.URL, code)
	}
	return v
}

func waitHTTP(t *testing.T, n *harness.Node, path string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var v any
		if n.GetJSON(t, path, &v) == 200 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s on %s: not 200 within %v", path, n.URL, within)
		}
		time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// waitProcessShooter returns the shooter's node once it holds the round's bets.
func waitProcessShooter(t *testing.T, nodes []*harness.Node, ids []string, id string, bets int) *harness.Node {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		shooter := tableOf(t, nodes[0], id).Shooter
		for i, n := range nodes {
			if ids[i] == shooter {
				if v := tableOf(t, n, id); v.Shooter == shooter && v.PendingBets >= bets {
					return n
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("shooter %q never held %d bets", shooter, bets)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, bounded by the deadline
	}
}
