package test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// Tables on real nodes: real actors, pebble, Noise TCP on loopback and
// memberlist gossip. Bets are scripted from a seeded stream (the seed is
// logged); the shooter rolls, so rounds are never timed by the bet window.

func scriptedTable(min, max int, buyIn int64) *messages.CreateTable {
	return &messages.CreateTable{MinPlayers: min, MaxPlayers: max, Bankroll: 400 * crap, MinBet: crap, MaxBet: 20 * crap,
		BetWindow: time.Hour, BuyIn: buyIn}
}

func create(t *testing.T, host *peerNode, req *messages.CreateTable) *messages.TableView {
	t.Helper()
	r := host.ask("games", req).(*messages.TableReply)
	if r.Err != nil {
		t.Fatalf("%s: create table: %v", host.name, r.Err)
	}
	return r.Table
}

// join waits until the table is announced to p, then joins it.
func join(t *testing.T, p *peerNode, id string, buyIn int64) *messages.TableView {
	t.Helper()
	eventually(t, 20*time.Second, p.name+" sees the table", func() (bool, string) {
		r := p.ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
		return r.Err == nil, fmt.Sprint(r.Err)
	})
	r := p.ask("games", &messages.JoinTable{TableID: id, BuyIn: buyIn}).(*messages.TableReply)
	if r.Err != nil {
		t.Fatalf("%s: join %s: %v", p.name, id, r.Err)
	}
	return r.Table
}

// scriptedBet picks a bet legal in phase: field any time, pass on the
// come-out, place 8 on a point.
func scriptedBet(rng *rand.Rand, id, phase string) *messages.PlaceBet {
	b := &messages.PlaceBet{TableID: id, Type: "field", Amount: int64(1+rng.IntN(4)) * crap}
	switch {
	case rng.IntN(3) != 0:
	case phase == "come_out":
		b.Type = "pass"
	default:
		b.Type, b.Number = "place", 8
	}
	return b
}

// acceptableRefusal: a scripted bet may meet a limit it cannot know about
// (the spot's maximum after earlier wins, the bank's cover); any other
// refusal is a failure.
func acceptableRefusal(err error) bool {
	var ue *messages.UserError
	return errors.As(err, &ue) && (ue.Code == messages.CodeBetNotAllowed || ue.Code == messages.CodeBankCannotCover ||
		ue.Code == messages.CodeBadRequest || ue.Code == messages.CodeInsufficientBalance)
}

// playRound has every player bet, the shooter roll, and waits until every
// node certified and settled the round; it returns the bets accepted.
func playRound(t *testing.T, players []*peerNode, id string, round uint64, rng *rand.Rand, seed uint64) int {
	t.Helper()
	return playRoundWith(t, players, id, round, func(phase string) *messages.PlaceBet { return scriptedBet(rng, id, phase) }, seed)
}

// playRoundWith is playRound with the bets chosen by bet.
func playRoundWith(t *testing.T, players []*peerNode, id string, round uint64, bet func(phase string) *messages.PlaceBet, seed uint64) int {
	t.Helper()
	return playRoundWithin(t, players, id, round, bet, seed, 20*time.Second)
}

// playRoundWithin is playRoundWith for a round that may take longer to
// certify (one waiting for an absent player's reveal until the seat grace).
func playRoundWithin(t *testing.T, players []*peerNode, id string, round uint64, bet func(phase string) *messages.PlaceBet, seed uint64, within time.Duration) int {
	t.Helper()
	phase := players[0].table(id).Phase
	accepted := 0
	for _, p := range players {
		br := p.ask("games", bet(phase)).(*messages.BetReply)
		if br.Err != nil && acceptableRefusal(br.Err) {
			// The shooter rolls at once only when every present player has
			// bet: a refused player bets the least on the field instead.
			br = p.ask("games", &messages.PlaceBet{TableID: id, Type: "field", Amount: crap}).(*messages.BetReply)
		}
		switch {
		case br.Err == nil:
			accepted++
		case !acceptableRefusal(br.Err):
			t.Fatalf("seed %d round %d: %s bet: %v", seed, round, p.name, br.Err)
		}
	}
	roll(t, players, id, round, accepted, seed)
	eventually(t, within, fmt.Sprintf("round %d certified and settled everywhere", round), func() (bool, string) {
		for _, p := range players {
			v := p.table(id)
			if v.Round < round || p.ledgerTable(id).LastRound < round {
				return false, fmt.Sprintf("%s at round %d, ledger round %d (problem %q)", p.name, v.Round, p.ledgerTable(id).LastRound, v.Problem)
			}
		}
		return true, ""
	})
	return accepted
}

// roll waits for the shooter to hold the round's bets, then rolls there. A
// shooter that is not among players (its node is dead) is absent: the
// round then rolls by itself once every present player has bet.
func roll(t *testing.T, players []*peerNode, id string, round uint64, bets int, seed uint64) {
	t.Helper()
	eventually(t, 20*time.Second, fmt.Sprintf("round %d rolled by the shooter", round), func() (bool, string) {
		v := players[0].table(id)
		for _, p := range players {
			if p.peerID() != v.Shooter {
				continue
			}
			if pv := p.table(id); pv.PendingBets < bets || pv.Shooter != p.peerID() {
				return false, fmt.Sprintf("shooter %s holds %d of %d bets", p.name, pv.PendingBets, bets)
			}
			ack := p.ask("games", &messages.RollDice{TableID: id}).(*messages.Ack)
			var ue *messages.UserError
			if errors.As(ack.Err, &ue) && ue.Code == messages.CodeNotShooter {
				return false, "the shooter moved on: " + ack.Err.Error()
			}
			if ack.Err != nil {
				t.Fatalf("seed %d round %d: %s roll: %v", seed, round, p.name, ack.Err)
			}
			return true, ""
		}
		return v.Shooter != "", fmt.Sprintf("no shooter at %s", players[0].name) // absent: nobody asks
	})
}

// sameEverywhere checks that every node certified the same state hash for
// every round, holds the same ledger state, and passes its ledger check.
func sameEverywhere(t *testing.T, nodes []*peerNode, id string, rounds int) {
	t.Helper()
	var want []string
	for i, p := range nodes {
		rl := p.ask("games", &messages.ListRounds{TableID: id}).(*messages.RoundList)
		if rl.Err != nil || len(rl.Items) < rounds {
			t.Fatalf("%s: %d rounds listed (want ≥ %d), err %v", p.name, len(rl.Items), rounds, rl.Err)
		}
		var got []string
		for _, r := range rl.Items[:rounds] {
			got = append(got, r.StateHash)
		}
		if i == 0 {
			want = got
			continue
		}
		for r := range want {
			if got[r] != want[r] {
				t.Fatalf("round %d: %s certified %s, %s certified %s", r+1, nodes[0].name, want[r], p.name, got[r])
			}
		}
	}
	sameLedgers(t, nodes, id)
}

func TestSingleNodeTableOnARealNode(t *testing.T) {
	n := startPeer(t, "A", nodeConfig(t))
	v := create(t, n, scriptedTable(1, 4, 100*crap))
	if v.Status != "playing" || !v.Seated || v.Bank != 400*crap {
		t.Fatalf("new table: %+v", v)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	for r := uint64(1); r <= 20; r++ {
		playRound(t, []*peerNode{n}, v.ID, r, rng, seed)
		n.verified()
		tv := n.table(v.ID)
		stakes := tv.Players[0].Chips
		for _, b := range tv.Players[0].Bets {
			stakes += b.Amount
		}
		if got := n.holdings().Chips[v.ID]; got != stakes {
			t.Fatalf("seed %d round %d: ledger chips %d, table chips+stakes %d", seed, r, got, stakes)
		}
		if bank := n.ledgerTable(v.ID).Bank; bank != tv.Bank {
			t.Fatalf("seed %d round %d: ledger bank %d, table bank %d", seed, r, bank, tv.Bank)
		}
	}
	// The bet window, opened by a round's first bet, rolls when the shooter
	// does not ask (a round nobody bets in never rolls: the tests on a
	// manual clock in actors/table show it).
	auto := create(t, n, &messages.CreateTable{MinPlayers: 1, MaxPlayers: 1, Bankroll: 100 * crap, MinBet: crap,
		MaxBet: 5 * crap, BetWindow: 50 * time.Millisecond, BuyIn: 10 * crap})
	for r := uint64(1); r <= 3; r++ {
		if br := n.ask("games", &messages.PlaceBet{TableID: auto.ID, Type: "field", Amount: crap}).(*messages.BetReply); br.Err != nil {
			t.Fatalf("round %d: bet: %v", r, br.Err)
		}
		eventually(t, 10*time.Second, fmt.Sprintf("round %d rolled by the window", r), func() (bool, string) {
			tv := n.table(auto.ID)
			return tv.Round >= r && n.ledgerTable(auto.ID).LastRound >= r, fmt.Sprintf("round %d", tv.Round)
		})
	}
	n.verified()
}

// openTable creates a table for every node on nodes[0], seats the others
// with 100 CRAP each, and waits until play starts everywhere.
func openTable(t *testing.T, nodes []*peerNode) *messages.TableView {
	t.Helper()
	v := create(t, nodes[0], scriptedTable(len(nodes), len(nodes), 100*crap))
	for _, p := range nodes[1:] {
		join(t, p, v.ID, 100*crap)
	}
	eventually(t, 20*time.Second, "play starts everywhere", func() (bool, string) {
		for _, p := range nodes {
			if tv := p.table(v.ID); tv.Status != "playing" || !tv.Seated || tv.Shooter == "" {
				return false, fmt.Sprintf("%s: status %s seated %v shooter %q", p.name, tv.Status, tv.Seated, tv.Shooter)
			}
		}
		return true, ""
	})
	return v
}

func playTable(t *testing.T, nodes []*peerNode, rounds int) string {
	t.Helper()
	v := openTable(t, nodes)
	// Every buy-in reached every ledger.
	for _, p := range nodes {
		if h := p.holdings(); h.Chips[v.ID] != 100*crap {
			t.Fatalf("%s: chips before play %d", p.name, h.Chips[v.ID])
		}
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	bets := 0
	for r := 1; r <= rounds; r++ {
		start := time.Now()
		bets += playRound(t, nodes, v.ID, uint64(r), rng, seed)
		if os.Getenv("TABLES_TIMING") != "" {
			t.Logf("round %d took %v", r, time.Since(start))
		}
	}
	if bets < rounds {
		t.Fatalf("seed %d: only %d bets accepted in %d rounds", seed, bets, rounds)
	}
	sameEverywhere(t, nodes, v.ID, rounds)
	verifyExport(t, nodes[len(nodes)-1], v.ID, rounds)
	return v.ID
}

// verifyExport checks a node's export of the table with game.Verify, the
// check `bitcraps verify` runs: every signature, certificate, roll and
// state hash from genesis on.
func verifyExport(t *testing.T, p *peerNode, id string, rounds int) {
	t.Helper()
	ex := p.ask("games", &messages.ExportTable{TableID: id}).(*messages.TableExport)
	if ex.Err != nil {
		t.Fatalf("%s: export: %v", p.name, ex.Err)
	}
	if rep := game.Verify(ex.Export); !rep.OK || rep.Rounds < rounds {
		t.Fatalf("%s: export of %d rounds: ok %v, %d rounds check out, first bad %+v", p.name, len(ex.Export.Certificates), rep.OK, rep.Rounds, rep.FirstBad)
	}
}

func TestFourNodesPlayAHundredRounds(t *testing.T) {
	playTable(t, startCluster(t, 4), 100)
}

func TestTwoAndThreePlayersNeedEveryone(t *testing.T) {
	nodes := startCluster(t, 3)
	t.Run("two", func(t *testing.T) {
		id := playTable(t, nodes[:2], 15)
		// The third node sees a full table and is told so.
		eventually(t, 20*time.Second, "C sees the table", func() (bool, string) {
			r := nodes[2].ask("games", &messages.GetTable{TableID: id}).(*messages.TableReply)
			return r.Err == nil && len(r.Table.Players) == 2, fmt.Sprint(r.Err)
		})
		err := nodes[2].ask("games", &messages.JoinTable{TableID: id, BuyIn: 10 * crap}).(*messages.TableReply).Err
		var ue *messages.UserError
		if !errors.As(err, &ue) || ue.Code != messages.CodeTableFull {
			t.Fatalf("join a full table: %v", err)
		}
	})
	t.Run("three", func(t *testing.T) { playTable(t, nodes, 15) })
}

// A player leaves mid-game: its leave rides in a round, it is unseated at
// that round's boundary and cashes out; the others play on as a smaller
// table, and every ledger (the leaver's too) keeps agreeing.
func TestLeaveMidGame(t *testing.T) {
	nodes := startCluster(t, 3)
	a, b, c := nodes[0], nodes[1], nodes[2]
	// Two players are what the table needs: C joins once it plays, and
	// the two that stay after B leaves play on.
	v := create(t, a, scriptedTable(2, 3, 100*crap))
	join(t, b, v.ID, 100*crap)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 5))
	field := func(string) *messages.PlaceBet {
		return &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: crap}
	}
	waitLifecycle(t, []*peerNode{a, b}, v.ID, "playing")
	round := joinMidGame(t, []*peerNode{a, b}, c, v.ID, 0, field, seed)
	waitLifecycle(t, nodes, v.ID, "playing")
	for range 4 {
		round++
		playRound(t, nodes, v.ID, round, rng, seed)
	}
	// B's event stream, opened while it plays, goes on once it has left.
	bEvents := apiOf(t, b).subscribe(v.ID)
	// B leaves once no contract bet holds it (a pass bet on a point).
	round++
	for {
		ack := b.ask("games", &messages.LeaveTable{TableID: v.ID}).(*messages.Ack)
		if ack.Err == nil {
			break
		}
		if !acceptableRefusal(ack.Err) {
			t.Fatalf("seed %d: leave: %v", seed, ack.Err)
		}
		playRound(t, nodes, v.ID, round, rng, seed)
		round++
	}
	pending := 1 // the leave
	for _, p := range []*peerNode{a, c} {
		br := p.ask("games", scriptedBet(rng, v.ID, a.table(v.ID).Phase)).(*messages.BetReply)
		if br.Err != nil && !acceptableRefusal(br.Err) {
			t.Fatal(br.Err)
		}
		if br.Err == nil {
			pending++
		}
	}
	roll(t, nodes, v.ID, round, pending, seed)
	eventually(t, 20*time.Second, "B unseated and cashed out", func() (bool, string) {
		h, tv := b.holdings(), b.table(v.ID)
		return h.Chips[v.ID] == 0 && !tv.Seated && len(a.table(v.ID).Players) == 2,
			fmt.Sprintf("B chips %d seated %v; A sees %d players", h.Chips[v.ID], tv.Seated, len(a.table(v.ID).Players))
	})
	left := round
	for range 4 {
		round++
		playRound(t, []*peerNode{a, c}, v.ID, round, rng, seed)
	}
	sameView(t, b, a, v.ID, round)   // B watches the table it left
	for r := uint64(0); r <= left; { // B's stream brings a roll it did not play
		r = decodeRoll(t, bEvents.next(t, messages.EventRoll)).Round
	}
	sameEverywhere(t, []*peerNode{a, c}, v.ID, int(round))
	eventually(t, 20*time.Second, "B's ledger agrees", func() (bool, string) {
		want, got := a.verified().StateHash, b.verified().StateHash
		return want == got, fmt.Sprintf("A %s, B %s", want, got)
	})
}
