package craps

// This file is the rule book: how every kind of wager resolves on every
// roll. Apply, the exact house-edge solver and the Monte Carlo estimator
// all call step, so the edges printed by `bitcraps rules` are the edges of
// the code that settles real money.

// table is the part of the state a wager's resolution may look at.
type table struct {
	phase Phase
	point uint8
}

// next moves the table on by one roll: a point number on the come-out sets
// the point; the point or a 7 in the point phase ends it.
func (t table) next(r Roll) (nt table, sevenOut, pointMade bool) {
	total := r.Total()
	switch {
	case t.phase == ComeOut && isPointNumber(total):
		return table{phase: Point, point: uint8(total)}, false, false
	case t.phase == Point && total == int(t.point):
		return table{phase: ComeOut}, false, true
	case t.phase == Point && total == 7:
		return table{phase: ComeOut}, true, false
	}
	return t, false, false
}

// live is the part of a wager that changes as rolls come in: where it sits
// (Number) and its progress (kind-specific bits or counts).
type live struct {
	bet      Bet
	progress uint32
}

// verdict is what one roll does to one wager. win is the net payout per
// unit staked when result is Win.
type verdict struct {
	result Result
	win    Ratio
}

var (
	stays = verdict{result: Stays}
	loses = verdict{result: Lose}
	push  = verdict{result: Push}
)

func wins(num, den int64) verdict { return verdict{result: Win, win: ratioOf(num, den)} }

func winsRatio(r Ratio) verdict { return verdict{result: Win, win: r} }

// step applies one roll to one wager, updating w in place.
func step(w *live, t table, r Roll, rules *Rules) verdict {
	sp := w.bet.Kind.spec()
	if sp.offOnComeOut && t.phase == ComeOut && !rules.WorkingOnComeOut {
		return offOnComeOut(w, r)
	}
	n := w.bet.Number
	pay, _ := fixedPayout(w.bet)
	switch w.bet.Kind {
	case KindPass, KindCome:
		return stepDo(w, r)
	case KindDontPass, KindDontCome:
		return stepDont(w, r)
	case KindPassOdds, KindComeOdds, KindPlace, KindBig, KindBuy, KindYes:
		return numberBefore7(n, r, pay)
	case KindDontPassOdds, KindDontComeOdds, KindPlaceToLose, KindLay, KindNo:
		return sevenBeforeNumber(n, r, pay)
	case KindHard:
		return stepHard(n, r, pay)
	}
	if hit, ok := oneRollHit(w.bet, r); ok {
		if hit {
			return winsRatio(pay)
		}
		return loses
	}
	switch w.bet.Kind {
	case KindField:
		return stepField(r.Total(), rules)
	case KindHorn:
		return stepHorn(r.Total())
	case KindCAndE:
		return stepCAndE(r.Total())
	}
	return stepBonus(w, t, r)
}

// offOnComeOut: an "off" bet sits out the come-out roll, except odds on a
// Come bet, which are returned when the Come bet itself resolves (its
// number or a 7), as casinos do.
func offOnComeOut(w *live, r Roll) verdict {
	if w.bet.Kind == KindComeOdds && (r.Total() == 7 || r.Total() == int(w.bet.Number)) {
		return push
	}
	return stays
}

// stepDo is Pass and Come: first roll 7/11 wins, 2/3/12 loses, a point
// number becomes the wager's own point; then its point wins and 7 loses.
func stepDo(w *live, r Roll) verdict {
	total := r.Total()
	if w.bet.Number == 0 {
		switch total {
		case 7, 11:
			return wins(1, 1)
		case 2, 3, 12:
			return loses
		}
		w.bet.Number = uint8(total)
		return stays
	}
	return numberBefore7(w.bet.Number, r, Ratio{1, 1})
}

// stepDont is Don't Pass and Don't Come, barring 12: first roll 2/3 wins,
// 12 pushes, 7/11 loses, a point number becomes its point; then 7 wins and
// the point loses.
func stepDont(w *live, r Roll) verdict {
	total := r.Total()
	if w.bet.Number == 0 {
		switch total {
		case 2, 3:
			return wins(1, 1)
		case 12:
			return push
		case 7, 11:
			return loses
		}
		w.bet.Number = uint8(total)
		return stays
	}
	return sevenBeforeNumber(w.bet.Number, r, Ratio{1, 1})
}

// numberBefore7 wins on n and loses on 7.
func numberBefore7(n uint8, r Roll, pay Ratio) verdict {
	switch r.Total() {
	case int(n):
		return winsRatio(pay)
	case 7:
		return loses
	}
	return stays
}

// sevenBeforeNumber wins on 7 and loses on n.
func sevenBeforeNumber(n uint8, r Roll, pay Ratio) verdict {
	switch r.Total() {
	case 7:
		return winsRatio(pay)
	case int(n):
		return loses
	}
	return stays
}

// stepHard wins on the pair, loses on 7 or the number made any other way.
func stepHard(n uint8, r Roll, pay Ratio) verdict {
	switch {
	case r.Total() == int(n) && r.IsDouble():
		return winsRatio(pay)
	case r.Total() == int(n) || r.Total() == 7:
		return loses
	}
	return stays
}

// oneRollHit says whether a single-roll bet with a fixed payout wins on
// r; ok is false for other bets.
func oneRollHit(b Bet, r Roll) (hit, ok bool) {
	total := r.Total()
	switch b.Kind {
	case KindAny7:
		return total == 7, true
	case KindAnyCraps:
		return total == 2 || total == 3 || total == 12, true
	case KindAces:
		return total == 2, true
	case KindAceDeuce:
		return total == 3, true
	case KindYo:
		return total == 11, true
	case KindBoxcars:
		return total == 12, true
	case KindHop:
		return r.low()*10+r.high() == b.Number, true
	case KindNext:
		return total == int(b.Number), true
	}
	return false, false
}

// stepField: 3, 4, 9, 10, 11 pay 1:1; 2 pays 2:1; 12 pays 2:1 or 3:1.
func stepField(total int, rules *Rules) verdict {
	switch total {
	case 3, 4, 9, 10, 11:
		return wins(1, 1)
	case 2:
		return wins(2, 1)
	case 12:
		return wins(int64(rules.FieldTwelvePays), 1)
	}
	return loses
}

// stepHorn is one bet split in four equal parts on 2, 3, 11 and 12: the
// winning part is paid (30:1 or 15:1) and the other three parts lose, so
// 2 or 12 nets 27:4 and 3 or 11 nets 3:1 on the whole stake.
func stepHorn(total int) verdict {
	switch total {
	case 2, 12:
		return wins(27, 4)
	case 3, 11:
		return wins(3, 1)
	}
	return loses
}

// stepCAndE is one bet split in two halves on Any Craps (7:1) and Yo
// (15:1): craps nets 3:1 and 11 nets 7:1 on the whole stake.
func stepCAndE(total int) verdict {
	switch total {
	case 2, 3, 12:
		return wins(3, 1)
	case 11:
		return wins(7, 1)
	}
	return loses
}

// fixedPayout is the payout of every bet that has a single one; ok is
// false for bets with a pay table (Field, Horn, C&E and most bonus bets).
// step, the bank's reserve (maxWinRatio) and the printed catalog all read
// it, so they cannot drift apart.
func fixedPayout(b Bet) (pay Ratio, ok bool) {
	n := b.Number
	switch b.Kind {
	case KindPass, KindDontPass, KindCome, KindDontCome, KindBig:
		return Ratio{1, 1}, true
	case KindPassOdds, KindComeOdds:
		return trueOdds(n), true
	case KindDontPassOdds, KindDontComeOdds:
		return layOdds(n), true
	case KindPlace:
		return perPair(n, Ratio{9, 5}, Ratio{7, 5}, Ratio{7, 6}), true
	case KindPlaceToLose:
		return perPair(n, Ratio{5, 11}, Ratio{5, 8}, Ratio{4, 5}), true
	case KindBuy:
		return trueOdds(n).sub(buyCommission), true
	case KindLay:
		return layOdds(n).mul(layKeep), true
	case KindHard:
		return perPair(n, Ratio{7, 1}, Ratio{}, Ratio{9, 1}), true
	case KindYes:
		return trueOdds(n).mul(lessTwoPercent), true
	case KindNo:
		return layOdds(n).mul(lessTwoPercent), true
	case KindNext:
		return nextOdds(n).mul(lessTwoPercent), true
	}
	return oneRollOrBonusPayout(b)
}

func oneRollOrBonusPayout(b Bet) (Ratio, bool) {
	switch b.Kind {
	case KindAny7:
		return Ratio{4, 1}, true
	case KindAnyCraps:
		return Ratio{7, 1}, true
	case KindAces, KindBoxcars:
		return Ratio{30, 1}, true
	case KindAceDeuce, KindYo:
		return Ratio{15, 1}, true
	case KindHop:
		if b.Number/10 == b.Number%10 {
			return Ratio{30, 1}, true
		}
		return Ratio{15, 1}, true
	case KindRepeater:
		return repeaterRatio(b.Number), true
	case KindTwiceHard:
		return Ratio{12, 1}, true
	case KindBonusSmall, KindBonusTall:
		return Ratio{34, 1}, true
	case KindBonusAll:
		return Ratio{175, 1}, true
	}
	return Ratio{}, false
}

// perPair picks a payout by point pair: 4 and 10, 5 and 9, 6 and 8.
func perPair(n uint8, fourTen, fiveNine, sixEight Ratio) Ratio {
	switch n {
	case 4, 10:
		return fourTen
	case 5, 9:
		return fiveNine
	}
	return sixEight
}

// trueOdds is what a number before 7 pays at no edge: 6 ways to w.
func trueOdds(n uint8) Ratio { return ratioOf(6, ways(int(n))) }

// layOdds is what 7 before a number pays at no edge: w ways to 6.
func layOdds(n uint8) Ratio { return ratioOf(ways(int(n)), 6) }

// nextOdds is what a total on the next roll pays at no edge.
func nextOdds(n uint8) Ratio {
	w := ways(int(n))
	return ratioOf(36-w, w)
}

var (
	// buyCommission: 5% of the bet, taken only from a win.
	buyCommission = Ratio{1, 20}
	// layKeep: a lay win less a commission of 5% of the win.
	layKeep = Ratio{19, 20}
	// lessTwoPercent is the BitCraps Yes/No/Next vig: 2% of the win.
	lessTwoPercent = Ratio{49, 50}
)
