package test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Waiting tables on three real nodes (DESIGN.md "Table lifecycle",
// Waiting): a player leaves and gets its buy-in back, the host sits later
// at a table it created without a buy-in, the host cancels, a non-host
// cannot, a table that does not fill expires. After each, every node holds
// the same money for everyone, the same view of the table, the same ledger
// state, and passes its ledger check.

// holdingsOf is owner's money as p's ledger holds it.
func holdingsOf(p, owner *peerNode) ledger.Holdings {
	p.t.Helper()
	r := p.ask("ledger", &messages.LedgerHoldingsRequest{Peer: identity.PeerID(owner.peerID())}).(*messages.LedgerHoldings)
	if r.Err != nil {
		p.t.Fatalf("%s: holdings of %s: %v", p.name, owner.name, r.Err)
	}
	return r.Holdings
}

// moneyEverywhere waits until every node's ledger gives owner this wallet
// and these chips at table.
func moneyEverywhere(t *testing.T, nodes []*peerNode, owner *peerNode, table string, wallet, chips int64) {
	t.Helper()
	eventually(t, 20*time.Second, owner.name+"'s money on every node", func() (bool, string) {
		for _, p := range nodes {
			if h := holdingsOf(p, owner); h.Wallet != wallet || h.Chips[table] != chips {
				return false, fmt.Sprintf("%s holds for %s wallet %d chips %d, want %d and %d", p.name, owner.name, h.Wallet, h.Chips[table], wallet, chips)
			}
		}
		return true, ""
	})
}

// sameTableEverywhere waits until every node shows the table with status
// and exactly these players, then until every ledger reaches one state
// hash, and checks each ledger.
func sameTableEverywhere(t *testing.T, nodes []*peerNode, id, status string, players ...*peerNode) {
	t.Helper()
	var want []string
	for _, p := range players {
		want = append(want, p.peerID())
	}
	slices.Sort(want)
	eventually(t, 20*time.Second, "every node's view of table "+id, func() (bool, string) {
		for _, p := range nodes {
			v := p.table(id)
			var got []string
			for _, pl := range v.Players {
				got = append(got, pl.PeerID)
			}
			slices.Sort(got)
			if v.Status != status || !slices.Equal(got, want) {
				return false, fmt.Sprintf("%s: status %s with %d players, want %s with %d", p.name, v.Status, len(got), status, len(want))
			}
		}
		return true, ""
	})
	eventually(t, 20*time.Second, "one ledger state on every node", func() (bool, string) {
		var hashes []string
		for _, p := range nodes {
			h := p.ask("ledger", &messages.LedgerStateHashRequest{}).(*messages.LedgerStateHash)
			if h.Err != nil {
				return false, h.Err.Error()
			}
			hashes = append(hashes, p.name+" "+h.Hash)
		}
		for _, h := range hashes[1:] {
			if h[2:] != hashes[0][2:] {
				return false, strings.Join(hashes, ", ")
			}
		}
		return true, ""
	})
	for _, p := range nodes {
		p.verified()
	}
}

// grantEveryone gives every node's ledger the genesis grant of every
// identity, as a node does when it first sees an op of that identity: the
// ledgers' state hashes are then comparable from the start, even on a
// node that never saw an op of some player.
func grantEveryone(t *testing.T, nodes []*peerNode) {
	t.Helper()
	for _, p := range nodes {
		for _, q := range nodes {
			if r := p.ask("ledger", &messages.LedgerGrantGenesis{Peer: identity.PeerID(q.peerID())}).(*messages.LedgerApplied); r.Err != nil {
				t.Fatalf("%s: grant %s: %v", p.name, q.name, r.Err)
			}
		}
	}
}

func wantRefusal(t *testing.T, what string, err error, code string, fragments ...string) {
	t.Helper()
	ue, ok := err.(*messages.UserError)
	if !ok || ue.Code != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
	for _, f := range fragments {
		if !strings.Contains(ue.Message, f) {
			t.Fatalf("%s: %q does not name %q", what, ue.Message, f)
		}
	}
}

func TestWaitingTablesCanAlwaysBeLeftOrClosed(t *testing.T) {
	const waitTimeout = 5 * time.Second
	a := startPeer(t, "A", nodeConfig(t))
	b := startPeer(t, "B", nodeConfig(t, a.gossipAddr()))
	cfg := nodeConfig(t, a.gossipAddr())
	cfg.TableWaitTimeout = waitTimeout
	c := startPeer(t, "C", cfg)
	nodes := []*peerNode{a, b, c}
	waitConnected(t, nodes)
	grantEveryone(t, nodes)
	const grant = 1000 * crap

	// A hosts without a buy-in; B sits down and leaves before play.
	t1 := create(t, a, scriptedTable(3, 3, 0))
	join(t, b, t1.ID, 100*crap)
	sameTableEverywhere(t, nodes, t1.ID, "waiting", b)
	moneyEverywhere(t, nodes, b, t1.ID, grant-100*crap, 100*crap)
	if ack := b.ask("games", &messages.LeaveTable{TableID: t1.ID}).(*messages.Ack); ack.Err != nil {
		t.Fatalf("B leaves the waiting table: %v", ack.Err)
	}
	moneyEverywhere(t, nodes, b, t1.ID, grant, 0)
	sameTableEverywhere(t, nodes, t1.ID, "waiting")
	wantRefusal(t, "C leaves a table it is not at", c.ask("games", &messages.LeaveTable{TableID: t1.ID}).(*messages.Ack).Err,
		messages.CodeNotSeated, t1.ID)

	// The host sits at last, B sits again, C fills the table: play starts.
	if r := a.ask("games", &messages.JoinTable{TableID: t1.ID, BuyIn: 50 * crap}).(*messages.TableReply); r.Err != nil || !r.Table.Seated {
		t.Fatalf("A sits at its own table: %+v, %v", r.Table, r.Err)
	}
	join(t, b, t1.ID, 100*crap)
	join(t, c, t1.ID, 100*crap)
	sameTableEverywhere(t, nodes, t1.ID, "playing", a, b, c)
	moneyEverywhere(t, nodes, a, t1.ID, grant-450*crap, 50*crap)
	moneyEverywhere(t, nodes, c, t1.ID, grant-100*crap, 100*crap)
	wantRefusal(t, "cancel a table in play", a.ask("games", &messages.CancelTable{TableID: t1.ID}).(*messages.TableReply).Err,
		messages.CodeTableInPlay, t1.ID, "playing with 3 players")

	// B hosts a table (each table has its own host here: the mesh lets a
	// host announce a few changes at once, then one every 15 s); C sits.
	// Only B may cancel it, which gives both their money back exactly.
	bBefore, cBefore := holdingsOf(b, b).Wallet, holdingsOf(c, c).Wallet
	t2 := create(t, b, scriptedTable(3, 3, 0))
	join(t, c, t2.ID, 70*crap)
	sameTableEverywhere(t, nodes, t2.ID, "waiting", c)
	msg := apiOf(t, a).refused("POST", "/api/v1/tables/"+t2.ID+"/cancel", nil, 403, messages.CodeNotHost)
	if !strings.Contains(msg, t2.ID) {
		t.Fatalf("non-host cancel: %q does not name the table", msg)
	}
	wantRefusal(t, "C cancels B's table", c.ask("games", &messages.CancelTable{TableID: t2.ID}).(*messages.TableReply).Err,
		messages.CodeNotHost, t2.ID)
	apiOf(t, a).refused("POST", "/api/v1/tables/ffffffffffffffff/cancel", nil, 404, messages.CodeUnknownTable)
	var closed messages.TableView
	apiOf(t, b).ok("POST", "/api/v1/tables/"+t2.ID+"/cancel", nil, 200, &closed)
	if closed.Status != "closed" || closed.ClosedReason == "" || closed.Bank != 0 {
		t.Fatalf("cancelled table: %+v", closed)
	}
	moneyEverywhere(t, nodes, b, t2.ID, bBefore, 0)
	moneyEverywhere(t, nodes, c, t2.ID, cBefore, 0)
	sameTableEverywhere(t, nodes, t2.ID, "closed")
	for _, p := range nodes {
		if lt := p.ledgerTable(t2.ID); !lt.Closed || lt.Bank != 0 {
			t.Fatalf("%s: ledger table after cancel %+v", p.name, lt)
		}
	}

	// C hosts a table with its own buy-in; A sits; nobody else comes, and
	// C's wait timeout cancels it.
	aBefore, cBefore := holdingsOf(a, a).Wallet, holdingsOf(c, c).Wallet
	t3 := create(t, c, scriptedTable(3, 3, 20*crap))
	join(t, a, t3.ID, 10*crap)
	eventually(t, 3*waitTimeout, "C's table expires", func() (bool, string) {
		v := c.table(t3.ID)
		return v.Status == "closed", "status " + v.Status
	})
	if v := c.table(t3.ID); !strings.Contains(v.ClosedReason, "not filled within") {
		t.Fatalf("expired table's reason: %q", v.ClosedReason)
	}
	moneyEverywhere(t, nodes, c, t3.ID, cBefore, 0)
	moneyEverywhere(t, nodes, a, t3.ID, aBefore, 0)
	sameTableEverywhere(t, nodes, t3.ID, "closed")
}

// A host that does not play learns from the chain it follows that the
// last player left, and closes its table: the bank, with what the rounds
// left in it, goes back to the host. Its cancel then answers the closed
// table.
func TestHostClosesATableItsPlayersLeft(t *testing.T) {
	nodes := startCluster(t, 3)
	a, b, c := nodes[0], nodes[1], nodes[2]
	grantEveryone(t, nodes)
	const grant = 1000 * crap
	// Two players: a lone player may not roll (the dice need a second
	// secret), so the two leave together.
	v := create(t, a, scriptedTable(2, 3, 0))
	join(t, b, v.ID, 50*crap)
	join(t, c, v.ID, 50*crap)
	sameTableEverywhere(t, nodes, v.ID, "playing", b, c)
	wantRefusal(t, "close a table B and C play at", a.ask("games", &messages.CancelTable{TableID: v.ID}).(*messages.TableReply).Err,
		messages.CodeTableInPlay, v.ID)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	field := func(string) *messages.PlaceBet {
		return &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: 2 * crap}
	}
	players := []*peerNode{b, c}
	playRoundWith(t, players, v.ID, 1, field, seed)
	for _, p := range players {
		if ack := p.ask("games", &messages.LeaveTable{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
			t.Fatalf("%s leaves: %v", p.name, ack.Err)
		}
	}
	roll(t, players, v.ID, 2, 2, seed)
	eventually(t, 20*time.Second, "B and C cashed out", func() (bool, string) {
		for _, p := range players {
			if h := holdingsOf(p, p); h.Chips[v.ID] != 0 || p.table(v.ID).Seated {
				return false, fmt.Sprintf("%s chips %d", p.name, h.Chips[v.ID])
			}
		}
		return true, ""
	})

	var closed *messages.TableView
	eventually(t, 20*time.Second, "A closes once it followed the leaves", func() (bool, string) {
		r := a.ask("games", &messages.CancelTable{TableID: v.ID}).(*messages.TableReply)
		if r.Err != nil {
			wantRefusal(t, "close before A followed the leave", r.Err, messages.CodeTableInPlay, v.ID)
			return false, r.Err.Error()
		}
		closed = r.Table
		return closed.Status == "closed", "status " + closed.Status
	})
	if closed.Bank != 0 || !strings.Contains(closed.ClosedReason, "no players left") {
		t.Fatalf("closed table: %+v", closed)
	}
	eventually(t, 20*time.Second, "the bank back to A and every chip to its owner, on both nodes", func() (bool, string) {
		for _, p := range nodes {
			ha, hb, hc := holdingsOf(p, a), holdingsOf(p, b), holdingsOf(p, c)
			if lt := p.ledgerTable(v.ID); !lt.Closed || lt.Bank != 0 || hb.Chips[v.ID]+hc.Chips[v.ID] != 0 || ha.Wallet+hb.Wallet+hc.Wallet != 3*grant {
				return false, fmt.Sprintf("%s: table %+v, wallets A %d B %d C %d, chips B %d C %d", p.name, lt, ha.Wallet, hb.Wallet, hc.Wallet, hb.Chips[v.ID], hc.Chips[v.ID])
			}
		}
		return true, ""
	})
	sameTableEverywhere(t, nodes, v.ID, "closed")
}
