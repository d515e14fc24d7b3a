package identity

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; callers match them with errors.Is.
var (
	// ErrBadPeerID means a string is not a canonical peer ID.
	ErrBadPeerID = errors.New("identity: bad peer ID")
	// ErrBadPublicKey means a public key does not have Ed25519's length.
	ErrBadPublicKey = errors.New("identity: bad public key")
	// ErrBadSignature means a signature does not verify.
	ErrBadSignature = errors.New("identity: bad signature")
)

// PeerID names a node: the lowercase hex of its 32-byte Ed25519 public key
// (64 characters). Lowercase only, so that two spellings of one key never
// become two map keys.
type PeerID string

// Identity is a node's key pair plus the proof of work that admits it.
type Identity struct {
	PublicKey  ed25519.PublicKey
	PrivateKey ed25519.PrivateKey
	// Nonce is the proof of work found for PublicKey.
	Nonce uint64
	// Difficulty is the number of leading zero bits the work was made for.
	Difficulty int
}

// PeerID returns the identity's peer ID.
func (id *Identity) PeerID() PeerID {
	return PeerIDOf(id.PublicKey)
}

// Sign signs msg with the identity's private key.
func (id *Identity) Sign(msg []byte) []byte {
	return ed25519.Sign(id.PrivateKey, msg)
}

// PeerIDOf returns the peer ID of a public key.
func PeerIDOf(pub ed25519.PublicKey) PeerID {
	return PeerID(hex.EncodeToString(pub))
}

// PublicKey parses the peer ID back into its public key.
func (p PeerID) PublicKey() (ed25519.PublicKey, error) {
	return ParsePeerID(string(p))
}

// Short is the first 8 hex digits, for logs and screens where 64 characters
// would drown the message; never use it as a key.
func (p PeerID) Short() string {
	if len(p) <= 8 {
		return string(p)
	}
	return string(p[:8])
}

// ParsePeerID checks that s is a canonical peer ID (64 lowercase hex digits)
// and returns the public key it names.
func ParsePeerID(s string) (ed25519.PublicKey, error) {
	if len(s) != 2*ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w %q: want %d hex digits, got %d", ErrBadPeerID, s, 2*ed25519.PublicKeySize, len(s))
	}
	if strings.ToLower(s) != s {
		return nil, fmt.Errorf("%w %q: must be lowercase hex", ErrBadPeerID, s)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrBadPeerID, s, err)
	}
	return ed25519.PublicKey(b), nil
}

// Verify checks sig over msg by pub. Unlike ed25519.Verify it never panics:
// a public key of the wrong length (from the network, say) is an error.
func Verify(pub ed25519.PublicKey, msg, sig []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: %d bytes, want %d", ErrBadPublicKey, len(pub), ed25519.PublicKeySize)
	}
	if !ed25519.Verify(pub, msg, sig) {
		return fmt.Errorf("%w by %s", ErrBadSignature, PeerIDOf(pub).Short())
	}
	return nil
}
