package craps

import (
	"fmt"
	"slices"
)

// Result is what happened to a wager.
type Result uint8

const (
	// Stays: the wager is still open (it may have moved, as a Come bet
	// travelling to its point, or gained progress).
	Stays Result = 1
	// Win: the stake goes back to the player with the win on top.
	Win Result = 2
	// Lose: the stake goes to the bank.
	Lose Result = 3
	// Push: the stake goes back to the player, nothing more (Don't Pass on
	// a come-out 12; odds on a Come bet that is off on the come-out).
	Push Result = 4
	// Returned: taken down by the player, or by Unseat; the stake goes back.
	Returned Result = 5
)

// String renders the result in lower case.
func (r Result) String() string {
	switch r {
	case Stays:
		return "stays"
	case Win:
		return "win"
	case Lose:
		return "lose"
	case Push:
		return "push"
	case Returned:
		return "returned"
	}
	return fmt.Sprintf("result(%d)", uint8(r))
}

// Resolved reports whether the wager is closed by this result.
func (r Result) Resolved() bool { return r != Stays }

// Outcome is what one roll (or a take-down) did to one wager.
type Outcome struct {
	Seq    uint64
	Player string
	// Bet is the wager after the roll (a travelled Come bet shows its point).
	Bet    Bet
	Result Result
	Stake  Micros
	// Win is the net amount the bank pays on a Win, after any commission and
	// rounded down to a whole micro-unit; zero for every other result.
	Win Micros
	// Progress is the wager's progress after the roll (bonus bets).
	Progress uint32
}

// ChipsDelta is what the outcome gives back to the player's chips:
// stake plus win, the stake alone, or nothing.
func (o Outcome) ChipsDelta() Micros {
	switch o.Result {
	case Win:
		return o.Stake + o.Win
	case Push, Returned:
		return o.Stake
	}
	return 0
}

// BankDelta is the outcome's effect on the bank.
func (o Outcome) BankDelta() Micros {
	switch o.Result {
	case Win:
		return -o.Win
	case Lose:
		return o.Stake
	}
	return 0
}

func outcomeOf(w Wager, r Result, win Micros) Outcome {
	return Outcome{Seq: w.Seq, Player: w.Player, Bet: w.Bet, Result: r, Stake: w.Stake, Win: win, Progress: w.Progress}
}

// Apply settles one roll: every open wager (in Seq order) wins, loses,
// pushes or stays, chips and bank move accordingly, the table moves to its
// next phase, and on a seven-out the dice pass to the next seat. There is
// one outcome per wager that was open before the roll, in Seq order.
// The input state is not changed.
func Apply(s State, r Roll) (State, []Outcome, error) {
	if !r.Valid() {
		return s, nil, fmt.Errorf("apply roll %d-%d: %w", r.D1, r.D2, ErrInvalidRoll)
	}
	// Seats are copied only if a wager pays something back (copy on write).
	ns := s
	ns.wagers = slices.Clone(s.wagers)
	t := table{phase: s.phase, point: s.point}
	outs := make([]Outcome, 0, len(ns.wagers))
	kept := ns.wagers[:0]
	seats := newSeatFinder(ns.seats)
	copied := false
	for _, w := range ns.wagers {
		o, err := settle(&ns, &w, t, r)
		if err != nil {
			return s, nil, err
		}
		if o.Result == Stays {
			kept = append(kept, w)
		}
		outs = append(outs, o)
		if delta := o.ChipsDelta(); delta != 0 {
			if !copied {
				ns.seats, copied = slices.Clone(ns.seats), true
				seats.seats = ns.seats
			}
			i := seats.find(o.Player)
			if i < 0 {
				return s, nil, fmt.Errorf("wager %d belongs to %s: %w", o.Seq, o.Player, ErrNotSeated)
			}
			ns.seats[i].Chips += delta
		}
		ns.bank += o.BankDelta()
	}
	ns.wagers = kept
	if ns.bank < 0 {
		return s, nil, fmt.Errorf("roll %s would leave the bank at %d: %w", r, ns.bank, ErrBankCannotCover)
	}
	nt, sevenOut, _ := t.next(r)
	ns.phase, ns.point = nt.phase, nt.point
	ns.rolls++
	ns.lastRoll = r
	if sevenOut {
		ns.shooter = ns.NextShooter() // a lone player keeps the dice
	}
	return ns, outs, nil
}

// settle applies the roll to one wager; Apply moves the money.
func settle(ns *State, w *Wager, t table, r Roll) (Outcome, error) {
	l := live{bet: w.Bet, progress: w.Progress}
	v := step(&l, t, r, &ns.rules)
	w.Bet, w.Progress = l.bet, l.progress
	w.Rolls++
	var win Micros
	if v.result == Win {
		var ok bool
		if win, ok = v.win.winOn(w.Stake); !ok {
			return Outcome{}, fmt.Errorf("wager %d: win on %d at %s: %w", w.Seq, w.Stake, v.win, ErrInvalidAmount)
		}
	}
	return outcomeOf(*w, v.result, win), nil
}
