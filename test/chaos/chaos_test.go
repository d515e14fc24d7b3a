//go:build chaos

package chaos

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestChaos is `make chaos` (doc.go).
func TestChaos(t *testing.T) {
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("CHAOS seed %d, duration %v, faults %v (replay: make chaos CHAOS_ARGS='--seed %d --duration %v --faults=%v')",
		s, *duration, *withFaults, s, *duration, *withFaults)
	rng := rand.New(rand.NewPCG(s, 16))
	c := startCluster(t)
	for k := range tables {
		if !waitPlaying(c, k, 60*time.Second) {
			t.Fatalf("seed %d: table %d not playing with every seat:%s", s, k, c)
		}
	}
	before := make([]uint64, len(tables))
	for k := range tables {
		before[k] = c.highest(k)
	}
	l := startLoad(c)
	began := time.Now()
	var faults []fault
	for time.Since(began) < *duration {
		if !*withFaults {
			wait(min(time.Second, *duration-time.Since(began)))
			continue
		}
		wait(time.Duration(1+rng.IntN(4)) * time.Second) // a quiet gap between faults
		if time.Since(began) >= *duration {
			break
		}
		f := schedule(rng, c.Len())
		f.at = time.Since(began)
		c.inject(f)
		c.recover(&f, 60*time.Second)
		t.Logf("CHAOS fault %s", f)
		faults = append(faults, f)
	}
	played := time.Since(began)
	l.stop()
	after := make([]uint64, len(tables))
	certified := uint64(0)
	for k := range tables {
		after[k] = c.highest(k)
		certified += after[k] - before[k]
	}
	report(t, s, c, l, faults, certified, played)
}

// waitPlaying waits until every seat of table k sits and it certified a
// round on all of them.
func waitPlaying(c *cluster, k int, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if v, ok := c.view(tables[k].host, k); ok && len(v.Players) == len(tables[k].seats()) && c.round(k) > 0 {
			return true
		}
		time.Sleep(100 * time.Millisecond) // polling interval, bounded by the deadline
	}
	return false
}
