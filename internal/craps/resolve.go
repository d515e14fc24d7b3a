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
	switch w.bet.Kind {
	case KindPass, KindCome:
		return stepDo(w, r)
	case KindDontPass, KindDontCome:
		return stepDont(w, r)
	case KindPassOdds, KindComeOdds:
		return numberBefore7(w.bet.Number, r, trueOdds(w.bet.Number))
	case KindDontPassOdds, KindDontComeOdds:
		return sevenBeforeNumber(w.bet.Number, r, layOdds(w.bet.Number))
	case KindPlace:
		return numberBefore7(w.bet.Number, r, placeRatio(w.bet.Number))
	case KindPlaceToLose:
		return sevenBeforeNumber(w.bet.Number, r, placeToLoseRatio(w.bet.Number))
	case KindBig:
		return numberBefore7(w.bet.Number, r, Ratio{1, 1})
	case KindBuy:
		return numberBefore7(w.bet.Number, r, buyRatio(w.bet.Number))
	case KindLay:
		return sevenBeforeNumber(w.bet.Number, r, layRatio(w.bet.Number))
	case KindHard:
		return stepHard(w.bet.Number, r)
	case KindYes:
		return numberBefore7(w.bet.Number, r, yesRatio(w.bet.Number))
	case KindNo:
		return sevenBeforeNumber(w.bet.Number, r, noRatio(w.bet.Number))
	}
	if v, ok := stepOneRoll(w.bet, r, rules); ok {
		return v
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
func stepHard(n uint8, r Roll) verdict {
	switch {
	case r.Total() == int(n) && r.IsDouble():
		return winsRatio(hardRatio(n))
	case r.Total() == int(n) || r.Total() == 7:
		return loses
	}
	return stays
}

// stepOneRoll resolves the bets that live for a single roll.
func stepOneRoll(b Bet, r Roll, rules *Rules) (verdict, bool) {
	total := r.Total()
	switch b.Kind {
	case KindField:
		return stepField(total, rules), true
	case KindAny7:
		return oneNumber(total == 7, 4, 1), true
	case KindAnyCraps:
		return oneNumber(total == 2 || total == 3 || total == 12, 7, 1), true
	case KindAces:
		return oneNumber(total == 2, 30, 1), true
	case KindAceDeuce:
		return oneNumber(total == 3, 15, 1), true
	case KindYo:
		return oneNumber(total == 11, 15, 1), true
	case KindBoxcars:
		return oneNumber(total == 12, 30, 1), true
	case KindHorn:
		return stepHorn(total), true
	case KindCAndE:
		return stepCAndE(total), true
	case KindHop:
		hit := r.low()*10+r.high() == b.Number
		if b.Number/10 == b.Number%10 {
			return oneNumber(hit, 30, 1), true
		}
		return oneNumber(hit, 15, 1), true
	case KindNext:
		if total == int(b.Number) {
			return winsRatio(nextRatio(b.Number)), true
		}
		return loses, true
	}
	return verdict{}, false
}

func oneNumber(hit bool, num, den int64) verdict {
	if hit {
		return wins(num, den)
	}
	return loses
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

// Payout ratios.

func trueOdds(n uint8) Ratio { return ratioOf(6, ways(int(n))) }

func layOdds(n uint8) Ratio { return ratioOf(ways(int(n)), 6) }

func placeRatio(n uint8) Ratio {
	switch n {
	case 4, 10:
		return Ratio{9, 5}
	case 5, 9:
		return Ratio{7, 5}
	}
	return Ratio{7, 6}
}

func placeToLoseRatio(n uint8) Ratio {
	switch n {
	case 4, 10:
		return Ratio{5, 11}
	case 5, 9:
		return Ratio{5, 8}
	}
	return Ratio{4, 5}
}

// buyRatio is true odds less a commission of 5% of the bet, taken only
// from a win.
func buyRatio(n uint8) Ratio { return trueOdds(n).sub(Ratio{1, 20}) }

// layRatio is true odds less a commission of 5% of the win.
func layRatio(n uint8) Ratio { return layOdds(n).mul(Ratio{19, 20}) }

func hardRatio(n uint8) Ratio {
	if n == 4 || n == 10 {
		return Ratio{7, 1}
	}
	return Ratio{9, 1}
}

// lessTwoPercent is the BitCraps Yes/No/Next vig: true odds less 2% of the win.
var lessTwoPercent = Ratio{49, 50}

func yesRatio(n uint8) Ratio { return trueOdds(n).mul(lessTwoPercent) }

func noRatio(n uint8) Ratio { return layOdds(n).mul(lessTwoPercent) }

func nextRatio(n uint8) Ratio {
	w := ways(int(n))
	return ratioOf(36-w, w).mul(lessTwoPercent)
}
