package table

import (
	"math"
	"testing"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// A host's bankroll + buy_in is checked against its wallet; amounts near
// int64's end once wrapped that sum negative, skipped the check, answered
// an internal error and left a funded bank without its host (issue 12,
// item 2). Every such request is now a bad request naming the amount, and
// nothing moves.
func TestOverflowingAmountsAreRefusedAndMoveNothing(t *testing.T) {
	n := startNode(t, 5, nil)
	before := n.holdings()
	cases := []struct {
		name  string
		tune  func(*messages.CreateTable)
		field string
	}{
		{"buy_in wraps the sum", func(r *messages.CreateTable) { r.BuyIn = math.MaxInt64 }, "buy_in"},
		{"buy_in just wraps", func(r *messages.CreateTable) { r.BuyIn = math.MaxInt64 - r.Bankroll + 1 }, "buy_in"},
		{"bankroll wraps the sum", func(r *messages.CreateTable) { r.Bankroll = math.MaxInt64 }, "bankroll"},
		{"buy_in above the ledger", func(r *messages.CreateTable) { r.BuyIn = ledger.MaxAmount + 1 }, "buy_in"},
		{"max_bet above the ledger", func(r *messages.CreateTable) { r.MaxBet = ledger.MaxAmount + 1 }, "max_bet"},
	}
	for _, c := range cases {
		req := soloTable()
		c.tune(req)
		err := n.ask("games", req).(*messages.TableReply).Err
		wantUserError(t, c.name, err, messages.CodeBadRequest, c.field)
	}
	// At the ledger's maximum the amounts are legal, and the wallet decides.
	req := soloTable()
	req.Bankroll, req.BuyIn = ledger.MaxAmount, ledger.MaxAmount
	wantUserError(t, "both at the maximum", n.ask("games", req).(*messages.TableReply).Err,
		messages.CodeInsufficientBalance, "2000000000 CRAP needed")

	list := n.ask("games", &messages.ListTables{}).(*messages.TableList)
	if list.Err != nil || len(list.Items) != 0 {
		t.Fatalf("tables after refused creates: %+v (err %v)", list.Items, list.Err)
	}
	if after := n.holdings(); after.Wallet != before.Wallet || len(after.Chips) != 0 {
		t.Fatalf("holdings moved: before %+v, after %+v", before, after)
	}
	n.verifyLedger()
}
