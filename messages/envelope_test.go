package messages

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"
)

// testSigner derives a key from a name so every run uses the same keys.
func testSigner(name string) Signer {
	seed := sha256.Sum256([]byte(name))
	return KeySigner(ed25519.NewKeyFromSeed(seed[:]))
}

func mustEnvelope(t testing.TB, s Signer, recipient ed25519.PublicKey, payload string) *Envelope {
	t.Helper()
	env, err := NewEnvelopeTo(s, recipient, MessageType_MESSAGE_TYPE_DATA, []byte(payload), DefaultTTL)
	if err != nil {
		t.Fatalf("NewEnvelopeTo: %v", err)
	}
	return env
}

func TestEnvelopeVerifies(t *testing.T) {
	alice, bob := testSigner("alice"), testSigner("bob")
	for _, env := range []*Envelope{
		mustEnvelope(t, alice, nil, "hello"),
		mustEnvelope(t, alice, bob.PublicKey, "for bob"),
		mustEnvelope(t, alice, nil, ""),
	} {
		if err := env.Verify(); err != nil {
			t.Fatalf("fresh envelope: %v", err)
		}
	}
	direct := mustEnvelope(t, alice, bob.PublicKey, "x")
	if direct.IsBroadcast() || direct.RecipientID() != (&Envelope{Sender: bob.PublicKey}).SenderID() {
		t.Fatalf("recipient not kept: %q", direct.RecipientID())
	}
	if !mustEnvelope(t, alice, nil, "x").IsBroadcast() {
		t.Fatal("nil recipient is not a broadcast")
	}
}

func TestEnvelopeIDIgnoresTTLButCoversContent(t *testing.T) {
	alice, bob := testSigner("alice"), testSigner("bob")
	base := mustEnvelope(t, alice, nil, "payload")

	relayed := proto.Clone(base).(*Envelope)
	relayed.Ttl--
	if err := relayed.Verify(); err != nil {
		t.Fatalf("a relay decrementing ttl broke the envelope: %v", err)
	}

	tampers := map[string]func(e *Envelope){
		"payload":   func(e *Envelope) { e.Payload = []byte("payloaD") },
		"type":      func(e *Envelope) { e.Type = MessageType_MESSAGE_TYPE_CONSENSUS },
		"recipient": func(e *Envelope) { e.Recipient = bytes.Clone(bob.PublicKey) },
		"sender":    func(e *Envelope) { e.Sender = bytes.Clone(bob.PublicKey) },
	}
	for name, tamper := range tampers {
		e := proto.Clone(base).(*Envelope)
		tamper(e)
		if err := e.Verify(); !errors.Is(err, ErrBadID) {
			t.Errorf("%s changed: Verify = %v, want ErrBadID", name, err)
		}
		// Re-hashing does not help a forger: the signature is over the id.
		id := ContentID(e)
		e.Id = id[:]
		if err := e.Verify(); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s changed and re-hashed: Verify = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestEnvelopeSignedByAnotherKeyRejected(t *testing.T) {
	alice, mallory := testSigner("alice"), testSigner("mallory")
	liar := Signer{PublicKey: alice.PublicKey, Sign: mallory.Sign}
	env, err := NewEnvelope(liar, MessageType_MESSAGE_TYPE_CONSENSUS, []byte("vote"), 1)
	if err != nil {
		t.Fatalf("NewEnvelope: %v", err)
	}
	if err := env.Verify(); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Verify = %v, want ErrBadSignature", err)
	}
}

func TestNewEnvelopeRejectsBadInput(t *testing.T) {
	alice := testSigner("alice")
	cases := map[string]func() error{
		"no signer": func() error {
			_, err := NewEnvelope(Signer{}, MessageType_MESSAGE_TYPE_DATA, nil, 1)
			return err
		},
		"unspecified type": func() error {
			_, err := NewEnvelope(alice, MessageType_MESSAGE_TYPE_UNSPECIFIED, nil, 1)
			return err
		},
		"ttl above max": func() error {
			_, err := NewEnvelope(alice, MessageType_MESSAGE_TYPE_DATA, nil, MaxTTL+1)
			return err
		},
		"short recipient": func() error {
			_, err := NewEnvelopeTo(alice, []byte{1, 2}, MessageType_MESSAGE_TYPE_DATA, nil, 1)
			return err
		},
		"payload too large": func() error {
			_, err := NewEnvelope(alice, MessageType_MESSAGE_TYPE_DATA, make([]byte, MaxPayloadSize+1), 1)
			return err
		},
		"short signature": func() error {
			s := Signer{PublicKey: alice.PublicKey, Sign: func([]byte) []byte { return []byte{1} }}
			_, err := NewEnvelope(s, MessageType_MESSAGE_TYPE_DATA, nil, 1)
			return err
		},
	}
	for name, run := range cases {
		if err := run(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
}

func TestLargestPayloadFitsAFrame(t *testing.T) {
	alice, bob := testSigner("alice"), testSigner("bob")
	env, err := NewEnvelopeTo(alice, bob.PublicKey, MessageType_MESSAGE_TYPE_DATA, make([]byte, MaxPayloadSize), MaxTTL)
	if err != nil {
		t.Fatalf("NewEnvelopeTo: %v", err)
	}
	frame, err := Encode(env)
	if err != nil {
		t.Fatalf("Encode of the largest payload: %v", err)
	}
	if _, err := Decode(frame); err != nil {
		t.Fatalf("Decode of the largest payload: %v", err)
	}
}

func TestMessageTypeLabelsAndLinkLocal(t *testing.T) {
	for v := range MessageType_name {
		mt := MessageType(v)
		if mt == MessageType_MESSAGE_TYPE_UNSPECIFIED {
			continue
		}
		if mt.Label() == "unknown" {
			t.Errorf("%v has no metrics label", mt)
		}
	}
	if !MessageType_MESSAGE_TYPE_PING.LinkLocal() || MessageType_MESSAGE_TYPE_CONSENSUS.LinkLocal() {
		t.Fatal("LinkLocal: ping must be link-local, consensus must not")
	}
}
