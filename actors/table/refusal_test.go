package table

import (
	"fmt"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/messages"
)

// The rule book's refusals read as a player would say them: the table, the
// bet as typed, CRAP, and nothing of the consensus around them; the
// numbers go beside the message in micro-CRAP (issue 11, item 5).
func TestRefusalsReadAsThePlayerTypedThem(t *testing.T) {
	const table = "18e5c10f6b0ea275"
	// A refusal as the consensus actor hands it back: wrapped in the round,
	// the bft application error, the payload and the order.
	wrapped := func(r *craps.Refusal) error {
		return fmt.Errorf("bet refused in round 3: %w: %w", bft.ErrApplication,
			fmt.Errorf("bet 0 (79d871bc seq 1, bet): order 0 (79d871bc… pass 25000000): %w", r))
	}
	for _, c := range []struct {
		name   string
		bet    messages.PlaceBet
		ref    craps.Refusal
		code   string
		msg    string
		limit  int64
		held   int64
		hasLim bool
	}{
		{"above the maximum", messages.PlaceBet{Type: "pass", Amount: 25 * crap},
			craps.Refusal{Stake: 25 * crap, Total: 25 * crap, Limit: 20 * crap, Err: craps.ErrAboveMaximum},
			messages.CodeBetNotAllowed, "table " + table + ": bet of 25 CRAP on pass is above the table maximum of 20 CRAP", 20 * crap, 0, true},
		{"above the maximum with the spot", messages.PlaceBet{Type: "place", Number: 6, Amount: 5 * crap},
			craps.Refusal{Stake: 5 * crap, Total: 25 * crap, Limit: 20 * crap, Err: craps.ErrAboveMaximum},
			messages.CodeBetNotAllowed, "table " + table + ": bet of 5 CRAP on place_6 would make 25 CRAP on place_6, above the table maximum of 20 CRAP", 20 * crap, 0, true},
		{"below the minimum", messages.PlaceBet{Type: "field", Amount: crap / 2},
			craps.Refusal{Stake: crap / 2, Limit: crap, Err: craps.ErrBelowMinimum},
			messages.CodeBetNotAllowed, "table " + table + ": bet of 0.5 CRAP on field is below the table minimum of 1 CRAP", crap, 0, true},
		{"chips", messages.PlaceBet{Type: "hard_8", Amount: 20 * crap},
			craps.Refusal{Stake: 20 * crap, Chips: 10 * crap, Err: craps.ErrInsufficientChips},
			messages.CodeInsufficientBalance, "table " + table + ": bet of 20 CRAP on hard_8 needs 20 CRAP in chips; you hold 10 CRAP", 0, 10 * crap, false},
		{"point phase", messages.PlaceBet{Type: "pass", Amount: crap},
			craps.Refusal{Stake: crap, Phase: craps.Point, Point: 4, Err: craps.ErrNotAllowedInPhase},
			messages.CodeBetNotAllowed, "table " + table + ": bet of 1 CRAP on pass is not allowed now: pass is placed on the come-out, and the point is 4", 0, 0, false},
		{"odds", messages.PlaceBet{Type: "pass_odds", Amount: 30 * crap},
			craps.Refusal{Stake: 30 * crap, Total: 30 * crap, Limit: 25 * crap, Err: craps.ErrOddsTooHigh},
			messages.CodeBetNotAllowed, "table " + table + ": bet of 30 CRAP on pass_odds would make 30 CRAP of odds, above the 25 CRAP allowed behind your line bet", 25 * crap, 0, true},
		{"bank", messages.PlaceBet{Type: "field", Amount: 10 * crap},
			craps.Refusal{Stake: 10 * crap, Total: 22 * crap, Limit: 2 * crap, Err: craps.ErrBankCannotCover},
			messages.CodeBankCannotCover, "table " + table + ": bet of 10 CRAP on field is more than the bank can cover: the open bets could win up to 22 CRAP, and the bank holds 2 CRAP", 2 * crap, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ref := c.ref
			ue, ok := refusalError(table, c.bet, wrapped(&ref))
			if !ok {
				t.Fatal("no refusal found through the wrapping")
			}
			if ue.Code != c.code || ue.Message != c.msg {
				t.Fatalf("got %s %q\nwant %s %q", ue.Code, ue.Message, c.code, c.msg)
			}
			d := ue.Detail
			if d == nil || d.Table != table || d.Amount == nil || *d.Amount != c.bet.Amount {
				t.Fatalf("detail %+v, want the table and the amount %d", d, c.bet.Amount)
			}
			if (d.Limit != nil) != c.hasLim || (c.hasLim && *d.Limit != c.limit) {
				t.Fatalf("detail limit %v, want %d (set: %v)", d.Limit, c.limit, c.hasLim)
			}
			if c.held != 0 && (d.Held == nil || *d.Held != c.held) {
				t.Fatalf("detail held %v, want %d", d.Held, c.held)
			}
		})
	}
	if _, ok := refusalError(table, messages.PlaceBet{Type: "pass", Amount: crap}, bft.ErrApplication); ok {
		t.Fatal("a refusal found where there is none")
	}
}
