package craps

import (
	"crypto/sha256"
	"fmt"
	"math"
	"math/big"
	"testing"
)

func exactEdge(t *testing.T, id string, rules Rules) HouseEdge {
	t.Helper()
	b, err := ParseBet(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ExactEdge(b, rules)
	if err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return e
}

// percent3 rounds an exact edge to three decimals, as casinos publish.
func percent3(e HouseEdge) string {
	return new(big.Rat).Mul(e.Rat, big.NewRat(100, 1)).FloatString(3)
}

// TestPublishedHouseEdges compares with the published casino tables, to
// the last printed digit, and with the textbook fractions.
func TestPublishedHouseEdges(t *testing.T) {
	for _, c := range []struct {
		id, percent, fraction string
	}{
		{"pass", "1.414", "7/495"},
		{"come", "1.414", "7/495"},
		{"dont_pass", "1.364", "3/220"},
		{"dont_come", "1.364", "3/220"},
		{"place_6", "1.515", "1/66"},
		{"place_8", "1.515", "1/66"},
		{"place_5", "4.000", "1/25"},
		{"place_9", "4.000", "1/25"},
		{"place_4", "6.667", "1/15"},
		{"place_10", "6.667", "1/15"},
		{"field", "2.778", "1/36"},
		{"hard_6", "9.091", "1/11"},
		{"hard_8", "9.091", "1/11"},
		{"hard_4", "11.111", "1/9"},
		{"hard_10", "11.111", "1/9"},
		{"any_7", "16.667", "1/6"},
		{"any_craps", "11.111", "1/9"},
		{"yo", "11.111", "1/9"},
		{"ace_deuce", "11.111", "1/9"},
		{"boxcars", "13.889", "5/36"},
		{"aces", "13.889", "5/36"},
		{"horn", "12.500", "1/8"},
		{"c_and_e", "11.111", "1/9"},
		{"hop_1_2", "11.111", "1/9"},
		{"hop_3_3", "13.889", "5/36"},
		{"big_6", "9.091", "1/11"},
		{"big_8", "9.091", "1/11"},
		{"buy_4", "1.667", "1/60"},
		{"buy_10", "1.667", "1/60"},
		{"buy_5", "2.000", "1/50"},
		{"buy_6", "2.273", "1/44"},
		{"lay_4", "1.667", "1/60"},
		{"lay_5", "2.000", "1/50"},
		{"lay_6", "2.273", "1/44"},
		{"place_to_lose_4", "3.030", "1/33"},
		{"place_to_lose_5", "2.500", "1/40"},
		{"place_to_lose_6", "1.818", "1/55"},
		{"pass_odds", "0.000", "0"},
		{"dont_pass_odds", "0.000", "0"},
		{"come_odds_4", "0.000", "0"},
		{"dont_come_odds_9", "0.000", "0"},
		// Casino side bets with published pay tables.
		{"fire", "20.763", ""},
		{"bonus_small", "7.761", ""},
		{"bonus_tall", "7.761", ""},
		{"bonus_all", "7.464", ""},
		{"repeater_2", "16.327", "8/49"},
		{"muggsy", "5.556", "1/18"},
		// BitCraps: 2% of the win.
		{"yes_6", "1.091", "6/550"},
		{"no_6", "0.909", "1/110"},
		{"next_7", "1.667", "1/60"},
	} {
		e := exactEdge(t, c.id, DefaultRules())
		if e.Method != Exact {
			t.Fatalf("%s: method %s", c.id, e.Method)
		}
		if got := percent3(e); got != c.percent {
			t.Errorf("%s: house edge %s%%, want %s%%", c.id, got, c.percent)
		}
		if c.fraction != "" {
			want, _ := new(big.Rat).SetString(c.fraction)
			if e.Rat.Cmp(want) != 0 {
				t.Errorf("%s: house edge %s, want %s", c.id, e.Rat.RatString(), want.RatString())
			}
		}
	}
}

func TestFieldTwelveSetting(t *testing.T) {
	r := DefaultRules()
	r.FieldTwelvePays = 2
	if got := percent3(exactEdge(t, "field", r)); got != "5.556" {
		t.Fatalf("field with 12 at 2:1: %s%%, want 5.556%%", got)
	}
}

// TestWorkingOnComeOutKeepsEdges: switching place bets on for the come-out
// changes when they resolve, not their edge per bet resolved.
func TestWorkingOnComeOutKeepsEdges(t *testing.T) {
	r := DefaultRules()
	r.WorkingOnComeOut = true
	for id, want := range map[string]string{"place_6": "1.515", "buy_4": "1.667", "hard_4": "11.111", "come_odds_6": "0.000"} {
		if got := percent3(exactEdge(t, id, r)); got != want {
			t.Errorf("%s working on the come-out: %s%%, want %s%%", id, got, want)
		}
	}
}

// TestEdgeDoesNotDependOnWhenPlaced: a bet that may be placed on any roll
// has the same edge from the come-out and from every point.
func TestEdgeDoesNotDependOnWhenPlaced(t *testing.T) {
	rules := DefaultRules()
	for _, b := range AllBets() {
		if b.Kind.spec().when != anyPhase || b.Kind == KindBonusAll || b.Kind == KindBonusSmall || b.Kind == KindBonusTall {
			continue // Bonus bets: same property, but 7x the states; covered by one point below
		}
		base, err := ExactEdge(b, rules)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pointNumbers {
			from := []start{{key: chainKey{t: table{phase: Point, point: p}, l: live{bet: b}}, weight: 1}}
			e, err := exactFrom(b, rules, from)
			if err != nil {
				t.Fatal(err)
			}
			if e.Rat.Cmp(base.Rat) != 0 {
				t.Errorf("%s placed at point %d: %s, from the come-out %s", b.ID(), p, e.Rat.RatString(), base.Rat.RatString())
			}
		}
	}
	b := Bet{Kind: KindBonusSmall}
	base, _ := ExactEdge(b, rules)
	e, _ := exactFrom(b, rules, []start{{key: chainKey{t: table{phase: Point, point: 4}, l: live{bet: b}}, weight: 1}})
	if e.Rat.Cmp(base.Rat) != 0 {
		t.Errorf("bonus small placed at point 4: %s, want %s", e.Rat.RatString(), base.Rat.RatString())
	}
}

// TestEveryBetFavoursTheHouse: no bet has a negative edge; only odds are
// free of edge. Every exact bet's largest payout equals the one the bank
// reserves for it (maxWinRatio), so Liability is neither short nor loose.
func TestEveryBetFavoursTheHouse(t *testing.T) {
	rules := DefaultRules()
	for _, b := range AllBets() {
		e, err := edgeOf(b, rules, 200_000)
		if err != nil {
			t.Fatal(err)
		}
		isOdds := b.Kind.spec().line != 0
		switch {
		case e.Method == Exact && isOdds && e.Rat.Sign() != 0:
			t.Errorf("%s: odds edge %s, want 0", b.ID(), e.Rat.RatString())
		case e.Method == Exact && !isOdds && e.Rat.Sign() <= 0:
			t.Errorf("%s: edge %s favours the player", b.ID(), e.Rat.RatString())
		case e.Method == Estimated && e.Low <= 0:
			t.Errorf("%s: estimated edge interval %.3f..%.3f reaches the player's side", b.ID(), e.Low, e.High)
		}
		declared := maxWinRatio(b, &rules)
		if e.Method == Exact && e.MaxWin != declared {
			t.Errorf("%s: largest payout %s, the bank reserves %s", b.ID(), e.MaxWin, declared)
		}
		if declared.less(e.MaxWin) {
			t.Errorf("%s: payout %s above the reserved %s", b.ID(), e.MaxWin, declared)
		}
	}
}

func TestHotRollerIsEstimatedReproducibly(t *testing.T) {
	b := Bet{Kind: KindHotRoller}
	_, err := ExactEdge(b, DefaultRules())
	wantErr(t, err, ErrChainTooLarge)
	seed := sha256.Sum256([]byte("hot roller test"))
	e1, err := EstimateEdge(b, DefaultRules(), 30_000, seed)
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := EstimateEdge(b, DefaultRules(), 30_000, seed)
	if e1 != e2 {
		t.Fatalf("same seed, different estimates: %+v %+v", e1, e2)
	}
	if e1.Method != Estimated || e1.Rat != nil || !(e1.Low < e1.Percent && e1.Percent < e1.High) {
		t.Fatalf("estimate %+v", e1)
	}
}

// TestEstimatesAgreeWithExactEdges: the Monte Carlo machinery, run on bets
// whose edge is known exactly, lands within the exact edge's interval.
// The interval uses the exact standard deviation and is simultaneous over
// the bets tested (Bonferroni), so the test is a 99% statement as a whole.
func TestEstimatesAgreeWithExactEdges(t *testing.T) {
	ids := []string{"pass", "dont_pass", "come_odds_4", "place_6", "field", "hard_4", "yes_2", "repeater_6",
		"fire", "bonus_small", "twice_hard", "ride_the_line", "muggsy", "replay", "different_doubles"}
	const trials = 20_000
	z := simultaneousZ(len(ids))
	for _, id := range ids {
		exact := exactEdge(t, id, DefaultRules())
		seed := sha256.Sum256([]byte("estimate test " + id))
		est, err := EstimateEdge(exact.Bet, DefaultRules(), trials, seed)
		if err != nil {
			t.Fatal(err)
		}
		half := z * exact.StdDev / math.Sqrt(trials) * 100
		if math.Abs(est.Percent-exact.Percent) > half {
			t.Errorf("%s: estimate %.3f%%, exact %.3f%% ± %.3f (seed %x)", id, est.Percent, exact.Percent, half, seed[:8])
		}
	}
}

// simultaneousZ is the normal quantile that makes k two-sided intervals
// hold together with 99% confidence (Bonferroni).
func simultaneousZ(k int) float64 {
	return math.Sqrt2 * math.Erfinv(1-0.01/float64(k))
}

func TestCatalogDescribesEveryBet(t *testing.T) {
	infos := Catalog(DefaultRules())
	if len(infos) != len(AllBets()) {
		t.Fatalf("%d catalog rows for %d bets", len(infos), len(AllBets()))
	}
	for _, in := range infos {
		if in.ID == "" || in.Name == "" || in.Payout == "" || in.Payout == "?" || in.Placeable == "" || in.TakeDown == "" || in.ComeOut == "" {
			t.Errorf("incomplete row %+v", in)
		}
		if got := BetKind(in.Wire >> 8); got != in.Bet.Kind || uint8(in.Wire) != in.Bet.Number {
			t.Errorf("%s: wire %d does not encode the bet", in.ID, in.Wire)
		}
	}
	want := map[string]string{
		"place_6": "7:6", "buy_4": "39:20 (2:1 less 5% of the bet)", "lay_4": "19:40 (1:2 less 5% of the win)",
		"field": "1:1; 2 pays 2:1; 12 pays 3:1", "hop_2_5": "15:1", "hop_4_4": "30:1", "yes_2": "147:25 (6:1 less 2%)",
	}
	for _, in := range infos {
		if w, ok := want[in.ID]; ok && in.Payout != w {
			t.Errorf("%s payout %q, want %q", in.ID, in.Payout, w)
		}
	}
}

func ExampleExactEdge() {
	e, _ := ExactEdge(Bet{Kind: KindPass}, DefaultRules())
	fmt.Println(e.Rat.RatString(), new(big.Rat).Mul(e.Rat, big.NewRat(100, 1)).FloatString(3)+"%")
	// Output: 7/495 1.414%
}

// TestBlindKindsIgnoreTheTable justifies the solver dropping the table
// for blind kinds: from every live state such a wager can reach, every
// roll does the same thing whatever the table's phase and point.
func TestBlindKindsIgnoreTheTable(t *testing.T) {
	rules := DefaultRules()
	tables := []table{{phase: ComeOut}}
	for _, p := range pointNumbers {
		tables = append(tables, table{phase: Point, point: p})
	}
	for _, b := range AllBets() {
		if !b.Kind.spec().blind {
			continue
		}
		seen := map[live]bool{{bet: b}: true}
		queue := []live{{bet: b}}
		for len(queue) > 0 && len(seen) < 5000 {
			l := queue[0]
			queue = queue[1:]
			for _, r := range allRolls {
				want := l
				wantV := step(&want, tables[0], r, &rules)
				for _, tb := range tables[1:] {
					got := l
					if v := step(&got, tb, r, &rules); v != wantV || got != want {
						t.Fatalf("%s from %+v on %s: table %+v gives %+v/%+v, come-out gives %+v/%+v",
							b.ID(), l, r, tb, v, got, wantV, want)
					}
				}
				if wantV.result == Stays && !seen[want] {
					seen[want] = true
					queue = append(queue, want)
				}
			}
		}
	}
}

// BenchmarkHouseEdges is what `bitcraps rules` computes: every exact edge
// and the Hot Roller estimate with DefaultTrials.
func BenchmarkHouseEdges(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := HouseEdges(DefaultRules()); err != nil {
			b.Fatal(err)
		}
	}
}
