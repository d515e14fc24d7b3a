package api

import (
	"errors"
	"net/http"
)

// mountPlayer mounts the routes a player uses, all answered by the node's
// actors (Options.Services).
func (s *Server) mountPlayer() {
	s.mountPeers()
	s.mountBalance()
	s.mountLedger()
	s.mountGrants()
	s.mountTables()
	s.mountExport()
	s.mountBets()
	s.mountEvents()
}

// handle mounts a handler that returns its error instead of writing it,
// so every failure leaves in the one error shape.
func (s *Server) handle(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			var e *Error
			if !errors.As(err, &e) {
				s.opts.Logger.Warn("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			}
			writeError(w, err)
		}
	})
}
