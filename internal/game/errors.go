package game

import "errors"

// Sentinel errors. Every error this package returns wraps one of these (or a
// craps or bft sentinel), with context naming the input at fault.
var (
	// ErrBadPayload: a bet payload does not decode, has an unknown version
	// or kind, names an unknown bet, or is not in canonical form.
	ErrBadPayload = errors.New("game: bad bet payload")
	// ErrBadGenesis: a genesis is unusable (no table ID, no seats, a seat
	// twice, negative chips or bank, invalid rules).
	ErrBadGenesis = errors.New("game: bad genesis")
	// ErrUnknownState: the application holds no state with that hash (never
	// computed, or pruned because it is older than KeepRounds rounds).
	ErrUnknownState = errors.New("game: unknown state")
	// ErrNotSeated: the bettor is not seated at the table in that state.
	ErrNotSeated = errors.New("game: player not seated")
	// ErrWrongRound: a bet is signed for another round than the one that
	// follows the state it is applied to.
	ErrWrongRound = errors.New("game: bet for the wrong round")
	// ErrCannotLeave: the player has a contract wager and must wait for it
	// to resolve before leaving.
	ErrCannotLeave = errors.New("game: cannot leave with a contract wager")
	// ErrLeaving: the player leaves in this round, so no other payload of
	// theirs may be in it (and one leave is enough).
	ErrLeaving = errors.New("game: player leaves this round")
	// ErrNotShooter: a roll request signed by a player who does not hold
	// the dice, or a second one in a round.
	ErrNotShooter = errors.New("game: only the shooter asks for the roll")
	// ErrNothingToTakeDown: a take-down names a bet the player has no open
	// wager on.
	ErrNothingToTakeDown = errors.New("game: no open wager to take down")
	// ErrStateMismatch: replaying a certified round gives another state hash
	// than the certified one, or the round does not build on the state it
	// names.
	ErrStateMismatch = errors.New("game: state hash mismatch")
	// ErrBadExport: an export file that does not decode or has an unknown
	// version.
	ErrBadExport = errors.New("game: bad export")
	// ErrBadUnseating: an unseating whose votes do not prove it (a vote
	// missing, forged, for other players or another boundary), or that
	// unseats nobody, a player not seated, or everybody.
	ErrBadUnseating = errors.New("game: bad unseating")
	// ErrOutOfOrder: a certificate or unseating that is not for the round
	// a Chain expects next.
	ErrOutOfOrder = errors.New("game: round out of order")
	// ErrTableEnded: the table was dissolved by a certified round: nothing
	// more may be played on it.
	ErrTableEnded = errors.New("game: the table was dissolved")
	// ErrInvariant: an internal invariant broke (money not conserved). It
	// means a bug, never bad input; the round is refused rather than
	// settled.
	ErrInvariant = errors.New("game: internal invariant broken")
)
