package api

import (
	"fmt"
	"net/http"

	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/messages"
)

// betRequest is the body of POST /api/v1/tables/{id}/bets.
type betRequest struct {
	Type   string `json:"type"`
	Number int    `json:"number"`
	Amount int64  `json:"amount"`
	// TakeDown asks for the player's open wagers on the bet back (no
	// amount): it rides in the round being played like a bet.
	TakeDown bool `json:"take_down"`
}

// betAnswer is the 202 answer: the bet waits for the next roll.
type betAnswer struct {
	BetID string `json:"bet_id"`
}

// message checks the bet's name with the rule book, so an unknown bet is
// a 400 naming the field before any actor sees it; the games service
// still judges whether it is allowed now.
func (b betRequest) message(table string) (*messages.PlaceBet, error) {
	if b.Type == "" {
		return nil, badRequest(`field type: missing; want a bet name such as "pass", "field" or "place" with "number": 6`)
	}
	if b.TakeDown && b.Amount != 0 {
		return nil, badRequest(fmt.Sprintf("field amount: %d with take_down: a take-down returns whole wagers, send no amount", b.Amount))
	}
	if err := positive("amount", b.Amount); err != nil && !b.TakeDown {
		return nil, err
	}
	bet, err := craps.ParseBet(b.Type, b.Number)
	if err != nil {
		field := "type"
		if b.Number != 0 {
			field = "type/number"
		}
		return nil, badRequest(fmt.Sprintf("field %s: %v (see `bitcraps rules` for every bet)", field, err))
	}
	return &messages.PlaceBet{TableID: table, Type: bet.Kind.ID(), Number: int(bet.Number), Amount: b.Amount, TakeDown: b.TakeDown}, nil
}

func (s *Server) mountBets() {
	svc := s.opts.Services
	s.handle("POST /api/v1/tables/{id}/bets", func(w http.ResponseWriter, r *http.Request) error {
		id, err := tableID(r)
		if err != nil {
			return err
		}
		var req betRequest
		if err := decodeBody(w, r, &req, false); err != nil {
			return err
		}
		msg, err := req.message(id)
		if err != nil {
			return err
		}
		ans, err := askAs[*messages.BetReply](svc, gamesService, msg, svc.Timeout)
		if err != nil {
			return err
		}
		if ans.Err != nil {
			return serviceError(gamesService, ans.Err)
		}
		writeJSON(w, http.StatusAccepted, betAnswer{BetID: ans.BetID})
		return nil
	})
	// POST .../roll: only the shooter may; the dice come from the round's
	// commit-reveal, and the result arrives on the event stream.
	s.handle("POST /api/v1/tables/{id}/roll", func(w http.ResponseWriter, r *http.Request) error {
		id, err := tableID(r)
		if err != nil {
			return err
		}
		if err := decodeBody(w, r, &emptyRequest{}, true); err != nil {
			return err
		}
		return s.answerAck(w, &messages.RollDice{TableID: id}, s.opts.Services.Timeout)
	})
}
