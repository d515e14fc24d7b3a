package identity

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// MaxDifficulty is the largest difficulty: the work is judged on the first
// 64 bits of the hash.
const MaxDifficulty = 64

// powDomain separates identity work from every other SHA-256 in the
// protocol, so no other hash can be replayed as proof of work.
const powDomain = "BITCRAPS_IDENTITY_POW"

// defaultProgressEvery spaces progress calls about 10 ms apart on one core
// (about 100 ns per hash): often enough for a live display, rare enough to
// cost nothing.
const defaultProgressEvery = 1 << 16

// Sentinel errors of the proof of work.
var (
	// ErrBadDifficulty means a difficulty outside [0, MaxDifficulty].
	ErrBadDifficulty = errors.New("identity: difficulty out of range")
	// ErrPoWInvalid means a nonce does not prove the claimed work.
	ErrPoWInvalid = errors.New("identity: proof of work does not verify")
	// ErrPoWExhausted means every nonce was tried without success.
	ErrPoWExhausted = errors.New("identity: no nonce meets the difficulty")
)

// GenerateOptions tunes Generate for callers that show progress or may give up.
type GenerateOptions struct {
	// Context, when set, stops the search once it is done (for Ctrl-C during
	// a long search); the error then wraps the context's error.
	Context context.Context
	// Progress, when set, is called with the number of nonces tried so far,
	// every ProgressEvery attempts, on the searching goroutine.
	Progress func(attempts uint64)
	// ProgressEvery defaults to 65,536 attempts.
	ProgressEvery uint64
}

// Generate makes a new key pair from rand and searches for its proof of work.
// The expected number of attempts is 2^difficulty.
func Generate(rand io.Reader, difficulty int) (*Identity, error) {
	return GenerateWithOptions(rand, difficulty, GenerateOptions{})
}

// GenerateWithOptions is Generate with progress reports and cancellation.
func GenerateWithOptions(rand io.Reader, difficulty int, opts GenerateOptions) (*Identity, error) {
	if err := checkDifficulty(difficulty); err != nil {
		return nil, err
	}
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("identity: generate key: %w", err)
	}
	nonce, err := searchNonce(pub, difficulty, opts)
	if err != nil {
		return nil, err
	}
	return &Identity{PublicKey: pub, PrivateKey: priv, Nonce: nonce, Difficulty: difficulty}, nil
}

// VerifyPoW checks that nonce proves difficulty leading zero bits of work
// for pub. Use it on every identity a peer presents.
func VerifyPoW(pub ed25519.PublicKey, nonce uint64, difficulty int) error {
	if err := checkDifficulty(difficulty); err != nil {
		return err
	}
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: %d bytes, want %d", ErrBadPublicKey, len(pub), ed25519.PublicKeySize)
	}
	var buf [len(powDomain) + ed25519.PublicKeySize + 8]byte
	fillPrefix(buf[:], pub)
	if got := workBits(buf[:], nonce); got < difficulty {
		return fmt.Errorf("%w: peer %s nonce %d has %d leading zero bits, want %d",
			ErrPoWInvalid, PeerIDOf(pub).Short(), nonce, got, difficulty)
	}
	return nil
}

func checkDifficulty(d int) error {
	if d < 0 || d > MaxDifficulty {
		return fmt.Errorf("%w: difficulty %d, want 0..%d", ErrBadDifficulty, d, MaxDifficulty)
	}
	return nil
}

func searchNonce(pub ed25519.PublicKey, difficulty int, opts GenerateOptions) (uint64, error) {
	every := opts.ProgressEvery
	if every == 0 {
		every = defaultProgressEvery
	}
	var buf [len(powDomain) + ed25519.PublicKeySize + 8]byte
	fillPrefix(buf[:], pub)
	for nonce := uint64(0); ; nonce++ {
		if workBits(buf[:], nonce) >= difficulty {
			return nonce, nil
		}
		if tried := nonce + 1; tried%every == 0 {
			if err := checkCancel(opts.Context); err != nil {
				return 0, err
			}
			if opts.Progress != nil {
				opts.Progress(tried)
			}
		}
		if nonce == ^uint64(0) {
			return 0, fmt.Errorf("%w: difficulty %d", ErrPoWExhausted, difficulty)
		}
	}
}

func checkCancel(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("identity: proof of work stopped: %w", err)
	}
	return nil
}

func fillPrefix(buf []byte, pub ed25519.PublicKey) {
	n := copy(buf, powDomain)
	copy(buf[n:], pub)
}

// workBits writes nonce into the tail of buf and counts the leading zero
// bits of the hash, up to 64 (all a difficulty can ask for).
func workBits(buf []byte, nonce uint64) int {
	binary.BigEndian.PutUint64(buf[len(buf)-8:], nonce)
	sum := sha256.Sum256(buf)
	return bits.LeadingZeros64(binary.BigEndian.Uint64(sum[:8]))
}
