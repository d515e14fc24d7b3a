package node

import (
	"errors"
	"time"

	"github.com/bitcraps/bitcraps/internal/api"
	"github.com/bitcraps/bitcraps/supervisor"
)

// healthView answers the API's health routes from the supervisor's report.
type healthView struct{ n *Node }

func (h healthView) Report() api.HealthReport {
	rep := h.n.root.Health()
	out := api.HealthReport{
		State:         rep.State.String(),
		PeerID:        string(h.n.id.PeerID()),
		UptimeSeconds: time.Since(h.n.started).Seconds(),
		Version:       h.n.version,
		Services:      make([]api.ServiceReport, 0, len(rep.Services)),
	}
	for _, s := range rep.Services {
		out.Services = append(out.Services, api.ServiceReport{
			Name: s.Name, Status: s.Status.String(), Restarts: s.Restarts, Reason: s.Reason,
		})
	}
	return out
}

// livenessTimeout bounds the root's answer to the liveness probe: its
// mailbox answers in microseconds; seconds mean the system is wedged (the
// probe's own timeout, 5 s in the StatefulSet, must be longer).
const livenessTimeout = 2 * time.Second

// Alive pings the root supervisor. A stopped root (a node shutting down)
// still counts as alive: the process is about to exit on its own.
func (h healthView) Alive() error {
	if err := h.n.root.Ping(livenessTimeout); err != nil && !errors.Is(err, supervisor.ErrRootStopped) {
		return err
	}
	return nil
}

// StartupDone: the start sequence has run to its end, whatever the outcome.
func (h healthView) StartupDone() bool {
	switch h.n.root.State() {
	case supervisor.Uninitialized, supervisor.Initializing, supervisor.ServicesStarting:
		return false
	}
	return true
}

// Ready: the node serves players in Running and in Degraded.
func (h healthView) Ready() bool {
	st := h.n.root.State()
	return st == supervisor.Running || st == supervisor.Degraded
}
