package bft

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
)

// PublicKey is a player's Ed25519 public key. It is an array, not a slice, so
// it can key maps and compare with ==. Its text form is the peer ID (lowercase
// hex), so it marshals into JSON the way the rest of bitcraps names peers.
type PublicKey [ed25519.PublicKeySize]byte

// PublicKeyFrom copies an ed25519 key, refusing one of the wrong length.
func PublicKeyFrom(pub ed25519.PublicKey) (PublicKey, error) {
	var k PublicKey
	if len(pub) != len(k) {
		return k, fmt.Errorf("public key of %d bytes, want %d: %w", len(pub), len(k), ErrMalformed)
	}
	copy(k[:], pub)
	return k, nil
}

// String is the peer ID.
func (k PublicKey) String() string { return hex.EncodeToString(k[:]) }

// Short is the first 8 hex digits, for logs and test output.
func (k PublicKey) Short() string { return k.String()[:8] }

// MarshalText writes the peer ID.
func (k PublicKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a peer ID.
func (k *PublicKey) UnmarshalText(b []byte) error {
	return decodeHex32("public key", b, (*[32]byte)(k))
}

// Hash is a SHA-256 digest: state hashes, body hashes, commitments, seeds.
type Hash [32]byte

// String is lowercase hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText writes lowercase hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads lowercase hex.
func (h *Hash) UnmarshalText(b []byte) error { return decodeHex32("hash", b, (*[32]byte)(h)) }

func decodeHex32(what string, b []byte, out *[32]byte) error {
	if hex.DecodedLen(len(b)) != len(out) {
		return fmt.Errorf("%s %q: want %d hex digits: %w", what, b, 2*len(out), ErrMalformed)
	}
	if _, err := hex.Decode(out[:], b); err != nil {
		return fmt.Errorf("%s %q: %w", what, b, ErrMalformed)
	}
	return nil
}

// Signer signs with the local player's Ed25519 private key. identity.Identity
// satisfies it. The core never hands it the same slot twice with different
// bytes (see the double-sign guard in guard.go).
type Signer interface {
	Sign(msg []byte) []byte
}

// Application is the game the table plays, seen by consensus as a function
// from (previous state, bets, dice seed) to a new state hash. The core never
// sees a state, only hashes, so the application keeps the states it computed,
// keyed by hash (for craps: State.Hash()). Every method must be
// deterministic: all honest players call it with the same arguments and must
// get the same hash, or their confirms will not match.
type Application interface {
	// ValidateBets says whether all bets can be placed, in order, on top of
	// the state prev (chips, table limits, phase, bank cover). Step 3.
	ValidateBets(prev Hash, bets []Bet) error
	// Apply places bets on prev, rolls the dice from seed (for craps:
	// craps.DiceFromSeed(seed)) and returns the new state hash. Step 5.
	Apply(prev Hash, bets []Bet, seed Hash) (Hash, error)
	// Void settles a void round: the withholders' bets in it are lost to the
	// bank, everyone else's are refunded. Step 4.
	Void(prev Hash, bets []Bet, withholders []PublicKey) (Hash, error)
}

// Faults is f = ⌊(n−1)/3⌋, the number of Byzantine players n seats tolerate.
func Faults(n int) int {
	if n <= 0 {
		return 0
	}
	return (n - 1) / 3
}

// Quorum is q = n − f: any two quorums share at least f+1 players, so at least
// one honest one (1→1, 2→2, 3→3, 4→3, 7→5).
func Quorum(n int) int { return n - Faults(n) }

// Leader is the player who proposes in (round, view): the shooter rotates by
// seat each round, and each view change passes the dice to the next seat.
func Leader(seats []PublicKey, round, view uint64) PublicKey {
	if len(seats) == 0 {
		return PublicKey{}
	}
	return seats[(round+view)%uint64(len(seats))]
}
