package table

import (
	"errors"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// betError turns the game's and the core's refusal of a bet into what the
// player sees: the table, the bet as typed, amounts in CRAP, and no
// consensus internals (those go to the log). Errors that are not the
// player's stay plain errors (500).
func (t *tableActor) betError(b messages.PlaceBet, err error) error {
	what := fmt.Sprintf("table %s: %s", t.rec.ID, betWords(b))
	if b.Type == "leave" {
		what = fmt.Sprintf("table %s: leave", t.rec.ID)
	}
	if ue, ok := refusalError(t.rec.ID, b, err); ok {
		t.log.Info("bet refused", "bet", betName(b), "amount", b.Amount, "err", err)
		return ue
	}
	var ue *messages.UserError
	switch {
	case errors.Is(err, game.ErrLeaving):
		ue = messages.Errorf(messages.CodeBetNotAllowed, "%s is not allowed: you leave the table at the end of this round", what)
	case errors.Is(err, game.ErrCannotLeave):
		ue = messages.Errorf(messages.CodeBetNotAllowed, "%s is not allowed now: your pass or come bet with its point on is a contract bet; it stays until the point is made or a seven rolls", what)
	case errors.Is(err, craps.ErrContractBet):
		ue = messages.Errorf(messages.CodeBetNotAllowed, "%s is not allowed now: a pass or come bet with its point on is a contract bet and may not be taken down", what)
	case errors.Is(err, craps.ErrNotAllowedInPhase), errors.Is(err, craps.ErrBankCannotCover), errors.Is(err, craps.ErrInsufficientChips):
		// Refused by a peer: only the reason's text came back.
		ue = messages.Errorf(codeOf(err), "%s was refused: %s", what, lastReason(err))
	case errors.Is(err, bft.ErrNotSeated), errors.Is(err, game.ErrNotSeated), errors.Is(err, messages.ErrNoInstance):
		ue = messages.Errorf(messages.CodeNotSeated, "%s: you do not sit at this table", what)
	case errors.Is(err, messages.ErrTablePaused):
		ue = messages.Errorf(messages.CodeTablePaused, "%s: %v", what, err)
	case errors.Is(err, craps.ErrTooManyWagers):
		ue = messages.Errorf(messages.CodeRateLimited, "%s: you have as many open bets as a player may; wait for some to be decided", what)
	case errors.Is(err, bft.ErrLimit):
		ue = messages.Errorf(messages.CodeRateLimited, "%s: the round holds as many bets as it takes; bet again after the roll", what)
	case errors.Is(err, bft.ErrApplication), errors.Is(err, game.ErrBadPayload):
		ue = messages.Errorf(messages.CodeBadRequest, "%s was refused: %s", what, lastReason(err))
	default:
		return err
	}
	ue.Detail = &messages.ErrorDetail{Table: t.rec.ID}
	if b.Type != "leave" {
		ue.Detail.Bet, ue.Detail.Amount = betName(b), &b.Amount
	}
	t.log.Info("bet refused", "bet", betName(b), "amount", b.Amount, "err", err)
	return ue
}

// codeOf is the user error code of a craps sentinel.
func codeOf(err error) string {
	switch {
	case errors.Is(err, craps.ErrBankCannotCover):
		return messages.CodeBankCannotCover
	case errors.Is(err, craps.ErrInsufficientChips):
		return messages.CodeInsufficientBalance
	}
	return messages.CodeBetNotAllowed
}

// lastReason is the innermost part of a wrapped message: the rule that
// refused, without the rounds, orders and signatures around it.
func lastReason(err error) string {
	for {
		next := errors.Unwrap(err)
		if joined, ok := err.(interface{ Unwrap() []error }); ok {
			if errs := joined.Unwrap(); len(errs) > 0 {
				next = errs[len(errs)-1]
			}
		}
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

func (t *tableActor) rollError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, messages.ErrTablePaused):
		return messages.Errorf(messages.CodeTablePaused, "roll at table %s: %v", t.rec.ID, err)
	case errors.Is(err, game.ErrNotShooter), errors.Is(err, bft.ErrNotLeader):
		return messages.Errorf(messages.CodeNotShooter, "only the shooter rolls; the shooter is %s", short(t.view().Shooter))
	case errors.Is(err, bft.ErrNotSeated), errors.Is(err, messages.ErrNoInstance):
		return messages.Errorf(messages.CodeNotSeated, "you do not sit at table %s", t.rec.ID)
	}
	return err
}

// userLedgerError: a wallet short of the amount is the player's to fix;
// anything else the ledger refuses is not.
func userLedgerError(err error, what string, amount int64) error {
	if errors.Is(err, ledger.ErrInsufficientFunds) {
		ue := messages.Errorf(messages.CodeInsufficientBalance, "insufficient balance: the wallet does not hold the %s needed to %s", inCRAP(amount), what)
		ue.Detail = &messages.ErrorDetail{Amount: &amount}
		return ue
	}
	var ue *messages.UserError
	if errors.As(err, &ue) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
