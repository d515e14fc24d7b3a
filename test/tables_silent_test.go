package test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// With 2 or 3 seats every round needs every player. A player whose node
// goes away stalls the table (safely: nothing is certified without it);
// after the silence timeout the others unseat it by unanimous vote and play
// on. The silent player's chips stay at the table in every ledger.
func TestSilentPlayerIsUnseated(t *testing.T) {
	for _, size := range []int{2, 3} {
		t.Run(fmt.Sprintf("%d players", size), func(t *testing.T) { silentPlayer(t, size) })
	}
}

func silentPlayer(t *testing.T, size int) {
	cfg := nodeConfig(t)
	cfg.SessionTimeout = 2 * time.Second
	first := startPeer(t, "A", cfg)
	nodes := []*peerNode{first}
	for i := 1; i < size; i++ {
		c := nodeConfig(t, first.gossipAddr())
		c.SessionTimeout = 2 * time.Second
		nodes = append(nodes, startPeer(t, string(rune('A'+i)), c))
	}
	// An observer follows the table without a seat: it must take the
	// unseating from the others' history to settle the later rounds.
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
	for range 3 {
		round++
		playRoundWith(t, nodes, id, round, field, seed)
	}
	gone := nodes[size-1]
	goneID := gone.peerID()
	var ids []string
	for _, p := range nodes {
		ids = append(ids, p.peerID())
	}
	goneChips := func(p *peerNode) int64 {
		h := p.ask("ledger", &messages.LedgerBalanceRequest{Account: ledger.ChipsOf(id, identity.PeerID(goneID))}).(*messages.LedgerBalance)
		if h.Err != nil {
			t.Fatal(h.Err)
		}
		return h.Balance
	}
	before := goneChips(nodes[0])
	gone.stop()
	rest := nodes[:size-1]
	eventually(t, 30*time.Second, "the silent player is unseated", func() (bool, string) {
		for _, p := range rest {
			v := p.table(id)
			if len(v.Excluded) != 1 || v.Excluded[0] != goneID {
				return false, fmt.Sprintf("%s: silent %v excluded %v", p.name, v.Silent, v.Excluded)
			}
		}
		return true, ""
	})
	for range 3 {
		round++
		playRoundWith(t, rest, id, round, field, seed)
	}
	// The observer settles from the history it fetches: wait for it. It
	// shows what the players show, across the unseating.
	sameTableMoney(t, append(slices.Clone(rest), observer), ids, id, round)
	sameView(t, observer, rest[0], id, round)
	for _, p := range append(slices.Clone(rest), observer) {
		if got := goneChips(p); got != before {
			t.Fatalf("%s: the silent player's chips went from %d to %d", p.name, before, got)
		}
		p.verified()
	}
	sameEverywhere(t, rest, id, int(round))
	// The export carries the votes that unseated it, so it verifies.
	verifyExport(t, rest[0], id, int(round))
	ex := rest[0].ask("games", &messages.ExportTable{TableID: id}).(*messages.TableExport)
	if u := ex.Export.Unseatings; len(u) != 1 || len(u[0].Excluded) != 1 || u[0].Excluded[0].String() != goneID {
		t.Fatalf("export unseatings %+v, want the one of %s", u, goneID[:8])
	}
}
