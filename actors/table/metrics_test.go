package table

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/bitcraps/bitcraps/actors/consensus"
	"github.com/bitcraps/bitcraps/internal/metric"
	"github.com/bitcraps/bitcraps/messages"
)

// Real rounds on a real node fill the per-phase latency histograms (each
// of the four phases once per round, the settlement timed by the game
// manager), the time between certified rounds and the table gauges; the
// bet window is an hour, so the phases must not contain it.
func TestPlayedRoundsFillThePhaseHistograms(t *testing.T) {
	reg := prometheus.NewRegistry()
	games, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := consensus.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	n := startNodeWith(t, 11, func(o *Options) { o.Metrics = games }, func(o *consensus.Options) { o.Metrics = cons })
	v := createTable(t, n, soloTable())
	const rounds = 3
	for round := uint64(1); round <= rounds; round++ {
		if br := n.ask("games", &messages.PlaceBet{TableID: v.ID, Type: "field", Amount: crap}).(*messages.BetReply); br.Err != nil {
			t.Fatalf("round %d: bet: %v", round, br.Err)
		}
		eventually(t, 5*time.Second, "bet pending", func() (bool, string) {
			tv := n.table(v.ID)
			return tv.PendingBets == 1, fmt.Sprintf("pending %d", tv.PendingBets)
		})
		if ack := n.ask("games", &messages.RollDice{TableID: v.ID}).(*messages.Ack); ack.Err != nil {
			t.Fatalf("round %d: roll: %v", round, ack.Err)
		}
		eventually(t, 5*time.Second, "round settled", func() (bool, string) {
			r := n.ask("ledger", &messages.LedgerTableRequest{Table: v.ID}).(*messages.LedgerTable)
			return r.Info.LastRound == round, fmt.Sprintf("ledger round %d", r.Info.LastRound)
		})
	}
	checkMoney(t, n, n.table(v.ID))
	// The settlement is observed after the ledger answers; wait for it.
	eventually(t, 5*time.Second, "settlements timed", func() (bool, string) {
		c := histogramCount(t, reg, metric.ConsensusRoundPhaseSeconds, metric.PhaseCertifiedToSettled)
		return c == rounds, fmt.Sprintf("%d settlements timed", c)
	})
	for _, phase := range []string{metric.PhaseProposeToLock, metric.PhaseLockToReveals, metric.PhaseRevealsToCertified} {
		if c := histogramCount(t, reg, metric.ConsensusRoundPhaseSeconds, phase); c != rounds {
			t.Errorf("phase %s observed %d times over %d rounds", phase, c, rounds)
		}
	}
	for _, name := range []string{metric.ConsensusRoundSeconds, metric.ConsensusRoundIntervalSeconds} {
		if c := histogramCount(t, reg, name, ""); c != rounds {
			t.Errorf("%s observed %d times over %d rounds", name, c, rounds)
		}
	}
	// The protocol's latency of a lone seat is milliseconds, far below the
	// hour-long bet window a wrong timing would include.
	if sum := histogramSum(t, reg, metric.ConsensusRoundSeconds); sum > 10 {
		t.Errorf("%s sums %.1f s over %d rounds: it includes the table's pacing", metric.ConsensusRoundSeconds, sum, rounds)
	}
	if g := family(t, reg, metric.ActiveGames).GetMetric()[0].GetGauge().GetValue(); g != 1 {
		t.Errorf("%s = %g with one table playing", metric.ActiveGames, g)
	}
}

// histogramCount is the sample count of a histogram family's series whose
// only label has value label ("" for an unlabelled family).
func histogramCount(t *testing.T, reg *prometheus.Registry, name, label string) uint64 {
	t.Helper()
	h := histogram(t, reg, name, label)
	if h == nil {
		return 0
	}
	return h.GetSampleCount()
}

func histogramSum(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	return histogram(t, reg, name, "").GetSampleSum()
}

func histogram(t *testing.T, reg *prometheus.Registry, name, label string) *dto.Histogram {
	t.Helper()
	for _, m := range family(t, reg, name).GetMetric() {
		if label == "" || (len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label) {
			return m.GetHistogram()
		}
	}
	t.Fatalf("%s: no series with label %q", name, label)
	return nil
}

func family(t *testing.T, reg *prometheus.Registry, name string) *dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf
		}
	}
	t.Fatalf("%s: not registered", name)
	return nil
}
