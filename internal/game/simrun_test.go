package game

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
)

// TestSimulator runs seeded random plans (randomPlan): n = 1..7 players,
// a lossy, duplicating, reordering network, a withholder and a liar at
// n ≥ 4 (both at 7). Every run's export must pass Verify. A failure prints
// its seed; GAME_SEED=<seed> replays it, GAME_SEEDS=<count> runs more.
func TestSimulator(t *testing.T) {
	count := uint64(200)
	if testing.Short() {
		count = 40
	}
	seeds := seedsFromEnv(t, count)
	const workers = 2 // the seeds are independent: use both cores
	for w := 0; w < workers; w++ {
		t.Run("worker"+strconv.Itoa(w), func(t *testing.T) {
			t.Parallel()
			for i := w; i < len(seeds); i += workers {
				if !runPlan(t, seeds[i]) {
					return
				}
			}
		})
	}
}

func runPlan(t *testing.T, seed uint64) bool {
	t.Helper()
	s := newSim(t, seed, randomPlan(seed))
	s.run()
	if s.failed {
		return false
	}
	verifyExport(t, s)
	checkByzantineUnseated(t, s)
	t.Logf("seed %d: n=%d byz=%v ticks=%d rounds=%d voids=%d leaves=%d bets=%d", seed, s.opt.n, s.opt.byz, s.now,
		s.maxHonestRound(), s.voids, s.leaves, s.bets)
	return !t.Failed()
}

// verifyExport writes the run's export as JSON, reads it back and verifies it.
func verifyExport(t *testing.T, s *sim) {
	t.Helper()
	e := s.export()
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("seed %d: marshal export: %v", s.seed, err)
	}
	back, err := DecodeExport(data)
	if err != nil {
		t.Fatalf("seed %d: decode export: %v", s.seed, err)
	}
	rep := Verify(back)
	last := e.Certificates[len(e.Certificates)-1]
	if !rep.OK || rep.Rounds != len(e.Certificates) || rep.StateHash != last.StateHash {
		t.Errorf("seed %d: Verify of an honest export: ok=%v rounds=%d/%d state %s want %s first bad %+v",
			s.seed, rep.OK, rep.Rounds, len(e.Certificates), rep.StateHash, last.StateHash, rep.FirstBad)
	}
}

// checkByzantineUnseated: a withholder that reached its withheld round was
// voided and unseated by every honest player.
func checkByzantineUnseated(t *testing.T, s *sim) {
	t.Helper()
	for _, p := range s.players {
		if p.byz != byzWithhold || s.maxHonestRound() <= s.opt.withholdAt {
			continue
		}
		for _, h := range s.players {
			if h.byz != honest || h.gone {
				continue
			}
			seats, err := h.app.Seats(h.certs[len(h.certs)-1].StateHash)
			if err != nil || slices.Contains(seats, p.key) {
				t.Errorf("seed %d: withholder %d still seated at player %d after round %d (%v)", s.seed, p.idx, h.idx, len(h.certs), err)
			}
		}
	}
}
