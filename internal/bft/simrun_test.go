package bft

import (
	"os"
	"strconv"
	"testing"
)

// TestSimulator runs many seeded random plans (randomPlan). A failure prints
// its seed; BFT_SEED=<seed> replays exactly that run, BFT_SEEDS=<count>
// changes how many run (default 2000; -short runs 200) and BFT_SEED_START
// where they start.
func TestSimulator(t *testing.T) {
	if s := os.Getenv("BFT_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BFT_SEED=%q: %v", s, err)
		}
		runPlan(t, seed, true)
		return
	}
	count := uint64(2000)
	if testing.Short() {
		count = 200
	}
	if s := os.Getenv("BFT_SEEDS"); s != "" {
		c, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BFT_SEEDS=%q: %v", s, err)
		}
		count = c
	}
	first := uint64(1)
	if s := os.Getenv("BFT_SEED_START"); s != "" {
		f, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BFT_SEED_START=%q: %v", s, err)
		}
		first = f
	}
	const workers = 2
	for w := uint64(0); w < workers; w++ {
		t.Run("worker"+strconv.FormatUint(w, 10), func(t *testing.T) {
			t.Parallel()
			for seed := first + w; seed < first+count; seed += workers {
				if !runPlan(t, seed, false) {
					return
				}
			}
		})
	}
}

func runPlan(t *testing.T, seed uint64, verbose bool) bool {
	s := newSim(t, seed, randomPlan(seed))
	s.run()
	if verbose {
		t.Logf("seed %d: n=%d byz=%v ed25519=%v ticks=%d rounds=%d voids=%d (honest voided %d) bets=%d evidence: %s",
			seed, s.opt.n, s.opt.byz, s.opt.ed25519, s.now, s.maxHonestRound(), s.voids, s.honestVoided, s.bets, sortedKinds(s.evidence))
	}
	return !s.failed
}
