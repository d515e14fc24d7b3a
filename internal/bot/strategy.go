package bot

import (
	"errors"
	"fmt"
	"slices"

	"github.com/bitcraps/bitcraps/messages"
)

// Strategy names, as the "strategy" setting takes them.
const (
	PassOdds   = "pass-odds"  // pass line, then single odds behind it once a point is on
	DontPass   = "dont-pass"  // don't pass on every come-out
	Place68    = "place-6-8"  // place the 6 and the 8 while a point is on
	Martingale = "martingale" // pass line, doubling after each loss, back to one unit after a win
)

// Strategies lists the names in the order the help shows them.
var Strategies = []string{PassOdds, DontPass, Place68, Martingale}

// ErrStrategy: an unknown strategy or a bad parameter.
var ErrStrategy = errors.New("bot strategy")

// Seat is what a strategy sees before a round: the table's phase and
// limits, and this player's chips and open bets.
type Seat struct {
	Phase          string // "come_out" or "point"
	Point          int
	Chips          int64
	Bets           []messages.BetView
	MinBet, MaxBet int64
}

// Bet is one bet to place, in the API's terms.
type Bet struct {
	Type   string `json:"type"`
	Number int    `json:"number,omitempty"`
	Amount int64  `json:"amount"`
}

// Strategy decides a round's bets. Next is called once per round with the
// seat as it stands; it may keep state across rounds (the martingale).
type Strategy interface {
	Next(s Seat) []Bet
	// Stopped says why the strategy places no more bets ("" while it plays).
	Stopped() string
}

// NewStrategy builds a strategy. unit is the base stake in micro-CRAP; stopLoss,
// for the martingale, is how far below its first chips it stops betting.
func NewStrategy(name string, unit, stopLoss int64) (Strategy, error) {
	if unit <= 0 {
		return nil, fmt.Errorf("%w: unit %d micro-CRAP must be positive", ErrStrategy, unit)
	}
	switch name {
	case PassOdds:
		return &passOdds{unit: unit}, nil
	case DontPass:
		return &dontPass{unit: unit}, nil
	case Place68:
		return &place68{unit: unit}, nil
	case Martingale:
		if stopLoss <= 0 {
			return nil, fmt.Errorf("%w: martingale needs a positive stop_loss (micro-CRAP), got %d", ErrStrategy, stopLoss)
		}
		return &martingale{unit: unit, stopLoss: stopLoss}, nil
	}
	return nil, fmt.Errorf("%w: %q is not one of %v", ErrStrategy, name, Strategies)
}

func has(bets []messages.BetView, typ string, number int) bool {
	return slices.ContainsFunc(bets, func(b messages.BetView) bool {
		return b.Type == typ && (number == 0 || b.Number == number)
	})
}

// fit clamps a stake to the table's limits; 0 means it cannot be placed.
func fit(amount int64, s Seat) int64 {
	if s.MaxBet > 0 && amount > s.MaxBet {
		amount = s.MaxBet
	}
	if amount < s.MinBet || amount > s.Chips {
		return 0
	}
	return amount
}

type passOdds struct{ unit int64 }

func (p *passOdds) Next(s Seat) []Bet {
	switch {
	case s.Phase == "come_out" && !has(s.Bets, "pass", 0):
		if a := fit(p.unit, s); a > 0 {
			return []Bet{{Type: "pass", Amount: a}}
		}
	case s.Phase == "point" && has(s.Bets, "pass", 0) && !has(s.Bets, "pass_odds", 0):
		if a := fit(p.unit, s); a > 0 {
			return []Bet{{Type: "pass_odds", Amount: a}}
		}
	}
	return nil
}

func (p *passOdds) Stopped() string { return "" }

type dontPass struct{ unit int64 }

func (d *dontPass) Next(s Seat) []Bet {
	if s.Phase == "come_out" && !has(s.Bets, "dont_pass", 0) {
		if a := fit(d.unit, s); a > 0 {
			return []Bet{{Type: "dont_pass", Amount: a}}
		}
	}
	return nil
}

func (d *dontPass) Stopped() string { return "" }

// place68 stakes a multiple of six micro-CRAP, so 7:6 pays exactly.
type place68 struct{ unit int64 }

func (p *place68) Next(s Seat) []Bet {
	if s.Phase != "point" {
		return nil
	}
	var out []Bet
	for _, n := range []int{6, 8} {
		if has(s.Bets, "place", n) || n == s.Point {
			continue // no place bet on the point itself: the line covers it
		}
		if a := fit(p.unit-p.unit%6, s); a > 0 {
			out = append(out, Bet{Type: "place", Number: n, Amount: a})
			s.Chips -= a
		}
	}
	return out
}

func (p *place68) Stopped() string { return "" }

// martingale bets the pass line on each come-out: one unit at first,
// double the last stake after a loss, one unit after a win. It stops for
// good once its chips are stopLoss below where it started, or when the
// next stake is more than it has or the table allows.
type martingale struct {
	unit, stopLoss int64
	started        bool
	first          int64 // chips before the first bet
	before, stake  int64 // chips before the last pass bet, and its stake
	stopped        string
}

func (m *martingale) Next(s Seat) []Bet {
	if m.stopped != "" || s.Phase != "come_out" || has(s.Bets, "pass", 0) {
		return nil
	}
	switch {
	case !m.started:
		m.started, m.first, m.stake = true, s.Chips, m.unit
	case s.Chips > m.before:
		m.stake = m.unit // the last pass bet won
	default:
		m.stake *= 2
	}
	if m.first-s.Chips >= m.stopLoss {
		m.stopped = fmt.Sprintf("stop-loss: down %d micro-CRAP, the limit is %d", m.first-s.Chips, m.stopLoss)
		return nil
	}
	if a := fit(m.stake, s); a != m.stake {
		m.stopped = fmt.Sprintf("the next stake, %d micro-CRAP, is more than the chips (%d) or the table's limit (%d)", m.stake, s.Chips, s.MaxBet)
		return nil
	}
	m.before = s.Chips
	return []Bet{{Type: "pass", Amount: m.stake}}
}

func (m *martingale) Stopped() string { return m.stopped }
