package bft

import (
	"bytes"
	"errors"
	"testing"
)

// sampleMessages runs a table with a withholder (so view changes, locks,
// justified proposals, voids and certificates all occur) and keeps one
// message of every type.
func sampleMessages(t testing.TB) (map[MsgType]Message, *sim) {
	s := newSim(t, 7, simOptions{n: 4, byz: map[int]byzKind{3: byzWithhold}, maxDelay: 1, betP: 0.3, maxTicks: 1 << 40})
	s.keepAll = true
	got := make(map[MsgType]Message)
	s.intercept = func(from *simNode, to int, m Message) []Message {
		t := m.Type()
		old, ok := got[t]
		richer := t == MsgProposal && len(m.Proposal.Justification) > len(oldJust(old))
		if !ok || richer || (t == MsgViewChange && m.ViewChange.Lock != nil && old.ViewChange.Lock == nil) {
			got[t] = m
		}
		return []Message{m}
	}
	for i := 0; i < 600; i++ {
		s.step()
	}
	for typ := MsgBet; typ <= MsgLock; typ++ {
		if _, ok := got[typ]; !ok {
			t.Fatalf("no %s message was sent", typ)
		}
	}
	if len(oldJust(got[MsgProposal])) == 0 || got[MsgViewChange].ViewChange.Lock == nil {
		t.Fatalf("no justified proposal or locked view change was sent")
	}
	return got, s
}

func oldJust(m Message) []ViewChange {
	if m.Proposal == nil {
		return nil
	}
	return m.Proposal.Justification
}

func TestMessageRoundTrip(t *testing.T) {
	msgs, _ := sampleMessages(t)
	for typ, m := range msgs {
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: marshal: %v", typ, err)
		}
		back, err := UnmarshalMessage(b)
		if err != nil {
			t.Fatalf("%s: unmarshal: %v", typ, err)
		}
		if back.Type() != typ {
			t.Errorf("%s came back as %s", typ, back.Type())
		}
		again, _ := back.MarshalBinary()
		if !bytes.Equal(b, again) {
			t.Errorf("%s: re-marshaled bytes differ", typ)
		}
		checkTruncations(t, typ.String(), b, func(p []byte) error { _, err := UnmarshalMessage(p); return err })
		if _, err := UnmarshalMessage(append(append([]byte(nil), b...), 0)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s with a trailing byte: %v, want ErrMalformed", typ, err)
		}
	}
}

// checkTruncations: every proper prefix is refused, never accepted or panicking.
func checkTruncations(t *testing.T, what string, b []byte, decode func([]byte) error) {
	t.Helper()
	for i := 0; i < len(b); i++ {
		if err := decode(b[:i]); !errors.Is(err, ErrMalformed) {
			t.Fatalf("%s cut to %d of %d bytes: %v, want ErrMalformed", what, i, len(b), err)
		}
	}
}

func TestRecordAndCertificateRoundTrip(t *testing.T) {
	_, s := sampleMessages(t)
	kinds := make(map[RecordKind]bool)
	for _, b := range s.nodes[0].allRecs {
		r, err := UnmarshalRecord(b)
		if err != nil {
			t.Fatalf("record: %v", err)
		}
		kinds[r.Kind] = true
		again, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(b, again) {
			t.Fatalf("record %d: re-marshal differs (%v)", r.Kind, err)
		}
	}
	for k := RecordSigned; k <= RecordCertificate; k++ {
		if !kinds[k] {
			t.Errorf("no record of kind %d was persisted", k)
		}
	}
	c := s.certList[1]
	b, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalCertificate(b)
	if err != nil {
		t.Fatal(err)
	}
	if back.BodyHash() != c.BodyHash() || back.StateHash != c.StateHash || len(back.Confirms) != len(c.Confirms) {
		t.Errorf("certificate changed in a round trip")
	}
	checkTruncations(t, "certificate", b, func(p []byte) error { _, err := UnmarshalCertificate(p); return err })
}

func TestMessageNeedsExactlyOnePayload(t *testing.T) {
	if _, err := (Message{}).MarshalBinary(); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty message marshaled: %v", err)
	}
	two := Message{Bet: &Bet{}, Reveal: &Reveal{}}
	if two.Type() != 0 {
		t.Errorf("a message with two payloads has type %s", two.Type())
	}
	s := scenario(t, 1, nil)
	if err := s.nodes[0].node.Step(two); !errors.Is(err, ErrMalformed) {
		t.Errorf("Step of a two-payload message: %v, want ErrMalformed", err)
	}
}

// FuzzUnmarshalMessage: decoding never panics, and whatever decodes is in
// canonical form (re-encodes to the same bytes).
func FuzzUnmarshalMessage(f *testing.F) {
	msgs, _ := sampleMessages(f)
	for _, m := range msgs {
		b, _ := m.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := UnmarshalMessage(b)
		if err != nil {
			return
		}
		again, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(b, again) {
			t.Fatalf("decoded message re-encodes differently (%v)", err)
		}
	})
}
