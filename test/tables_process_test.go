package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// Four `bitcraps node` processes on loopback play a table driven only by
// the CLI: create, join, bet, roll. Every node ends with the same certified
// rounds and the same ledger state.
func TestFourNodeProcessesPlayATableWithTheCLI(t *testing.T) {
	const rounds = 100
	nodes, ids := startProcesses(t, 4)
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
}

// startProcesses starts size node processes joined to the first and waits
// until each has a transport connection to every other; it returns them
// and their peer IDs.
func startProcesses(t *testing.T, size int) ([]*harness.Node, []string) {
	t.Helper()
	first := harness.StartNode(t, harness.NodeSpec{})
	first.WaitReady(t, 60*time.Second)
	nodes := []*harness.Node{first}
	for range size - 1 {
		n := harness.StartNode(t, harness.NodeSpec{Join: []string{fmt.Sprintf("127.0.0.1:%d", first.Spec.GossipPort)}})
		n.WaitReady(t, 60*time.Second)
		nodes = append(nodes, n)
	}
	ids := make([]string, size)
	for i, n := range nodes {
		var h healthDoc
		n.GetJSON(t, "/health", &h)
		ids[i] = h.PeerID
	}
	deadline := time.Now().Add(60 * time.Second)
	for i, n := range nodes {
		for {
			var peers []messages.PeerInfo
			n.GetJSON(t, "/api/v1/peers", &peers)
			connected := 0
			for _, p := range peers {
				if p.State == messages.PeerAlive && strings.Contains(p.Transport, "tcp") {
					connected++
				}
			}
			if connected == size-1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d: %d of %d peers connected: %+v", i, connected, size-1, peers)
			}
			time.Sleep(100 * time.Millisecond) // polling interval, bounded by the deadline
		}
	}
	return nodes, ids
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
