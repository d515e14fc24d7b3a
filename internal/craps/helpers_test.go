package craps

import (
	"errors"
	"fmt"
	"math/big"
	"testing"
)

const (
	alice = "alice"
	bob   = "bob"
	crap  = MicrosPerCRAP
)

// bigBank is enough for any test position.
const bigBank = 1_000_000_000 * crap

// testRules are the defaults with a wide bet range, so tests can stake
// whatever a scenario needs.
func testRules() Rules {
	r := DefaultRules()
	r.MaxBet = 1_000_000 * crap
	return r
}

// newTable opens a table with a big bank and seats alice and bob.
func newTable(t testing.TB, rules Rules) State {
	t.Helper()
	s, err := NewState(rules, bigBank)
	if err != nil {
		t.Fatalf("new state: %v", err)
	}
	for _, p := range []string{alice, bob} {
		if s, err = Seat(s, p, 1_000_000*crap); err != nil {
			t.Fatalf("seat %s: %v", p, err)
		}
	}
	return s
}

func roll(d1, d2 uint8) Roll { return Roll{d1, d2} }

// rollOf picks a roll with the given total (the first in dice order).
func rollOf(total int) Roll {
	for _, r := range allRolls {
		if r.Total() == total {
			return r
		}
	}
	panic(fmt.Sprintf("no roll totals %d", total))
}

func mustPlace(t testing.TB, s State, player string, b Bet, stake Micros) (State, Wager) {
	t.Helper()
	ns, w, err := PlaceBet(s, player, b, stake)
	if err != nil {
		t.Fatalf("place %s %d for %s: %v", b.ID(), stake, player, err)
	}
	return ns, w
}

func mustApply(t testing.TB, s State, r Roll) (State, []Outcome) {
	t.Helper()
	ns, outs, err := Apply(s, r)
	if err != nil {
		t.Fatalf("apply %s: %v", r, err)
	}
	return ns, outs
}

// applyAll applies rolls and returns the outcome of wager seq (the last
// one seen, which is its resolution if it resolved).
func applyAll(t testing.TB, s State, seq uint64, rolls ...Roll) (State, Outcome) {
	t.Helper()
	var last Outcome
	for i, r := range rolls {
		var outs []Outcome
		s, outs = mustApply(t, s, r)
		for _, o := range outs {
			if o.Seq == seq {
				last = o
				if o.Result.Resolved() && i != len(rolls)-1 {
					t.Fatalf("wager %d resolved (%s) on roll %d of %d (%s)", seq, o.Result, i+1, len(rolls), r)
				}
			}
		}
	}
	return s, last
}

// floorWin is the expected win on a stake at a:b, computed independently
// of Ratio.winOn.
func floorWin(stake Micros, pay string) Micros {
	r, ok := new(big.Rat).SetString(replaceColon(pay))
	if !ok {
		panic("bad payout " + pay)
	}
	q := new(big.Int).Mul(big.NewInt(stake), r.Num())
	q.Quo(q, r.Denom())
	return q.Int64()
}

func replaceColon(pay string) string {
	for i := 0; i < len(pay); i++ {
		if pay[i] == ':' {
			return pay[:i] + "/" + pay[i+1:]
		}
	}
	return pay
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

// totalMoney is everything at the table: bank, chips and stakes.
func totalMoney(s State) Micros {
	sum := s.Bank() + s.OnTable()
	for _, p := range s.Players() {
		sum += p.Chips
	}
	return sum
}

// fourPlayerTable opens a table with a bank of 2,000,000 CRAP and seats
// p0..p3 with 20,000 CRAP each, for seeded random play.
func fourPlayerTable(t *testing.T, rules Rules) (State, []string) {
	t.Helper()
	s, err := NewState(rules, 2_000_000*crap)
	if err != nil {
		t.Fatal(err)
	}
	players := []string{"p0", "p1", "p2", "p3"}
	for _, p := range players {
		if s, err = Seat(s, p, 20_000*crap); err != nil {
			t.Fatal(err)
		}
	}
	return s, players
}
