package craps

// Refusal is a bet PlaceBets refused, with the numbers behind the refusal,
// so that a caller can tell the player in its own words and units (the
// node says "bet of 25 CRAP on pass is above the table maximum of 20 CRAP")
// without parsing this package's messages. It wraps the sentinel (Err):
// errors.Is works as for any error of this package, and errors.As finds
// the Refusal through the wrapping of game and bft.
type Refusal struct {
	// Bet is the bet as placed (odds carry the point as their number).
	Bet Bet
	// Stake is the amount of the refused wager.
	Stake Micros
	// Total is what the player would have on the spot with this wager
	// (ErrAboveMaximum, ErrOddsTooHigh), or the worst case the bank would
	// owe (ErrBankCannotCover).
	Total Micros
	// Limit is the bound the bet broke: the table minimum or maximum, the
	// most odds allowed behind the line bet, the bank.
	Limit Micros
	// Chips are the player's chips in hand (ErrInsufficientChips).
	Chips Micros
	// Phase and Point are the table's when the bet was refused.
	Phase Phase
	Point uint8
	// Err is the sentinel: ErrBelowMinimum, ErrAboveMaximum, ErrOddsTooHigh,
	// ErrOddsWithoutLineBet, ErrInsufficientChips, ErrNotAllowedInPhase or
	// ErrBankCannotCover.
	Err error

	text string // this package's message, as before Refusal existed
}

func (r *Refusal) Error() string { return r.text + ": " + r.Err.Error() }

// Unwrap is the sentinel.
func (r *Refusal) Unwrap() error { return r.Err }

// refusal builds a Refusal for order o in state s.
func (s *State) refusal(w Wager, sentinel error, text string) *Refusal {
	return &Refusal{Bet: w.Bet, Stake: w.Stake, Phase: s.phase, Point: s.point, Err: sentinel, text: text}
}
