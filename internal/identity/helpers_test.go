package identity

import (
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// seededRand returns a deterministic byte stream and logs its seed on
// failure so a failing run can be replayed with the same keys.
func seededRand(t testing.TB) io.Reader {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("random seed: %d", seed)
		}
	})
	var s [32]byte
	for i := range 4 {
		for j := range 8 {
			s[i*8+j] = byte(seed >> (8 * j))
		}
		s[i*8] ^= byte(i)
	}
	return rand.NewChaCha8(s)
}
