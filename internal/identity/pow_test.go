package identity

import (
	"context"
	"errors"
	"testing"
)

func TestGenerateProvesWork(t *testing.T) {
	r := seededRand(t)
	for _, d := range []int{0, 1, 8, 12} {
		id, err := Generate(r, d)
		if err != nil {
			t.Fatalf("Generate(difficulty %d): %v", d, err)
		}
		if err := VerifyPoW(id.PublicKey, id.Nonce, d); err != nil {
			t.Fatalf("difficulty %d: own work does not verify: %v", d, err)
		}
		if id.Difficulty != d {
			t.Fatalf("Difficulty = %d, want %d", id.Difficulty, d)
		}
		if got := len(id.PeerID()); got != 64 {
			t.Fatalf("peer ID length %d, want 64", got)
		}
	}
}

func TestVerifyPoWRejectsTampering(t *testing.T) {
	r := seededRand(t)
	const d = 12
	id, err := Generate(r, d)
	if err != nil {
		t.Fatal(err)
	}
	// A nonce found at difficulty 12 is a rare event: any other nonce of the
	// first few hundred almost surely fails, and we check they are not all
	// accepted (one could pass by chance, with probability 2^-12 each).
	rejected := 0
	for delta := uint64(1); delta <= 64; delta++ {
		if err := VerifyPoW(id.PublicKey, id.Nonce+delta, d); errors.Is(err, ErrPoWInvalid) {
			rejected++
		}
	}
	if rejected < 60 {
		t.Fatalf("only %d of 64 tampered nonces rejected", rejected)
	}
	// Likewise for keys: flip each byte of the public key in turn.
	rejected = 0
	for i := range id.PublicKey {
		other := append([]byte(nil), id.PublicKey...)
		other[i] ^= 0x01
		if err := VerifyPoW(other, id.Nonce, d); errors.Is(err, ErrPoWInvalid) {
			rejected++
		}
	}
	if rejected < 30 {
		t.Fatalf("only %d of 32 tampered keys rejected", rejected)
	}
}

func TestVerifyPoWExactBoundary(t *testing.T) {
	r := seededRand(t)
	id, err := Generate(r, 10)
	if err != nil {
		t.Fatal(err)
	}
	var buf [len(powDomain) + 32 + 8]byte
	fillPrefix(buf[:], id.PublicKey)
	got := workBits(buf[:], id.Nonce)
	if err := VerifyPoW(id.PublicKey, id.Nonce, got); err != nil {
		t.Fatalf("difficulty equal to the actual %d bits must pass: %v", got, err)
	}
	if got < MaxDifficulty {
		if err := VerifyPoW(id.PublicKey, id.Nonce, got+1); !errors.Is(err, ErrPoWInvalid) {
			t.Fatalf("difficulty %d above actual %d: got %v, want ErrPoWInvalid", got+1, got, err)
		}
	}
}

func TestDifficultyRange(t *testing.T) {
	r := seededRand(t)
	for _, d := range []int{-1, 65, 1000} {
		if _, err := Generate(r, d); !errors.Is(err, ErrBadDifficulty) {
			t.Errorf("Generate(%d): got %v, want ErrBadDifficulty", d, err)
		}
		if err := VerifyPoW(make([]byte, 32), 0, d); !errors.Is(err, ErrBadDifficulty) {
			t.Errorf("VerifyPoW(%d): got %v, want ErrBadDifficulty", d, err)
		}
	}
	if err := VerifyPoW(make([]byte, 31), 0, 0); !errors.Is(err, ErrBadPublicKey) {
		t.Errorf("short key: got %v, want ErrBadPublicKey", err)
	}
}

func TestGenerateProgressAndCancel(t *testing.T) {
	r := seededRand(t)
	ctx, cancel := context.WithCancel(context.Background())
	var calls []uint64
	opts := GenerateOptions{
		Context:       ctx,
		ProgressEvery: 16,
		Progress: func(n uint64) {
			calls = append(calls, n)
			if len(calls) == 3 {
				cancel()
			}
		},
	}
	// Difficulty 64 is never reached in practice, so only the cancel ends it.
	_, err := GenerateWithOptions(r, 64, opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	want := []uint64{16, 32, 48}
	if len(calls) != len(want) {
		t.Fatalf("progress calls %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("progress calls %v, want %v", calls, want)
		}
	}
}

func BenchmarkGeneratePoW16(b *testing.B) {
	r := seededRand(b)
	var tried uint64
	for b.Loop() {
		id, err := Generate(r, 16)
		if err != nil {
			b.Fatal(err)
		}
		tried += id.Nonce + 1
	}
	b.ReportMetric(float64(tried)/float64(b.N), "hashes/op")
}

func BenchmarkVerifyPoW(b *testing.B) {
	id, err := Generate(seededRand(b), 16)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := VerifyPoW(id.PublicKey, id.Nonce, 16); err != nil {
			b.Fatal(err)
		}
	}
}
