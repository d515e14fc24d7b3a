package craps

import "errors"

// Sentinel errors. Every error returned by this package wraps one of these
// with context naming the input at fault, so callers can branch with
// errors.Is and still show people a useful message.
var (
	// ErrUnknownBet: the bet type or its number does not exist.
	ErrUnknownBet = errors.New("unknown bet")
	// ErrNotAllowedInPhase: the bet may not be placed in the table's current phase.
	ErrNotAllowedInPhase = errors.New("bet not allowed in this phase")
	// ErrBelowMinimum: the stake is below the table minimum.
	ErrBelowMinimum = errors.New("stake below table minimum")
	// ErrAboveMaximum: the stake (with the player's other stakes on the same spot) is above the table maximum.
	ErrAboveMaximum = errors.New("stake above table maximum")
	// ErrOddsTooHigh: an odds bet above the allowed multiple of its line bet.
	ErrOddsTooHigh = errors.New("odds above the allowed multiple")
	// ErrOddsWithoutLineBet: an odds bet with no line bet to back.
	ErrOddsWithoutLineBet = errors.New("odds without a line bet")
	// ErrOddsAttached: a line bet cannot be taken down while its odds are still up.
	ErrOddsAttached = errors.New("odds still attached to the line bet")
	// ErrContractBet: the wager may not be taken down (a Pass or Come bet
	// after its point is set, or a multi-roll bonus bet once it has seen a roll).
	ErrContractBet = errors.New("contract bet may not be taken down")
	// ErrBankCannotCover: the bank could not pay the worst case of the open wagers.
	ErrBankCannotCover = errors.New("bank cannot cover the worst case")
	// ErrInsufficientChips: the player has fewer chips than the stake.
	ErrInsufficientChips = errors.New("insufficient chips")
	// ErrInvalidAmount: an amount that is zero, negative or would overflow.
	ErrInvalidAmount = errors.New("invalid amount")
	// ErrInvalidRoll: dice outside 1..6.
	ErrInvalidRoll = errors.New("invalid roll")
	// ErrInvalidRules: a table setting out of range.
	ErrInvalidRules = errors.New("invalid table rules")
	// ErrNotSeated: the player is not seated at the table.
	ErrNotSeated = errors.New("player not seated")
	// ErrAlreadySeated: the player is already seated.
	ErrAlreadySeated = errors.New("player already seated")
	// ErrTableFull: every seat is taken.
	ErrTableFull = errors.New("table full")
	// ErrInvalidPlayer: an empty or oversized player id.
	ErrInvalidPlayer = errors.New("invalid player id")
	// ErrTooManyWagers: the player already has the maximum number of open wagers.
	ErrTooManyWagers = errors.New("too many open wagers")
	// ErrNoSuchWager: no open wager with that sequence number belongs to the player.
	ErrNoSuchWager = errors.New("no such wager")
	// ErrBadEncoding: a state encoding that is malformed or breaks an invariant.
	ErrBadEncoding = errors.New("bad state encoding")
	// ErrChainTooLarge: exact analysis would need more Markov states than allowed.
	ErrChainTooLarge = errors.New("markov chain too large for exact analysis")
)
