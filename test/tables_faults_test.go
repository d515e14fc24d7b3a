package test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/bitcraps/bitcraps/test/harness"
)

// Tables outlive the everyday faults of their players' machines (issue 16).
// Five node processes: four players and an observer that sits at no table.
// A 2-seat and a 4-seat table (min_players 2, filled by joins) roll a
// second after the first bet of each round while each player bets. One player's node is
// SIGSTOPped for 10 s: the 2-seat table pauses and resumes. Another is
// kill -9ed and restarted on its data dir: it catches up on the rounds it
// missed and bets again. Nobody is unseated (both faults are shorter than
// the 15 s seat grace of the testing profile), the observer's view of each
// table equals the players', and every ledger verifies to one state hash.
func TestTablesRideOutAPausedAndAKilledNode(t *testing.T) {
	nodes, ids := harness.StartCluster(t, 5) // nodes[4] sits at no table
	create := func(maxPlayers string) string {
		return cliTable(t, nodes[0], "table", "create", "--min-players", "2", "--max-players", maxPlayers,
			"--bankroll", "300", "--min-bet", "1", "--max-bet", "20", "--buy-in", "100", "--bet-window", "1s").ID
	}
	two, four := create("2"), create("4")
	// A ledger learns an identity's genesis grant with its first op, so a
	// node that never spent is missing from the others' ledgers: the
	// observer funds a table that never fills, and is known everywhere.
	cliTable(t, nodes[4], "table", "create", "--min-players", "2", "--max-players", "2", "--bankroll", "50", "--min-bet", "1", "--max-bet", "5")
	seats := map[string][]int{two: {0, 1}, four: {0, 1, 2, 3}}
	for _, id := range []string{two, four} {
		for _, i := range seats[id][1:] {
			waitHTTP(t, nodes[i], "/api/v1/tables/"+id, 30*time.Second)
			cliTable(t, nodes[i], "table", "join", id, "100")
		}
	}
	cluster := &faultCluster{t: t, Nodes: harness.NewNodes(nodes)}
	bettors := startBettors(cluster, seats) // a round nobody bets in never rolls
	for _, id := range []string{two, four} {
		cluster.waitRound(id, seats[id], 2, 60*time.Second)
	}

	// SIGSTOP for 10 s: absent after ~3 s, well within the 15 s grace.
	stopped := nodes[1]
	stopped.Send(t, syscall.SIGSTOP)
	stoppedAt := time.Now()
	fourBefore := cluster.view(0, four).Round
	pausedSeen := false
	for time.Since(stoppedAt) < 10*time.Second {
		if v := cluster.view(0, two); v.Lifecycle == "paused" && slices.Equal(v.Absent, []string{ids[1]}) {
			pausedSeen = true
		}
		time.Sleep(100 * time.Millisecond) // polling interval for the length of the fault
	}
	fourDuring := cluster.view(0, four).Round - fourBefore
	if !pausedSeen {
		t.Fatalf("the 2-seat table never paused while its player was stopped: %+v", cluster.view(0, two))
	}
	stopped.Send(t, syscall.SIGCONT)
	resumedAt := time.Now()
	pausedAt := cluster.view(0, two).Round
	behindFour := cluster.view(0, four).Round - cluster.view(1, four).Round
	resumedCaughtUp := cluster.waitCaughtUp(1, four, 30*time.Second)
	cluster.waitRound(two, seats[two], pausedAt+2, 30*time.Second)
	t.Logf("SIGSTOP 10 s: the 2-seat table paused at round %d and resumed (2 more rounds %s after SIGCONT); "+
		"the 4-seat table certified %d rounds meanwhile, and the resumed node reached its current round %s after SIGCONT (%d rounds behind)",
		pausedAt, time.Since(resumedAt).Round(time.Millisecond), fourDuring,
		resumedCaughtUp.Sub(resumedAt).Round(time.Millisecond), behindFour)

	// kill -9 and restart on the same data dir and ports. The 4-seat table
	// plays on without it unless its commitment is in the open round: that
	// round waits for its reveal (a crashed committer is absent, not a
	// withholder, until the grace), so it restarts after 5 s, inside the
	// grace.
	bettors.hold(3)
	nodes[3].Kill()
	killedAt := time.Now()
	killRound := cluster.view(0, four).Round
	for time.Since(killedAt) < 5*time.Second {
		time.Sleep(100 * time.Millisecond) // polling interval for the length of the outage
	}
	restarted := nodes[3].Restart(t)
	restartedAt := time.Now()
	restarted.WaitReady(t, 30*time.Second)
	readyAt := time.Now()
	cluster.Set(3, restarted)
	behind := cluster.view(0, four).Round
	caughtUp := cluster.waitCaughtUp(3, four, 60*time.Second)
	cluster.waitRound(four, seats[four], cluster.view(0, four).Round+1, 60*time.Second)
	moved := time.Now()
	t.Logf("RESTART CATCH-UP: killed at round %d, restarted %s later with the table at round %d (%d rounds certified without it); "+
		"the restarted node reached the table's current round %s after its process started (%s after ready); "+
		"every seat certified the next round %s after the restart",
		killRound, restartedAt.Sub(killedAt).Round(time.Millisecond), behind, behind-killRound,
		caughtUp.Sub(restartedAt).Round(time.Millisecond), caughtUp.Sub(readyAt).Round(time.Millisecond),
		moved.Sub(restartedAt).Round(time.Millisecond))
	bettors.release(3)
	cluster.waitBetCertified(four, ids[3], cluster.view(0, four).Round, 60*time.Second)
	bettors.stop()

	for _, id := range []string{two, four} {
		for _, i := range seats[id] {
			if v := cluster.view(i, id); len(v.Players) != len(seats[id]) {
				t.Fatalf("node %d: %d players at table %s, want %d: nobody is unseated by a short fault", i, len(v.Players), id, len(seats[id]))
			}
		}
		cluster.sameRounds(id, seats[id])
	}
	t.Logf("every ledger verifies to state hash %s", harness.SameLedgers(t, cluster.Snapshot(), 30*time.Second))
	for _, id := range []string{two, four} {
		for i := range nodes {
			if !slices.Contains(seats[id], i) {
				cluster.spectatorAgrees(i, id)
			}
		}
	}
	t.Logf("acknowledged bets: %d", bettors.acknowledged())
}

// faultCluster reads the nodes of a fault test, some of which may be
// stopped or restarting: every read has a short timeout and is retried.
type faultCluster struct {
	t *testing.T
	*harness.Nodes
}

// view is node i's view of the table; the zero view when it does not answer.
func (c *faultCluster) view(i int, id string) messages.TableView {
	var v messages.TableView
	if status, err := c.Node(i).TryJSON(2*time.Second, http.MethodGet, "/api/v1/tables/"+id, nil, &v); err != nil || status != http.StatusOK {
		return messages.TableView{}
	}
	return v
}

// waitRound waits until each of the nodes has certified round at least.
func (c *faultCluster) waitRound(id string, nodes []int, round uint64, within time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for _, i := range nodes {
		for v := c.view(i, id); v.Round < round; v = c.view(i, id) {
			if time.Now().After(deadline) {
				c.t.Fatalf("node %d: table %s at round %d (%s %s, absent %v), want %d within %v",
					i, id, v.Round, v.Lifecycle, v.PausedReason, v.Absent, round, within)
			}
			time.Sleep(50 * time.Millisecond) // polling interval, bounded by the deadline
		}
	}
}

// waitCaughtUp returns when node i plays the table at the round node 0
// has certified: it holds every certified round and is no longer catching
// up.
func (c *faultCluster) waitCaughtUp(i int, id string, within time.Duration) time.Time {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		current := c.view(0, id).Round
		v := c.view(i, id)
		if v.Round >= current && v.Lifecycle == "playing" {
			return time.Now()
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("node %d: table %s at round %d (%s, behind %d, players %s), the table at %d (players %s): not caught up within %v",
				i, id, v.Round, v.Lifecycle, v.Behind, playerIDs(v), current, playerIDs(c.view(0, id)), within)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

func playerIDs(v messages.TableView) string {
	ids := ""
	for _, p := range v.Players {
		ids += " " + p.PeerID[:8]
	}
	return "[" + strings.TrimSpace(ids) + "]"
}

// rounds is node i's certified rounds of the table.
func (c *faultCluster) rounds(i int, id string) []messages.RoundView {
	c.t.Helper()
	var rs []messages.RoundView
	if status, err := c.Node(i).TryJSON(10*time.Second, http.MethodGet, "/api/v1/tables/"+id+"/rounds", nil, &rs); err != nil || status != http.StatusOK {
		c.t.Fatalf("node %d: rounds of %s: status %d, %v", i, id, status, err)
	}
	return rs
}

// waitBetCertified waits for a certified round after round holding a bet
// signed by player.
func (c *faultCluster) waitBetCertified(id, player string, after uint64, within time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		for _, r := range c.rounds(0, id) {
			if r.Round > after && betBy(c.t, r, player) {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no round of %s after %d certified a bet of %s within %v", id, after, player, within)
		}
		time.Sleep(200 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// betBy says whether the certified round holds a bet signed by player.
func betBy(t *testing.T, r messages.RoundView, player string) bool {
	t.Helper()
	var cert bft.Certificate
	if err := json.Unmarshal(r.Certificate, &cert); err != nil {
		t.Fatalf("round %d: certificate: %v", r.Round, err)
	}
	for _, b := range cert.Body.Bets {
		if p, err := game.DecodePayload(b.Payload); err == nil && p.Kind == game.KindBet && b.Bettor.String() == player {
			return true
		}
	}
	return false
}

// sameRounds checks that the players certified the same state after every
// round they all hold.
func (c *faultCluster) sameRounds(id string, players []int) {
	c.t.Helper()
	want := c.rounds(0, id)
	for _, i := range players {
		got := c.rounds(i, id)
		n := min(len(got), len(want))
		if n < len(want)-3 {
			c.t.Fatalf("node %d holds %d rounds of %s, node 0 %d", i, len(got), id, len(want))
		}
		for r := range n {
			if got[r].Round != want[r].Round || got[r].StateHash != want[r].StateHash {
				c.t.Fatalf("table %s: node 0 certified round %d to %s, node %d round %d to %s",
					id, want[r].Round, want[r].StateHash, i, got[r].Round, got[r].StateHash)
			}
		}
	}
}

// spectatorAgrees compares node i's view of a table it does not sit at
// with a player's, read at the same certified round (the table rolls every
// second, so the two reads are retried until they meet).
func (c *faultCluster) spectatorAgrees(i int, id string) {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		seen := c.view(i, id)
		player := c.view(0, id)
		if seen.Round == player.Round && seen.Round > 0 {
			if got, want := spectatorView(seen), spectatorView(player); got != want {
				c.t.Fatalf("table %s at round %d: node %d, not seated, sees\n%s\nthe players\n%s", id, seen.Round, i, got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("table %s: node %d, not seated, never showed the players' round (it shows %d, a player %d)", id, i, seen.Round, player.Round)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, bounded by the deadline
	}
}

// spectatorView is what a table looks like to anyone: the certified state,
// without this node's own place at it.
func spectatorView(v messages.TableView) string {
	players := ""
	for _, p := range v.Players {
		players += fmt.Sprintf(" %s:%d", p.PeerID[:8], p.Chips)
	}
	return fmt.Sprintf("round %d state %s phase %s point %d dice %v shooter %.8s bank %d players%s",
		v.Round, v.StateHash, v.Phase, v.Point, v.LastDice, v.Shooter, v.Bank, players)
}

// bettors place a field bet of 1 CRAP for each player at each of its
// tables once per certified round, one goroutine per node so that a
// stopped node delays only its own bets.
type bettors struct {
	done    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	held    map[int]bool
	acks    int
	cluster *faultCluster
}

func startBettors(c *faultCluster, seats map[string][]int) *bettors {
	b := &bettors{done: make(chan struct{}), held: map[int]bool{}, cluster: c}
	tablesOf := map[int][]string{}
	for id, players := range seats {
		for _, i := range players {
			tablesOf[i] = append(tablesOf[i], id)
		}
	}
	for i, ids := range tablesOf {
		b.wg.Go(func() { b.bet(i, ids) })
	}
	return b
}

func (b *bettors) bet(i int, tables []string) {
	last := map[string]uint64{}
	for {
		select {
		case <-b.done:
			return
		case <-time.After(100 * time.Millisecond): // polling interval until stopped
		}
		b.mu.Lock()
		held := b.held[i]
		b.mu.Unlock()
		if held {
			continue
		}
		for _, id := range tables {
			v := b.cluster.view(i, id)
			if v.Lifecycle != "playing" || (v.Round == last[id] && last[id] != 0) {
				continue
			}
			status, err := b.cluster.Node(i).TryJSON(2*time.Second, http.MethodPost, "/api/v1/tables/"+id+"/bets",
				map[string]any{"type": "field", "amount": crap}, nil)
			if err == nil && status == http.StatusAccepted {
				last[id] = v.Round
				b.mu.Lock()
				b.acks++
				b.mu.Unlock()
			}
		}
	}
}

// hold stops node i's bets (its process is about to be replaced).
func (b *bettors) hold(i int) { b.mu.Lock(); b.held[i] = true; b.mu.Unlock() }

func (b *bettors) release(i int) { b.mu.Lock(); delete(b.held, i); b.mu.Unlock() }

func (b *bettors) acknowledged() int { b.mu.Lock(); defer b.mu.Unlock(); return b.acks }

func (b *bettors) stop() {
	close(b.done)
	b.wg.Wait()
}
