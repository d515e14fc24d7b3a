package test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// With 2 or 3 seats every round needs every player. A player whose node
// goes away is absent, never unseated: the table pauses (bets are refused
// with the reason, nobody rolls alone), and when the node comes back on its
// data dir within the seat grace the table resumes with every seat. Gone
// for longer than the grace, the table is dissolved at its last certified
// round on every node that stayed, which all pay it out alike (the ledger's
// Dissolve op: chips to wallets, the bank to the host).
func TestAbsentPlayerPausesASmallTable(t *testing.T) {
	for _, size := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d players", size), func(t *testing.T) { absentPlayer(t, size) })
	}
}

func absentPlayer(t *testing.T, size int) {
	first := startPeer(t, "A", nodeConfig(t))
	nodes := []*peerNode{first}
	for i := 1; i < size; i++ {
		nodes = append(nodes, startPeer(t, string(rune('A'+i)), nodeConfig(t, first.gossipAddr())))
	}
	// An observer follows the table without a seat: it must learn of the
	// dissolution from the players and pay it out alike.
	observer := startPeer(t, "observer", nodeConfig(t, first.gossipAddr()))
	waitConnected(t, append(slices.Clone(nodes), observer))
	id := openTable(t, nodes).ID
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	// One-roll bets only: nothing stays on the layout between rounds.
	field := func(string) *messages.PlaceBet {
		return &messages.PlaceBet{TableID: id, Type: "field", Amount: 2 * crap}
	}
	round := uint64(0)
	for range 2 {
		round++
		playRoundWith(t, nodes, id, round, field, seed)
	}
	gone := nodes[size-1]
	goneID, goneCfg := gone.peerID(), gone.cfg
	rest := nodes[:size-1]

	gone.stop()
	waitLifecycle(t, rest, id, "paused", goneID)
	br := rest[0].ask("games", field("")).(*messages.BetReply)
	var ue *messages.UserError
	if !errors.As(br.Err, &ue) || ue.Code != messages.CodeTablePaused {
		t.Fatalf("a bet at a paused table: %v, want %s", br.Err, messages.CodeTablePaused)
	}

	// Back within the grace (15 s on the testing profile): every seat plays on.
	gone = startPeer(t, gone.name, goneCfg)
	nodes = append(slices.Clone(rest), gone)
	waitLifecycle(t, nodes, id, "playing")
	for range 2 {
		round++
		playRoundWith(t, nodes, id, round, field, seed)
	}
	for _, p := range nodes {
		if v := p.table(id); len(v.Players) != size {
			t.Fatalf("%s: %d players after the pause, want %d: nobody is unseated for a short absence", p.name, len(v.Players), size)
		}
	}
	sameEverywhere(t, nodes, id, int(round))

	// Gone past the grace: the table is dissolved where it was paused.
	gone.stop()
	waitLifecycle(t, rest, id, "paused", goneID)
	dissolvedAlike(t, rest, observer, id, round, goneID)
}

// dissolvedAlike: every node that stayed shows the table dissolved, and
// every one of them and the observer pays it out by the same rule, at
// round: chips and wagers to the wallets (the absent player's too),
// the bank to the host; the same wallets everywhere, a ledger that checks
// out, and an export an auditor re-derives the payout from.
func dissolvedAlike(t *testing.T, rest []*peerNode, observer *peerNode, id string, round uint64, goneID string) {
	t.Helper()
	eventually(t, 60*time.Second, "the table dissolved", func() (bool, string) {
		for _, p := range rest {
			if v := p.table(id); v.Lifecycle != "dissolved" {
				return false, fmt.Sprintf("%s: %s (%s)", p.name, v.Lifecycle, v.PausedReason)
			}
		}
		return true, ""
	})
	players := []string{goneID}
	for _, p := range rest {
		players = append(players, p.peerID())
	}
	stayed := append(slices.Clone(rest), observer)
	eventually(t, 30*time.Second, "the dissolution paid out", func() (bool, string) {
		for _, p := range stayed {
			info := p.ledgerTable(id)
			if !info.Dissolved || info.DissolvedRound != round || info.Bank != 0 || p.holdings().Chips[id] != 0 {
				return false, fmt.Sprintf("%s: ledger table %+v, chips %d", p.name, info, p.holdings().Chips[id])
			}
		}
		return true, ""
	})
	// Every node that knows the players' identities holds the same wallets
	// for them (the observer's own grant is the only other account).
	wallets := func(p *peerNode) string {
		out := ""
		for _, pl := range players {
			b := p.ask("ledger", &messages.LedgerBalanceRequest{Account: ledger.WalletOf(identity.PeerID(pl))}).(*messages.LedgerBalance)
			out += fmt.Sprintf("%s %d (%v); ", pl[:8], b.Balance, b.Err)
		}
		return out
	}
	want := wallets(rest[0])
	for _, p := range stayed {
		if v := p.table(id); p != observer && v.Round != round {
			t.Fatalf("%s: dissolved after round %d, want the last certified round %d", p.name, v.Round, round)
		}
		if rep := p.verified(); !rep.OK || rep.TotalChips != 0 || rep.TotalBanks != 0 {
			t.Fatalf("%s: ledger %+v: want it to check out with nothing left at the table", p.name, rep)
		}
		if got := wallets(p); got != want {
			t.Fatalf("%s: wallets %s; %s has %s: the dissolution must pay alike everywhere", p.name, got, rest[0].name, want)
		}
	}
	// The export carries the payout, and an auditor re-derives it.
	verifyExport(t, rest[0], id, int(round))
	if ex := rest[0].ask("games", &messages.ExportTable{TableID: id}).(*messages.TableExport); ex.Export.Dissolution == nil ||
		ex.Export.Dissolution.Round != round {
		t.Fatalf("export dissolution %+v, want one at round %d", ex.Export.Dissolution, round)
	}
}

// waitLifecycle waits until every node shows the table in mode, with
// exactly the absent seats given.
func waitLifecycle(t *testing.T, nodes []*peerNode, id, mode string, absent ...string) {
	t.Helper()
	eventually(t, 30*time.Second, "the table "+mode, func() (bool, string) {
		for _, p := range nodes {
			v := p.table(id)
			if v.Lifecycle != mode || !slices.Equal(v.Absent, absent) {
				return false, fmt.Sprintf("%s: %s (%s) absent %v", p.name, v.Lifecycle, v.PausedReason, v.Absent)
			}
		}
		return true, ""
	})
}

// At 4+ seats a quorum can play on without any one player, so no node ends
// a table on its own clock: a table paused past the grace with a quorum
// present (here: its host, whose bank pays, is gone) is dissolved by a
// certified round that carries the dissolve payload, on every node at the
// same state. The observer's chain says so too, and the host, back later,
// catches up to that round and pays the table out alike.
func TestAnAbsentHostDissolvesAFourSeatTableByACertifiedRound(t *testing.T) {
	first := startPeer(t, "A", nodeConfig(t))
	nodes := []*peerNode{first}
	for _, name := range []string{"B", "C", "D"} {
		nodes = append(nodes, startPeer(t, name, nodeConfig(t, first.gossipAddr())))
	}
	observer := startPeer(t, "observer", nodeConfig(t, first.gossipAddr()))
	waitConnected(t, append(slices.Clone(nodes), observer))
	id := openTable(t, nodes).ID // A hosts
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	field := func(string) *messages.PlaceBet {
		return &messages.PlaceBet{TableID: id, Type: "field", Amount: 2 * crap}
	}
	round := uint64(0)
	for range 2 {
		round++
		playRoundWith(t, nodes, id, round, field, seed)
	}
	// The observer learns of tables from their host's announcements
	// (rate-limited: a burst of four, then one per 15 s), so it must follow
	// this one before its host goes.
	eventually(t, 40*time.Second, "the observer follows the table", func() (bool, string) {
		v := observer.table(id)
		return v.Round == round, fmt.Sprintf("round %d (%s)", v.Round, v.Sync)
	})
	host, rest := nodes[0], nodes[1:]
	hostID, hostCfg := host.peerID(), host.cfg
	host.stop()
	waitLifecycle(t, rest, id, "paused", hostID)
	dissolvedAlike(t, rest, observer, id, round+1, hostID)
	// The round that dissolved the table is listed with its dissolve
	// payloads and no dice: it rolled nothing.
	rl := rest[0].ask("games", &messages.ListRounds{TableID: id}).(*messages.RoundList)
	if rl.Err != nil || len(rl.Items) == 0 {
		t.Fatalf("%s: rounds %+v, err %v", rest[0].name, rl.Items, rl.Err)
	}
	last := rl.Items[0]
	for _, r := range rl.Items {
		if r.Round > last.Round {
			last = r
		}
	}
	if last.Round != round+1 || last.Dice != [2]int{} || !slices.ContainsFunc(last.Bets, func(b messages.RoundBet) bool { return b.Kind == "dissolve" }) {
		t.Fatalf("%s: the last round listed is %d with dice %v and bets %+v; want round %d, no dice, a dissolve payload",
			rest[0].name, last.Round, last.Dice, last.Bets, round+1)
	}

	// The host comes back on its data dir (joining the others: it was the
	// first node, with nobody to join): it learns the round that dissolved
	// its table and pays it out as everyone did.
	hostCfg.Join = []string{rest[0].gossipAddr()}
	host = startPeer(t, host.name, hostCfg)
	eventually(t, 30*time.Second, "the host learns the dissolution", func() (bool, string) {
		info := host.ledgerTable(id)
		return info.Dissolved && info.DissolvedRound == round+1, fmt.Sprintf("%+v (%s)", info, host.table(id).Lifecycle)
	})
	dissolvedAlike(t, append(slices.Clone(rest), host), observer, id, round+1, hostID)
}
