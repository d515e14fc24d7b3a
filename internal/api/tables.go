package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// createTableRequest is the body of POST /api/v1/tables: the games
// service's CreateTable (amounts in micro-CRAP; zero in an optional field
// means the node's default), except bet_window, a duration such as "5s"
// or "1500ms" (this field shadows the embedded nanosecond one).
type createTableRequest struct {
	messages.CreateTable
	BetWindow string `json:"bet_window"`
}

// maxBetWindow keeps a typo ("5h" for "5s") from freezing a table; the
// games service checks the rest of the settings against the rules.
const maxBetWindow = 10 * time.Minute

func (c createTableRequest) message() (*messages.CreateTable, error) {
	err := firstError(
		nonNegative("min_players", int64(c.MinPlayers)),
		nonNegative("max_players", int64(c.MaxPlayers)),
		positive("bankroll", c.Bankroll),
		amountOrZero("min_bet", c.MinBet),
		amountOrZero("max_bet", c.MaxBet),
		nonNegative("field_12_pays", int64(c.Field12Pays)),
		amountOrZero("buy_in", c.BuyIn),
	)
	if err != nil {
		return nil, err
	}
	m := c.CreateTable
	m.BetWindow = 0
	if c.BetWindow != "" {
		d, err := time.ParseDuration(c.BetWindow)
		if err != nil || d <= 0 || d > maxBetWindow {
			return nil, badRequest(fmt.Sprintf("field bet_window: %q, want a duration such as \"5s\", above 0 and at most %s",
				c.BetWindow, maxBetWindow))
		}
		m.BetWindow = d
	}
	return &m, nil
}

// joinRequest is the body of POST /api/v1/tables/{id}/join.
type joinRequest struct {
	BuyIn int64 `json:"buy_in"`
}

// emptyRequest is the body of routes that take none: absent or {}.
type emptyRequest struct{}

func (s *Server) mountTables() {
	svc := s.opts.Services
	s.handle("GET /api/v1/tables", func(w http.ResponseWriter, r *http.Request) error {
		ans, err := askAs[*messages.TableList](svc, gamesService, &messages.ListTables{}, svc.Timeout)
		if err != nil {
			return err
		}
		return writeList(w, gamesService, ans.Items, ans.Err)
	})
	s.handle("POST /api/v1/tables", func(w http.ResponseWriter, r *http.Request) error {
		var req createTableRequest
		if err := decodeBody(w, r, &req, false); err != nil {
			return err
		}
		msg, err := req.message()
		if err != nil {
			return err
		}
		return s.answerTable(w, http.StatusCreated, msg, svc.LongTimeout)
	})
	s.handle("GET /api/v1/tables/{id}", func(w http.ResponseWriter, r *http.Request) error {
		id, err := tableID(r)
		if err != nil {
			return err
		}
		return s.answerTable(w, http.StatusOK, &messages.GetTable{TableID: id}, svc.Timeout)
	})
	s.handle("POST /api/v1/tables/{id}/join", func(w http.ResponseWriter, r *http.Request) error {
		id, err := tableID(r)
		if err != nil {
			return err
		}
		var req joinRequest
		if err := decodeBody(w, r, &req, false); err != nil {
			return err
		}
		if err := positive("buy_in", req.BuyIn); err != nil {
			return err
		}
		return s.answerTable(w, http.StatusOK, &messages.JoinTable{TableID: id, BuyIn: req.BuyIn}, svc.LongTimeout)
	})
	s.handle("POST /api/v1/tables/{id}/leave", func(w http.ResponseWriter, r *http.Request) error {
		id, err := tableID(r)
		if err != nil {
			return err
		}
		if err := decodeBody(w, r, &emptyRequest{}, true); err != nil {
			return err
		}
		// Leaving a waiting table waits for its host over the mesh.
		return s.answerAck(w, &messages.LeaveTable{TableID: id}, svc.LongTimeout)
	})
	s.handle("POST /api/v1/tables/{id}/cancel", func(w http.ResponseWriter, r *http.Request) error {
		id, err := tableID(r)
		if err != nil {
			return err
		}
		if err := decodeBody(w, r, &emptyRequest{}, true); err != nil {
			return err
		}
		return s.answerTable(w, http.StatusOK, &messages.CancelTable{TableID: id}, svc.LongTimeout)
	})
	s.handle("GET /api/v1/tables/{id}/rounds", func(w http.ResponseWriter, r *http.Request) error {
		id, err := tableID(r)
		if err != nil {
			return err
		}
		ans, err := askAs[*messages.RoundList](svc, gamesService, &messages.ListRounds{TableID: id}, svc.Timeout)
		if err != nil {
			return err
		}
		return writeList(w, gamesService, ans.Items, ans.Err)
	})
}

// answerTable asks the games service for a *TableReply and writes its
// table with status.
func (s *Server) answerTable(w http.ResponseWriter, status int, msg any, timeout time.Duration) error {
	ans, err := askAs[*messages.TableReply](s.opts.Services, gamesService, msg, timeout)
	if err != nil {
		return err
	}
	if ans.Err != nil {
		return serviceError(gamesService, ans.Err)
	}
	if ans.Table == nil {
		return fmt.Errorf("games service answered %T with neither a table nor an error", msg)
	}
	writeJSON(w, status, ans.Table)
	return nil
}

// accepted is the answer of requests the table carries out at its next
// step (a roll, a leave at the round boundary).
type accepted struct {
	Status string `json:"status"`
}

// answerAck asks for an *Ack and answers 202 accepted.
func (s *Server) answerAck(w http.ResponseWriter, msg any, timeout time.Duration) error {
	ans, err := askAs[*messages.Ack](s.opts.Services, gamesService, msg, timeout)
	if err != nil {
		return err
	}
	if ans.Err != nil {
		return serviceError(gamesService, ans.Err)
	}
	writeJSON(w, http.StatusAccepted, accepted{Status: "accepted"})
	return nil
}

// writeList writes a list as a JSON array ([] for none, never null), or
// the error the service answered with.
func writeList[T any](w http.ResponseWriter, service string, items []T, err error) error {
	if err != nil {
		return serviceError(service, err)
	}
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, items)
	return nil
}
