package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// opsPerIteration makes one benchmark iteration a meaningful amount of
// work, so that `make bench` (-benchtime 1x) still measures throughput.
const opsPerIteration = 2048

// BenchmarkDurableOps measures acknowledged (synced) ops per second with
// 1, 8 and 64 concurrent writers, with group commit and with one fsync per
// op (MaxBatchOps 1). ops=signed are buy-ins and cash-outs (an Ed25519
// verification each, the CPU-bound case); ops=grant are unsigned grants
// (the storage path alone).
func BenchmarkDurableOps(b *testing.B) {
	for _, kind := range []string{"signed", "grant"} {
		for _, writers := range []int{1, 8, 64} {
			for _, mode := range []struct {
				name     string
				maxBatch int
			}{{"group-commit", 0}, {"fsync-per-op", 1}} {
				b.Run(fmt.Sprintf("ops=%s/writers=%d/%s", kind, writers, mode.name), func(b *testing.B) {
					benchDurableOps(b, kind, writers, mode.maxBatch)
				})
			}
		}
	}
}

func benchDurableOps(b *testing.B, kind string, writers, maxBatch int) {
	l := openAt(b, filepath.Join(b.TempDir(), "ledger"), Options{MaxBatchOps: maxBatch})
	host := newPlayer("bench host")
	mustApply(b, l, host.grant(MaxAmount), host.fundBank("t1", crap, 1))
	perWriter := b.N * opsPerIteration / writers
	streams := make([][]Op, writers)
	for w := range writers {
		p := newPlayer(fmt.Sprint("bench writer ", w))
		mustApply(b, l, p.grant(MaxAmount))
		for i := range perWriter {
			streams[w] = append(streams[w], benchOp(kind, p, w, i))
		}
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	for _, ops := range streams {
		wg.Go(func() {
			for _, op := range ops {
				if _, err := l.Apply(context.Background(), op); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(perWriter*writers)/b.Elapsed().Seconds(), "ops/s")
}

func benchOp(kind string, p player, w, i int) Op {
	switch {
	case kind == "grant":
		return Op{Kind: KindGrant, Owner: newPlayer(fmt.Sprint("bench grantee ", w, " ", i)).id, Amount: crap}
	case i%2 == 1:
		return p.cashOut("t1", crap, uint64(i+1))
	}
	return p.buyIn("t1", crap, uint64(i+1))
}

// BenchmarkPebbleSyncedWrites is the baseline without the ledger: each
// writer commits its own one-key batch with Sync, relying on pebble's own
// grouping of concurrent WAL syncs.
func BenchmarkPebbleSyncedWrites(b *testing.B) {
	for _, writers := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			db, err := pebble.Open(b.TempDir(), &pebble.Options{Logger: pebbleLogger{quietLogger()}, FormatMajorVersion: pebble.FormatNewest})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			perWriter := b.N * opsPerIteration / writers
			b.ResetTimer()
			var wg sync.WaitGroup
			for w := range writers {
				wg.Go(func() {
					for i := range perWriter {
						if err := db.Set(fmt.Appendf(nil, "w%d/%d", w, i), []byte("v"), pebble.Sync); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(perWriter*writers)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

// BenchmarkVerify100kAccounts times Verify (sums, parallel signature
// checks, replay of the log, comparison of every key) over 100,000
// accounts: 50,000 wallets from grants and 50,000 chips accounts from
// signed buy-ins (plus the host's wallet and the bank), 100,002 ops.
func BenchmarkVerify100kAccounts(b *testing.B) {
	l := openAt(b, filepath.Join(b.TempDir(), "ledger"), Options{})
	fill100k(b, l)
	b.ResetTimer()
	for range b.N {
		rep, err := l.Verify()
		if err != nil || !rep.OK || rep.Accounts != 100_002 {
			b.Fatalf("verify: %v ok=%v accounts=%d %q", err, rep.OK, rep.Accounts, rep.Problems)
		}
	}
}

// BenchmarkStateHash100kAccounts times the state hash over the same ledger
// (the first call; later ones are cached until the next op).
func BenchmarkStateHash100kAccounts(b *testing.B) {
	l := openAt(b, filepath.Join(b.TempDir(), "ledger"), Options{})
	fill100k(b, l)
	b.ResetTimer()
	for range b.N {
		l.hashCache.Store(nil)
		if _, err := l.StateHash(); err != nil {
			b.Fatal(err)
		}
	}
}

func fill100k(b *testing.B, l *Ledger) {
	b.Helper()
	const players = 50_000
	host := newPlayer("bench host")
	mustApply(b, l, host.grant(crap), host.fundBank("t1", crap, 1))
	ops := make([]Op, 0, 2*players)
	for i := range players {
		p := newPlayer(fmt.Sprint("bench player ", i))
		ops = append(ops, p.grant(10*crap), p.buyIn("t1", crap, 1))
	}
	// Grants first, then buy-ins, so each buy-in finds its wallet funded
	// whatever the batching.
	var wg sync.WaitGroup
	sem := make(chan struct{}, defaultMaxPending/2)
	for pass := range 2 {
		for i := pass; i < len(ops); i += 2 {
			sem <- struct{}{}
			wg.Add(1)
			if err := l.Submit(ops[i], func(_ Applied, err error) {
				if err != nil {
					b.Error(err)
				}
				<-sem
				wg.Done()
			}); err != nil {
				b.Fatal(err)
			}
		}
		wg.Wait()
	}
}
