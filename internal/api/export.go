package api

import (
	"fmt"
	"net/http"

	"github.com/bitcraps/bitcraps/messages"
)

// mountExport serves a table's audit file: its genesis and every certified
// round, exactly the game.Export JSON `bitcraps verify FILE` reads, so
// anyone can re-check a game without trusting this node. It is a read
// (no token): the certificates are signed by the players, not by the
// node, and a forged file fails verification on its own.
func (s *Server) mountExport() {
	svc := s.opts.Services
	s.handle("GET /api/v1/tables/{id}/export", func(w http.ResponseWriter, r *http.Request) error {
		id, err := tableID(r)
		if err != nil {
			return err
		}
		// The table reads every certificate from the consensus store on
		// disk: the long timeout, which exceeds the table's own ask, so a
		// slow store is reported by the service that saw it.
		ans, err := askAs[*messages.TableExport](svc, gamesService, &messages.ExportTable{TableID: id}, svc.LongTimeout)
		if err != nil {
			return err
		}
		if ans.Err != nil {
			return serviceError(gamesService, ans.Err)
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="table-%s.json"`, id))
		writeJSON(w, http.StatusOK, ans.Export)
		return nil
	})
}
