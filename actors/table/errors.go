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
// player sees. Errors that are not the player's stay plain errors (500).
func (t *tableActor) betError(b messages.PlaceBet, err error) error {
	what := fmt.Sprintf("bet %s %d", b.Type, b.Amount)
	if b.Type == "leave" {
		what = "leave"
	}
	switch {
	case errors.Is(err, craps.ErrNotAllowedInPhase), errors.Is(err, game.ErrLeaving),
		errors.Is(err, game.ErrCannotLeave), errors.Is(err, craps.ErrContractBet):
		return messages.Errorf(messages.CodeBetNotAllowed, "%s not allowed now (phase %s): %v", what, t.view().Phase, err)
	case errors.Is(err, craps.ErrBankCannotCover):
		return messages.Errorf(messages.CodeBankCannotCover, "%s: the bank (%d micro-CRAP) cannot cover it: %v", what, t.view().Bank, err)
	case errors.Is(err, craps.ErrInsufficientChips):
		return messages.Errorf(messages.CodeInsufficientBalance, "%s: insufficient balance: you have %d micro-CRAP in chips, the bet needs %d",
			what, t.chipsInHand(), b.Amount)
	case errors.Is(err, bft.ErrNotSeated), errors.Is(err, game.ErrNotSeated), errors.Is(err, messages.ErrNoInstance):
		return messages.Errorf(messages.CodeNotSeated, "%s: you do not sit at table %s", what, t.rec.ID)
	case errors.Is(err, messages.ErrTablePaused):
		return messages.Errorf(messages.CodeTablePaused, "%s at table %s: %v", what, t.rec.ID, err)
	case errors.Is(err, bft.ErrLimit), errors.Is(err, craps.ErrTooManyWagers):
		return messages.Errorf(messages.CodeRateLimited, "%s: %v", what, err)
	case errors.Is(err, bft.ErrApplication), errors.Is(err, game.ErrBadPayload):
		return messages.Errorf(messages.CodeBadRequest, "%s: %v", what, err)
	}
	return err
}

func (t *tableActor) chipsInHand() int64 {
	for _, p := range t.view().Players {
		if p.PeerID == t.me {
			return p.Chips
		}
	}
	return 0
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
		return messages.Errorf(messages.CodeInsufficientBalance, "insufficient balance to %s %d micro-CRAP: %v", what, amount, err)
	}
	var ue *messages.UserError
	if errors.As(err, &ue) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
