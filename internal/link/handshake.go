package link

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/flynn/noise"
	"google.golang.org/protobuf/proto"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// Protocol constants. Changing any of them makes old and new nodes refuse
// each other at the handshake, which is the point.
const (
	// prologue is mixed into the handshake hash: peers speaking another
	// version fail the handshake instead of misreading each other.
	prologue = "bitcraps/link/v1"
	// bindDomain prefixes what an identity signs to vouch for a Noise static
	// key, so that signature can never pass for an envelope's or vice versa.
	bindDomain = "bitcraps/noise-static/v1\x00"
	// acceptMsg is the responder's first transport message: the initiator
	// only counts the link as up once the responder has checked it too.
	acceptMsg = "bitcraps/accept"
)

// cipherSuite: X25519, ChaCha20-Poly1305 and SHA-256 — constant-time in
// software on every CPU we target, including phones without AES hardware.
var cipherSuite = noise.NewCipherSuite(noise.DH25519, noise.CipherChaChaPoly, noise.HashSHA256)

// Handshake errors; Reason maps them to metric labels.
var (
	ErrNoise           = errors.New("noise handshake failed")
	ErrBadPayload      = errors.New("malformed handshake payload")
	ErrBadSignature    = errors.New("identity does not sign the noise static key")
	ErrPoW             = errors.New("identity below proof-of-work difficulty")
	ErrUnexpectedPeer  = errors.New("peer is not the one dialed")
	ErrSelf            = errors.New("connected to self")
	ErrNotAccepted     = errors.New("responder did not accept")
	ErrMessageTooLarge = errors.New("message too large")
	ErrBadConfig       = errors.New("bad link config")
)

// Local is what the handshake needs from this node's identity.
type Local struct {
	PublicKey ed25519.PublicKey
	Nonce     uint64
	Sign      func(msg []byte) []byte
}

// LocalFrom adapts a node identity.
func LocalFrom(id *identity.Identity) Local {
	return Local{PublicKey: id.PublicKey, Nonce: id.Nonce, Sign: id.Sign}
}

// Config is one side's handshake setup.
type Config struct {
	Local Local
	// Static is this process's Noise static key pair (NewStatic). It need
	// not persist: the Ed25519 signature binds it to the identity anew on
	// every handshake.
	Static noise.DHKey
	// Difficulty is the proof of work a peer identity must have.
	Difficulty int
	// Expect, for an initiator, is the identity it meant to reach; another
	// identity is refused with ErrUnexpectedPeer. Nil accepts anyone.
	Expect ed25519.PublicKey
}

// NewStatic makes a Noise static key pair from r (crypto/rand.Reader in
// production).
func NewStatic(r io.Reader) (noise.DHKey, error) {
	k, err := cipherSuite.GenerateKeypair(r)
	if err != nil {
		return noise.DHKey{}, fmt.Errorf("noise static key: %w", err)
	}
	return k, nil
}

// Initiate runs the initiator side of Noise XX over mc. The caller bounds it
// in time (a deadline on the underlying connection).
func Initiate(mc MessageConn, cfg Config) (*Session, error) {
	hs, err := newHandshake(cfg, true)
	if err != nil {
		return nil, err
	}
	msg1, _, _, err := hs.WriteMessage(nil, nil) // -> e
	if err != nil {
		return nil, fmt.Errorf("%w: message 1: %w", ErrNoise, err)
	}
	if err := mc.WriteMessage(msg1); err != nil {
		return nil, err
	}
	in, err := mc.ReadMessage() // <- e, ee, s, es + responder payload
	if err != nil {
		return nil, err
	}
	payload2, _, _, err := hs.ReadMessage(nil, in)
	if err != nil {
		return nil, fmt.Errorf("%w: message 2: %w", ErrNoise, err)
	}
	peer, err := checkPeer(cfg, payload2, hs.PeerStatic())
	if err != nil {
		return nil, err
	}
	own, err := ownPayload(cfg)
	if err != nil {
		return nil, err
	}
	msg3, send, recv, err := hs.WriteMessage(nil, own) // -> s, se + our payload
	if err != nil {
		return nil, fmt.Errorf("%w: message 3: %w", ErrNoise, err)
	}
	if err := mc.WriteMessage(msg3); err != nil {
		return nil, err
	}
	s := newSession(mc, send, recv, peer)
	if err := s.awaitAccept(); err != nil {
		return nil, err
	}
	return s, nil
}

// Respond runs the responder side of Noise XX over mc.
func Respond(mc MessageConn, cfg Config) (*Session, error) {
	hs, err := newHandshake(cfg, false)
	if err != nil {
		return nil, err
	}
	in, err := mc.ReadMessage() // -> e
	if err != nil {
		return nil, err
	}
	if _, _, _, err := hs.ReadMessage(nil, in); err != nil {
		return nil, fmt.Errorf("%w: message 1: %w", ErrNoise, err)
	}
	own, err := ownPayload(cfg)
	if err != nil {
		return nil, err
	}
	msg2, _, _, err := hs.WriteMessage(nil, own)
	if err != nil {
		return nil, fmt.Errorf("%w: message 2: %w", ErrNoise, err)
	}
	if err := mc.WriteMessage(msg2); err != nil {
		return nil, err
	}
	if in, err = mc.ReadMessage(); err != nil {
		return nil, err
	}
	payload3, recv, send, err := hs.ReadMessage(nil, in)
	if err != nil {
		return nil, fmt.Errorf("%w: message 3: %w", ErrNoise, err)
	}
	peer, err := checkPeer(cfg, payload3, hs.PeerStatic())
	if err != nil {
		return nil, err
	}
	s := newSession(mc, send, recv, peer)
	if err := s.sendAccept(); err != nil {
		return nil, err
	}
	return s, nil
}

func newHandshake(cfg Config, initiator bool) (*noise.HandshakeState, error) {
	if len(cfg.Local.PublicKey) != ed25519.PublicKeySize || cfg.Local.Sign == nil {
		return nil, fmt.Errorf("%w: local identity missing", ErrBadConfig)
	}
	if len(cfg.Static.Public) == 0 {
		return nil, fmt.Errorf("%w: noise static key missing", ErrBadConfig)
	}
	hs, err := noise.NewHandshakeState(noise.Config{
		CipherSuite:   cipherSuite,
		Pattern:       noise.HandshakeXX,
		Initiator:     initiator,
		Prologue:      []byte(prologue),
		StaticKeypair: cfg.Static,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoise, err)
	}
	return hs, nil
}

// BindingMessage is what an identity signs to vouch for a Noise static key.
// The nonce is included so the signed statement names the whole identity
// claim (key and its proof of work).
func BindingMessage(static []byte, nonce uint64) []byte {
	m := make([]byte, 0, len(bindDomain)+len(static)+8)
	m = append(m, bindDomain...)
	m = append(m, static...)
	return binary.BigEndian.AppendUint64(m, nonce)
}

func ownPayload(cfg Config) ([]byte, error) {
	p := &messages.HandshakePayload{
		PublicKey: cfg.Local.PublicKey,
		PowNonce:  cfg.Local.Nonce,
		Signature: cfg.Local.Sign(BindingMessage(cfg.Static.Public, cfg.Local.Nonce)),
	}
	b, err := proto.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("%w: marshal own payload: %w", ErrBadConfig, err)
	}
	return b, nil
}

// Peer is the identity a handshake authenticated.
type Peer struct {
	PublicKey ed25519.PublicKey
	Nonce     uint64
}

// checkPeer verifies a peer's handshake payload against the static key the
// Noise handshake proved it holds.
func checkPeer(cfg Config, raw, static []byte) (Peer, error) {
	var p messages.HandshakePayload
	if err := proto.Unmarshal(raw, &p); err != nil {
		return Peer{}, fmt.Errorf("%w: %w", ErrBadPayload, err)
	}
	pub := ed25519.PublicKey(p.GetPublicKey())
	if len(pub) != ed25519.PublicKeySize {
		return Peer{}, fmt.Errorf("%w: public key %d bytes", ErrBadPayload, len(pub))
	}
	if err := identity.Verify(pub, BindingMessage(static, p.GetPowNonce()), p.GetSignature()); err != nil {
		return Peer{}, fmt.Errorf("%w: peer %s: %w", ErrBadSignature, identity.PeerIDOf(pub).Short(), err)
	}
	if err := identity.VerifyPoW(pub, p.GetPowNonce(), cfg.Difficulty); err != nil {
		return Peer{}, fmt.Errorf("%w: %w", ErrPoW, err)
	}
	if bytes.Equal(pub, cfg.Local.PublicKey) {
		return Peer{}, ErrSelf
	}
	if cfg.Expect != nil && !bytes.Equal(pub, cfg.Expect) {
		return Peer{}, fmt.Errorf("%w: got %s, want %s", ErrUnexpectedPeer,
			identity.PeerIDOf(pub).Short(), identity.PeerIDOf(cfg.Expect).Short())
	}
	return Peer{PublicKey: pub, Nonce: p.GetPowNonce()}, nil
}

// Reason is a handshake error's metric label.
func Reason(err error) string {
	for _, r := range reasons {
		if errors.Is(err, r.err) {
			return r.label
		}
	}
	return "io"
}

var reasons = []struct {
	err   error
	label string
}{
	{ErrBadSignature, "bad_signature"},
	{ErrPoW, "pow"},
	{ErrUnexpectedPeer, "unexpected_peer"},
	{ErrSelf, "self"},
	{ErrBadPayload, "bad_payload"},
	{ErrNotAccepted, "not_accepted"},
	{ErrNoise, "noise"},
	{ErrBadConfig, "config"},
	{ErrMessageTooLarge, "malformed"},
}
