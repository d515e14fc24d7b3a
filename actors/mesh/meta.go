package mesh

import (
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Node metadata rides in every memberlist alive message, so it is a small
// fixed binary layout (45 bytes, far under memberlist's 512-byte limit):
//
//	[0]     version
//	[1]     flags (bit 0: leaving)
//	[2:34]  Ed25519 public key
//	[34:42] proof-of-work nonce, big-endian
//	[42:44] mesh (transport) port
//	[44:46] HTTP port (0: none)
const (
	metaVersion byte = 1
	metaSize         = 46
	flagLeaving byte = 1 << 0
)

var (
	// ErrBadMeta means a member's metadata is not ours or is malformed.
	ErrBadMeta = errors.New("mesh: bad node metadata")
	// ErrNameMismatch means a member's name is not the peer ID of the key in
	// its metadata: someone is gossiping a name they cannot prove.
	ErrNameMismatch = errors.New("mesh: node name is not its key's peer ID")
)

// NodeMeta is what a member tells the others about itself.
type NodeMeta struct {
	PublicKey ed25519.PublicKey
	PoWNonce  uint64
	MeshPort  uint16
	HTTPPort  uint16
	// Leaving is set just before a graceful Leave so the others can record
	// "left" rather than "dead": memberlist's leave callback does not say.
	Leaving bool
}

// Encode returns the wire form.
func (m NodeMeta) Encode() []byte {
	b := make([]byte, metaSize)
	b[0] = metaVersion
	if m.Leaving {
		b[1] |= flagLeaving
	}
	copy(b[2:34], m.PublicKey)
	binary.BigEndian.PutUint64(b[34:42], m.PoWNonce)
	binary.BigEndian.PutUint16(b[42:44], m.MeshPort)
	binary.BigEndian.PutUint16(b[44:46], m.HTTPPort)
	return b
}

// DecodeMeta parses metadata without trusting it; see VerifyMeta.
func DecodeMeta(b []byte) (NodeMeta, error) {
	if len(b) != metaSize {
		return NodeMeta{}, fmt.Errorf("%w: %d bytes, want %d", ErrBadMeta, len(b), metaSize)
	}
	if b[0] != metaVersion {
		return NodeMeta{}, fmt.Errorf("%w: version %d", ErrBadMeta, b[0])
	}
	return NodeMeta{
		PublicKey: ed25519.PublicKey(append([]byte(nil), b[2:34]...)),
		Leaving:   b[1]&flagLeaving != 0,
		PoWNonce:  binary.BigEndian.Uint64(b[34:42]),
		MeshPort:  binary.BigEndian.Uint16(b[42:44]),
		HTTPPort:  binary.BigEndian.Uint16(b[44:46]),
	}, nil
}

// PoWVerifier checks an identity's proof of work (identity.VerifyPoW).
type PoWVerifier func(pub ed25519.PublicKey, nonce uint64, difficulty int) error

// VerifyMeta decodes a member's metadata and checks that its name is the peer
// ID of its key and that the key carries enough proof of work. Memberlist
// calls it (through the alive delegate) for every alive message, so a node
// without a valid identity never enters the member list.
func VerifyMeta(name string, b []byte, verify PoWVerifier, difficulty int) (NodeMeta, error) {
	m, err := DecodeMeta(b)
	if err != nil {
		return NodeMeta{}, fmt.Errorf("member %q: %w", name, err)
	}
	if hex.EncodeToString(m.PublicKey) != name {
		return NodeMeta{}, fmt.Errorf("member %q: %w", name, ErrNameMismatch)
	}
	if err := verify(m.PublicKey, m.PoWNonce, difficulty); err != nil {
		return NodeMeta{}, fmt.Errorf("member %q: %w", name, err)
	}
	return m, nil
}
