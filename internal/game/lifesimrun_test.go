package game

import (
	"flag"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

var (
	lifeSeed  = flag.Uint64("seed", 0, "TestLifecycleSimulator: replay this one seed, printing every event")
	lifeSeeds = flag.Int("seeds", 0, "TestLifecycleSimulator: run seeds 1..N (the long run; default 96, 24 with -short)")
)

// TestLifecycleSimulator runs seeded plans (lifePlanFor) of the lifecycle
// simulator (lifesim_test.go): n = 2, 3, 4, 7 in turn, with crashes,
// SIGSTOPs, partitions, leaves and Byzantine players, each checked after
// every certification and at the end. A failure prints its seed; -seed N
// replays it with every event logged, -seeds N runs more. Signatures are
// real Ed25519 (bft keeps its cheap stand-in to its own package), which is
// what bounds the seed count of a quick run under -race. The seeds that
// internal/lifecycle's comments and transcripts cite drew their plans from
// lifePlanFor as it was in the commit that found them; the transcripts,
// not the seeds, are the regression tests.
//
// make test also runs seeds 1..2000 without -race (SIM_SEEDS; about two
// minutes of CPU). The long run: go test ./internal/game -run
// TestLifecycleSimulator -args -seeds 8000.
func TestLifecycleSimulator(t *testing.T) {
	if *lifeSeed != 0 {
		s := newLifeSim(t, *lifeSeed, lifePlanFor(*lifeSeed), true)
		s.run()
		s.checkConverged()
		t.Logf("seed %d: %s: %+v", *lifeSeed, s.plan, s.stats)
		return
	}
	count := 96 // 24 of each size: about 40 s under -race on two cores
	if testing.Short() {
		count = 24
	}
	if *lifeSeeds > 0 {
		count = *lifeSeeds
	}
	var mu sync.Mutex
	var total lifeStats
	var next atomic.Uint64 // seeds are handed out in turn: seven-seat runs cost the most
	const workers = 2      // the seeds are independent: use both cores
	t.Run("seeds", func(t *testing.T) {
		for w := 0; w < workers; w++ {
			t.Run("worker"+strconv.Itoa(w), func(t *testing.T) {
				t.Parallel()
				for seed := next.Add(1); seed <= uint64(count); seed = next.Add(1) {
					s := newLifeSim(t, seed, lifePlanFor(seed), false)
					s.run()
					s.checkConverged()
					if s.failed {
						continue // every failing seed is reported
					}
					mu.Lock()
					total.add(s.stats)
					mu.Unlock()
				}
			})
		}
	})
	t.Logf("%d seeds: %+v", count, total)
	if t.Failed() || count < 40 {
		return
	}
	// The runs must have exercised what they are meant to check.
	for what, n := range map[string]int{"crashes": total.crashes, "stops": total.stops, "partitions": total.partitions,
		"dissolutions": total.dissolutions, "moved dissolutions": total.moved, "certified dissolutions": total.ends, "unseatings": total.unseats,
		"leaves": total.leaves, "voids": total.voids, "catch-up asks": total.asks} {
		if n == 0 {
			t.Errorf("%d seeds without any %s", count, what)
		}
	}
}

func (a *lifeStats) add(b lifeStats) {
	a.rounds += b.rounds
	a.voids += b.voids
	a.leaves += b.leaves
	a.unseats += b.unseats
	a.dissolutions += b.dissolutions
	a.moved += b.moved
	a.ends += b.ends
	a.crashes += b.crashes
	a.stops += b.stops
	a.partitions += b.partitions
	a.asks += b.asks
	a.bets += b.bets
}

// lifePlanFor draws a run from its seed: the table size cycles through 2,
// 3, 4 and 7; min_players, the host, the Byzantine players (f at 4 and 7
// seats; at 2 or 3 seats, in a quarter of the runs, one, which can stall
// the table for good: those runs ask for safety and agreement only) and
// one to three fault episodes, each shorter
// or longer than the grace, sometimes overlapping (at three seats: one node
// killed while another is stopped).
func lifePlanFor(seed uint64) lifePlan {
	rng := rand.New(rand.NewPCG(seed, 0x6c706c6e))
	n := []int{2, 3, 4, 7}[seed%4]
	pl := lifePlan{n: n, host: -1, byz: map[int]byzKind{}, maxDelay: 1 + rng.IntN(3),
		dropP: rng.Float64() * 0.1, dupP: rng.Float64() * 0.1, betP: 0.05 + rng.Float64()*0.2,
		leaveOdds: 15 + rng.IntN(60), goalRounds: 3, withholdAt: 2 + uint64(rng.IntN(8)),
		minPlayers: 1 + rng.IntN(n)}
	kinds := []byzKind{byzWithhold, byzLiar, byzClaimer, byzUnseater, byzDissolver}
	perm := rng.Perm(n)
	switch n {
	case 2, 3:
		if rng.IntN(4) == 0 { // more than f: safety and agreement only (lifeSim.tolerated)
			pl.byz[perm[0]] = kinds[rng.IntN(len(kinds))]
		}
	case 4:
		if rng.IntN(4) != 0 {
			pl.byz[perm[0]] = kinds[rng.IntN(len(kinds))]
		}
	case 7:
		pl.byz[perm[0]], pl.byz[perm[1]] = kinds[rng.IntN(len(kinds))], kinds[rng.IntN(len(kinds))]
	}
	if rng.IntN(3) == 0 {
		pl.host = perm[n-1] // an honest seat
	}
	at := uint64(10 + rng.IntN(40))
	for range 1 + rng.IntN(3) {
		f := lifeFault{kind: faultKind(rng.IntN(3)), at: at, node: rng.IntN(n)}
		dur := uint64(8 + rng.IntN(simGrace-24)) // shorter than the grace
		if rng.IntN(2) == 0 {
			dur = simGrace + 10 + uint64(rng.IntN(2*simGrace)) // longer
		}
		f.until = f.at + dur
		if f.kind == faultPartition {
			f.side = make([]int, n)
			f.atCert = rng.IntN(2) == 0
			cut := 1 + rng.IntN(max(1, (n+1)/2)) // 1|1 at two seats, 2|1 at three
			for i, k := range rng.Perm(n) {
				if i < cut {
					f.side[k] = 1
				}
			}
		}
		if !pl.conflicts(f) {
			pl.faults = append(pl.faults, f)
		}
		if rng.IntN(3) == 0 {
			at += uint64(rng.IntN(int(dur))) // the next one overlaps
		} else {
			at = f.until + uint64(10+rng.IntN(60))
		}
	}
	pl.faultTicks = at + uint64(rng.IntN(30))
	for _, f := range pl.faults {
		pl.faultTicks = max(pl.faultTicks, f.until+1)
	}
	pl.maxTicks = pl.faultTicks + 6*simGrace + 600
	return pl
}

// conflicts: f overlaps a partition with another partition, or a node's
// crash or stop with another of the same node.
func (pl *lifePlan) conflicts(f lifeFault) bool {
	for _, g := range pl.faults {
		overlap := f.at < g.until && g.at < f.until
		samePart := f.kind == faultPartition && g.kind == faultPartition
		sameNode := f.kind != faultPartition && g.kind != faultPartition && f.node == g.node
		if overlap && (samePart || sameNode) {
			return true
		}
	}
	return false
}
