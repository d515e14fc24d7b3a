package audit

import (
	"bytes"
	"crypto/ed25519"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"
)

// newKey makes a key from a seed logged on failure, so runs can be replayed.
func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("key seed: %d", seed)
		}
	})
	var s [32]byte
	s[0], s[1], s[2], s[3] = byte(seed), byte(seed>>8), byte(seed>>16), byte(seed>>24)
	s[4], s[5], s[6], s[7] = byte(seed>>32), byte(seed>>40), byte(seed>>48), byte(seed>>56)
	_, priv, err := ed25519.GenerateKey(rand.NewChaCha8(s))
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// stepClock is a deterministic clock: each call is one millisecond later.
func stepClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Millisecond)
		return t
	}
}

func pub(key ed25519.PrivateKey) ed25519.PublicKey { return key.Public().(ed25519.PublicKey) }

// writeLog makes a log of n entries in a fresh data dir.
func writeLog(t testing.TB, key ed25519.PrivateKey, n int) string {
	t.Helper()
	dir := t.TempDir()
	l, err := Open(dir, key, stepClock(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := l.Append(KindMoneyOp, map[string]any{"op": "buy_in", "amount": 1_000_000 * (i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readLines(t testing.TB, dir string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.SplitAfter(data, []byte("\n"))[:bytes.Count(data, []byte("\n"))]
}

func verifyBytes(key ed25519.PrivateKey, data []byte) (Summary, error) {
	return Verify(bytes.NewReader(data), pub(key))
}
