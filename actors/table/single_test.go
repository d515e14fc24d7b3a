package table

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

func createTable(t *testing.T, n *node, req *messages.CreateTable) *messages.TableView {
	t.Helper()
	r := n.ask("games", req).(*messages.TableReply)
	if r.Err != nil {
		t.Fatalf("create table: %v", r.Err)
	}
	return r.Table
}

func soloTable() *messages.CreateTable {
	return &messages.CreateTable{MinPlayers: 1, MaxPlayers: 4, Bankroll: 500 * crap, MinBet: crap, MaxBet: 50 * crap,
		BetWindow: time.Hour, BuyIn: 200 * crap}
}

// checkMoney asserts that the ledger and the certified table agree: the
// player's ledger chips are its chips in hand plus its stakes, the bank is
// the game's bank, and the ledger's invariant holds.
func checkMoney(t *testing.T, n *node, v *messages.TableView) {
	t.Helper()
	h := n.holdings()
	var chips int64
	for _, p := range v.Players {
		if p.PeerID == string(n.id.PeerID()) {
			chips = p.Chips
			for _, b := range p.Bets {
				chips += b.Amount
			}
		}
	}
	if h.Chips[v.ID] != chips {
		t.Fatalf("round %d: ledger chips %d, table chips+stakes %d", v.Round, h.Chips[v.ID], chips)
	}
	r := n.ask("ledger", &messages.LedgerTableRequest{Table: v.ID}).(*messages.LedgerTable)
	if r.Err != nil || r.Info.Bank != v.Bank || r.Info.LastRound != v.Round {
		t.Fatalf("round %d: ledger table %+v (err %v), table bank %d", v.Round, r.Info, r.Err, v.Bank)
	}
	n.verifyLedger()
}

func TestSoloTableCreatesSeatsAndPlays(t *testing.T) {
	n := startNode(t, 1, nil)
	v := createTable(t, n, soloTable())
	if v.Status != "playing" || !v.Seated || len(v.Players) != 1 || v.Players[0].Chips != 200*crap || v.Bank != 500*crap {
		t.Fatalf("new table: %+v", v)
	}
	if h := n.holdings(); h.Wallet != initialBalance-700*crap || h.Chips[v.ID] != 200*crap {
		t.Fatalf("holdings after create: %+v", h)
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)
	for round := uint64(1); round <= 30; round++ {
		bet := &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: int64(1+rng.IntN(5)) * crap}
		if rng.IntN(2) == 0 {
			bet.Type, bet.Number = "place", 6
		}
		br := n.ask("games", bet).(*messages.BetReply)
		var ue *messages.UserError
		if br.Err != nil && !(errors.As(br.Err, &ue) && ue.Code == messages.CodeBetNotAllowed) {
			t.Fatalf("seed %d round %d: bet %+v: %v", seed, round, bet, br.Err)
		}
		want := 0
		if br.Err == nil {
			want = 1
		}
		eventually(t, 5*time.Second, "bet pending", func() (bool, string) {
			tv := n.table(v.ID)
			return tv.PendingBets == want, fmt.Sprintf("pending %d", tv.PendingBets)
		})
		if ack := n.ask("games", &messages.RollDice{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
			t.Fatalf("seed %d round %d: roll: %v", seed, round, ack.Err)
		}
		var tv *messages.TableView
		eventually(t, 5*time.Second, "round certified and settled", func() (bool, string) {
			tv = n.table(v.ID)
			r := n.ask("ledger", &messages.LedgerTableRequest{Table: v.ID}).(*messages.LedgerTable)
			return tv.Round == round && r.Info.LastRound == round, fmt.Sprintf("table round %d, ledger round %d", tv.Round, r.Info.LastRound)
		})
		if tv.LastDice[0] < 1 || tv.LastDice[0] > 6 {
			t.Fatalf("round %d: dice %v", round, tv.LastDice)
		}
		checkMoney(t, n, tv)
	}
	rl := n.ask("games", &messages.ListRounds{TableID: v.ID}).(*messages.RoundList)
	if rl.Err != nil || len(rl.Items) != 30 || rl.Items[29].Round != 30 || len(rl.Items[0].Certificate) == 0 {
		t.Fatalf("rounds: %d items, err %v", len(rl.Items), rl.Err)
	}
	ex := n.ask("games", &messages.ExportTable{TableID: v.ID}).(*messages.TableExport)
	if ex.Err != nil {
		t.Fatal(ex.Err)
	}
	if rep := game.Verify(ex.Export); !rep.OK || len(ex.Export.Certificates) != 30 {
		t.Fatalf("export of %d rounds does not verify: %+v", len(ex.Export.Certificates), rep)
	}
}

// Leaving: the leave rides in the round being played; once that round is
// certified the player is unseated and cashes out, and a host left alone
// at its table takes its bank back. Nothing is lost: the wallet ends where
// it started plus the net result of the rounds.
func TestSoloLeaveCashesOutAndClosesTheBank(t *testing.T) {
	n := startNode(t, 6, nil)
	v := createTable(t, n, soloTable())
	roll := func(round uint64) {
		t.Helper()
		if ack := n.ask("games", &messages.RollDice{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
			t.Fatalf("roll %d: %v", round, ack.Err)
		}
		eventually(t, 5*time.Second, "round settled", func() (bool, string) {
			r := n.ask("ledger", &messages.LedgerTableRequest{Table: v.ID}).(*messages.LedgerTable)
			return r.Info.LastRound >= round, fmt.Sprintf("ledger round %d", r.Info.LastRound)
		})
	}
	if br := n.ask("games", &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: 5 * crap}).(*messages.BetReply); br.Err != nil {
		t.Fatal(br.Err)
	}
	eventually(t, 5*time.Second, "bet pending", func() (bool, string) { return n.table(v.ID).PendingBets == 1, "" })
	roll(1)
	if ack := n.ask("games", &messages.LeaveTable{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
		t.Fatalf("leave: %v", ack.Err)
	}
	eventually(t, 5*time.Second, "leave pending", func() (bool, string) { return n.table(v.ID).PendingBets == 1, "" })
	roll(2)
	eventually(t, 10*time.Second, "cashed out and closed", func() (bool, string) {
		h := n.holdings()
		tv := n.table(v.ID)
		return h.Chips[v.ID] == 0 && tv.Status == "closed" && !tv.Seated && h.Wallet == initialBalance,
			fmt.Sprintf("holdings %+v, status %s, seated %v, problem %q", h, tv.Status, tv.Seated, tv.Problem)
	})
	wantUserError(t, "bet after leaving", n.ask("games", &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: crap}).(*messages.BetReply).Err,
		messages.CodeNotSeated)
	n.verifyLedger()
}
