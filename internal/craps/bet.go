package craps

import (
	"fmt"
	"strconv"
	"strings"
)

// BetKind is a family of bets (Place, Hard, Hop, ...). Its numeric value is
// the wire id: it is persisted and signed, so a value is never reused or
// renumbered; new kinds take the next free number.
type BetKind uint8

// Wire ids. Never renumber.
const (
	KindPass             BetKind = 1
	KindDontPass         BetKind = 2
	KindCome             BetKind = 3
	KindDontCome         BetKind = 4
	KindPassOdds         BetKind = 5
	KindDontPassOdds     BetKind = 6
	KindComeOdds         BetKind = 7
	KindDontComeOdds     BetKind = 8
	KindPlace            BetKind = 9
	KindPlaceToLose      BetKind = 10
	KindBig              BetKind = 11
	KindBuy              BetKind = 12
	KindLay              BetKind = 13
	KindField            BetKind = 14
	KindHard             BetKind = 15
	KindAny7             BetKind = 16
	KindAnyCraps         BetKind = 17
	KindAces             BetKind = 18
	KindAceDeuce         BetKind = 19
	KindYo               BetKind = 20
	KindBoxcars          BetKind = 21
	KindHorn             BetKind = 22
	KindCAndE            BetKind = 23
	KindHop              BetKind = 24
	KindYes              BetKind = 25
	KindNo               BetKind = 26
	KindNext             BetKind = 27
	KindRepeater         BetKind = 28
	KindFire             BetKind = 29
	KindBonusSmall       BetKind = 30
	KindBonusTall        BetKind = 31
	KindBonusAll         BetKind = 32
	KindHotRoller        BetKind = 33
	KindTwiceHard        BetKind = 34
	KindRideTheLine      BetKind = 35
	KindMuggsy           BetKind = 36
	KindReplay           BetKind = 37
	KindDifferentDoubles BetKind = 38

	maxKind = KindDifferentDoubles
)

// when says in which phase a bet may be placed.
type when uint8

const (
	anyPhase    when = iota // either phase
	comeOutOnly             // only while the table is coming out
	pointOnly               // only while a point is on
)

// takeDown says when an open wager may be removed by its owner.
type takeDown uint8

const (
	removable       takeDown = iota // any time
	untilPoint                      // until it has its own point (Pass, Come)
	untilFirstRoll                  // until it has seen a roll (bonus bets)
	removableNoOdds                 // any time its odds are down (Don't Pass, Don't Come)
)

// kindSpec is everything static about a bet family.
type kindSpec struct {
	id      string  // wire string id, lower_snake_case
	name    string  // display name
	numbers []uint8 // allowed numbers; nil means the bet takes none
	when    when
	take    takeDown
	// offOnComeOut bets do not act on come-out rolls unless the table's
	// WorkingOnComeOut setting says they do (the casino convention for
	// place, buy, hardways and odds on come bets).
	offOnComeOut bool
	// line is the flat bet an odds bet backs (0 for non-odds bets).
	line BetKind
	// blind kinds resolve without looking at the table's phase or point,
	// so the house-edge solver can drop the table from their chain (a
	// test checks every blind kind against every table).
	blind bool
}

var (
	pointNumbers  = []uint8{4, 5, 6, 8, 9, 10}
	hardNumbers   = []uint8{4, 6, 8, 10}
	bigNumbers    = []uint8{6, 8}
	yesNoNumbers  = []uint8{2, 3, 4, 5, 6, 8, 9, 10, 11, 12}
	totalsNumbers = []uint8{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	hopNumbers    = func() []uint8 {
		var ns []uint8
		for a := uint8(1); a <= 6; a++ {
			for b := a; b <= 6; b++ {
				ns = append(ns, a*10+b)
			}
		}
		return ns
	}()
)

// kinds is indexed by BetKind.
var kinds = [maxKind + 1]kindSpec{
	KindPass:             {id: "pass", name: "Pass Line", when: comeOutOnly, take: untilPoint, blind: true},
	KindDontPass:         {id: "dont_pass", name: "Don't Pass Bar 12", when: comeOutOnly, take: removableNoOdds, blind: true},
	KindCome:             {id: "come", name: "Come", when: pointOnly, take: untilPoint, blind: true},
	KindDontCome:         {id: "dont_come", name: "Don't Come Bar 12", when: pointOnly, take: removableNoOdds, blind: true},
	KindPassOdds:         {id: "pass_odds", name: "Pass Odds", when: pointOnly, line: KindPass, blind: true},
	KindDontPassOdds:     {id: "dont_pass_odds", name: "Don't Pass Odds", when: pointOnly, line: KindDontPass, blind: true},
	KindComeOdds:         {id: "come_odds", name: "Come Odds", numbers: pointNumbers, offOnComeOut: true, line: KindCome},
	KindDontComeOdds:     {id: "dont_come_odds", name: "Don't Come Odds", numbers: pointNumbers, line: KindDontCome, blind: true},
	KindPlace:            {id: "place", name: "Place", numbers: pointNumbers, offOnComeOut: true},
	KindPlaceToLose:      {id: "place_to_lose", name: "Place to Lose", numbers: pointNumbers, blind: true},
	KindBig:              {id: "big", name: "Big", numbers: bigNumbers, blind: true},
	KindBuy:              {id: "buy", name: "Buy", numbers: pointNumbers, offOnComeOut: true},
	KindLay:              {id: "lay", name: "Lay", numbers: pointNumbers, blind: true},
	KindField:            {id: "field", name: "Field", blind: true},
	KindHard:             {id: "hard", name: "Hard", numbers: hardNumbers, offOnComeOut: true},
	KindAny7:             {id: "any_7", name: "Any 7", blind: true},
	KindAnyCraps:         {id: "any_craps", name: "Any Craps", blind: true},
	KindAces:             {id: "aces", name: "Aces (2)", blind: true},
	KindAceDeuce:         {id: "ace_deuce", name: "Ace-Deuce (3)", blind: true},
	KindYo:               {id: "yo", name: "Yo (11)", blind: true},
	KindBoxcars:          {id: "boxcars", name: "Boxcars (12)", blind: true},
	KindHorn:             {id: "horn", name: "Horn", blind: true},
	KindCAndE:            {id: "c_and_e", name: "C & E", blind: true},
	KindHop:              {id: "hop", name: "Hop", numbers: hopNumbers, blind: true},
	KindYes:              {id: "yes", name: "Yes", numbers: yesNoNumbers, blind: true},
	KindNo:               {id: "no", name: "No", numbers: yesNoNumbers, blind: true},
	KindNext:             {id: "next", name: "Next", numbers: totalsNumbers, blind: true},
	KindRepeater:         {id: "repeater", name: "Repeater", numbers: yesNoNumbers, take: untilFirstRoll, blind: true},
	KindFire:             {id: "fire", name: "Fire", when: comeOutOnly, take: untilFirstRoll},
	KindBonusSmall:       {id: "bonus_small", name: "Bonus Small", take: untilFirstRoll, blind: true},
	KindBonusTall:        {id: "bonus_tall", name: "Bonus Tall", take: untilFirstRoll, blind: true},
	KindBonusAll:         {id: "bonus_all", name: "Bonus All", take: untilFirstRoll, blind: true},
	KindHotRoller:        {id: "hot_roller", name: "Hot Roller", when: comeOutOnly, take: untilFirstRoll},
	KindTwiceHard:        {id: "twice_hard", name: "Twice Hard", take: untilFirstRoll, blind: true},
	KindRideTheLine:      {id: "ride_the_line", name: "Ride the Line", when: comeOutOnly, take: untilFirstRoll},
	KindMuggsy:           {id: "muggsy", name: "Muggsy", when: comeOutOnly, take: untilFirstRoll, blind: true},
	KindReplay:           {id: "replay", name: "Replay", when: comeOutOnly, take: untilFirstRoll},
	KindDifferentDoubles: {id: "different_doubles", name: "Different Doubles", take: untilFirstRoll, blind: true},
}

// Known reports whether k is a defined bet kind.
func (k BetKind) Known() bool { return k >= 1 && k <= maxKind }

func (k BetKind) spec() *kindSpec { return &kinds[k] }

// ID is the kind's stable string id ("place", "hop").
func (k BetKind) ID() string {
	if !k.Known() {
		return "unknown_" + strconv.Itoa(int(k))
	}
	return kinds[k].id
}

// String is the kind's string id.
func (k BetKind) String() string { return k.ID() }

// Bet names one bet on the layout: a kind and, where the kind needs one,
// its number (Place 6 is {KindPlace, 6}; Hop 2-5 is {KindHop, 25}). For an
// open wager the number is where the wager is now: a Come bet that has
// travelled to 8 has Number 8, and odds carry the number they back.
type Bet struct {
	Kind   BetKind
	Number uint8
}

// ID is the bet's stable string id: the kind id, then "_N" for numbered
// bets ("place_6", "yes_11") and "_A_B" for hops ("hop_2_5"). Travelled
// Come and Pass wagers read "come_8".
func (b Bet) ID() string {
	id := b.Kind.ID()
	switch {
	case b.Number == 0:
		return id
	case b.Kind == KindHop:
		return fmt.Sprintf("%s_%d_%d", id, b.Number/10, b.Number%10)
	default:
		return id + "_" + strconv.Itoa(int(b.Number))
	}
}

// Name is the bet's display name ("Place 6", "Hop 2-5").
func (b Bet) Name() string {
	if !b.Kind.Known() {
		return b.ID()
	}
	name := kinds[b.Kind].name
	switch {
	case b.Number == 0:
		return name
	case b.Kind == KindHop:
		return fmt.Sprintf("%s %d-%d", name, b.Number/10, b.Number%10)
	case b.Kind == KindCome || b.Kind == KindDontCome || b.Kind == KindPass || b.Kind == KindDontPass ||
		b.Kind == KindPassOdds || b.Kind == KindDontPassOdds:
		return fmt.Sprintf("%s on %d", name, b.Number)
	default:
		return fmt.Sprintf("%s %d", name, b.Number)
	}
}

// String is the bet's id.
func (b Bet) String() string { return b.ID() }

// validate checks that a bet as named by a player exists. Pass, Come and
// their odds take no number from the player (the engine sets it).
func (b Bet) validate() error {
	if !b.Kind.Known() {
		return fmt.Errorf("bet kind %d: %w", b.Kind, ErrUnknownBet)
	}
	sp := b.Kind.spec()
	if sp.numbers == nil {
		if b.Number != 0 {
			return fmt.Errorf("%s takes no number, got %d: %w", sp.id, b.Number, ErrUnknownBet)
		}
		return nil
	}
	for _, n := range sp.numbers {
		if n == b.Number {
			return nil
		}
	}
	return fmt.Errorf("%s needs a number in %s, got %d: %w", sp.id, numbersText(b.Kind), b.Number, ErrUnknownBet)
}

func numbersText(k BetKind) string {
	var parts []string
	for _, n := range kinds[k].numbers {
		if k == KindHop {
			parts = append(parts, fmt.Sprintf("%d%d", n/10, n%10))
		} else {
			parts = append(parts, strconv.Itoa(int(n)))
		}
	}
	return strings.Join(parts, ",")
}

// ParseBet maps the API's names to a bet. typeName is a kind id ("place",
// with number 6), or a full bet id ("place_6", with number 0 or the same
// number). Case, spaces and hyphens are forgiven ("Place-6"). Hops take the
// two dice in either order: ("hop", 25), ("hop", 52), ("hop_2_5", 0).
func ParseBet(typeName string, number int) (Bet, error) {
	name := strings.ToLower(strings.TrimSpace(typeName))
	name = strings.NewReplacer(" ", "_", "-", "_", "'", "").Replace(name)
	if number < 0 || number > 66 {
		return Bet{}, fmt.Errorf("bet %q number %d: %w", typeName, number, ErrUnknownBet)
	}
	kind, suffix, ok := splitBetID(name)
	if !ok {
		return Bet{}, fmt.Errorf("bet type %q: %w", typeName, ErrUnknownBet)
	}
	n, err := suffixNumber(kind, suffix, number)
	if err != nil {
		return Bet{}, fmt.Errorf("bet %q: %w", typeName, err)
	}
	b := Bet{Kind: kind, Number: n}
	if kind == KindHop && n%10 < n/10 {
		b.Number = (n%10)*10 + n/10
	}
	if err := b.validate(); err != nil {
		return Bet{}, err
	}
	return b, nil
}

// splitBetID finds the longest kind id that prefixes name.
func splitBetID(name string) (BetKind, string, bool) {
	best, bestLen := BetKind(0), -1
	for k := BetKind(1); k <= maxKind; k++ {
		id := kinds[k].id
		if (name == id || strings.HasPrefix(name, id+"_")) && len(id) > bestLen {
			best, bestLen = k, len(id)
		}
	}
	if bestLen < 0 {
		return 0, "", false
	}
	return best, strings.TrimPrefix(name[bestLen:], "_"), true
}

// suffixNumber reconciles a number written in the id with the number field.
func suffixNumber(kind BetKind, suffix string, number int) (uint8, error) {
	if suffix == "" {
		return uint8(number), nil
	}
	digits := strings.ReplaceAll(suffix, "_", "")
	if kind != KindHop && strings.Contains(suffix, "_") {
		return 0, fmt.Errorf("malformed number %q: %w", suffix, ErrUnknownBet)
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 0 || n > 66 {
		return 0, fmt.Errorf("malformed number %q: %w", suffix, ErrUnknownBet)
	}
	if number != 0 && number != n && !(kind == KindHop && number == (n%10)*10+n/10) {
		return 0, fmt.Errorf("id says %d but number is %d: %w", n, number, ErrUnknownBet)
	}
	return uint8(n), nil
}

// AllBets lists every bet a player can name, in wire-id order: each kind
// with each of its numbers.
func AllBets() []Bet {
	var bs []Bet
	for k := BetKind(1); k <= maxKind; k++ {
		if kinds[k].numbers == nil {
			bs = append(bs, Bet{Kind: k})
			continue
		}
		for _, n := range kinds[k].numbers {
			bs = append(bs, Bet{Kind: k, Number: n})
		}
	}
	return bs
}

// ways is the number of the 36 dice outcomes that make each total.
func ways(total int) int64 {
	if total < 2 || total > 12 {
		return 0
	}
	return int64(6 - abs(total-7))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// isPointNumber reports 4, 5, 6, 8, 9 or 10.
func isPointNumber(total int) bool {
	return total >= 4 && total <= 10 && total != 7
}
