package craps

import (
	"fmt"
	"math/big"
)

// The exact value of an open wager: what it is worth to its player if the
// table ends now (a dissolved table, DESIGN.md "Table lifecycle"). It is
// the expected amount the wager will return to the player's chips — stake
// plus win on a win, the stake on a push, nothing on a loss — from where
// it stands (the table's phase and point, the wager's number and
// progress), with every win rounded down exactly as Apply rounds it,
// computed in exact rational arithmetic over the same Markov chain and
// step function as the house edges (edge.go), then rounded down to a
// whole micro-unit.
//
// Why this rule: a dissolution then pays every wager what playing it out
// would pay on average, so nobody gains by causing one. A player holding a
// Pass bet on 4 (worth 2/3 of its stake) cannot turn it into a refund by
// going quiet, and a bank facing a Don't Pass on 4 (worth 4/3) cannot
// escape it either. The only difference from the true mean is the final
// rounding, under one micro-unit per wager and always to the bank, so a
// dissolution never creates money: the bank gets every stake minus every
// value, and it holds at least Liability, the most the wagers could ever
// win, so its share is never negative.

// valueStateLimit bounds the Markov states behind one wager's value. Every
// chain but Hot Roller's is within ExactStateLimit (Bonus All and Replay
// need about 5,100 from their placement); Hot Roller's, reduced to its
// progress alone (see hotRollerTable), has 2^14 = 16,384 from placement
// and fewer once any combination is marked.
const valueStateLimit = 20_000

// hotRollerTable is the one table a Hot Roller wager's chain is solved at.
// A Hot Roller only ever looks at rolls made while a point is on: come-out
// rolls neither mark a combination nor end it, and the table's point does
// not matter. Dice are independent of the past, so the rolls made while a
// point is on are, in order, independent and uniform over the 36 outcomes,
// and a come-out phase always ends. The wager's fate is therefore exactly
// that of the same wager on a table frozen in the point phase, whatever
// the table does now — a chain over the 14 progress bits alone instead of
// 2^14 × 7 table states, small enough to solve exactly (a test checks the
// reduction against the full chain where both are small).
var hotRollerTable = table{phase: Point}

// ExpectedReturn is the exact value of the open wager w of state s: the
// expected amount it returns to its player (stake plus expected win) if
// played out from s, rounded down to a whole micro-unit. The error wraps
// ErrNoSuchWager if w is not an open wager of s.
func ExpectedReturn(s State, w Wager) (Micros, error) {
	for _, o := range s.wagers {
		if o == w {
			return newValuer(s).value(w)
		}
	}
	return 0, fmt.Errorf("value wager %d (%s of %s): %w", w.Seq, w.Bet.ID(), w.Player, ErrNoSuchWager)
}

// ExpectedReturns values every open wager of s (see ExpectedReturn), in
// the order of s.Wagers. Wagers in the same position share one solve
// (one per stake, where a stake's wins need rounding).
func ExpectedReturns(s State) ([]Micros, error) {
	v := newValuer(s)
	out := make([]Micros, len(s.wagers))
	for i, w := range s.wagers {
		var err error
		if out[i], err = v.value(w); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// valuer values the wagers of one state, remembering each solved chain.
type valuer struct {
	rules Rules
	table table
	units map[chainKey]unitReturn // lookups only
	memo  map[valueKey]Micros     // lookups only
}

// unitReturn is the expected return per unit staked from one chain state,
// before any rounding, and the least common multiple of the denominators
// of every win ratio the wager can still be paid at (0 if too large to
// matter). For a stake that this multiple divides, every win is a whole
// number of micro-units, Apply rounds nothing, and the expected return is
// exactly stake × perUnit: one solve serves every such stake. Other
// stakes get a solve of their own with Apply's rounding.
type unitReturn struct {
	perUnit *big.Rat
	denLCM  int64
}

type valueKey struct {
	key   chainKey
	stake Micros
}

func newValuer(s State) *valuer {
	return &valuer{
		rules: s.rules, table: table{phase: s.phase, point: s.point},
		units: map[chainKey]unitReturn{}, memo: map[valueKey]Micros{},
	}
}

func (v *valuer) value(w Wager) (Micros, error) {
	if !w.Bet.Kind.Known() || w.Stake <= 0 {
		return 0, fmt.Errorf("value wager %d (%s, stake %d): %w", w.Seq, w.Bet.ID(), w.Stake, ErrInvalidAmount)
	}
	k, frozen := v.chainStart(w)
	u, ok := v.units[k]
	if !ok {
		var err error
		if u, err = solveUnitReturn(k, frozen, &v.rules); err != nil {
			return 0, fmt.Errorf("value wager %d (%s of %s): %w", w.Seq, w.Bet.ID(), w.Player, err)
		}
		v.units[k] = u
	}
	if u.denLCM != 0 && w.Stake%u.denLCM == 0 {
		return floorMicros(new(big.Rat).Mul(u.perUnit, new(big.Rat).SetInt64(w.Stake))), nil
	}
	vk := valueKey{key: k, stake: w.Stake}
	if m, ok := v.memo[vk]; ok {
		return m, nil
	}
	r, err := solveReturn(k, frozen, &v.rules, func(vd verdict) (*big.Rat, error) { return returnOn(w.Stake, vd) })
	if err != nil {
		return 0, fmt.Errorf("value wager %d (%s of %s): %w", w.Seq, w.Bet.ID(), w.Player, err)
	}
	m := floorMicros(r)
	v.memo[vk] = m
	return m, nil
}

// chainStart is the wager's state in its Markov chain: the table as it is
// (dropped for blind kinds, as the edge solver does), and whether the
// chain keeps the table frozen (Hot Roller).
func (v *valuer) chainStart(w Wager) (chainKey, bool) {
	k := chainKey{t: v.table, l: live{bet: w.Bet, progress: w.Progress}}
	switch {
	case w.Bet.Kind == KindHotRoller:
		k.t = hotRollerTable
		return k, true
	case w.Bet.Kind.spec().blind:
		k.t = table{}
	}
	return k, false
}

// maxDenLCM caps unitReturn.denLCM: no stake is a multiple of a larger one
// that matters, and the cap keeps the product inside an int64.
const maxDenLCM = 1 << 40

// solveUnitReturn solves the expected return per unit staked, unrounded.
func solveUnitReturn(k chainKey, frozen bool, rules *Rules) (unitReturn, error) {
	lcm := int64(1)
	perUnit, err := solveReturn(k, frozen, rules, func(vd verdict) (*big.Rat, error) {
		switch vd.result {
		case Win:
			if lcm != 0 {
				if lcm = lcm / gcd(lcm, vd.win.Den) * vd.win.Den; lcm > maxDenLCM {
					lcm = 0
				}
			}
			return new(big.Rat).Add(big.NewRat(1, 1), vd.win.Rat()), nil
		case Push:
			return big.NewRat(1, 1), nil
		}
		return new(big.Rat), nil
	})
	return unitReturn{perUnit: perUnit, denLCM: lcm}, err
}

// solveReturn solves E[terminal] from chain state k.
func solveReturn(k chainKey, frozen bool, rules *Rules, terminal func(verdict) (*big.Rat, error)) (*big.Rat, error) {
	sv, id, err := solveChain(k, frozen, rules, terminal)
	if err != nil {
		return nil, err
	}
	return sv.nodes[id].v1, nil
}

// solveChain solves every state reachable from k and returns the solver
// (its ids and nodes hold each state's value) and k's node.
func solveChain(k chainKey, frozen bool, rules *Rules, terminal func(verdict) (*big.Rat, error)) (*solver, int, error) {
	from := []start{{key: k, weight: 1}}
	if n := countStates(from, rules, frozen, valueStateLimit); n > valueStateLimit {
		return nil, 0, fmt.Errorf("more than %d states: %w", valueStateLimit, ErrChainTooLarge)
	}
	sv := &solver{
		rules: rules, ids: map[chainKey]int{}, limit: valueStateLimit, maxWin: Ratio{0, 1},
		terminal: terminal, frozen: frozen,
	}
	id := sv.visit(k)
	return sv, id, sv.err
}

// returnOn is what a resolution gives back to the player's chips, in
// micro-units, rounded as Apply rounds it (Outcome.ChipsDelta).
func returnOn(stake Micros, v verdict) (*big.Rat, error) {
	switch v.result {
	case Win:
		win, ok := v.win.winOn(stake)
		if !ok {
			return nil, fmt.Errorf("win on %d at %s: %w", stake, v.win, ErrInvalidAmount)
		}
		return new(big.Rat).SetInt64(stake + win), nil
	case Push:
		return new(big.Rat).SetInt64(stake), nil
	}
	return new(big.Rat), nil
}

// floorMicros rounds a non-negative amount down to a whole micro-unit (the
// rational is at most a stake plus its largest win, which fits an int64).
func floorMicros(r *big.Rat) Micros {
	return new(big.Int).Quo(r.Num(), r.Denom()).Int64()
}
