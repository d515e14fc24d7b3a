package craps

import "fmt"

// BetInfo describes one bet for people and tools: the rows of `bitcraps
// rules`.
type BetInfo struct {
	Bet  Bet
	ID   string // wire string id, "place_6"
	Wire uint16 // wire number: kind<<8 | number
	Name string
	// Placeable: "come-out", "point" or "any roll".
	Placeable string
	// TakeDown: when the owner may take the wager down.
	TakeDown string
	// ComeOut: whether the bet acts on come-out rolls.
	ComeOut string
	// Payout as casinos print it, net of commission.
	Payout string
	// Edge is filled by HouseEdges (zero in Catalog).
	Edge HouseEdge
}

// Catalog describes every bet under the rules, in wire-id order.
func Catalog(rules Rules) []BetInfo {
	var infos []BetInfo
	for _, b := range AllBets() {
		sp := b.Kind.spec()
		infos = append(infos, BetInfo{
			Bet: b, ID: b.ID(), Wire: uint16(b.Kind)<<8 | uint16(b.Number), Name: b.Name(),
			Placeable: placeableText(b), TakeDown: takeDownText(sp), ComeOut: comeOutText(b, &rules),
			Payout: payoutText(b, &rules),
		})
	}
	return infos
}

// HouseEdges is the catalog with every bet's house edge: exact where the
// Markov chain is small enough, otherwise a seeded Monte Carlo estimate
// (Method Estimated, with its 99% interval).
func HouseEdges(rules Rules) ([]BetInfo, error) {
	return HouseEdgesWith(rules, DefaultTrials)
}

// HouseEdgesWith is HouseEdges with a chosen number of simulated bets for
// the estimated edges (fewer is faster and wider).
func HouseEdgesWith(rules Rules, trials int) ([]BetInfo, error) {
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	infos := Catalog(rules)
	for i := range infos {
		e, err := edgeOf(infos[i].Bet, rules, trials)
		if err != nil {
			return nil, fmt.Errorf("house edge of %s: %w", infos[i].ID, err)
		}
		infos[i].Edge = e
	}
	return infos, nil
}

func placeableText(b Bet) string {
	sp := b.Kind.spec()
	text := "any roll"
	switch sp.when {
	case comeOutOnly:
		text = "come-out"
	case pointOnly:
		text = "point"
	}
	switch {
	case sp.line != 0 && b.Number != 0:
		text += fmt.Sprintf(", behind your %s on %d", kinds[sp.line].name, b.Number)
	case sp.line != 0:
		text += ", behind your " + kinds[sp.line].name
	}
	return text
}

func takeDownText(sp *kindSpec) string {
	switch sp.take {
	case untilPoint:
		return "until its point is set"
	case untilFirstRoll:
		return "before its first roll"
	case removableNoOdds:
		return "yes, once its odds are down"
	}
	return "yes"
}

func comeOutText(b Bet, rules *Rules) string {
	sp := b.Kind.spec()
	switch {
	case b.Kind == KindPassOdds || b.Kind == KindDontPassOdds:
		return "n/a"
	case sp.offOnComeOut && !rules.WorkingOnComeOut:
		return "off"
	}
	return "works"
}

// payoutText renders the payout; every number comes from the same ratio
// functions step uses.
func payoutText(b Bet, rules *Rules) string {
	n := b.Number
	pay, fixed := fixedPayout(b)
	switch b.Kind {
	case KindDontPass, KindDontCome:
		return "1:1, 12 pushes"
	case KindPassOdds:
		return "true odds: " + perPoint(trueOdds)
	case KindDontPassOdds:
		return "true odds: " + perPoint(layOdds)
	case KindComeOdds, KindDontComeOdds:
		return pay.String() + " (true odds)"
	case KindBuy:
		return fmt.Sprintf("%s (%s less 5%% of the bet)", pay, trueOdds(n))
	case KindLay:
		return fmt.Sprintf("%s (%s less 5%% of the win)", pay, layOdds(n))
	case KindYes:
		return fmt.Sprintf("%s (%s less 2%%)", pay, trueOdds(n))
	case KindNo:
		return fmt.Sprintf("%s (%s less 2%%)", pay, layOdds(n))
	case KindNext:
		return fmt.Sprintf("%s (%s less 2%%)", pay, nextOdds(n))
	case KindRepeater:
		return fmt.Sprintf("%s (%d rolled %d times before 7)", pay, n, repeaterNeeded(n))
	}
	if fixed {
		return pay.String()
	}
	return payTableText(b, rules)
}

func payTableText(b Bet, rules *Rules) string {
	switch b.Kind {
	case KindField:
		return fmt.Sprintf("1:1; 2 pays 2:1; 12 pays %d:1", rules.FieldTwelvePays)
	case KindHorn:
		return "27:4 on 2 or 12, 3:1 on 3 or 11 (30:1 / 15:1 on a quarter)"
	case KindCAndE:
		return "3:1 on 2, 3 or 12; 7:1 on 11"
	case KindFire:
		return "4 points 24:1, 5 points 249:1, 6 points 999:1"
	case KindHotRoller:
		return "2 numbers 4:1, 3 9:1, 4 20:1, 5 50:1, 6 200:1"
	case KindRideTheLine:
		return "3 wins 1:1, 4 2:1, 5 4:1, 6 8:1, 7 12:1, 8 18:1, 9 25:1, 10 40:1, 11 100:1"
	case KindMuggsy:
		return "2:1 on a come-out 7; 3:1 on a 7 the roll after the point is set"
	case KindReplay:
		return fmt.Sprintf("a point made 3 times: %s on 4/10, %s on 5/9, %s on 6/8", replayRatio(4), replayRatio(5), replayRatio(6))
	case KindDifferentDoubles:
		return "3 doubles 4:1, 4 8:1, 5 15:1, 6 100:1"
	}
	return "?"
}

// perPoint renders a ratio for 4/10, 5/9 and 6/8.
func perPoint(f func(uint8) Ratio) string {
	return fmt.Sprintf("%s on 4/10, %s on 5/9, %s on 6/8", f(4), f(5), f(6))
}
