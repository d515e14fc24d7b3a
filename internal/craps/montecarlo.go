package craps

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
)

// z99 is the two-sided 99% quantile of the standard normal distribution.
const z99 = 2.5758293035489004

// maxRollsPerTrial bounds one simulated bet. The longest-lived bets resolve
// within a few dozen rolls on average; a million rolls without resolving
// means a rule that never resolves, which is reported, not waited out.
const maxRollsPerTrial = 1_000_000

// DefaultTrials is the number of simulated bets behind an estimated edge
// in HouseEdges: it pins Hot Roller's edge to about ±1 point at 99%
// confidence in a couple of seconds, which `bitcraps rules` can afford.
const DefaultTrials = 2_000_000

// EstimateEdge estimates a bet's house edge by simulating trials bets from
// their placement state to their resolution with dice drawn from the seed,
// and gives the 99% confidence interval of the mean (normal approximation).
// The same seed gives the same estimate on every machine.
func EstimateEdge(b Bet, rules Rules, trials int, seed [32]byte) (HouseEdge, error) {
	if err := b.validate(); err != nil {
		return HouseEdge{}, err
	}
	if err := rules.Validate(); err != nil {
		return HouseEdge{}, err
	}
	if trials < 2 {
		return HouseEdge{}, fmt.Errorf("estimate %s with %d trials: need at least 2: %w", b.ID(), trials, ErrInvalidAmount)
	}
	ss := starts(b)
	var totalWeight int64
	for _, st := range ss {
		totalWeight += st.weight
	}
	dice := NewDiceStream(seed)
	var sum, sumSq float64
	maxWin := Ratio{0, 1}
	for i := 0; i < trials; i++ {
		v, err := simulateOne(pickStart(ss, int64(i)%totalWeight), &rules, dice)
		if err != nil {
			return HouseEdge{}, fmt.Errorf("estimate %s trial %d: %w", b.ID(), i, err)
		}
		x := -1.0
		switch v.result {
		case Win:
			x = v.win.Float()
			if maxWin.less(v.win) {
				maxWin = v.win
			}
		case Push:
			x = 0
		}
		sum += x
		sumSq += x * x
	}
	n := float64(trials)
	mean := sum / n
	sd := sqrtNonNeg((sumSq - n*mean*mean) / (n - 1))
	half := z99 * sd / math.Sqrt(n) * 100
	pct := -mean * 100
	return HouseEdge{Bet: b, Method: Estimated, Percent: pct, Low: pct - half, High: pct + half,
		StdDev: sd, MaxWin: maxWin, Trials: trials}, nil
}

// pickStart stratifies trials over the weighted placement states.
func pickStart(ss []start, k int64) chainKey {
	for _, st := range ss {
		if k < st.weight {
			return st.key
		}
		k -= st.weight
	}
	return ss[len(ss)-1].key
}

// simulateOne plays one bet to its resolution.
func simulateOne(k chainKey, rules *Rules, dice *DiceStream) (verdict, error) {
	t, l := k.t, k.l
	for n := 0; n < maxRollsPerTrial; n++ {
		r := dice.Roll()
		if v := step(&l, t, r, rules); v.result != Stays {
			return v, nil
		}
		t, _, _ = t.next(r)
	}
	return verdict{}, fmt.Errorf("unresolved after %d rolls", maxRollsPerTrial)
}

// edgeSeed is the fixed seed of a bet's published estimate, so `bitcraps
// rules` prints the same numbers everywhere.
func edgeSeed(b Bet) [32]byte {
	return sha256.Sum256([]byte("bitcraps/house-edge/v1/" + b.ID()))
}

// EdgeOf is a bet's house edge: exact when the chain is small enough,
// otherwise estimated with DefaultTrials from the bet's fixed seed.
func EdgeOf(b Bet, rules Rules) (HouseEdge, error) {
	return edgeOf(b, rules, DefaultTrials)
}

func edgeOf(b Bet, rules Rules, trials int) (HouseEdge, error) {
	e, err := ExactEdge(b, rules)
	if err == nil || !errors.Is(err, ErrChainTooLarge) {
		return e, err
	}
	return EstimateEdge(b, rules, trials, edgeSeed(b))
}
