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
	if b.Number == 0 && (b.Kind == KindPassOdds || b.Kind == KindDontPassOdds) {
		// Not yet on a point: reserve for the point that pays the most.
		b.Number = 4
		if b.Kind == KindDontPassOdds {
			b.Number = 6
		}
	}
	if pay, ok := fixedPayout(b); ok {
		return pay
	}
	switch b.Kind {
	case KindField:
		return Ratio{max(2, int64(rules.FieldTwelvePays)), 1}
	case KindHorn:
		return Ratio{27, 4}
	case KindCAndE:
		return Ratio{7, 1}
	case KindFire:
		return Ratio{999, 1}
	case KindHotRoller:
		return Ratio{200, 1}
	case KindRideTheLine, KindDifferentDoubles:
		return Ratio{100, 1}
	case KindMuggsy:
		return Ratio{3, 1}
	case KindReplay:
		return replayRatio(4)
	}
	return Ratio{0, 1}
}
