package craps

import (
	"errors"
	"fmt"
	"testing"
)

// This file checks every bet, in every table phase, against all 36 dice,
// with expectations written out by hand from the rule book (not derived
// from the code under test).

// expect is what one roll should do to a freshly placed (or freshly
// travelled) wager: totals in win pay the given odds, totals in lose and
// push do that, every other total stays. dice, when set, decides first
// for rolls where the pair matters (hardways, hops).
type expect struct {
	win  map[int]string
	lose []int
	push []int
	dice func(Roll) (Result, string)
}

func (e expect) at(r Roll) (Result, string) {
	if e.dice != nil {
		if res, pay := e.dice(r); res != 0 {
			return res, pay
		}
	}
	if pay, ok := e.win[r.Total()]; ok {
		return Win, pay
	}
	for _, t := range e.lose {
		if t == r.Total() {
			return Lose, ""
		}
	}
	for _, t := range e.push {
		if t == r.Total() {
			return Push, ""
		}
	}
	return Stays, ""
}

var (
	allTotals   = []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	placePays   = map[uint8]string{4: "9:5", 5: "7:5", 6: "7:6", 8: "7:6", 9: "7:5", 10: "9:5"}
	ptlPays     = map[uint8]string{4: "5:11", 5: "5:8", 6: "4:5", 8: "4:5", 9: "5:8", 10: "5:11"}
	buyPays     = map[uint8]string{4: "39:20", 5: "29:20", 6: "23:20", 8: "23:20", 9: "29:20", 10: "39:20"}
	layPays     = map[uint8]string{4: "19:40", 5: "19:30", 6: "19:24", 8: "19:24", 9: "19:30", 10: "19:40"}
	oddsPays    = map[uint8]string{4: "2:1", 5: "3:2", 6: "6:5", 8: "6:5", 9: "3:2", 10: "2:1"}
	layOddsPays = map[uint8]string{4: "1:2", 5: "2:3", 6: "5:6", 8: "5:6", 9: "2:3", 10: "1:2"}
	hardPays    = map[uint8]string{4: "7:1", 6: "9:1", 8: "9:1", 10: "7:1"}
	yesPays     = map[uint8]string{2: "147:25", 3: "147:50", 4: "49:25", 5: "147:100", 6: "147:125",
		8: "147:125", 9: "147:100", 10: "49:25", 11: "147:50", 12: "147:25"}
	noPays = map[uint8]string{2: "49:300", 3: "49:150", 4: "49:100", 5: "49:75", 6: "49:60",
		8: "49:60", 9: "49:75", 10: "49:100", 11: "49:150", 12: "49:300"}
	nextPays = map[uint8]string{2: "343:10", 3: "833:50", 4: "539:50", 5: "196:25", 6: "1519:250", 7: "49:10",
		8: "1519:250", 9: "196:25", 10: "539:50", 11: "833:50", 12: "343:10"}
)

// comeOutOnlyKinds and pointOnlyKinds are where the rule book limits placement.
var (
	comeOutOnlyKinds = map[BetKind]bool{KindPass: true, KindDontPass: true, KindFire: true, KindHotRoller: true,
		KindRideTheLine: true, KindMuggsy: true, KindReplay: true}
	pointOnlyKinds = map[BetKind]bool{KindCome: true, KindDontCome: true, KindPassOdds: true, KindDontPassOdds: true}
)

func winOn(totals []int, pay string) map[int]string {
	m := map[int]string{}
	for _, t := range totals {
		m[t] = pay
	}
	return m
}

func others(except ...int) []int {
	var ts []int
outer:
	for _, t := range allTotals {
		for _, e := range except {
			if t == e {
				continue outer
			}
		}
		ts = append(ts, t)
	}
	return ts
}

// freshExpect is the rule book for a bet just placed at a table in the
// given phase (point 0 = come-out). Line bets and odds have their own
// fixtures below.
func freshExpect(b Bet, point uint8, rules Rules) expect {
	n := int(b.Number)
	comeOut := point == 0
	off := comeOut && !rules.WorkingOnComeOut
	switch b.Kind {
	case KindPass:
		return expect{win: winOn([]int{7, 11}, "1:1"), lose: []int{2, 3, 12}}
	case KindDontPass:
		return expect{win: winOn([]int{2, 3}, "1:1"), lose: []int{7, 11}, push: []int{12}}
	case KindCome:
		return expect{win: winOn([]int{7, 11}, "1:1"), lose: []int{2, 3, 12}}
	case KindDontCome:
		return expect{win: winOn([]int{2, 3}, "1:1"), lose: []int{7, 11}, push: []int{12}}
	case KindPlace, KindBuy:
		if off {
			return expect{}
		}
		pays := placePays
		if b.Kind == KindBuy {
			pays = buyPays
		}
		return expect{win: winOn([]int{n}, pays[b.Number]), lose: []int{7}}
	case KindPlaceToLose:
		return expect{win: winOn([]int{7}, ptlPays[b.Number]), lose: []int{n}}
	case KindLay:
		return expect{win: winOn([]int{7}, layPays[b.Number]), lose: []int{n}}
	case KindBig:
		return expect{win: winOn([]int{n}, "1:1"), lose: []int{7}}
	case KindField:
		w := winOn([]int{3, 4, 9, 10, 11}, "1:1")
		w[2], w[12] = "2:1", fmt.Sprintf("%d:1", rules.FieldTwelvePays)
		return expect{win: w, lose: []int{5, 6, 7, 8}}
	case KindHard:
		if off {
			return expect{}
		}
		return expect{lose: []int{7, n}, dice: func(r Roll) (Result, string) {
			if r.Total() == n && r.D1 == r.D2 {
				return Win, hardPays[b.Number]
			}
			return 0, ""
		}}
	case KindAny7:
		return expect{win: winOn([]int{7}, "4:1"), lose: others(7)}
	case KindAnyCraps:
		return expect{win: winOn([]int{2, 3, 12}, "7:1"), lose: others(2, 3, 12)}
	case KindAces:
		return expect{win: winOn([]int{2}, "30:1"), lose: others(2)}
	case KindAceDeuce:
		return expect{win: winOn([]int{3}, "15:1"), lose: others(3)}
	case KindYo:
		return expect{win: winOn([]int{11}, "15:1"), lose: others(11)}
	case KindBoxcars:
		return expect{win: winOn([]int{12}, "30:1"), lose: others(12)}
	case KindHorn:
		w := winOn([]int{2, 12}, "27:4")
		w[3], w[11] = "3:1", "3:1"
		return expect{win: w, lose: others(2, 3, 11, 12)}
	case KindCAndE:
		w := winOn([]int{2, 3, 12}, "3:1")
		w[11] = "7:1"
		return expect{win: w, lose: others(2, 3, 11, 12)}
	case KindHop:
		a, c := uint8(n/10), uint8(n%10)
		return expect{lose: allTotals, dice: func(r Roll) (Result, string) {
			if (r.D1 == a && r.D2 == c) || (r.D1 == c && r.D2 == a) {
				if a == c {
					return Win, "30:1"
				}
				return Win, "15:1"
			}
			return 0, ""
		}}
	case KindYes:
		return expect{win: winOn([]int{n}, yesPays[b.Number]), lose: []int{7}}
	case KindNo:
		return expect{win: winOn([]int{7}, noPays[b.Number]), lose: []int{n}}
	case KindNext:
		return expect{win: winOn([]int{n}, nextPays[b.Number]), lose: others(n)}
	case KindRepeater, KindBonusSmall, KindBonusTall, KindBonusAll, KindTwiceHard, KindDifferentDoubles:
		return expect{lose: []int{7}} // first roll: progress at most, except the 7
	case KindFire, KindHotRoller, KindRideTheLine, KindReplay:
		return expect{} // placed on a come-out: nothing ends on a come-out roll
	case KindMuggsy:
		return expect{win: winOn([]int{7}, "2:1"), lose: []int{2, 3, 11, 12}}
	case KindComeOdds:
		return expect{} // fixtures below
	}
	return expect{}
}

// tableAt returns a fresh table in the come-out (point 0) or with point p.
func tableAt(t *testing.T, rules Rules, point uint8) State {
	s := newTable(t, rules)
	if point != 0 {
		s, _ = mustApply(t, s, rollOf(int(point)))
	}
	return s
}

var tablePhases = []uint8{0, 4, 5, 6, 8, 9, 10}

// tableRules are the rule variants the 36-dice table runs under.
func tableRules() []Rules {
	working := testRules()
	working.WorkingOnComeOut = true
	working.FieldTwelvePays = 2
	return []Rules{testRules(), working}
}

func TestEveryFreshBetEveryPhaseEveryRoll(t *testing.T) {
	const stake = 12 * crap
	for _, rules := range tableRules() {
		for _, b := range AllBets() {
			if b.Kind.spec().line != 0 {
				continue // odds need a line bet: TestOddsEveryRoll
			}
			for _, point := range tablePhases {
				name := fmt.Sprintf("%s/point%d/working=%v", b.ID(), point, rules.WorkingOnComeOut)
				s := tableAt(t, rules, point)
				s2, w, err := PlaceBet(s, alice, b, stake)
				allowed := !(comeOutOnlyKinds[b.Kind] && point != 0) && !(pointOnlyKinds[b.Kind] && point == 0)
				if !allowed {
					if !errors.Is(err, ErrNotAllowedInPhase) {
						t.Errorf("%s: place error %v, want ErrNotAllowedInPhase", name, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: place: %v", name, err)
				}
				checkAllRolls(t, name, s2, w, freshExpect(b, point, rules))
			}
		}
	}
}

// checkAllRolls applies each of the 36 rolls to s and checks wager w.
func checkAllRolls(t *testing.T, name string, s State, w Wager, e expect) {
	t.Helper()
	for _, r := range allRolls {
		ns, outs := mustApply(t, s, r)
		o, found := findOutcome(outs, w.Seq)
		if !found {
			t.Fatalf("%s roll %s: no outcome for wager %d", name, r, w.Seq)
		}
		want, pay := e.at(r)
		if o.Result != want {
			t.Errorf("%s roll %s: result %s, want %s", name, r, o.Result, want)
			continue
		}
		var wantWin Micros
		if want == Win {
			wantWin = floorWin(w.Stake, pay)
		}
		if o.Win != wantWin {
			t.Errorf("%s roll %s: win %d, want %d (%s on %d)", name, r, o.Win, wantWin, pay, w.Stake)
		}
		_, open := findWager(ns, w.Seq)
		if open != (want == Stays) {
			t.Errorf("%s roll %s: wager open=%v after %s", name, r, open, want)
		}
	}
}

func findOutcome(outs []Outcome, seq uint64) (Outcome, bool) {
	for _, o := range outs {
		if o.Seq == seq {
			return o, true
		}
	}
	return Outcome{}, false
}

func findWager(s State, seq uint64) (Wager, bool) {
	for _, w := range s.Wagers() {
		if w.Seq == seq {
			return w, true
		}
	}
	return Wager{}, false
}

// TestLineBetsOnTheirPointEveryRoll covers Pass, Don't Pass, Come and
// Don't Come after they travel, with the table in either phase.
func TestLineBetsOnTheirPointEveryRoll(t *testing.T) {
	const stake = 10 * crap
	for _, rules := range tableRules() {
		for _, p := range pointNumbers {
			n := int(p)
			do := expect{win: winOn([]int{n}, "1:1"), lose: []int{7}}
			dont := expect{win: winOn([]int{7}, "1:1"), lose: []int{n}}
			for _, c := range []struct {
				kind BetKind
				e    expect
			}{{KindPass, do}, {KindDontPass, dont}} {
				s := newTable(t, rules)
				s, w := mustPlace(t, s, alice, Bet{Kind: c.kind}, stake)
				s, o := applyAll(t, s, w.Seq, rollOf(n))
				if o.Result != Stays || o.Bet.Number != p {
					t.Fatalf("%s after %d: %+v, want it on %d", c.kind.ID(), n, o, p)
				}
				w, _ = findWager(s, w.Seq)
				checkAllRolls(t, fmt.Sprintf("%s on %d", c.kind.ID(), p), s, w, c.e)
			}
			for _, c := range []struct {
				kind BetKind
				e    expect
			}{{KindCome, do}, {KindDontCome, dont}} {
				for _, tablePoint := range []uint8{otherPoint(p), p} {
					// Travelling to the table's own point makes the point:
					// the table is then coming out, with the bet still on p.
					s := tableAt(t, rules, tablePoint)
					s, w := mustPlace(t, s, alice, Bet{Kind: c.kind}, stake)
					s, o := applyAll(t, s, w.Seq, rollOf(n))
					if o.Result != Stays || o.Bet.Number != p {
						t.Fatalf("%s after %d: %+v, want it on %d", c.kind.ID(), n, o, p)
					}
					w, _ = findWager(s, w.Seq)
					checkAllRolls(t, fmt.Sprintf("%s on %d, table %s", c.kind.ID(), p, s.Phase()), s, w, c.e)
				}
			}
		}
	}
}

// otherPoint is a point number different from p.
func otherPoint(p uint8) uint8 {
	if p == 6 {
		return 8
	}
	return 6
}

// TestOddsEveryRoll covers every odds bet on every point, with the table in
// the point phase and (for Come odds) in the come-out.
func TestOddsEveryRoll(t *testing.T) {
	const flat = 10 * crap
	for _, rules := range tableRules() {
		for _, p := range pointNumbers {
			n := int(p)
			take := expect{win: winOn([]int{n}, oddsPays[p]), lose: []int{7}}
			lay := expect{win: winOn([]int{7}, layOddsPays[p]), lose: []int{n}}
			// Pass and Don't Pass odds: the table's point is p.
			for _, c := range []struct {
				line, odds BetKind
				e          expect
			}{{KindPass, KindPassOdds, take}, {KindDontPass, KindDontPassOdds, lay}} {
				s := newTable(t, rules)
				s, _ = mustPlace(t, s, alice, Bet{Kind: c.line}, flat)
				s, _ = mustApply(t, s, rollOf(n))
				s, w := mustPlace(t, s, alice, Bet{Kind: c.odds}, 2*flat)
				if w.Bet.Number != p {
					t.Fatalf("%s carries %d, want the point %d", c.odds.ID(), w.Bet.Number, p)
				}
				checkAllRolls(t, fmt.Sprintf("%s on %d", c.odds.ID(), p), s, w, c.e)
			}
			// Come and Don't Come odds, table on another point, then coming out.
			for _, c := range []struct {
				line, odds BetKind
				e          expect
			}{{KindCome, KindComeOdds, take}, {KindDontCome, KindDontComeOdds, lay}} {
				for _, tablePoint := range []uint8{otherPoint(p), p} {
					s := tableAt(t, rules, tablePoint)
					s, _ = mustPlace(t, s, alice, Bet{Kind: c.line}, flat)
					s, _ = mustApply(t, s, rollOf(n))
					s, w := mustPlace(t, s, alice, Bet{Kind: c.odds, Number: p}, 2*flat)
					e := c.e
					if c.odds == KindComeOdds && s.Phase() == ComeOut && !rules.WorkingOnComeOut {
						e = expect{push: []int{7, n}} // off: returned when the come bet resolves
					}
					checkAllRolls(t, fmt.Sprintf("%s %d, table %s", c.odds.ID(), p, s.Phase()), s, w, e)
				}
			}
		}
	}
}
