package test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// At a table of four a dead player does not stall anything (a quorum of
// three plays on, and a view change passes the dice on when it held them);
// it is absent, and only after the seat grace (15 s on the testing
// profile) do the others unseat it by a certified round. The table goes on
// as a table of three, and every ledger still agrees and checks out. The
// export replays the unseating like any other round.
func TestDeadPlayerAtFourSeatsIsUnseatedByACertifiedRound(t *testing.T) {
	nodes := startCluster(t, 4)
	id := openTable(t, nodes).ID
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 4))
	round := uint64(0)
	for range 2 {
		round++
		playRound(t, nodes, id, round, rng, seed)
	}
	dead := nodes[3]
	deadID := dead.peerID()
	dead.stop()
	rest := nodes[:3]
	seated := func(p *peerNode) bool {
		return slices.ContainsFunc(p.table(id).Players, func(pv messages.PlayerView) bool { return pv.PeerID == deadID })
	}
	// Rounds go on meanwhile: field bets only, so that the dead player's
	// absence is the only thing that changes.
	field := func(string) *messages.PlaceBet {
		return &messages.PlaceBet{TableID: id, Type: "field", Amount: 2 * crap}
	}
	waitLifecycle(t, rest, id, "playing", deadID)
	deadline := time.Now().Add(60 * time.Second)
	for seated(rest[0]) {
		if time.Now().After(deadline) {
			t.Fatalf("seed %d: the dead player is still seated after round %d", seed, round)
		}
		round++
		playRoundWith(t, rest, id, round, field, seed)
	}
	for range 3 {
		round++
		playRoundWith(t, rest, id, round, field, seed)
	}
	for _, p := range rest {
		v := p.table(id)
		if seated(p) || len(v.Players) != 3 {
			t.Fatalf("%s: players %d: want three", p.name, len(v.Players))
		}
		if rep := p.verified(); !rep.OK {
			t.Fatalf("%s: ledger %+v", p.name, rep)
		}
	}
	sameEverywhere(t, rest, id, int(round))
	verifyExport(t, rest[1], id, int(round))
	t.Logf("the dead player was unseated; %d rounds played", round)
}
