package test

import (
	"fmt"
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
	waitConnected(t, nodes)
	id := create(t, nodes[0], scriptedTable(size, size, 100*crap)).ID
	for _, p := range nodes[1:] {
		join(t, p, id, 100*crap)
	}
	eventually(t, 20*time.Second, "play starts", func() (bool, string) {
		v := nodes[size-1].table(id)
		return v.Status == "playing" && v.Shooter != "", v.Status
	})
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
	for _, p := range rest {
		if got := goneChips(p); got != before {
			t.Fatalf("%s: the silent player's chips went from %d to %d", p.name, before, got)
		}
		p.verified()
	}
	sameEverywhere(t, rest, id, int(round))
}
