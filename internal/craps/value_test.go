package craps

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ratFloor is stake × num/den rounded down, computed apart from the code
// under test.
func ratFloor(stake Micros, num, den int64) Micros {
	q := new(big.Int).Mul(big.NewInt(stake), big.NewInt(num))
	return q.Quo(q, big.NewInt(den)).Int64()
}

// pointTable is a table whose point is p, set by a come-out roll.
func pointTable(t *testing.T, p int) State {
	t.Helper()
	s, _ := mustApply(t, newTable(t, testRules()), rollOf(p))
	return s
}

func mustReturn(t *testing.T, s State, w Wager) Micros {
	t.Helper()
	v, err := ExpectedReturn(s, w)
	if err != nil {
		t.Fatalf("value of %s: %v", w.Bet.ID(), err)
	}
	return v
}

// TestExpectedReturnByHand checks the value of each family of bets against
// the probability of winning computed by hand: P(n before 7) = ways(n) /
// (ways(n) + 6), one-roll bets by counting the 36 rolls.
func TestExpectedReturnByHand(t *testing.T) {
	const stake = 30 * crap
	type position struct {
		name string
		// at builds the position and returns the wager to value.
		at       func(t *testing.T) (State, Wager)
		num, den int64 // the exact return per unit staked
	}
	// lineOn places a line bet on the come-out and rolls its point.
	lineOn := func(kind BetKind, p int) func(t *testing.T) (State, Wager) {
		return func(t *testing.T) (State, Wager) {
			s, w := mustPlace(t, newTable(t, testRules()), alice, Bet{Kind: kind}, stake)
			s, _ = mustApply(t, s, rollOf(p))
			return s, s.wagerBySeq(w.Seq)
		}
	}
	// onPoint places b with the point on p (odds behind their line bet).
	onPoint := func(p int, b Bet) func(t *testing.T) (State, Wager) {
		return func(t *testing.T) (State, Wager) {
			s := newTable(t, testRules())
			if line := b.Kind.spec().line; line != 0 {
				s, _ = mustPlace(t, s, alice, Bet{Kind: line}, stake)
			}
			s, _ = mustApply(t, s, rollOf(p))
			return mustPlace(t, s, alice, b, stake)
		}
	}
	// comeOut places b on a fresh table.
	comeOut := func(b Bet) func(t *testing.T) (State, Wager) {
		return func(t *testing.T) (State, Wager) { return mustPlace(t, newTable(t, testRules()), alice, b, stake) }
	}
	cases := []position{
		// Pass on its point wins 1:1 with P(p before 7).
		{"pass on 4", lineOn(KindPass, 4), 2 * 3, 9},
		{"pass on 5", lineOn(KindPass, 5), 2 * 4, 10},
		{"pass on 6", lineOn(KindPass, 6), 2 * 5, 11},
		{"pass on 8", lineOn(KindPass, 8), 2 * 5, 11},
		{"pass on 9", lineOn(KindPass, 9), 2 * 4, 10},
		{"pass on 10", lineOn(KindPass, 10), 2 * 3, 9},
		{"dont pass on 4", lineOn(KindDontPass, 4), 2 * 6, 9},
		{"dont pass on 5", lineOn(KindDontPass, 5), 2 * 6, 10},
		{"dont pass on 6", lineOn(KindDontPass, 6), 2 * 6, 11},
		// Fresh line bets: one minus the published edge.
		{"pass on the come-out", comeOut(Bet{Kind: KindPass}), 495 - 7, 495},
		{"dont pass on the come-out", comeOut(Bet{Kind: KindDontPass}), 220 - 3, 220},
		{"come before its point", onPoint(8, Bet{Kind: KindCome}), 495 - 7, 495},
		// Odds pay true odds: worth exactly the stake.
		{"pass odds on 4", onPoint(4, Bet{Kind: KindPassOdds}), 1, 1},
		{"pass odds on 6", onPoint(6, Bet{Kind: KindPassOdds}), 1, 1},
		{"dont pass odds on 4", onPoint(4, Bet{Kind: KindDontPassOdds}), 1, 1},
		{"dont pass odds on 9", onPoint(9, Bet{Kind: KindDontPassOdds}), 1, 1},
		// Place and Buy on the point itself: the point's roll wins them
		// before the table turns.
		{"place 6 on point 6", onPoint(6, Bet{Kind: KindPlace, Number: 6}), 5 * 13, 11 * 6},
		{"place 4 on point 4", onPoint(4, Bet{Kind: KindPlace, Number: 4}), 3 * 14, 9 * 5},
		{"buy 4 on point 4", onPoint(4, Bet{Kind: KindBuy, Number: 4}), 59, 60},
		{"lay 4", onPoint(5, Bet{Kind: KindLay, Number: 4}), 59, 60},
		{"place to lose 6", onPoint(5, Bet{Kind: KindPlaceToLose, Number: 6}), 6 * 9, 11 * 5},
		{"big 8", comeOut(Bet{Kind: KindBig, Number: 8}), 10, 11},
		// Hard 8 on point 8: 4-4 before 7 or an easy 8, 1 way in 11.
		{"hard 8 on point 8", onPoint(8, Bet{Kind: KindHard, Number: 8}), 10, 11},
		// One-roll bets on the come-out.
		{"field", comeOut(Bet{Kind: KindField}), 35, 36},
		{"any 7", comeOut(Bet{Kind: KindAny7}), 5, 6},
		{"any craps", comeOut(Bet{Kind: KindAnyCraps}), 8, 9},
		{"yo", comeOut(Bet{Kind: KindYo}), 2 * 16, 36},
		{"horn", comeOut(Bet{Kind: KindHorn}), 7, 8},
		{"hop 3 3", comeOut(Bet{Kind: KindHop, Number: 33}), 31, 36},
	}
	for _, c := range cases {
		s, w := c.at(t)
		if got, want := mustReturn(t, s, w), ratFloor(w.Stake, c.num, c.den); got != want {
			t.Errorf("%s (%s, stake %d): value %d, want %d = stake × %d/%d", c.name, w.Bet.ID(), w.Stake, got, want, c.num, c.den)
		}
	}
}

// TestExpectedReturnRoundsEachWinDown: odds of 3:2 on an odd stake pay a
// win rounded down, and the value is the mean of the rounded returns, not
// the unrounded mean: 1,000,001 on Pass Odds 5 wins 1,500,001 (not
// 1,500,001.5) with probability 2/5, so it is worth 1,000,000.8, which
// rounds down to 1,000,000.
func TestExpectedReturnRoundsEachWinDown(t *testing.T) {
	rules := testRules()
	rules.MinBet = 1
	s, _ := mustPlace(t, newTable(t, rules), alice, Bet{Kind: KindPass}, 10*crap)
	s, _ = mustApply(t, s, rollOf(5))
	s, w := mustPlace(t, s, alice, Bet{Kind: KindPassOdds}, 1_000_001)
	if got := mustReturn(t, s, w); got != 1_000_000 {
		t.Fatalf("pass odds on 5 with 1000001 worth %d, want 1000000", got)
	}
	s, w = mustPlace(t, s, bob, Bet{Kind: KindPlace, Number: 5}, 5)
	// Place 5 pays 7:5 (5 → 7 exactly) with P = 4/10 while a point is on
	// (the point 5 wins it first): 0.4 × 12 = 4.8 → 4.
	if got := mustReturn(t, s, w); got != 4 {
		t.Fatalf("place 5 with 5 micro-CRAP worth %d, want 4", got)
	}
}

func TestExpectedReturnRefusesAWagerNotOnTheTable(t *testing.T) {
	s, w := mustPlace(t, newTable(t, testRules()), alice, Bet{Kind: KindPass}, 10*crap)
	w.Stake++
	_, err := ExpectedReturn(s, w)
	wantErr(t, err, ErrNoSuchWager)
}

// TestValueFromPlacementIsOneMinusTheEdge: from the placement states,
// weighted as the house edge weighs them, the value per unit staked is
// exactly 1 − the exact edge, for every bet solved exactly; Hot Roller's
// (exact here, estimated by the edge code) lies within its estimate's
// 99% interval.
func TestValueFromPlacementIsOneMinusTheEdge(t *testing.T) {
	rules := DefaultRules()
	for _, b := range AllBets() {
		mean, total := new(big.Rat), int64(0)
		for _, st := range starts(b) {
			k, frozen := st.key, b.Kind == KindHotRoller
			switch {
			case frozen:
				k.t = hotRollerTable
			case b.Kind.spec().blind:
				k.t = table{}
			}
			u, err := solveUnitReturn(k, frozen, &rules)
			if err != nil {
				t.Fatalf("%s: %v", b.ID(), err)
			}
			mean.Add(mean, new(big.Rat).Mul(u.perUnit, big.NewRat(st.weight, 1)))
			total += st.weight
		}
		mean.Quo(mean, big.NewRat(total, 1))
		var edge HouseEdge
		var err error
		if b.Kind == KindHotRoller {
			edge, err = EstimateEdge(b, rules, 40_000, sha256.Sum256([]byte("hot roller value test")))
		} else {
			edge, err = ExactEdge(b, rules)
		}
		if err != nil {
			t.Fatal(err)
		}
		if edge.Method == Exact {
			if want := new(big.Rat).Sub(big.NewRat(1, 1), edge.Rat); mean.Cmp(want) != 0 {
				t.Errorf("%s: value per unit %s, want 1 − edge = %s", b.ID(), mean.RatString(), want.RatString())
			}
			continue
		}
		f, _ := mean.Float64()
		if pct := (1 - f) * 100; pct < edge.Low || pct > edge.High {
			t.Errorf("%s: exact edge %.4f%% outside the estimate's 99%% interval [%.4f, %.4f]", b.ID(), pct, edge.Low, edge.High)
		}
	}
}

// TestHotRollerReductionMatchesTheFullChain checks the reduction behind
// hotRollerTable where the full chain is small enough to solve: with 9 of
// the 14 combinations marked, from every table phase and point.
func TestHotRollerReductionMatchesTheFullChain(t *testing.T) {
	rules := DefaultRules()
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 2; trial++ {
		var progress uint32
		for _, i := range rng.Perm(14)[:9] {
			progress |= 1 << i
		}
		l := live{bet: Bet{Kind: KindHotRoller}, progress: progress}
		reduced, err := solveReturn(chainKey{t: hotRollerTable, l: l}, true, &rules, perUnitTerminal)
		if err != nil {
			t.Fatal(err)
		}
		tables := []table{{phase: ComeOut}}
		for _, p := range pointNumbers {
			tables = append(tables, table{phase: Point, point: p})
		}
		for _, tb := range tables {
			full, err := solveReturn(chainKey{t: tb, l: l}, false, &rules, perUnitTerminal)
			if err != nil {
				t.Fatal(err)
			}
			if full.Cmp(reduced) != 0 {
				t.Fatalf("progress %014b at %+v: full chain %s, reduced %s", progress, tb, full.RatString(), reduced.RatString())
			}
		}
	}
}

// perUnitTerminal is the unrounded return per unit staked.
func perUnitTerminal(v verdict) (*big.Rat, error) {
	switch v.result {
	case Win:
		return new(big.Rat).Add(big.NewRat(1, 1), v.win.Rat()), nil
	case Push:
		return big.NewRat(1, 1), nil
	}
	return new(big.Rat), nil
}

// randomTable plays a seeded random game (random bets by four players,
// seeded dice) and returns the table after rolls rolls.
func randomTable(t *testing.T, seed uint64, rolls int) State {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x76616c7565))
	var diceSeed [32]byte
	binary.BigEndian.PutUint64(diceSeed[:], seed)
	dice := NewDiceStream(diceSeed)
	s, players := fourPlayerTable(t, DefaultRules())
	bets := AllBets()
	for round := 0; round < rolls; round++ {
		for k := rng.IntN(7); k > 0; k-- {
			// Odd stakes too, so that wins get rounded.
			stake := Micros(1+rng.IntN(60))*crap + Micros(rng.IntN(7))
			if ns, _, err := PlaceBet(s, players[rng.IntN(len(players))], bets[rng.IntN(len(bets))], stake); err == nil {
				s = ns
			}
		}
		s, _ = mustApply(t, s, dice.Roll())
	}
	return s
}

// TestExpectedReturnIsTheMeanOfTheNextRoll is the Markov property, with
// Apply as the judge: over seeded random tables, each open wager's exact
// value is the mean over the 36 rolls of what Apply returns to the player
// on that roll if the wager resolves, else of the exact value, in the
// same solved chain, of the state Apply leads to. ExpectedReturn is that
// value rounded down, never below 0 or above the stake plus its largest
// win, and ExpectedReturns agrees with it wager by wager.
func TestExpectedReturnIsTheMeanOfTheNextRoll(t *testing.T) {
	checked := 0
	for seed := uint64(1); seed <= 30; seed++ {
		s := randomTable(t, seed, 20+int(seed))
		all, err := ExpectedReturns(s)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		for i, w := range s.Wagers() {
			k, frozen := newValuer(s).chainStart(w)
			sv, id, err := solveChain(k, frozen, &s.rules, func(vd verdict) (*big.Rat, error) { return returnOn(w.Stake, vd) })
			if err != nil {
				t.Fatalf("seed %d %s: %v", seed, w.Bet.ID(), err)
			}
			exact := sv.nodes[id].v1
			got := mustReturn(t, s, w)
			if got != all[i] || got != floorMicros(exact) {
				t.Fatalf("seed %d %s: ExpectedReturn %d, ExpectedReturns %d, exact %s", seed, w.Bet.ID(), got, all[i], exact.FloatString(3))
			}
			maxWin, _ := maxWinRatio(w.Bet, &s.rules).winOn(w.Stake)
			if got < 0 || got > w.Stake+maxWin {
				t.Fatalf("seed %d %s stake %d: value %d outside [0, %d]", seed, w.Bet.ID(), w.Stake, got, w.Stake+maxWin)
			}
			mean := new(big.Rat)
			for _, r := range allRolls {
				next, outs := mustApply(t, s, r)
				for _, o := range outs {
					if o.Seq != w.Seq {
						continue
					}
					if o.Result.Resolved() {
						mean.Add(mean, new(big.Rat).SetInt64(o.ChipsDelta()))
						continue
					}
					nk, _ := newValuer(next).chainStart(next.wagerBySeq(w.Seq))
					to, ok := sv.ids[nk]
					if !ok {
						t.Fatalf("seed %d %s: roll %s leads to %+v, which the chain never reached", seed, w.Bet.ID(), r, nk)
					}
					mean.Add(mean, sv.nodes[to].v1)
				}
			}
			mean.Quo(mean, big.NewRat(36, 1))
			if mean.Cmp(exact) != 0 {
				t.Fatalf("seed %d %s (wager %+v, table %s %d): value %s, mean over the next roll %s",
					seed, w.Bet.ID(), w, s.Phase(), s.Point(), exact.FloatString(6), mean.FloatString(6))
			}
			checked++
		}
	}
	t.Logf("%d wagers checked", checked)
	if checked < 50 {
		t.Fatalf("only %d wagers checked; the random tables hold too few", checked)
	}
}

func (s State) wagerBySeq(seq uint64) Wager {
	for _, w := range s.wagers {
		if w.Seq == seq {
			return w
		}
	}
	panic("no wager")
}

// TestExpectedReturnAgreesWithPlay plays wagers out with Apply and seeded
// dice from a position mid-way through their life and checks that the
// mean return lies within the 99% interval around the value (Bonferroni
// over the positions), for the bets with the longest chains: Hot Roller
// (fresh and with combinations marked), Fire and Replay with points made,
// and a Place bet off on the come-out.
func TestExpectedReturnAgreesWithPlay(t *testing.T) {
	type position struct {
		name  string
		s     State
		w     Wager
		rolls []Roll // played before the valuation
	}
	const stake = 10 * crap
	fresh := newTable(t, testRules())
	var positions []position
	add := func(name string, b Bet, rolls ...Roll) {
		s, w := mustPlace(t, fresh, alice, b, stake)
		for _, r := range rolls {
			s, _ = mustApply(t, s, r)
		}
		positions = append(positions, position{name: name, s: s, w: s.wagerBySeq(w.Seq), rolls: rolls})
	}
	add("hot roller fresh", Bet{Kind: KindHotRoller})
	add("hot roller marked", Bet{Kind: KindHotRoller}, roll(3, 1), roll(2, 2), roll(1, 3), roll(6, 4), roll(5, 5), roll(2, 4))
	add("fire with 4 and 6 made", Bet{Kind: KindFire}, roll(1, 3), roll(2, 2), roll(3, 3), roll(1, 5))
	add("replay with 8 made", Bet{Kind: KindReplay}, roll(4, 4), roll(2, 6), roll(3, 3))
	// Place 6 with the point on 8: off when the 8 comes and a 7 follows.
	s8 := pointTable(t, 8)
	s8, w := mustPlace(t, s8, alice, Bet{Kind: KindPlace, Number: 6}, stake)
	positions = append(positions, position{name: "place 6 on point 8", s: s8, w: w})

	const trials = 4_000
	z := simultaneousZ(len(positions))
	for _, p := range positions {
		value := float64(mustReturn(t, p.s, p.w))
		seed := sha256.Sum256([]byte("value play " + p.name))
		dice := NewDiceStream(seed)
		var sum, sumSq float64
		for i := 0; i < trials; i++ {
			x := float64(playOut(t, p.s, p.w.Seq, dice))
			sum += x
			sumSq += x * x
		}
		mean := sum / trials
		sd := math.Sqrt((sumSq - trials*mean*mean) / (trials - 1))
		if half := z * sd / math.Sqrt(trials); math.Abs(mean-value) > half+1 {
			t.Errorf("%s: value %.0f, played mean %.0f ± %.0f (seed %x)", p.name, value, mean, half, seed[:8])
		}
	}
}

// playOut rolls until wager seq resolves and returns what it gave back.
func playOut(t *testing.T, s State, seq uint64, dice *DiceStream) Micros {
	for n := 0; n < maxRollsPerTrial; n++ {
		var outs []Outcome
		s, outs = mustApply(t, s, dice.Roll())
		for _, o := range outs {
			if o.Seq == seq && o.Result.Resolved() {
				return o.ChipsDelta()
			}
		}
	}
	t.Fatalf("wager %d unresolved after %d rolls", seq, maxRollsPerTrial)
	return 0
}
