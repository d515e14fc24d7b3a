package game

import (
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// The shooter, as in a casino, is a rule of the table state, not of the
// consensus underneath: bft's leader rotates every round and view (it only
// orders the messages), while the dice stay with one player until a
// seven-out. The shooter lives in the craps state, so it is in every state
// hash, every node and `bitcraps verify` derive the same one, and:
//
//   - the first seat of the genesis shoots first;
//   - the shooter keeps the dice through naturals, craps and points made;
//   - a seven-out passes them to the next seat in seating order (a lone
//     player keeps them);
//   - a shooter who leaves, or is unseated (silent, or withholding a
//     reveal), passes them to the next seat at once, the point staying on;
//   - a player who joins mid-game sits last and shoots in turn.
//
// Absence changes nothing: an absent shooter keeps the dice (the rounds
// roll when the bet window closes) until the seat is unseated.
//
// A roll request (KindRoll) is how the shooter says "roll now" to whichever
// node leads the round: a signed payload like a bet, valid only from the
// shooter of the state it builds on and once per round, so only the
// shooter can hurry the dice, and the chain shows who asked.

// mayAskRoll: a roll request by k, after rolls others in the round.
func mayAskRoll(st state, k bft.PublicKey, rolls int) error {
	switch shooter := st.craps.Shooter(); {
	case shooter != k.String():
		return fmt.Errorf("%s asks for the roll, the shooter is %.16s: %w", k.Short(), shooter, ErrNotShooter)
	case rolls > 0:
		return fmt.Errorf("%s asks for the roll twice in round %d: %w", k.Short(), st.round+1, ErrNotShooter)
	}
	return nil
}

// Shooter is who holds the dice at state h, and who takes them at the next
// seven-out (the same player at a one-seat table); zero keys at an empty
// table.
func (a *App) Shooter(h bft.Hash) (shooter, next bft.PublicKey, err error) {
	st, err := a.state(h)
	if err != nil {
		return shooter, next, err
	}
	if s := st.craps.Shooter(); s != "" {
		if err := shooter.UnmarshalText([]byte(s)); err != nil {
			return shooter, next, fmt.Errorf("shooter %q: %w: %w", s, ErrInvariant, err)
		}
		if err := next.UnmarshalText([]byte(st.craps.NextShooter())); err != nil {
			return shooter, next, fmt.Errorf("next shooter: %w: %w", ErrInvariant, err)
		}
	}
	return shooter, next, nil
}

// ToBet lists the seats at state h that have not bet yet in the round
// built on it: no payload of theirs in the round (acted), no wager riding
// on the layout, and chips in hand for at least the table's minimum bet.
// The shooter may roll at once when none of them is present (the consensus
// actor's pacing); a seat with nothing to bet with is never waited for.
func (a *App) ToBet(h bft.Hash, acted func(bft.PublicKey) bool) ([]bft.PublicKey, error) {
	st, err := a.state(h)
	if err != nil {
		return nil, err
	}
	seats, err := st.players()
	if err != nil {
		return nil, err
	}
	var out []bft.PublicKey
	for i, p := range st.craps.Players() {
		if acted(seats[i]) || len(st.craps.WagersOf(p.ID)) > 0 || p.Chips < st.craps.Rules().MinBet {
			continue
		}
		out = append(out, seats[i])
	}
	return out, nil
}
