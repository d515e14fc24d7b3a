package audit

import (
	"crypto/ed25519"
	"testing"
)

// BenchmarkAppend measures durable appends (each acknowledged after fsync)
// with 1 and 8 concurrent appenders sharing fsyncs.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 8} {
		b.Run(map[int]string{1: "writers=1", 8: "writers=8"}[writers], func(b *testing.B) {
			key := newKey(b)
			l, err := Open(b.TempDir(), key, stepClock(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			detail := map[string]any{"op": "settle", "table": "t1", "amount": 5_000_000}
			b.SetParallelism(writers)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := l.Append(KindMoneyOp, detail); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkVerify10k measures verifying a 10,000-entry log.
func BenchmarkVerify10k(b *testing.B) {
	key := newKey(b)
	dir := writeLogFast(b, key, 10_000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := VerifyFile(Path(dir), pub(key)); err != nil {
			b.Fatal(err)
		}
	}
}

// writeLogFast appends from 16 goroutines so that fsyncs are shared.
func writeLogFast(b *testing.B, key ed25519.PrivateKey, n int) string {
	dir := b.TempDir()
	l, err := Open(dir, key, stepClock(), nil)
	if err != nil {
		b.Fatal(err)
	}
	work := make(chan struct{}, n)
	for range n {
		work <- struct{}{}
	}
	close(work)
	done := make(chan error, 16)
	for range 16 {
		go func() {
			for range work {
				if _, err := l.Append(KindMoneyOp, map[string]int{"amount": 1}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 16 {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}
