package api

import (
	"net/http"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// grantAnswer is the body of a 200 from POST /api/v1/ledger/grants.
type grantAnswer struct {
	ID ledger.OpID `json:"id"`
	// Duplicate: this node held the grant already; nothing changed.
	Duplicate bool `json:"duplicate"`
}

// mountGrants mounts POST /api/v1/ledger/grants: a grant the treasury
// signed (`bitcraps treasury grant`), which this node's ledger checks
// against its money policy and the games service carries to every node.
func (s *Server) mountGrants() {
	svc := s.opts.Services
	s.handle("POST /api/v1/ledger/grants", func(w http.ResponseWriter, r *http.Request) error {
		var op ledger.Op
		if err := decodeBody(w, r, &op, false); err != nil {
			return err
		}
		ans, err := askAs[*messages.GrantReply](svc, gamesService, &messages.SubmitGrant{Op: op}, svc.Timeout)
		if err != nil {
			return err
		}
		if ans.Err != nil {
			return serviceError(gamesService, ans.Err)
		}
		writeJSON(w, http.StatusOK, grantAnswer{ID: ans.Applied.ID, Duplicate: ans.Applied.Duplicate})
		return nil
	})
}
