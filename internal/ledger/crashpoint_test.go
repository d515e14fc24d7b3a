package ledger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// crashPoint is what a crash at one instant leaves, and the ops that must
// have survived it.
type crashPoint struct {
	name     string
	fs       *vfs.MemFS
	mustHave []OpID
}

// TestCrashPointsLoseNoAcknowledgedOp runs the real engine on pebble's
// crashable in-memory file system. After every synced batch, and at random
// instants from the writers' side, it keeps a crash clone (all synced data,
// plus a random part of the unsynced data). Each clone must reopen, pass
// Verify, and hold every op acknowledged (or synced) before the clone.
func TestCrashPointsLoseNoAcknowledgedOp(t *testing.T) {
	const seed = 20240611
	fs := vfs.NewCrashableMem()
	var mu sync.Mutex
	var acked []OpID
	var points []crashPoint
	hookRNG := rand.New(rand.NewPCG(seed, 1))
	take := func(name string, rng *rand.Rand, extra []OpID) {
		mu.Lock()
		must := append(slices.Clone(acked), extra...)
		mu.Unlock()
		clone := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: rng.IntN(101), RNG: rng})
		mu.Lock()
		points = append(points, crashPoint{name: name, fs: clone, mustHave: must})
		mu.Unlock()
	}
	l, err := Open(Options{
		Dir: "ledger", FS: fs,
		afterCommit: func(synced []OpID) { take("after a batch", hookRNG, synced) },
		tweakPebble: func(o *pebble.Options) { o.MemTableSize = 64 << 10 },
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newOpGen(seed+uint64(w), newModel())
			rng := rand.New(rand.NewPCG(seed, uint64(w)+10))
			for range 80 {
				op := g.next()
				a, err := l.Apply(context.Background(), op)
				if err == nil {
					g.m.step(op)
					mu.Lock()
					acked = append(acked, a.ID)
					mu.Unlock()
				}
				if rng.IntN(8) == 0 {
					take(fmt.Sprintf("writer %d mid-stream", w), rng, nil)
				}
			}
		}()
	}
	wg.Wait()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	take("after close", hookRNG, nil)
	t.Logf("seed %d: %d crash points, %d ops acknowledged", seed, len(points), len(acked))
	for i, p := range points {
		full := i%4 == 0 || i == len(points)-1
		checkCrashPoint(t, fmt.Sprintf("seed %d point %d (%s)", seed, i, p.name), p, full)
	}
}

func checkCrashPoint(t *testing.T, name string, p crashPoint, full bool) {
	t.Helper()
	l, err := Open(Options{Dir: "ledger", FS: p.fs})
	if err != nil {
		t.Fatalf("%s: reopen: %v", name, err)
	}
	defer l.Close()
	checkRecovered(t, name, l, full, p.mustHave)
}

// checkRecovered checks a store reopened after a crash: the invariant
// (with the full replay when full; the sums otherwise, as the replay costs
// a lot under -race) and every op in mustHave.
func checkRecovered(t *testing.T, name string, l *Ledger, full bool, mustHave []OpID) {
	t.Helper()
	check := l.CheckBalances
	if full {
		check = l.Verify
	}
	rep, err := check()
	if err != nil || !rep.OK {
		t.Fatalf("%s: invariant: %v %q", name, err, rep.Problems)
	}
	present := storedOpIDs(t, l)
	for _, id := range mustHave {
		if !present[id] {
			t.Fatalf("%s: acknowledged op %s lost", name, id)
		}
	}
}

// storedOpIDs lists the applied ops in one scan: under -race pebble's
// invariant checks make point reads slow.
func storedOpIDs(t *testing.T, l *Ledger) map[OpID]bool {
	t.Helper()
	ids := map[OpID]bool{}
	err := l.read(func(r pebble.Reader) error {
		return scan(r, prefixOp, func(k, _ []byte) error {
			var id OpID
			copy(id[:], k[len(prefixOp):])
			ids[id] = true
			return nil
		})
	})
	if err != nil {
		t.Fatalf("list ops: %v", err)
	}
	return ids
}
