package metric

import "github.com/prometheus/client_golang/prometheus"

// Round phases: the labels of RoundPhaseSeconds, steps 2–5 of a table round
// (DESIGN.md, "A table round") as one node sees them.
const (
	PhaseProposeToLock      = "propose_to_lock"      // its commit on the proposal → q commits lock the round
	PhaseLockToReveals      = "lock_to_reveals"      // lock → the reveals are in and it signs its confirm
	PhaseRevealsToCertified = "reveals_to_certified" // its confirm → q confirms certify the round
	PhaseCertifiedToSettled = "certified_to_settled" // certificate durable → the settlement durable in the ledger
)

// RoundPhases is the per-phase round latency family, registered (once) by
// consensus, which times the first three phases, and by the game manager,
// which times the settlement; every phase is present from the start.
func RoundPhases(reg prometheus.Registerer) (*prometheus.HistogramVec, error) {
	h, err := Register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: ConsensusRoundPhaseSeconds,
		Help: "Time of each phase of a table round on this node (propose_to_lock, lock_to_reveals, reveals_to_certified, certified_to_settled); the bet window and client pacing are not in it.",
		// 1 ms (loopback, one signature) doubling to about 30 s (a view change).
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
	}, []string{"phase"}))
	if err != nil {
		return nil, err
	}
	for _, p := range []string{PhaseProposeToLock, PhaseLockToReveals, PhaseRevealsToCertified, PhaseCertifiedToSettled} {
		h.WithLabelValues(p)
	}
	return h, nil
}
