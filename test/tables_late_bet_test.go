package test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/messages"
)

// A bet that reaches the shooter after the roll misses its round. The
// player was given a bet ID, so the bet is not lost: its node places it in
// the next round and says so (bitcraps_consensus_late_bets_total and a
// bet_carried event), and the next round's certificate holds it.
func TestLateBetIsCarriedIntoTheNextRound(t *testing.T) {
	nodes := startCluster(t, 2)
	id := openTable(t, nodes).ID
	seed := uint64(time.Now().UnixNano())
	const carried = `bitcraps_consensus_late_bets_total{result="carried"}`
	for round := uint64(1); round <= 12; round++ {
		other := nodes[1] // the one who is not the shooter
		if nodes[0].table(id).Shooter != nodes[0].peerID() {
			other = nodes[0]
		}
		before := metricValue(t, other, carried)
		// Both players have bet, so the shooter rolls at once; the other
		// player's second bet comes right after the request, signed for
		// the round being played.
		if br := other.ask("games", &messages.PlaceBet{TableID: id, Type: "field", Amount: crap}).(*messages.BetReply); br.Err != nil {
			t.Fatalf("round %d: first bet: %v", round, br.Err)
		}
		roll(t, nodes, id, round, 1, seed)
		br := other.ask("games", &messages.PlaceBet{TableID: id, Type: "field", Amount: crap}).(*messages.BetReply)
		if br.Err != nil {
			t.Fatalf("round %d: bet: %v", round, br.Err)
		}
		eventually(t, 20*time.Second, fmt.Sprintf("round %d certified", round), func() (bool, string) {
			return nodes[0].table(id).Round >= round && nodes[1].table(id).Round >= round, ""
		})
		switch {
		case !strings.HasPrefix(br.BetID, fmt.Sprintf("%d-", round)):
			t.Logf("round %d: the bet %s was signed for the next round already; trying again", round, br.BetID)
		case betsBy(t, other, id, round) == 2:
			t.Logf("round %d: the bet %s reached the shooter before the proposal; trying again", round, br.BetID)
			continue
		}
		// The next round holds the bet, whichever round it was signed for.
		roll(t, nodes, id, round+1, 1, seed)
		eventually(t, 20*time.Second, fmt.Sprintf("round %d certified", round+1), func() (bool, string) {
			return other.table(id).Round >= round+1, fmt.Sprint(other.table(id).Round)
		})
		if n := betsBy(t, other, id, round+1); n != 1 {
			t.Fatalf("round %d holds %d bets of %s, want the one placed during round %d (id %s)", round+1, n, other.name, round, br.BetID)
		}
		if strings.HasPrefix(br.BetID, fmt.Sprintf("%d-", round)) {
			if after := metricValue(t, other, carried); after != before+1 {
				t.Fatalf("late bet %s: carried counter %v → %v", br.BetID, before, after)
			}
			sameEverywhere(t, nodes, id, int(round+1))
			for _, p := range nodes {
				p.verified()
			}
			return
		}
		round++
	}
	t.Fatal("no bet was ever late: the scenario never happened")
}

// betsBy counts p's bets in the certificate of round.
func betsBy(t *testing.T, p *peerNode, id string, round uint64) int {
	t.Helper()
	rl := p.ask("games", &messages.ListRounds{TableID: id}).(*messages.RoundList)
	if rl.Err != nil || len(rl.Items) < int(round) {
		t.Fatalf("%s: %d rounds listed, want ≥ %d (%v)", p.name, len(rl.Items), round, rl.Err)
	}
	var c bft.Certificate
	if err := json.Unmarshal(rl.Items[round-1].Certificate, &c); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range c.Body.Bets {
		if b.Bettor.String() == p.peerID() {
			n++
		}
	}
	return n
}
