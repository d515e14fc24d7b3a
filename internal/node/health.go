package node

import (
	"errors"
	"fmt"
	"time"

	"github.com/bitcraps/bitcraps/internal/api"
	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/ledger"
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
		Money:         moneyReport(h.n.cfg),
		Services:      make([]api.ServiceReport, 0, len(rep.Services)),
	}
	if list := h.n.plugins.Statuses(); len(list) > 0 {
		out.Plugins = list
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

// moneyReport states the node's money mode (issue 12): play money must be
// said plainly wherever a balance is shown.
func moneyReport(cfg config.Config) *api.MoneyReport {
	if cfg.TreasuryKey != "" {
		return &api.MoneyReport{Mode: ledger.ModeTreasury, Treasury: cfg.TreasuryKey,
			Notice: fmt.Sprintf("Treasury: only grants signed by treasury key %s… create CRAP.", cfg.TreasuryKey[:8])}
	}
	return &api.MoneyReport{Mode: ledger.ModePlayMoney, PlayGrant: cfg.InitialBalance,
		Notice: fmt.Sprintf("Play money: no treasury is set (--treasury-key), so every identity gets %s CRAP for free. These CRAP are worth nothing.",
			config.FormatCRAP(cfg.InitialBalance))}
}
