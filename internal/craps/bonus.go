package craps

import "math/bits"

// The BitCraps bonus bets. Each keeps its own progress in the wager (not in
// the table), counted from the roll it was placed, so two players' bonus
// bets never share history and a replica needs nothing but the state to
// settle them. Pay tables follow the casino versions where one exists
// (Fire, All-Small-Tall, Repeater, Muggsy's Corner, Different Doubles);
// where BitCraps defined its own bet, the pay table was chosen to give a
// house edge in the range of the casino side bets (5% to 28%).

// stepBonus resolves the multi-roll bonus bets.
func stepBonus(w *live, t table, r Roll) verdict {
	switch w.bet.Kind {
	case KindRepeater:
		return stepRepeater(w, r)
	case KindFire:
		return stepFire(w, t, r)
	case KindBonusSmall, KindBonusTall, KindBonusAll:
		return stepAllSmallTall(w, r)
	case KindHotRoller:
		return stepHotRoller(w, t, r)
	case KindTwiceHard:
		return stepTwiceHard(w, r)
	case KindRideTheLine:
		return stepRideTheLine(w, t, r)
	case KindMuggsy:
		return stepMuggsy(w, r)
	case KindReplay:
		return stepReplay(w, t, r)
	case KindDifferentDoubles:
		return stepDifferentDoubles(w, r)
	}
	// Unreachable for a validated bet: every kind is handled above or in step.
	panic("craps: no rule for bet kind " + w.bet.Kind.ID())
}

// Repeater N: N must be rolled (ways(N)+1) times before a 7 — twice for 2
// and 12, three times for 3 and 11, up to six times for 6 and 8. Pays
// 40, 50, 65, 80, 90 to 1.
func stepRepeater(w *live, r Roll) verdict {
	n := w.bet.Number
	switch r.Total() {
	case 7:
		return loses
	case int(n):
		w.progress++
		if w.progress >= repeaterNeeded(n) {
			return winsRatio(repeaterRatio(n))
		}
	}
	return stays
}

func repeaterNeeded(n uint8) uint32 { return uint32(ways(int(n))) + 1 }

func repeaterRatio(n uint8) Ratio {
	pays := [...]int64{2: 40, 3: 50, 4: 65, 5: 80, 6: 90}
	return Ratio{pays[ways(int(n))+1], 1}
}

// pointIndex maps 4, 5, 6, 8, 9, 10 to 0..5.
func pointIndex(p uint8) uint {
	switch p {
	case 4, 5, 6:
		return uint(p - 4)
	}
	return uint(p - 5)
}

// Fire: counts the different points made (by the shooter, from the bet's
// come-out) before the seven-out. At the seven-out 4 points pay 24:1 and 5
// pay 249:1; the sixth point pays 999:1 at once. Fewer than 4 lose.
func stepFire(w *live, t table, r Roll) verdict {
	_, sevenOut, pointMade := t.next(r)
	switch {
	case pointMade:
		w.progress |= 1 << pointIndex(t.point)
		if w.progress == 0b111111 {
			return wins(999, 1)
		}
	case sevenOut:
		switch bits.OnesCount32(w.progress) {
		case 4:
			return wins(24, 1)
		case 5:
			return wins(249, 1)
		}
		return loses
	}
	return stays
}

// All-Small-Tall: Bonus Small needs every total 2-6, Bonus Tall every total
// 8-12, Bonus All every total 2-6 and 8-12, each at least once before any
// 7. Small and Tall pay 34:1, All pays 175:1.
func stepAllSmallTall(w *live, r Roll) verdict {
	total := r.Total()
	if total == 7 {
		return loses
	}
	w.progress |= 1 << uint(total)
	need := bonusNeeded(w.bet.Kind)
	if w.progress&need == need {
		pay, _ := fixedPayout(w.bet)
		return winsRatio(pay)
	}
	return stays
}

func bonusNeeded(k BetKind) uint32 {
	const small = 1<<2 | 1<<3 | 1<<4 | 1<<5 | 1<<6
	const tall = 1<<8 | 1<<9 | 1<<10 | 1<<11 | 1<<12
	switch k {
	case KindBonusSmall:
		return small
	case KindBonusTall:
		return tall
	}
	return small | tall
}

// hotCombos lists the unordered dice that make each point number; bit i of
// a Hot Roller's progress is hotCombos[i].
var hotCombos = [14][2]uint8{
	{1, 3}, {2, 2}, // 4
	{1, 4}, {2, 3}, // 5
	{1, 5}, {2, 4}, {3, 3}, // 6
	{2, 6}, {3, 5}, {4, 4}, // 8
	{3, 6}, {4, 5}, // 9
	{4, 6}, {5, 5}, // 10
}

// hotNumberMasks groups hotCombos by point number.
var hotNumberMasks = [6]uint32{0b11, 0b11 << 2, 0b111 << 4, 0b111 << 7, 0b11 << 10, 0b11 << 12}

func hotComboIndex(r Roll) (uint, bool) {
	for i, c := range hotCombos {
		if c[0] == r.low() && c[1] == r.high() {
			return uint(i), true
		}
	}
	return 0, false
}

// Hot Roller: every roll made while a point is on marks its dice
// combination; a point number is complete once all of its combinations are
// marked (1-3 and 2-2 for 4; 1-5, 2-4 and 3-3 for 6; ...). At the seven-out
// 2 complete numbers pay 4:1, 3 pay 9:1, 4 pay 20:1, 5 pay 50:1; all six
// pay 200:1 at once. Fewer than 2 lose. Come-out rolls mark nothing.
func stepHotRoller(w *live, t table, r Roll) verdict {
	if t.phase != Point {
		return stays
	}
	if r.Total() == 7 {
		pays := [...]int64{2: 4, 3: 9, 4: 20, 5: 50}
		if n := hotCompleted(w.progress); n >= 2 && n <= 5 {
			return wins(pays[n], 1)
		}
		return loses
	}
	if i, ok := hotComboIndex(r); ok {
		w.progress |= 1 << i
	}
	if hotCompleted(w.progress) == 6 {
		return wins(200, 1)
	}
	return stays
}

func hotCompleted(progress uint32) int {
	n := 0
	for _, m := range hotNumberMasks {
		if progress&m == m {
			n++
		}
	}
	return n
}

// Twice Hard: the same hardway (2-2, 3-3, 4-4 or 5-5) rolled twice before
// a 7. Easy ways do not matter. Pays 12:1.
func stepTwiceHard(w *live, r Roll) verdict {
	total := r.Total()
	switch {
	case total == 7:
		return loses
	case r.IsDouble() && total >= 4 && total <= 10:
		bit := uint32(1) << uint(total)
		if w.progress&bit != 0 {
			return winsRatio(Ratio{12, 1})
		}
		w.progress |= bit
	}
	return stays
}

// Ride the Line: counts the Pass Line wins (naturals on the come-out and
// points made) from the bet's come-out to the seven-out. At the seven-out
// 3 wins pay 1:1, 4 pay 2:1, 5 pay 4:1, 6 pay 8:1, 7 pay 12:1, 8 pay
// 18:1, 9 pay 25:1, 10 pay 40:1; the eleventh win pays 100:1 at once.
// Fewer than 3 lose.
func stepRideTheLine(w *live, t table, r Roll) verdict {
	_, sevenOut, pointMade := t.next(r)
	natural := t.phase == ComeOut && (r.Total() == 7 || r.Total() == 11)
	switch {
	case natural || pointMade:
		w.progress++
		if w.progress >= 11 {
			return wins(100, 1)
		}
	case sevenOut:
		pays := [...]int64{3: 1, 4: 2, 5: 4, 6: 8, 7: 12, 8: 18, 9: 25, 10: 40}
		if w.progress >= 3 {
			return wins(pays[w.progress], 1)
		}
		return loses
	}
	return stays
}

// Muggsy (Muggsy's Corner): on its come-out a 7 pays 2:1 and a point moves
// the bet to that point, other totals lose; once moved, the very next roll
// pays 3:1 if it is a 7 and loses otherwise.
func stepMuggsy(w *live, r Roll) verdict {
	total := r.Total()
	if w.bet.Number != 0 {
		if total == 7 {
			return wins(3, 1)
		}
		return loses
	}
	switch {
	case total == 7:
		return wins(2, 1)
	case isPointNumber(total):
		w.bet.Number = uint8(total)
		return stays
	}
	return loses
}

// Replay: the first point number made three times (from the bet's
// come-out, before the seven-out) wins: 4 or 10 pays 200:1, 5 or 9 pays
// 150:1, 6 or 8 pays 100:1. The seven-out loses. Progress holds a 2-bit
// count per point number.
func stepReplay(w *live, t table, r Roll) verdict {
	_, sevenOut, pointMade := t.next(r)
	switch {
	case pointMade:
		shift := 2 * pointIndex(t.point)
		count := (w.progress>>shift)&0b11 + 1
		if count == 3 {
			return winsRatio(replayRatio(t.point))
		}
		w.progress = w.progress&^(0b11<<shift) | count<<shift
	case sevenOut:
		return loses
	}
	return stays
}

func replayRatio(p uint8) Ratio { return perPair(p, Ratio{200, 1}, Ratio{150, 1}, Ratio{100, 1}) }

// Different Doubles: counts the different doubles (1-1 to 6-6) rolled
// before a 7. At the 7, 3 doubles pay 4:1, 4 pay 8:1, 5 pay 15:1; the
// sixth double pays 100:1 at once. Fewer than 3 lose.
func stepDifferentDoubles(w *live, r Roll) verdict {
	if r.Total() == 7 {
		pays := [...]int64{3: 4, 4: 8, 5: 15}
		if n := bits.OnesCount32(w.progress); n >= 3 && n <= 5 {
			return wins(pays[n], 1)
		}
		return loses
	}
	if r.IsDouble() {
		w.progress |= 1 << uint(r.D1)
		if w.progress == 0b1111110 {
			return wins(100, 1)
		}
	}
	return stays
}
