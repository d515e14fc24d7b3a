package craps

import (
	"fmt"
	"testing"
)

// Scripted roll sequences for the bets whose resolution depends on
// history. Each case places one bet on a fresh come-out table, applies the
// rolls, and expects the bet to stay open until the last roll, which
// resolves it as given (Stays means it is still open at the end).

type bonusCase struct {
	name  string
	bet   Bet
	rolls []Roll
	want  Result
	pay   string
}

// Sequences are written as dice; 3-4 is a seven.
var (
	seven = roll(3, 4)
	// makePoint rolls a come-out point and then makes it, as two rolls.
	makePoint = func(p int) []Roll { return []Roll{rollOf(p), rollOf(p)} }
	cat       = func(parts ...[]Roll) []Roll {
		var rs []Roll
		for _, p := range parts {
			rs = append(rs, p...)
		}
		return rs
	}
	rs = func(r ...Roll) []Roll { return r }
)

func bonusCases() []bonusCase {
	fire := Bet{Kind: KindFire}
	ride := Bet{Kind: KindRideTheLine}
	replay := Bet{Kind: KindReplay}
	hot := Bet{Kind: KindHotRoller}
	dd := Bet{Kind: KindDifferentDoubles}
	twice := Bet{Kind: KindTwiceHard}
	sevenOut := func(p int) []Roll { return rs(rollOf(p), seven) }
	return []bonusCase{
		{"repeater 2 twice", Bet{KindRepeater, 2}, rs(roll(1, 1), roll(3, 3), roll(1, 1)), Win, "40:1"},
		{"repeater 2 then 7", Bet{KindRepeater, 2}, rs(roll(1, 1), seven), Lose, ""},
		{"repeater 12 twice", Bet{KindRepeater, 12}, rs(roll(6, 6), roll(2, 2), roll(6, 6)), Win, "40:1"},
		{"repeater 3 thrice", Bet{KindRepeater, 3}, rs(roll(1, 2), roll(2, 1), roll(1, 2)), Win, "50:1"},
		{"repeater 4 four times", Bet{KindRepeater, 4}, rs(roll(1, 3), roll(2, 2), roll(3, 1), roll(5, 5), roll(2, 2)), Win, "65:1"},
		{"repeater 9 five times", Bet{KindRepeater, 9}, rs(roll(4, 5), roll(3, 6), roll(5, 4), roll(6, 3), roll(4, 5)), Win, "80:1"},
		{"repeater 6 five times then 7", Bet{KindRepeater, 6}, rs(roll(1, 5), roll(2, 4), roll(3, 3), roll(4, 2), roll(5, 1), seven), Lose, ""},
		{"repeater 8 six times", Bet{KindRepeater, 8}, rs(roll(2, 6), roll(3, 5), roll(4, 4), roll(5, 3), roll(6, 2), roll(4, 4)), Win, "90:1"},
		{"repeater 6 five times stays", Bet{KindRepeater, 6}, rs(roll(1, 5), roll(2, 4), roll(3, 3), roll(4, 2), roll(5, 1)), Stays, ""},

		{"fire 3 points", fire, cat(makePoint(4), makePoint(5), makePoint(6), sevenOut(8)), Lose, ""},
		{"fire 4 points", fire, cat(makePoint(4), makePoint(5), makePoint(6), makePoint(8), sevenOut(9)), Win, "24:1"},
		{"fire 4 points with repeats and come-out 7s", fire,
			cat(makePoint(4), rs(seven, roll(6, 5)), makePoint(4), makePoint(5), rs(roll(1, 1)), makePoint(6), makePoint(8), sevenOut(5)), Win, "24:1"},
		{"fire 5 points", fire, cat(makePoint(4), makePoint(5), makePoint(6), makePoint(8), makePoint(9), sevenOut(10)), Win, "249:1"},
		{"fire 6 points pays at once", fire, cat(makePoint(4), makePoint(5), makePoint(6), makePoint(8), makePoint(9), makePoint(10)), Win, "999:1"},
		{"fire survives come-out 7", fire, cat(makePoint(4), rs(seven)), Stays, ""},

		{"bonus small", Bet{Kind: KindBonusSmall}, rs(roll(1, 1), roll(4, 4), roll(1, 2), roll(2, 2), roll(1, 4), roll(6, 6), roll(3, 3)), Win, "34:1"},
		{"bonus small 7 first", Bet{Kind: KindBonusSmall}, rs(roll(1, 1), roll(1, 2), roll(2, 2), roll(1, 4), seven), Lose, ""},
		{"bonus tall", Bet{Kind: KindBonusTall}, rs(roll(4, 4), roll(4, 5), roll(5, 5), roll(5, 6), roll(2, 2), roll(6, 6)), Win, "34:1"},
		{"bonus all", Bet{Kind: KindBonusAll}, rs(roll(1, 1), roll(1, 2), roll(2, 2), roll(1, 4), roll(3, 3),
			roll(4, 4), roll(4, 5), roll(5, 5), roll(5, 6), roll(6, 6)), Win, "175:1"},
		{"bonus all small done stays", Bet{Kind: KindBonusAll}, rs(roll(1, 1), roll(1, 2), roll(2, 2), roll(1, 4), roll(3, 3)), Stays, ""},

		// Hot Roller: come-out rolls mark nothing; point rolls mark their pair.
		{"hot roller 2 numbers", hot, rs(roll(1, 5), roll(1, 3), roll(2, 2), roll(1, 4), roll(2, 3), seven), Win, "4:1"},
		{"hot roller come-out rolls do not count", hot, rs(roll(1, 3), roll(2, 2), roll(1, 3) /* point 4 made, one pair marked */, roll(1, 4), roll(2, 2), roll(2, 3), seven), Lose, ""},
		{"hot roller 1 number", hot, rs(roll(1, 5), roll(1, 3), roll(2, 2), seven), Lose, ""},
		{"hot roller all six at once", hot, rs(roll(1, 5),
			roll(1, 3), roll(2, 2), roll(1, 4), roll(2, 3), roll(2, 6), roll(3, 5), roll(4, 4),
			roll(3, 6), roll(4, 5), roll(4, 6), roll(5, 5), roll(2, 4) /* point 6 made */, roll(4, 4), /* come-out: point 8 */
			roll(3, 3), roll(1, 5)), Win, "200:1"},
		{"hot roller 3 numbers across points", hot, rs(roll(1, 5), roll(1, 3), roll(2, 2), roll(5, 1) /* made */, roll(4, 4) /* point 8 */, roll(2, 3), roll(1, 4), roll(3, 6), roll(4, 5), seven), Win, "9:1"},

		{"twice hard", twice, rs(roll(2, 2), roll(3, 3), roll(2, 2)), Win, "12:1"},
		{"twice hard easy way between", twice, rs(roll(5, 5), roll(4, 6), roll(5, 5)), Win, "12:1"},
		{"twice hard 7", twice, rs(roll(2, 2), roll(3, 3), seven), Lose, ""},
		{"twice hard 1-1 and 6-6 do not count", twice, rs(roll(1, 1), roll(1, 1), roll(6, 6), roll(6, 6)), Stays, ""},

		{"ride the line 3 wins", ride, cat(rs(seven, roll(5, 6)), makePoint(6), sevenOut(8)), Win, "1:1"},
		{"ride the line 2 wins and craps", ride, cat(rs(seven, roll(1, 1)), makePoint(6), sevenOut(8)), Lose, ""},
		{"ride the line 5 wins", ride, cat(rs(seven), makePoint(4), makePoint(5), makePoint(6), rs(roll(5, 6)), sevenOut(8)), Win, "4:1"},
		{"ride the line 11 wins at once", ride, rs(seven, seven, seven, seven, seven, seven, seven, seven, seven, seven, roll(5, 6)), Win, "100:1"},

		{"muggsy come-out 7", Bet{Kind: KindMuggsy}, rs(seven), Win, "2:1"},
		{"muggsy point then 7", Bet{Kind: KindMuggsy}, rs(roll(2, 2), seven), Win, "3:1"},
		{"muggsy point then point", Bet{Kind: KindMuggsy}, rs(roll(2, 2), roll(1, 3)), Lose, ""},
		{"muggsy point then other", Bet{Kind: KindMuggsy}, rs(roll(2, 2), roll(1, 1)), Lose, ""},
		{"muggsy come-out 11", Bet{Kind: KindMuggsy}, rs(roll(5, 6)), Lose, ""},

		{"replay 6 three times", replay, cat(makePoint(6), makePoint(6), rs(seven), makePoint(6)), Win, "100:1"},
		{"replay 4 three times", replay, cat(makePoint(4), makePoint(8), makePoint(4), makePoint(4)), Win, "200:1"},
		{"replay 9 three times", replay, cat(makePoint(9), makePoint(9), makePoint(9)), Win, "150:1"},
		{"replay twice each then seven-out", replay, cat(makePoint(6), makePoint(6), makePoint(8), makePoint(8), sevenOut(5)), Lose, ""},

		{"different doubles 3", dd, rs(roll(1, 1), roll(2, 2), roll(1, 1), roll(3, 3), roll(1, 2), seven), Win, "4:1"},
		{"different doubles 4", dd, rs(roll(1, 1), roll(2, 2), roll(3, 3), roll(6, 6), seven), Win, "8:1"},
		{"different doubles 5", dd, rs(roll(1, 1), roll(2, 2), roll(3, 3), roll(6, 6), roll(5, 5), seven), Win, "15:1"},
		{"different doubles 6 at once", dd, rs(roll(1, 1), roll(2, 2), roll(3, 3), roll(6, 6), roll(5, 5), roll(4, 4)), Win, "100:1"},
		{"different doubles 2", dd, rs(roll(1, 1), roll(1, 1), roll(2, 2), seven), Lose, ""},
	}
}

func TestBonusBetSequences(t *testing.T) {
	const stake = 5 * crap
	for _, c := range bonusCases() {
		t.Run(c.name, func(t *testing.T) {
			s := newTable(t, testRules())
			s, w := mustPlace(t, s, alice, c.bet, stake)
			_, o := applyAll(t, s, w.Seq, c.rolls...)
			if o.Result != c.want {
				t.Fatalf("after %v: %s (progress %b), want %s", c.rolls, o.Result, o.Progress, c.want)
			}
			if c.want == Win {
				if want := floorWin(stake, c.pay); o.Win != want {
					t.Fatalf("win %d, want %d (%s)", o.Win, want, c.pay)
				}
			}
		})
	}
}

// TestBonusBetsCannotBeTakenDownAfterARoll: their progress is value the
// player would otherwise shed at will.
func TestBonusBetsCannotBeTakenDownAfterARoll(t *testing.T) {
	for _, k := range []BetKind{KindRepeater, KindFire, KindBonusSmall, KindBonusTall, KindBonusAll, KindHotRoller,
		KindTwiceHard, KindRideTheLine, KindMuggsy, KindReplay, KindDifferentDoubles} {
		b := Bet{Kind: k}
		if k == KindRepeater {
			b.Number = 6
		}
		t.Run(b.ID(), func(t *testing.T) {
			s := newTable(t, testRules())
			s, w := mustPlace(t, s, alice, b, 5*crap)
			before, _ := s.Chips(alice)
			s2, o, err := TakeDown(s, alice, w.Seq)
			if err != nil || o.Result != Returned {
				t.Fatalf("take down before any roll: %v %+v", err, o)
			}
			if after, _ := s2.Chips(alice); after != before+5*crap {
				t.Fatalf("chips %d after take-down, want %d", after, before+5*crap)
			}
			s, _ = mustApply(t, s, roll(4, 4)) // 8: ends none of these on a come-out
			if _, _, err := TakeDown(s, alice, w.Seq); err == nil {
				t.Fatalf("took down %s after a roll", b.ID())
			} else {
				wantErr(t, err, ErrContractBet)
			}
		})
	}
}

// TestComeBetTravelsAndKeepsItsOwnPoint: two come bets on different numbers
// resolve independently of the table's point.
func TestComeBetTravelsAndKeepsItsOwnPoint(t *testing.T) {
	s := tableAt(t, testRules(), 6)
	s, c1 := mustPlace(t, s, alice, Bet{Kind: KindCome}, 10*crap)
	s, _ = mustApply(t, s, roll(2, 2)) // come 1 to 4
	s, c2 := mustPlace(t, s, alice, Bet{Kind: KindCome}, 10*crap)
	s, _ = mustApply(t, s, roll(4, 5)) // come 2 to 9
	for seq, want := range map[uint64]uint8{c1.Seq: 4, c2.Seq: 9} {
		if w, ok := findWager(s, seq); !ok || w.Bet.Number != want {
			t.Fatalf("come %d: %+v, want on %d", seq, w, want)
		}
	}
	s, outs := mustApply(t, s, roll(3, 6)) // 9: come 2 wins, come 1 stays, point 6 stays
	o1, _ := findOutcome(outs, c1.Seq)
	o2, _ := findOutcome(outs, c2.Seq)
	if o1.Result != Stays || o2.Result != Win || o2.Win != 10*crap || s.Point() != 6 {
		t.Fatalf("outcomes %+v %+v point %d", o1, o2, s.Point())
	}
	if _, _, err := TakeDown(s, alice, c1.Seq); err == nil {
		t.Fatal("took down a come bet on its point")
	}
	s, outs = mustApply(t, s, seven) // seven-out: come 1 loses
	if o, _ := findOutcome(outs, c1.Seq); o.Result != Lose {
		t.Fatalf("come on 4 at seven-out: %+v", o)
	}
	if s.Phase() != ComeOut || len(s.Wagers()) != 0 {
		t.Fatalf("after seven-out: phase %s, wagers %v", s.Phase(), s.Wagers())
	}
}

func TestShooterPassesOnSevenOutOnly(t *testing.T) {
	s := newTable(t, testRules())
	if s.Shooter() != alice {
		t.Fatalf("shooter %q, want alice", s.Shooter())
	}
	for i, c := range []struct {
		r       Roll
		shooter string
	}{
		{seven, alice},      // come-out natural: same shooter
		{roll(1, 1), alice}, // craps: same shooter
		{roll(2, 2), alice}, // point 4
		{roll(1, 3), alice}, // point made: same shooter
		{roll(3, 3), alice}, // point 6
		{seven, bob},        // seven-out
		{roll(4, 4), bob},   // point 8
		{seven, alice},      // seven-out wraps around
		{roll(6, 6), alice}, // come-out craps
		{roll(5, 6), alice}, // come-out natural
	} {
		s, _ = mustApply(t, s, c.r)
		if s.Shooter() != c.shooter {
			t.Fatalf("roll %d (%s): shooter %q, want %q", i, c.r, s.Shooter(), c.shooter)
		}
	}
	if s.Rolls() != 10 || s.LastRoll() != roll(5, 6) {
		t.Fatalf("rolls %d last %s", s.Rolls(), s.LastRoll())
	}
}

func TestUnseatReturnsWhatMayComeDownAndForfeitsContracts(t *testing.T) {
	s := newTable(t, testRules())
	s, pass := mustPlace(t, s, alice, Bet{Kind: KindPass}, 10*crap)
	s, _ = mustApply(t, s, roll(2, 3)) // point 5: pass is a contract now
	s, place := mustPlace(t, s, alice, Bet{Kind: KindPlace, Number: 6}, 12*crap)
	chipsBefore, _ := s.Chips(alice)
	bankBefore := s.Bank()
	ns, chips, outs, err := Unseat(s, alice)
	if err != nil {
		t.Fatal(err)
	}
	if chips != chipsBefore+12*crap {
		t.Fatalf("chips back %d, want %d", chips, chipsBefore+12*crap)
	}
	if ns.Bank() != bankBefore+10*crap {
		t.Fatalf("bank %d, want %d", ns.Bank(), bankBefore+10*crap)
	}
	got := fmt.Sprint(outs[0].Seq, outs[0].Result, outs[1].Seq, outs[1].Result)
	if want := fmt.Sprint(pass.Seq, Lose, place.Seq, Returned); got != want {
		t.Fatalf("outcomes %s, want %s", got, want)
	}
	if ns.Shooter() != bob || len(ns.Players()) != 1 || ns.Phase() != Point {
		t.Fatalf("after unseat: shooter %q players %v phase %s", ns.Shooter(), ns.Players(), ns.Phase())
	}
	if _, _, _, err := Unseat(ns, alice); err == nil {
		t.Fatal("unseated alice twice")
	}
}

func TestEventOf(t *testing.T) {
	s := newTable(t, testRules())
	for i, c := range []struct {
		r    Roll
		want Event
	}{
		{roll(3, 4), Natural}, {roll(5, 6), Natural}, {roll(1, 1), Craps}, {roll(1, 2), Craps}, {roll(6, 6), Craps},
		{roll(2, 2), PointSet}, {roll(5, 6), NoDecision}, {roll(1, 1), NoDecision}, {roll(3, 1), PointMade},
		{roll(4, 5), PointSet}, {roll(6, 1), SevenOut},
	} {
		if got := EventOf(s, c.r); got != c.want {
			t.Fatalf("roll %d (%s) in %s: %s, want %s", i, c.r, s.Phase(), got, c.want)
		}
		s, _ = mustApply(t, s, c.r)
	}
}
