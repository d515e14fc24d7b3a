package api

import (
	"net/http"

	"github.com/bitcraps/bitcraps/messages"
)

func (s *Server) mountBalance() {
	svc := s.opts.Services
	// GET /api/v1/balance: the node's player's wallet and chips per table.
	s.handle("GET /api/v1/balance", func(w http.ResponseWriter, r *http.Request) error {
		ans, err := askAs[*messages.LedgerHoldings](svc, ledgerService,
			&messages.LedgerHoldingsRequest{Peer: svc.Player}, svc.Timeout)
		if err != nil {
			return err
		}
		if ans.Err != nil {
			return serviceError(ledgerService, ans.Err)
		}
		h := ans.Holdings
		if h.Chips == nil {
			h.Chips = map[string]int64{}
		}
		writeJSON(w, http.StatusOK, h)
		return nil
	})
}
