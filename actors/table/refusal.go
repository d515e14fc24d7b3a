package table

import (
	"errors"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/messages"
)

// inCRAP writes micro-CRAP as the player typed it: "25 CRAP", "0.5 CRAP".
func inCRAP(micros int64) string { return config.FormatCRAP(micros) + " CRAP" }

// betName is the bet id a player types ("pass", "place_6").
func betName(b messages.PlaceBet) string {
	if bet, err := craps.ParseBet(b.Type, b.Number); err == nil {
		return bet.ID()
	}
	return b.Type
}

// betWords is "bet of 25 CRAP on pass".
func betWords(b messages.PlaceBet) string {
	return fmt.Sprintf("bet of %s on %s", inCRAP(b.Amount), betName(b))
}

// refusalError is the rule book's refusal of bet b at table as the player
// reads it, with the numbers for programs beside it; ok is false when err
// holds no craps.Refusal.
func refusalError(table string, b messages.PlaceBet, err error) (*messages.UserError, bool) {
	var r *craps.Refusal
	if !errors.As(err, &r) {
		return nil, false
	}
	detail := &messages.ErrorDetail{Table: table, Bet: betName(b), Amount: &b.Amount}
	if r.Limit != 0 {
		detail.Limit = &r.Limit
	}
	what := "table " + table + ": " + betWords(b)
	code, msg := messages.CodeBetNotAllowed, ""
	switch {
	case errors.Is(r, craps.ErrAboveMaximum) && r.Total > b.Amount:
		msg = fmt.Sprintf("%s would make %s on %s, above the table maximum of %s", what, inCRAP(r.Total), betName(b), inCRAP(r.Limit))
	case errors.Is(r, craps.ErrAboveMaximum):
		msg = fmt.Sprintf("%s is above the table maximum of %s", what, inCRAP(r.Limit))
	case errors.Is(r, craps.ErrBelowMinimum):
		msg = fmt.Sprintf("%s is below the table minimum of %s", what, inCRAP(r.Limit))
	case errors.Is(r, craps.ErrInsufficientChips):
		code, detail.Held = messages.CodeInsufficientBalance, &r.Chips
		msg = fmt.Sprintf("%s needs %s in chips; you hold %s", what, inCRAP(b.Amount), inCRAP(r.Chips))
	case errors.Is(r, craps.ErrNotAllowedInPhase) && r.Phase == craps.Point:
		msg = fmt.Sprintf("%s is not allowed now: %s is placed on the come-out, and the point is %d", what, betName(b), r.Point)
	case errors.Is(r, craps.ErrNotAllowedInPhase):
		msg = fmt.Sprintf("%s is not allowed now: %s is placed only while a point is on, and the table is on the come-out", what, betName(b))
	case errors.Is(r, craps.ErrOddsTooHigh):
		msg = fmt.Sprintf("%s would make %s of odds, above the %s allowed behind your line bet", what, inCRAP(r.Total), inCRAP(r.Limit))
	case errors.Is(r, craps.ErrOddsWithoutLineBet):
		msg = fmt.Sprintf("%s needs a line bet of yours to back it first (pass or don't pass, come or don't come on its number)", what)
	case errors.Is(r, craps.ErrBankCannotCover):
		code = messages.CodeBankCannotCover
		msg = fmt.Sprintf("%s is more than the bank can cover: the open bets could win up to %s, and the bank holds %s",
			what, inCRAP(r.Total), inCRAP(r.Limit))
	default:
		return nil, false
	}
	return &messages.UserError{Code: code, Message: msg, Detail: detail}, true
}
