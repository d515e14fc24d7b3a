package messages

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Envelope limits and defaults.
const (
	// DefaultTTL is the hop budget of a new envelope: enough for a multi-hop
	// BLE mesh of a few rooms (the default) while bounding a flood.
	DefaultTTL uint32 = 8
	// MaxTTL is the largest ttl a receiver accepts. The ttl is not signed (a
	// relay must decrement it), so a relay could raise it; capping it bounds
	// how far such a relay can push a flood.
	MaxTTL uint32 = 16
)

// envelopeDomain separates envelope ids from every other hash and signature
// this protocol makes (the handshake signs a different tag), so a signature
// made for one purpose can never be replayed as another.
const envelopeDomain = "bitcraps/envelope/v1\x00"

// Envelope errors. Decode and Verify wrap these with the offending field.
var (
	ErrMalformed    = errors.New("malformed envelope")
	ErrBadID        = errors.New("envelope id does not match its content")
	ErrBadSignature = errors.New("envelope signature invalid")
)

// Signer is what an envelope needs from a node identity. With an
// *identity.Identity id: Signer{PublicKey: id.PublicKey, Sign: id.Sign}.
// A func rather than a private key keeps the key where the identity lives.
type Signer struct {
	PublicKey ed25519.PublicKey
	Sign      func(msg []byte) []byte
}

// KeySigner signs with a raw private key (tests, tools).
func KeySigner(priv ed25519.PrivateKey) Signer {
	return Signer{
		PublicKey: priv.Public().(ed25519.PublicKey),
		Sign:      func(msg []byte) []byte { return ed25519.Sign(priv, msg) },
	}
}

// NewEnvelope builds a signed broadcast envelope (no recipient).
func NewEnvelope(s Signer, t MessageType, payload []byte, ttl uint32) (*Envelope, error) {
	return NewEnvelopeTo(s, nil, t, payload, ttl)
}

// NewEnvelopeTo builds a signed envelope for one recipient (nil: broadcast).
// The payload slice is kept, not copied: do not modify it afterwards.
func NewEnvelopeTo(s Signer, recipient ed25519.PublicKey, t MessageType, payload []byte, ttl uint32) (*Envelope, error) {
	if len(s.PublicKey) != ed25519.PublicKeySize || s.Sign == nil {
		return nil, fmt.Errorf("new envelope: signer: %w", ErrMalformed)
	}
	env := &Envelope{
		Sender:    bytes.Clone(s.PublicKey),
		Recipient: bytes.Clone(recipient),
		Type:      t,
		Payload:   payload,
		Ttl:       ttl,
	}
	if err := checkShape(env, false); err != nil {
		return nil, fmt.Errorf("new envelope: %w", err)
	}
	id := ContentID(env)
	env.Id = id[:]
	env.Signature = s.Sign(env.Id)
	if len(env.Signature) != ed25519.SignatureSize {
		return nil, fmt.Errorf("new envelope: signer returned %d-byte signature: %w", len(env.Signature), ErrMalformed)
	}
	return env, nil
}

// ContentID is SHA-256 over the canonical content:
//
//	domain ‖ sender(32) ‖ len(recipient)(1) ‖ recipient ‖ type(u32 BE) ‖ len(payload)(u32 BE) ‖ payload
//
// Protobuf encoding is not canonical (field order, unknown fields), so the
// id is computed over this fixed layout instead. ttl is left out: relays
// decrement it and cannot re-sign for the sender, so covering it would make
// every relayed envelope fail verification; MaxTTL bounds the damage a relay
// that inflates it can do, and de-duplication by id stops loops.
func ContentID(env *Envelope) [32]byte {
	h := sha256.New()
	var n [4]byte
	h.Write([]byte(envelopeDomain))
	h.Write(env.GetSender())
	h.Write([]byte{byte(len(env.GetRecipient()))})
	h.Write(env.GetRecipient())
	binary.BigEndian.PutUint32(n[:], uint32(env.GetType()))
	h.Write(n[:])
	binary.BigEndian.PutUint32(n[:], uint32(len(env.GetPayload())))
	h.Write(n[:])
	h.Write(env.GetPayload())
	var id [32]byte
	h.Sum(id[:0])
	return id
}

// Verify checks the envelope's shape, that its id is the hash of its content
// and that sender signed that id. It costs one Ed25519 verification (tens of
// microseconds): transports run it off the actor, in the reader goroutine.
func (e *Envelope) Verify() error {
	if err := checkShape(e, true); err != nil {
		return err
	}
	id := ContentID(e)
	if !bytes.Equal(id[:], e.GetId()) {
		return fmt.Errorf("envelope %x: %w", e.GetId(), ErrBadID)
	}
	if !ed25519.Verify(e.GetSender(), e.GetId(), e.GetSignature()) {
		return fmt.Errorf("envelope %x from %s: %w", e.GetId(), e.SenderID(), ErrBadSignature)
	}
	return nil
}

// SenderID is the sender's peer ID: lowercase hex of its public key.
func (e *Envelope) SenderID() string { return hex.EncodeToString(e.GetSender()) }

// RecipientID is the recipient's peer ID, or "" for a broadcast.
func (e *Envelope) RecipientID() string { return hex.EncodeToString(e.GetRecipient()) }

// IsBroadcast reports whether the envelope is for every node.
func (e *Envelope) IsBroadcast() bool { return len(e.GetRecipient()) == 0 }

// LinkLocal reports whether messages of this type only ever travel one hop.
// Transports require the sender of a link-local envelope to be the
// authenticated peer of the connection it arrived on; other types may be
// relayed, so for them the envelope signature is the authentication.
func (t MessageType) LinkLocal() bool {
	return t == MessageType_MESSAGE_TYPE_PING || t == MessageType_MESSAGE_TYPE_PONG
}

// Label is the type's short name for metrics and logs ("ping", "consensus").
func (t MessageType) Label() string {
	if name, ok := typeLabels[t]; ok {
		return name
	}
	return "unknown"
}

var typeLabels = map[MessageType]string{
	MessageType_MESSAGE_TYPE_PING:           "ping",
	MessageType_MESSAGE_TYPE_PONG:           "pong",
	MessageType_MESSAGE_TYPE_DISCOVERY:      "discovery",
	MessageType_MESSAGE_TYPE_TABLE_ANNOUNCE: "table_announce",
	MessageType_MESSAGE_TYPE_CONSENSUS:      "consensus",
	MessageType_MESSAGE_TYPE_LEDGER_OP:      "ledger_op",
	MessageType_MESSAGE_TYPE_DATA:           "data",
}

// checkShape checks field sizes and ranges; signed says whether id and
// signature must already be present.
func checkShape(e *Envelope, signed bool) error {
	switch {
	case len(e.GetSender()) != ed25519.PublicKeySize:
		return fmt.Errorf("sender: %d bytes, want %d: %w", len(e.GetSender()), ed25519.PublicKeySize, ErrMalformed)
	case len(e.GetRecipient()) != 0 && len(e.GetRecipient()) != ed25519.PublicKeySize:
		return fmt.Errorf("recipient: %d bytes, want 0 or %d: %w", len(e.GetRecipient()), ed25519.PublicKeySize, ErrMalformed)
	case e.GetType() == MessageType_MESSAGE_TYPE_UNSPECIFIED || e.GetType().Label() == "unknown":
		return fmt.Errorf("type: %d: %w", e.GetType(), ErrMalformed)
	case e.GetTtl() > MaxTTL:
		return fmt.Errorf("ttl: %d > %d: %w", e.GetTtl(), MaxTTL, ErrMalformed)
	case len(e.GetPayload()) > MaxPayloadSize:
		return fmt.Errorf("payload: %d bytes > %d: %w", len(e.GetPayload()), MaxPayloadSize, ErrMalformed)
	}
	if !signed {
		return nil
	}
	switch {
	case len(e.GetId()) != sha256.Size:
		return fmt.Errorf("id: %d bytes, want %d: %w", len(e.GetId()), sha256.Size, ErrMalformed)
	case len(e.GetSignature()) != ed25519.SignatureSize:
		return fmt.Errorf("signature: %d bytes, want %d: %w", len(e.GetSignature()), ed25519.SignatureSize, ErrMalformed)
	}
	return nil
}
