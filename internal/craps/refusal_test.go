package craps

import (
	"errors"
	"testing"
)

// A refused bet carries the numbers behind the refusal, found with
// errors.As through any wrapping, and still matches its sentinel.
func TestRefusalCarriesTheNumbers(t *testing.T) {
	rules := DefaultRules() // min 1 CRAP, max 1,000 CRAP, 3-4-5x
	fresh := func() State { return newTable(t, rules) }
	refused := func(t *testing.T, s State, player string, b Bet, stake Micros, sentinel error) *Refusal {
		t.Helper()
		_, _, err := PlaceBets(s, []Order{{Player: player, Bet: b, Stake: stake}})
		wantErr(t, err, sentinel)
		var r *Refusal
		if !errors.As(err, &r) {
			t.Fatalf("%v: no Refusal in %T", err, err)
		}
		if r.Bet.Kind != b.Kind || r.Stake != stake || !errors.Is(r, sentinel) {
			t.Fatalf("refusal %+v, want %s %d wrapping %v", r, b.ID(), stake, sentinel)
		}
		return r
	}
	t.Run("above the maximum, counting the spot", func(t *testing.T) {
		s, _ := mustPlace(t, fresh(), alice, Bet{KindPlace, 6}, 600*crap)
		r := refused(t, s, alice, Bet{KindPlace, 6}, 401*crap, ErrAboveMaximum)
		if r.Total != 1001*crap || r.Limit != 1000*crap {
			t.Fatalf("total %d limit %d, want 1001 and 1000 CRAP", r.Total, r.Limit)
		}
	})
	t.Run("below the minimum", func(t *testing.T) {
		if r := refused(t, fresh(), alice, Bet{Kind: KindField}, crap/2, ErrBelowMinimum); r.Limit != crap {
			t.Fatalf("limit %d, want 1 CRAP", r.Limit)
		}
	})
	t.Run("chips", func(t *testing.T) {
		s, err := NewState(rules, bigBank)
		if err != nil {
			t.Fatal(err)
		}
		chips := 5 * crap
		if s, err = Seat(s, alice, chips); err != nil {
			t.Fatal(err)
		}
		if r := refused(t, s, alice, Bet{Kind: KindField}, chips+crap, ErrInsufficientChips); r.Chips != chips {
			t.Fatalf("chips %d, want %d", r.Chips, chips)
		}
	})
	t.Run("phase", func(t *testing.T) {
		r := refused(t, tableAt(t, rules, 6), alice, Bet{Kind: KindPass}, crap, ErrNotAllowedInPhase)
		if r.Phase != Point || r.Point != 6 {
			t.Fatalf("phase %v point %d, want the point 6", r.Phase, r.Point)
		}
		if want := "pass may be placed only on the come-out; the table is in the point phase (point 6): bet not allowed in this phase"; r.Error() != want {
			t.Fatalf("message %q, want %q", r.Error(), want)
		}
	})
	t.Run("bank", func(t *testing.T) {
		s, err := NewState(rules, 2*crap)
		if err != nil {
			t.Fatal(err)
		}
		if s, err = Seat(s, alice, 100*crap); err != nil {
			t.Fatal(err)
		}
		if r := refused(t, s, alice, Bet{Kind: KindField}, 10*crap, ErrBankCannotCover); r.Limit != 2*crap || r.Total <= r.Limit {
			t.Fatalf("worst case %d with a bank of %d, want above the 2 CRAP bank", r.Total, r.Limit)
		}
	})
	t.Run("odds", func(t *testing.T) {
		s := tableAt(t, rules, 6)
		refused(t, s, alice, Bet{Kind: KindPassOdds}, crap, ErrOddsWithoutLineBet)
	})
}
