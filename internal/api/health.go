package api

import "net/http"

// ServiceReport is one service's line in /health.
type ServiceReport struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Restarts int    `json:"restarts"`
	Reason   string `json:"reason,omitempty"`
}

// HealthReport is the /health document; /api/v1/status is the same without
// the services.
type HealthReport struct {
	State         string          `json:"state"`
	PeerID        string          `json:"peer_id"`
	UptimeSeconds float64         `json:"uptime_seconds"`
	Version       string          `json:"version"`
	Money         *MoneyReport    `json:"money,omitempty"`
	Services      []ServiceReport `json:"services,omitempty"`
	// Plugins are the plugins' states and restarts (actors/plugins.Status).
	Plugins any `json:"plugins,omitempty"`
}

// MoneyReport says what CRAP is worth on this node: in treasury mode only
// the treasury's signed grants create it; in play-money mode every
// identity gets PlayGrant for nothing, and the node says so plainly.
type MoneyReport struct {
	// Mode is ledger.ModeTreasury or ledger.ModePlayMoney.
	Mode     string `json:"mode"`
	Treasury string `json:"treasury,omitempty"`
	// PlayGrant is each identity's free grant, micro-CRAP (play money).
	PlayGrant int64 `json:"play_grant,omitempty"`
	// Notice is one plain sentence for people (CLI, web page).
	Notice string `json:"notice"`
}

func (s *Server) mountHealth() {
	h := s.opts.Health
	s.mux.HandleFunc("GET /health/live", func(w http.ResponseWriter, r *http.Request) {
		if err := h.Alive(); err != nil {
			writeError(w, unavailable("the actor system does not answer: "+err.Error()))
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
	})
	probe := func(ok func() bool, what string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if !ok() {
				writeError(w, unavailable(what+" (state "+h.Report().State+")"))
				return
			}
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "state": h.Report().State})
		}
	}
	s.mux.HandleFunc("GET /health/startup", probe(h.StartupDone, "start sequence not finished"))
	s.mux.HandleFunc("GET /health/ready", probe(h.Ready, "node not ready to serve"))
	s.mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, h.Report())
	})
	s.mux.HandleFunc("GET /api/v1/status", func(w http.ResponseWriter, r *http.Request) {
		rep := h.Report()
		rep.Services, rep.Plugins = nil, nil
		writeJSON(w, http.StatusOK, rep)
	})
}
