package craps

import (
	"crypto/sha256"
	"math"
	"testing"
)

// The long-run check. Every bet in the catalog gets its own seeded table
// and player and is kept on that table (placed again as soon as the rules
// allow after it resolves), all through PlaceBets and Apply with real
// micro-unit amounts; odds bets keep their line bet beside them. Each bet's
// average result per unit staked must land inside its house edge's 99%
// interval. Separate tables give every bet its own dice, so the 129 checks
// are independent; the intervals are simultaneous over all of them
// (Bonferroni), making the whole check one 99% statement, and use the
// larger of the exact and the observed standard deviation.
//
// TestLongRunQuick runs 3x10^4 rolls per bet (3.9 million in all) in the
// normal suite, where the race detector makes every roll expensive;
// BenchmarkLongRun (make bench) runs 10^6 rolls per bet.

const longRunStake = 100 * crap // large, so rounding down (< 1 micro) is noise

// lrTable plays one bet on its own table.
type lrTable struct {
	bet      Bet
	s        State
	dice     *DiceStream
	measured uint64 // the open measured wager, 0 if none
	box      uint64 // the line bet carrying odds before it has a number
	carriers map[uint64]bool
	n        int
	sum      float64
	sumSq    float64
}

const lrPlayer = "player"

func newLRTable(tb testing.TB, b Bet, label string) *lrTable {
	rules := DefaultRules()
	rules.MaxBet = 10_000 * crap
	s, err := NewState(rules, 1_000_000_000*crap)
	if err == nil {
		s, err = Seat(s, lrPlayer, 1_000_000_000*crap)
	}
	if err != nil {
		tb.Fatal(err)
	}
	seed := sha256.Sum256([]byte(label + "/" + b.ID()))
	return &lrTable{bet: b, s: s, dice: NewDiceStream(seed), carriers: map[uint64]bool{}}
}

func placeable(k BetKind, phase Phase) bool {
	switch kinds[k].when {
	case comeOutOnly:
		return phase == ComeOut
	case pointOnly:
		return phase == Point
	}
	return true
}

// orders is what the table's player places before the next roll.
func (lt *lrTable) orders() []Order {
	var orders []Order
	phase := lt.s.Phase()
	line := lt.bet.Kind.spec().line
	if line != 0 && lt.box == 0 && len(lt.carriers) == 0 && placeable(line, phase) {
		orders = append(orders, Order{Player: lrPlayer, Bet: Bet{Kind: line}, Stake: longRunStake})
	}
	ready := placeable(lt.bet.Kind, phase)
	switch {
	case lt.bet.Kind == KindPassOdds || lt.bet.Kind == KindDontPassOdds:
		ready = ready && lt.box != 0
	case line != 0:
		ready = ready && len(lt.carriers) > 0
	}
	if lt.measured == 0 && ready {
		orders = append(orders, Order{Player: lrPlayer, Bet: lt.bet, Stake: longRunStake})
	}
	return orders
}

func (lt *lrTable) step(tb testing.TB) {
	if orders := lt.orders(); len(orders) > 0 {
		s, ws, err := PlaceBets(lt.s, orders)
		if err != nil {
			tb.Fatalf("%s roll %d: %v", lt.bet.ID(), lt.s.Rolls(), err)
		}
		lt.s = s
		for _, w := range ws {
			if w.Bet.Kind == lt.bet.Kind {
				lt.measured = w.Seq
			} else {
				lt.box = w.Seq
			}
		}
	}
	s, outs, err := Apply(lt.s, lt.dice.Roll())
	if err != nil {
		tb.Fatalf("%s roll %d: %v", lt.bet.ID(), lt.s.Rolls(), err)
	}
	lt.s = s
	for _, o := range outs {
		lt.track(o)
	}
}

// track follows the measured wager and the line bets carrying odds.
func (lt *lrTable) track(o Outcome) {
	switch {
	case o.Seq == lt.measured && o.Result.Resolved():
		x := -1.0
		switch o.Result {
		case Win:
			x = float64(o.Win) / float64(o.Stake)
		case Push:
			x = 0
		}
		lt.n++
		lt.sum += x
		lt.sumSq += x * x
		lt.measured = 0
	case o.Seq == lt.box && o.Result.Resolved():
		lt.box = 0
	case o.Seq == lt.box && (o.Bet.Kind == KindCome || o.Bet.Kind == KindDontCome) && o.Bet.Number != 0:
		// A Come carrier travelled: it carries odds only on the row's number.
		lt.box = 0
		if o.Bet.Number == lt.bet.Number {
			lt.carriers[o.Seq] = true
		}
	case lt.carriers[o.Seq] && o.Result.Resolved():
		delete(lt.carriers, o.Seq)
	}
}

// runLongRun plays rolls rolls for every bet and checks each against its
// house edge (estimated edges with trials trials).
func runLongRun(tb testing.TB, rolls, trials int, label string) {
	rules := DefaultRules()
	z := simultaneousZ(len(AllBets()))
	outside99 := 0
	for _, b := range AllBets() {
		lt := newLRTable(tb, b, label)
		money := totalMoney(lt.s)
		for i := 0; i < rolls; i++ {
			lt.step(tb)
		}
		if got := totalMoney(lt.s); got != money {
			tb.Fatalf("%s: money %d, want %d", b.ID(), got, money)
		}
		e, err := edgeOf(b, rules, trials)
		if err != nil {
			tb.Fatal(err)
		}
		dev, simEdge := lt.deviation(e)
		if dev > z99 {
			outside99++
			tb.Logf("%s: %d bets, simulated edge %.4f%%, house edge %.4f%%: %.2f standard errors", b.ID(), lt.n, simEdge, e.Percent, dev)
		}
		if dev > z || lt.n < 1000 {
			tb.Errorf("%s (label %q): %d bets, simulated edge %.4f%%, house edge %.4f%% (%s): %.2f standard errors apart, limit %.2f",
				b.ID(), label, lt.n, simEdge, e.Percent, e.Method, dev, z)
		}
	}
	tb.Logf("%d rolls per bet, %d bets: %d outside their own 99%% interval (about %.1f expected by chance)",
		rolls, len(AllBets()), outside99, 0.01*float64(len(AllBets())))
}

// deviation is how many standard errors the simulated edge is from e.
func (lt *lrTable) deviation(e HouseEdge) (dev, simEdge float64) {
	n := float64(lt.n)
	mean := lt.sum / n
	sd := math.Max(e.StdDev, math.Sqrt(math.Max(0, lt.sumSq/n-mean*mean)))
	se := sd / math.Sqrt(n)
	if e.Method == Estimated { // the edge itself is uncertain too
		se = math.Hypot(se, e.StdDev/math.Sqrt(float64(e.Trials)))
	}
	simEdge = -mean * 100
	return math.Abs(simEdge-e.Percent) / (se * 100), simEdge
}

func TestLongRunQuick(t *testing.T) {
	runLongRun(t, 30_000, 200_000, "bitcraps long run quick")
}

// BenchmarkLongRun is the full long-run check: 10^6 rolls per bet. It fails
// if any bet's simulated edge leaves its interval. Run it with `make bench`
// or: go test -run '^$' -bench LongRun -benchtime 1x ./internal/craps/
func BenchmarkLongRun(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runLongRun(b, 1_000_000, DefaultTrials, "bitcraps long run")
	}
}
