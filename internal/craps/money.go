package craps

import (
	"fmt"
	"math/big"
	"math/bits"
)

// Micros is an amount of CRAP in integer micro-units. The alias keeps the
// unit in every signature while staying interchangeable with the int64 the
// ledger stores.
type Micros = int64

// MicrosPerCRAP is the number of micro-units in one CRAP.
const MicrosPerCRAP Micros = 1_000_000

// Ratio is a payout: the net win per unit staked, Num/Den (7:6 is {7, 6}).
// Commissions are already taken out, so a Buy 4 pays {39, 20}.
type Ratio struct{ Num, Den int64 }

// String renders the ratio as casinos print it, "Num:Den".
func (r Ratio) String() string { return fmt.Sprintf("%d:%d", r.Num, r.Den) }

// Rat is the exact value of the ratio.
func (r Ratio) Rat() *big.Rat { return big.NewRat(r.Num, r.Den) }

// Float is the ratio as a float64, for statistics only (never for money).
func (r Ratio) Float() float64 { return float64(r.Num) / float64(r.Den) }

// less reports r < o without overflow for the small ratios used here.
func (r Ratio) less(o Ratio) bool { return r.Num*o.Den < o.Num*r.Den }

// ratioOf builds a reduced ratio.
func ratioOf(num, den int64) Ratio {
	g := gcd(num, den)
	return Ratio{num / g, den / g}
}

// mul multiplies two ratios exactly (both small).
func (r Ratio) mul(o Ratio) Ratio { return ratioOf(r.Num*o.Num, r.Den*o.Den) }

// sub subtracts exactly.
func (r Ratio) sub(o Ratio) Ratio { return ratioOf(r.Num*o.Den-o.Num*r.Den, r.Den*o.Den) }

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return 1
	}
	return a
}

// winOn is the rounding rule: the net win on a stake is the exact value
// stake*Num/Den rounded down to a whole micro-unit. The fraction (always
// under one micro-unit) stays with the bank, so rounding never favours the
// player and never creates money. It returns false if the result would not
// fit in an int64.
func (r Ratio) winOn(stake Micros) (Micros, bool) {
	if stake < 0 || r.Num < 0 || r.Den <= 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(uint64(stake), uint64(r.Num))
	if hi >= uint64(r.Den) {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, uint64(r.Den))
	if q > 1<<63-1 {
		return 0, false
	}
	return Micros(q), true
}

// addChecked adds two non-negative amounts, reporting overflow.
func addChecked(a, b Micros) (Micros, bool) {
	s := a + b
	if a < 0 || b < 0 || s < a {
		return 0, false
	}
	return s, true
}

// mulCapped multiplies two non-negative amounts, saturating at the largest
// int64 instead of wrapping (a limit that saturates only gets stricter).
func mulCapped(a, b int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if a < 0 || b < 0 || hi != 0 || lo > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(lo)
}

// moneyAtTable is bank + chips + stakes, the quantity every operation but
// buy-ins, cash-outs and bank funding conserves; ok is false on overflow.
// Keeping it inside an int64 keeps every single balance inside one too.
func moneyAtTable(s State) (Micros, bool) {
	sum, ok := s.bank, s.bank >= 0
	for _, p := range s.seats {
		if sum, ok = addCheckedIf(ok, sum, p.Chips); !ok {
			return 0, false
		}
	}
	for _, w := range s.wagers {
		if sum, ok = addCheckedIf(ok, sum, w.Stake); !ok {
			return 0, false
		}
	}
	return sum, ok
}

func addCheckedIf(ok bool, a, b Micros) (Micros, bool) {
	if !ok {
		return 0, false
	}
	return addChecked(a, b)
}
