package api

import (
	"net/http"

	"github.com/bitcraps/bitcraps/messages"
)

func (s *Server) mountLedger() {
	svc := s.opts.Services
	// GET /api/v1/ledger/verify: the ledger's full invariant check and
	// replay. A failed check is a 200 with "ok": false (the report is the
	// answer); only a check that could not run is an error.
	s.handle("GET /api/v1/ledger/verify", func(w http.ResponseWriter, r *http.Request) error {
		ans, err := askAs[*messages.LedgerVerifyResult](svc, ledgerService,
			&messages.LedgerVerifyRequest{}, svc.LongTimeout)
		if err != nil {
			return err
		}
		if ans.Err != nil {
			return serviceError(ledgerService, ans.Err)
		}
		rep := ans.Report
		if rep.Problems == nil {
			rep.Problems = []string{}
		}
		writeJSON(w, http.StatusOK, rep)
		return nil
	})
}
