package node

import (
	"slices"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/bitcraps/bitcraps/internal/metric"
)

// A fresh node, alone, exposes every series name of the catalogue, and
// every labelled counter already has its known label values, at 0 where
// nothing happened yet: Prometheus's increase() ignores a series born at 1,
// so a counter that appeared only at its first increment never alerted on
// a first equivocation or a first failed handshake.
func TestFreshNodeExposesEverySeriesWithLabelledCountersAtZero(t *testing.T) {
	n := startNode(t, testConfig(t))
	mfs, err := n.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		families[mf.GetName()] = mf
	}
	for _, name := range metric.Names {
		mf, ok := families[name]
		if !ok || len(mf.GetMetric()) == 0 {
			t.Errorf("%s: not exposed by a fresh node", name)
		}
	}
	// Counters that count only faults and refusals: nothing of the kind
	// happens on a lone node that just started.
	for _, name := range []string{
		metric.ConsensusEvidenceTotal, metric.ConsensusFramesDroppedTotal, metric.ConsensusFailuresTotal,
		metric.ConsensusViewChangesTotal, metric.ConsensusLateBetsTotal, metric.TransportHandshakeFailuresTotal,
		metric.GamesFollowedTotal, metric.GamesLedgerRefusalsTotal, metric.BleFragmentsTotal,
		metric.MeshMembersRejectedTotal, metric.MeshDisconnectsTotal, metric.ApiSseStreamsDroppedTotal,
		metric.ApiConnectionsRefusedTotal, metric.LedgerSnapshotsTotal,
	} {
		mf := families[name]
		if mf.GetType() != dto.MetricType_COUNTER {
			t.Errorf("%s: type %v, want a counter", name, mf.GetType())
			continue
		}
		for _, m := range mf.GetMetric() {
			if v := m.GetCounter().GetValue(); v != 0 {
				t.Errorf("%s%v = %g on a fresh node, want 0", name, m.GetLabel(), v)
			}
		}
	}
	// The equivocation series an alert watches is there for every op kind.
	equivocations := 0
	for _, m := range families[metric.LedgerOpsTotal].GetMetric() {
		if slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetName() == "result" && l.GetValue() == "equivocation" }) {
			equivocations++
		}
	}
	if equivocations < 7 {
		t.Errorf("%s{result=\"equivocation\"}: %d series, want one per op kind", metric.LedgerOpsTotal, equivocations)
	}
}
