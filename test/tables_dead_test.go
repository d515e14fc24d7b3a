package test

import (
	"slices"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// A player joins a playing table of three (its buy-in rides in a round and
// it sits from the next one, on every node). Then one of the four dies. At
// four seats with min_players 3 that stalls nothing (a quorum of three
// plays on; when the dead player shoots, each round rolls as soon as the
// three present players have bet, and a view change replaces it when it
// leads the round); the
// dead player is absent, and only after the seat grace (15 s on the testing
// profile) do the others unseat it by a certified round (or void the round
// whose reveal it owed, which unseats it too). The table goes on
// as a table of three, every ledger agrees and checks out, and the export
// replays the join and the unseating like any other round.
func TestJoinMidGameThenADeadPlayerIsUnseatedAfterTheGrace(t *testing.T) {
	nodes := startCluster(t, 4)
	id := create(t, nodes[0], scriptedTable(3, 4, 100*crap)).ID
	for _, p := range nodes[1:3] {
		join(t, p, id, 100*crap)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	field := func(string) *messages.PlaceBet {
		return &messages.PlaceBet{TableID: id, Type: "field", Amount: 2 * crap}
	}
	first := nodes[:3]
	waitLifecycle(t, first, id, "playing")
	round := uint64(1)
	playRoundWith(t, first, id, round, field, seed)

	round = joinMidGame(t, first, nodes[3], id, round, field, seed)
	waitLifecycle(t, nodes, id, "playing")
	// Play until the dice left the host (its absence would pause the
	// table): the player who dies then is the shooter, and an absent
	// shooter must not hold the table up.
	for i := 0; i < 2 || (i < 40 && nodes[0].table(id).Shooter == nodes[0].peerID()); i++ {
		round++
		playRoundWith(t, nodes, id, round, field, seed)
	}
	sameEverywhere(t, nodes, id, int(round))

	seatedAt := func(p *peerNode, who string) bool {
		return slices.ContainsFunc(p.table(id).Players, func(pv messages.PlayerView) bool { return pv.PeerID == who })
	}
	dead := nodes[2]
	if s := nodes[0].table(id).Shooter; s != nodes[0].peerID() {
		dead = byPeer(t, nodes, s)
	}
	t.Logf("round %d: %s dies, the shooter is %.8s", round, dead.name, nodes[0].table(id).Shooter)
	deadID := dead.peerID()
	dead.stop()
	var rest []*peerNode
	for _, p := range nodes {
		if p != dead {
			rest = append(rest, p)
		}
	}
	waitLifecycle(t, rest, id, "playing", deadID)
	deadline := time.Now().Add(60 * time.Second)
	for seatedAt(rest[0], deadID) {
		if time.Now().After(deadline) {
			t.Fatalf("seed %d: the dead player is still seated after round %d", seed, round)
		}
		round++
		// A round whose commitments the dead player signed waits for its
		// reveal until the grace ends, then is voided.
		playRoundWithin(t, rest, id, round, field, seed, 90*time.Second)
	}
	for range 2 {
		round++
		playRoundWith(t, rest, id, round, field, seed)
	}
	for _, p := range rest {
		if v := p.table(id); seatedAt(p, deadID) || len(v.Players) != 3 {
			t.Fatalf("%s: players %d: want three", p.name, len(v.Players))
		}
		if rep := p.verified(); !rep.OK {
			t.Fatalf("%s: ledger %+v", p.name, rep)
		}
	}
	sameEverywhere(t, rest, id, int(round))
	verifyExport(t, rest[1], id, int(round))
	t.Logf("a player joined at round ≤ %d and the dead player was unseated; %d rounds played", round, round)
}

// joinMidGame has joiner join the playing table id while players play
// rounds after round (the join rides in one of them); it returns the last
// round played once the joiner is seated everywhere and its join answered.
func joinMidGame(t *testing.T, players []*peerNode, joiner *peerNode, id string, round uint64, bet func(string) *messages.PlaceBet, seed uint64) uint64 {
	t.Helper()
	joined := make(chan *messages.TableReply, 1)
	go func() {
		for range 200 { // the table's announcement reaches the joiner first
			if r := joiner.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply); r.Err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond) // polling interval, bounded by the count
		}
		joined <- joiner.ask("games", &messages.JoinTable{TableID: id, BuyIn: 100 * crap}).(*messages.TableReply)
	}()
	seated := func() bool {
		return slices.ContainsFunc(players[0].table(id).Players, func(pv messages.PlayerView) bool { return pv.PeerID == joiner.peerID() })
	}
	deadline := time.Now().Add(60 * time.Second)
	for !seated() {
		if time.Now().After(deadline) {
			t.Fatalf("seed %d: %s is not seated after round %d", seed, joiner.name, round)
		}
		round++
		playRoundWith(t, players, id, round, bet, seed)
	}
	if r := <-joined; r.Err != nil {
		t.Fatalf("seed %d: %s joins mid-game: %v", seed, joiner.name, r.Err)
	}
	return round
}
