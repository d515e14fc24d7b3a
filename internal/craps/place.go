package craps

import "fmt"

// Order is one bet a player asks to place.
type Order struct {
	Player string
	Bet    Bet
	Stake  Micros
}

// PlaceBet places one bet; see PlaceBets.
func PlaceBet(s State, player string, bet Bet, stake Micros) (State, Wager, error) {
	ns, ws, err := PlaceBets(s, []Order{{Player: player, Bet: bet, Stake: stake}})
	if err != nil {
		return s, Wager{}, err
	}
	return ns, ws[0], nil
}

// PlaceBets places a round's bets atomically, in order: either every order
// is valid and placed (stakes move from chips to the table) or none is and
// the error names the first bad order. Checks, in this order: seated, bet
// exists, allowed in the phase, stake positive, within the table minimum
// and maximum (odds: backed by a line bet and within the odds multiple),
// enough chips, room for another wager, and a bank that covers the worst
// case of every open wager (see Liability).
func PlaceBets(s State, orders []Order) (State, []Wager, error) {
	ns := s.clone()
	// The open wagers of each ordering player (lookups only; never iterated).
	byPlayer := make(map[string][]int, len(orders))
	for _, o := range orders {
		byPlayer[o.Player] = nil
	}
	for i, w := range ns.wagers {
		if idx, ok := byPlayer[w.Player]; ok {
			byPlayer[w.Player] = append(idx, i)
		}
	}
	seats := newSeatFinder(ns.seats)
	liability := Liability(s)
	placed := make([]Wager, 0, len(orders))
	for i, o := range orders {
		seat := seats.find(o.Player)
		w, exposure, err := ns.admit(o, seat, byPlayer[o.Player])
		if err != nil {
			return s, nil, fmt.Errorf("order %d (%s %s %d): %w", i, o.Player, o.Bet.ID(), o.Stake, err)
		}
		next, ok := addChecked(liability, exposure)
		if !ok || next > ns.bank {
			r := ns.refusal(w, ErrBankCannotCover, fmt.Sprintf("worst case %d with a bank of %d", next, ns.bank))
			r.Total, r.Limit = next, ns.bank
			return s, nil, fmt.Errorf("order %d (%s %s %d): %w", i, o.Player, o.Bet.ID(), o.Stake, r)
		}
		liability = next
		ns.seats[seat].Chips -= o.Stake
		byPlayer[o.Player] = append(byPlayer[o.Player], len(ns.wagers))
		ns.wagers = append(ns.wagers, w)
		ns.nextSeq++
		placed = append(placed, w)
	}
	return ns, placed, nil
}

// admit validates one order against the state; seat is the player's seat
// (-1 if not seated) and mine the indexes of the player's open wagers. It returns the wager and its worst-case win.
func (s *State) admit(o Order, seat int, mine []int) (Wager, Micros, error) {
	if seat < 0 {
		return Wager{}, 0, ErrNotSeated
	}
	if err := o.Bet.validate(); err != nil {
		return Wager{}, 0, err
	}
	if err := s.phaseAllows(o); err != nil {
		return Wager{}, 0, err
	}
	if o.Stake <= 0 {
		return Wager{}, 0, fmt.Errorf("stake %d: %w", o.Stake, ErrInvalidAmount)
	}
	w := Wager{Seq: s.nextSeq, Player: o.Player, Bet: o.Bet, Stake: o.Stake}
	if w.Bet.Kind == KindPassOdds || w.Bet.Kind == KindDontPassOdds {
		w.Bet.Number = s.point
	}
	if err := s.checkLimits(w, mine); err != nil {
		return Wager{}, 0, err
	}
	if o.Stake > s.seats[seat].Chips {
		r := s.refusal(w, ErrInsufficientChips, fmt.Sprintf("stake %d with %d chips", o.Stake, s.seats[seat].Chips))
		r.Chips = s.seats[seat].Chips
		return Wager{}, 0, r
	}
	if len(mine) >= s.rules.MaxWagersPerPlayer {
		return Wager{}, 0, fmt.Errorf("%d open wagers: %w", len(mine), ErrTooManyWagers)
	}
	exposure, ok := maxWinRatio(w.Bet, &s.rules).winOn(w.Stake)
	if !ok {
		return Wager{}, 0, fmt.Errorf("worst-case win on %d: %w", w.Stake, ErrInvalidAmount)
	}
	return w, exposure, nil
}

func (s *State) phaseAllows(o Order) error {
	w := Wager{Player: o.Player, Bet: o.Bet, Stake: o.Stake}
	switch o.Bet.Kind.spec().when {
	case comeOutOnly:
		if s.phase != ComeOut {
			return s.refusal(w, ErrNotAllowedInPhase, fmt.Sprintf(
				"%s may be placed only on the come-out; the table is in the point phase (point %d)", o.Bet.ID(), s.point))
		}
	case pointOnly:
		if s.phase != Point {
			return s.refusal(w, ErrNotAllowedInPhase, fmt.Sprintf(
				"%s may be placed only while a point is on; the table is in the come-out phase", o.Bet.ID()))
		}
	}
	return nil
}

// checkLimits applies the table minimum and maximum, or the odds rules.
func (s *State) checkLimits(w Wager, mine []int) error {
	if line := w.Bet.Kind.spec().line; line != 0 {
		return s.checkOdds(w, line, mine)
	}
	if w.Stake < s.rules.MinBet {
		r := s.refusal(w, ErrBelowMinimum, fmt.Sprintf("stake %d below the minimum %d", w.Stake, s.rules.MinBet))
		r.Total, r.Limit = w.Stake, s.rules.MinBet
		return r
	}
	spot := w.Stake
	for _, i := range mine {
		if s.wagers[i].Bet == w.Bet {
			spot += s.wagers[i].Stake
		}
	}
	if spot > s.rules.MaxBet || spot < w.Stake {
		r := s.refusal(w, ErrAboveMaximum, fmt.Sprintf("%d on %s above the maximum %d", spot, w.Bet.ID(), s.rules.MaxBet))
		r.Total, r.Limit = spot, s.rules.MaxBet
		return r
	}
	return nil
}

// checkOdds: odds need the player's line bet on the same number, and the
// player's odds on that number may not exceed the multiple. Take odds are
// capped on the stake; lay odds on the win (stake * ways/6).
func (s *State) checkOdds(w Wager, line BetKind, mine []int) error {
	var flat, odds Micros
	for _, i := range mine {
		o := s.wagers[i]
		switch {
		case o.Bet.Kind == line && o.Bet.Number == w.Bet.Number:
			flat += o.Stake
		case o.Bet == w.Bet:
			odds += o.Stake
		}
	}
	if flat == 0 {
		return s.refusal(w, ErrOddsWithoutLineBet, fmt.Sprintf("%s needs your %s bet on %d", w.Bet.Kind.ID(), line.ID(), w.Bet.Number))
	}
	total := odds + w.Stake
	mult := s.rules.MaxOdds.For(w.Bet.Number)
	limit := mulCapped(flat, mult)
	if w.Bet.Kind == KindDontPassOdds || w.Bet.Kind == KindDontComeOdds {
		limit = mulCapped(limit, 6) / ways(int(w.Bet.Number))
	}
	if total > limit || total < w.Stake {
		r := s.refusal(w, ErrOddsTooHigh, fmt.Sprintf("%d in odds on %d behind %d flat, at most %d (%s)",
			total, w.Bet.Number, flat, limit, s.rules.MaxOdds))
		r.Total, r.Limit = total, limit
		return r
	}
	return nil
}

// TakeDown removes an open wager at its owner's request and returns the
// stake to their chips. Pass and Come bets with a point are contracts
// (ErrContractBet), bonus bets may be taken down only before their first
// roll, and a Don't bet only once its odds are down (ErrOddsAttached).
func TakeDown(s State, player string, seq uint64) (State, Outcome, error) {
	idx := -1
	for i, w := range s.wagers {
		if w.Seq == seq && w.Player == player {
			idx = i
		}
	}
	if idx < 0 {
		return s, Outcome{}, fmt.Errorf("take down wager %d of %s: %w", seq, player, ErrNoSuchWager)
	}
	w := s.wagers[idx]
	if err := takeDownError(s, w); err != nil {
		return s, Outcome{}, fmt.Errorf("take down wager %d (%s): %w", seq, w.Bet.ID(), err)
	}
	ns := s.clone()
	ns.wagers = append(ns.wagers[:idx], ns.wagers[idx+1:]...)
	ns.seats[ns.seatIndex(player)].Chips += w.Stake
	return ns, outcomeOf(w, Returned, 0), nil
}

// contractError says why a wager may not be taken down, ignoring odds.
func contractError(s State, w Wager) error {
	switch w.Bet.Kind.spec().take {
	case untilPoint:
		if w.Bet.Number != 0 {
			return fmt.Errorf("%s is a contract once its point %d is set: %w", w.Bet.Kind.ID(), w.Bet.Number, ErrContractBet)
		}
	case untilFirstRoll:
		if w.Rolls > 0 {
			return fmt.Errorf("%s has seen %d rolls and must play out: %w", w.Bet.Kind.ID(), w.Rolls, ErrContractBet)
		}
	}
	return nil
}

// takeDownError is contractError plus the rule that a Don't bet keeps
// its odds company.
func takeDownError(s State, w Wager) error {
	if err := contractError(s, w); err != nil {
		return err
	}
	if w.Bet.Kind.spec().take != removableNoOdds || w.Bet.Number == 0 {
		return nil
	}
	odds := KindDontPassOdds
	if w.Bet.Kind == KindDontCome {
		odds = KindDontComeOdds
	}
	for _, o := range s.wagers {
		if o.Player == w.Player && o.Bet == (Bet{Kind: odds, Number: w.Bet.Number}) {
			return fmt.Errorf("take the %s down first: %w", o.Bet.ID(), ErrOddsAttached)
		}
	}
	return nil
}
