package api

import (
	"fmt"
	"net/http"
	"time"
)

// Faults are the node's fault-injection hooks, for chaos runs that drive
// node processes from outside (`make chaos`): a panic in one of the node's
// services, and a dropped link to one peer. They are mounted only when the
// node runs with the hidden --fault-injection setting, never on a user's
// node, and for that reason are not in openapi.json.
type Faults interface {
	// Panic makes the named root service ("games", "consensus", ...)
	// panic once; its supervisor restarts it.
	Panic(service string) error
	// DropLink closes every connection to peer and refuses it for cut.
	DropLink(peer string, cut time.Duration) error
}

// faultRequest is the body of POST /debug/faults/panic and .../drop.
type faultRequest struct {
	Service string `json:"service"`
	Peer    string `json:"peer"`
	For     string `json:"for"`
}

func (s *Server) mountFaults() {
	f := s.opts.Faults
	s.handle("POST /debug/faults/panic", func(w http.ResponseWriter, r *http.Request) error {
		var req faultRequest
		if err := decodeBody(w, r, &req, false); err != nil {
			return err
		}
		if req.Service == "" {
			return badRequest(`field service: missing; want a service name such as "games"`)
		}
		if err := f.Panic(req.Service); err != nil {
			return badRequest(fmt.Sprintf("field service: %v", err))
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"panicked": req.Service})
		return nil
	})
	s.handle("POST /debug/faults/drop", func(w http.ResponseWriter, r *http.Request) error {
		var req faultRequest
		if err := decodeBody(w, r, &req, false); err != nil {
			return err
		}
		cut, err := time.ParseDuration(req.For)
		if err != nil || cut <= 0 {
			return badRequest(fmt.Sprintf(`field for: %q, want a positive duration such as "5s"`, req.For))
		}
		if req.Peer == "" {
			return badRequest("field peer: missing; want a peer ID")
		}
		if err := f.DropLink(req.Peer, cut); err != nil {
			return badRequest(fmt.Sprintf("field peer: %v", err))
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"dropped": req.Peer, "for": cut.String()})
		return nil
	})
}
