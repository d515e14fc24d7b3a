package api

import "net/http"

// AuditVerifier re-checks the node's audit trail (hash chain and
// signatures) and answers with a JSON-ready report.
type AuditVerifier func() any

func (s *Server) mountAudit() {
	s.mux.HandleFunc("GET /api/v1/audit/verify", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.opts.AuditVerify())
	})
}
