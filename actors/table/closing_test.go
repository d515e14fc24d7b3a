package table

import (
	"fmt"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// Waiting tables on one node (closing.go): the host sits later, leaves,
// cancels; a table that does not fill expires. Every step ends with the
// wallet where the money says it must be and the ledger's invariant.

func waitingTable(minPlayers int, buyIn int64) *messages.CreateTable {
	return &messages.CreateTable{MinPlayers: minPlayers, MaxPlayers: 4, Bankroll: 300 * crap, MinBet: crap, MaxBet: 20 * crap,
		BetWindow: time.Hour, BuyIn: buyIn}
}

// waitMoney waits until the local wallet and chips at table are as given,
// then checks the ledger.
func waitMoney(t *testing.T, n *node, what, table string, wallet, chips int64) {
	t.Helper()
	eventually(t, 10*time.Second, what, func() (bool, string) {
		h := n.holdings()
		return h.Wallet == wallet && h.Chips[table] == chips,
			fmt.Sprintf("wallet %d (want %d), chips %d (want %d)", h.Wallet, wallet, h.Chips[table], chips)
	})
	n.verifyLedger()
}

func TestHostSitsLaterAndTheTableStarts(t *testing.T) {
	n := startNode(t, 21, nil)
	v := createTable(t, n, waitingTable(1, 0))
	if v.Status != "waiting" || v.Seated || len(v.Players) != 0 {
		t.Fatalf("table created without a buy-in: %+v", v)
	}
	wantUserError(t, "leave a table the host does not sit at", n.ask("games", &messages.LeaveTable{TableID: v.ID}).(*messages.Ack).Err,
		messages.CodeNotSeated, v.ID)
	wantUserError(t, "sit with no buy-in", n.ask("games", &messages.JoinTable{TableID: v.ID}).(*messages.TableReply).Err,
		messages.CodeBadRequest, "buy_in")
	r := n.ask("games", &messages.JoinTable{TableID: v.ID, BuyIn: 40 * crap}).(*messages.TableReply)
	if r.Err != nil || !r.Table.Seated {
		t.Fatalf("the host sits at its own table: %+v, %v", r.Table, r.Err)
	}
	eventually(t, 10*time.Second, "play starts", func() (bool, string) {
		tv := n.table(v.ID)
		return tv.Status == "playing" && tv.Shooter == string(n.id.PeerID()), fmt.Sprintf("status %s shooter %q", tv.Status, tv.Shooter)
	})
	waitMoney(t, n, "bank and buy-in taken", v.ID, initialBalance-340*crap, 40*crap)
	wantUserError(t, "cancel a table with a player", n.ask("games", &messages.CancelTable{TableID: v.ID}).(*messages.TableReply).Err,
		messages.CodeTableInPlay, v.ID, "playing with 1 players")
}

func TestHostLeavesSitsAgainAndCancelsAWaitingTable(t *testing.T) {
	n := startNode(t, 22, nil)
	v := createTable(t, n, waitingTable(2, 60*crap))
	if v.Status != "waiting" || !v.Seated {
		t.Fatalf("new table: %+v", v)
	}
	waitMoney(t, n, "bank and buy-in taken", v.ID, initialBalance-360*crap, 60*crap)

	if ack := n.ask("games", &messages.LeaveTable{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
		t.Fatalf("leave a waiting table: %v", ack.Err)
	}
	waitMoney(t, n, "buy-in back after leaving", v.ID, initialBalance-300*crap, 0)
	if tv := n.table(v.ID); tv.Seated || len(tv.Players) != 0 || tv.Status != "waiting" {
		t.Fatalf("after leaving: %+v", tv)
	}

	if r := n.ask("games", &messages.JoinTable{TableID: v.ID, BuyIn: 25 * crap}).(*messages.TableReply); r.Err != nil || !r.Table.Seated {
		t.Fatalf("sit again: %+v, %v", r.Table, r.Err)
	}
	waitMoney(t, n, "second buy-in taken", v.ID, initialBalance-325*crap, 25*crap)

	r := n.ask("games", &messages.CancelTable{TableID: v.ID}).(*messages.TableReply)
	if r.Err != nil || r.Table.Status != "closed" || r.Table.ClosedReason == "" || len(r.Table.Players) != 0 {
		t.Fatalf("cancel: %+v, %v", r.Table, r.Err)
	}
	waitMoney(t, n, "bank and buy-in back after cancelling", v.ID, initialBalance, 0)
	lt := n.ask("ledger", &messages.LedgerTableRequest{Table: v.ID}).(*messages.LedgerTable)
	if lt.Err != nil || !lt.Info.Closed || lt.Info.Bank != 0 {
		t.Fatalf("ledger table after cancel: %+v, %v", lt.Info, lt.Err)
	}

	if again := n.ask("games", &messages.CancelTable{TableID: v.ID}).(*messages.TableReply); again.Err != nil || again.Table.Status != "closed" {
		t.Fatalf("cancel twice: %+v, %v", again.Table, again.Err)
	}
	wantUserError(t, "join a cancelled table", n.ask("games", &messages.JoinTable{TableID: v.ID, BuyIn: crap}).(*messages.TableReply).Err,
		messages.CodeTableClosed, v.ID)
	wantUserError(t, "cancel an unknown table", n.ask("games", &messages.CancelTable{TableID: "00000000000000aa"}).(*messages.TableReply).Err,
		messages.CodeUnknownTable, "00000000000000aa")
	n.verifyLedger()
}

// A closed table keeps its actor but not its place among --max-games.
func TestCancelledTableFreesItsGame(t *testing.T) {
	n := startNode(t, 24, func(o *Options) { o.MaxGames = 1 })
	v := createTable(t, n, waitingTable(2, 0))
	wantUserError(t, "a second table", n.ask("games", waitingTable(2, 0)).(*messages.TableReply).Err, messages.CodeTooManyGames)
	if r := n.ask("games", &messages.CancelTable{TableID: v.ID}).(*messages.TableReply); r.Err != nil {
		t.Fatalf("cancel: %v", r.Err)
	}
	eventually(t, 10*time.Second, "a new table once the first is closed", func() (bool, string) {
		r := n.ask("games", waitingTable(2, 0)).(*messages.TableReply)
		return r.Err == nil, fmt.Sprint(r.Err)
	})
	n.verifyLedger()
}

func TestWaitingTableExpires(t *testing.T) {
	// The shortest --table-wait-timeout: long enough that the create
	// (bank and the host's buy-in) is done before the table expires.
	const timeout = time.Second
	n := startNode(t, 23, func(o *Options) { o.WaitTimeout = timeout })
	v := createTable(t, n, waitingTable(2, 30*crap))
	eventually(t, 10*time.Second, "the table expires", func() (bool, string) {
		tv := n.table(v.ID)
		return tv.Status == "closed", fmt.Sprintf("status %s", tv.Status)
	})
	if tv := n.table(v.ID); tv.ClosedReason == "" || tv.Seated {
		t.Fatalf("expired table: %+v", tv)
	}
	waitMoney(t, n, "bank and buy-in back after expiry", v.ID, initialBalance, 0)
}
