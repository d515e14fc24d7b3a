package craps

// Liability is the most the bank could ever have to pay on the open
// wagers: the sum over wagers of the largest win each can still make. A
// wager pays at most once (every bet, place bets included, is closed when
// it wins), so a bank holding at least this much can pay every roll of
// every future round, whatever the dice do. PlaceBets refuses a bet that
// would push the liability above the bank, which keeps that true forever:
// a win lowers the bank by no more than it lowers the liability.
func Liability(s State) Micros {
	var sum Micros
	for _, w := range s.wagers {
		win, ok := maxWinRatio(w.Bet, &s.rules).winOn(w.Stake)
		if !ok {
			return 1<<63 - 1
		}
		if sum, ok = addChecked(sum, win); !ok {
			return 1<<63 - 1
		}
	}
	return sum
}

// RoundExposure is the worst case of the next roll alone: the largest net
// amount the bank pays out over the 36 dice outcomes (wins minus the
// stakes it collects), or zero if no outcome costs the bank. It is finer
// than Liability and useful for display; PlaceBets uses Liability so that
// later rounds are covered too.
func RoundExposure(s State) Micros {
	var worst Micros
	for _, r := range allRolls {
		_, outs, err := Apply(s, r)
		if err != nil {
			return 1<<63 - 1
		}
		var net Micros
		for _, o := range outs {
			net -= o.BankDelta()
		}
		worst = max(worst, net)
	}
	return worst
}

// maxWinRatio is the largest net win per unit staked a bet can ever pay.
// The edge solver checks it against every terminal it reaches.
func maxWinRatio(b Bet, rules *Rules) Ratio {
	n := b.Number
	if n == 0 && (b.Kind == KindPassOdds || b.Kind == KindDontPassOdds) {
		n = 4 // not yet on a point: reserve for the point that pays the most
		if b.Kind == KindDontPassOdds {
			n = 6
		}
	}
	switch b.Kind {
	case KindPass, KindDontPass, KindCome, KindDontCome, KindBig:
		return Ratio{1, 1}
	case KindPassOdds, KindComeOdds:
		return trueOdds(n)
	case KindDontPassOdds, KindDontComeOdds:
		return layOdds(n)
	case KindPlace:
		return placeRatio(n)
	case KindPlaceToLose:
		return placeToLoseRatio(n)
	case KindBuy:
		return buyRatio(n)
	case KindLay:
		return layRatio(n)
	case KindHard:
		return hardRatio(n)
	case KindYes:
		return yesRatio(n)
	case KindNo:
		return noRatio(n)
	case KindNext:
		return nextRatio(n)
	case KindRepeater:
		return repeaterRatio(n)
	case KindReplay:
		return Ratio{200, 1}
	case KindHop:
		if n/10 == n%10 {
			return Ratio{30, 1}
		}
		return Ratio{15, 1}
	}
	return oneRollOrBonusMax(b.Kind, rules)
}

func oneRollOrBonusMax(k BetKind, rules *Rules) Ratio {
	switch k {
	case KindField:
		return Ratio{max(2, int64(rules.FieldTwelvePays)), 1}
	case KindAny7:
		return Ratio{4, 1}
	case KindAnyCraps, KindCAndE:
		return Ratio{7, 1}
	case KindTwiceHard:
		return Ratio{12, 1}
	case KindAces, KindBoxcars:
		return Ratio{30, 1}
	case KindAceDeuce, KindYo:
		return Ratio{15, 1}
	case KindHorn:
		return Ratio{27, 4}
	case KindFire:
		return Ratio{999, 1}
	case KindBonusSmall, KindBonusTall:
		return Ratio{34, 1}
	case KindBonusAll:
		return Ratio{175, 1}
	case KindHotRoller:
		return Ratio{200, 1}
	case KindRideTheLine, KindDifferentDoubles:
		return Ratio{100, 1}
	case KindMuggsy:
		return Ratio{3, 1}
	}
	return Ratio{0, 1}
}
