package messages

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
)

func frameOf(body []byte) []byte {
	f := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	return append(f, body...)
}

func bodyOf(t *testing.T, env *Envelope) []byte {
	t.Helper()
	b, err := proto.Marshal(env)
	if err != nil {
		t.Fatalf("proto.Marshal: %v", err)
	}
	return b
}

func TestDecodeTable(t *testing.T) {
	alice, bob := testSigner("alice"), testSigner("bob")
	good := mustEnvelope(t, alice, bob.PublicKey, "hi")
	goodFrame, err := Encode(good)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	with := func(mut func(e *Envelope)) []byte {
		e := proto.Clone(good).(*Envelope)
		mut(e)
		return frameOf(bodyOf(t, e))
	}
	unknownField := protowire.AppendTag(bodyOf(t, good), 99, protowire.VarintType)
	unknownField = protowire.AppendVarint(unknownField, 1)
	oversized := binary.BigEndian.AppendUint32(nil, MaxFrameSize+1)

	cases := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"empty", nil, ErrShortFrame},
		{"short header", []byte{0, 0}, ErrShortFrame},
		{"length above max", oversized, ErrFrameTooLarge},
		{"length max uint32", []byte{0xff, 0xff, 0xff, 0xff}, ErrFrameTooLarge},
		{"truncated body", goodFrame[:len(goodFrame)-1], ErrShortFrame},
		{"trailing garbage", append(bytes.Clone(goodFrame), 0), ErrTrailingData},
		{"not protobuf", frameOf([]byte{0xff, 0xff, 0xff}), ErrMalformed},
		{"empty body", frameOf(nil), ErrMalformed},
		{"unknown field", frameOf(unknownField), ErrMalformed},
		{"short sender", with(func(e *Envelope) { e.Sender = e.Sender[:31] }), ErrMalformed},
		{"short recipient", with(func(e *Envelope) { e.Recipient = e.Recipient[:1] }), ErrMalformed},
		{"unspecified type", with(func(e *Envelope) { e.Type = 0 }), ErrMalformed},
		{"unknown type", with(func(e *Envelope) { e.Type = 99 }), ErrMalformed},
		{"ttl above max", with(func(e *Envelope) { e.Ttl = MaxTTL + 1 }), ErrMalformed},
		{"short id", with(func(e *Envelope) { e.Id = e.Id[:31] }), ErrMalformed},
		{"no signature", with(func(e *Envelope) { e.Signature = nil }), ErrMalformed},
		{"valid", goodFrame, nil},
	}
	for _, c := range cases {
		env, err := Decode(c.frame)
		if c.want == nil {
			if err != nil {
				t.Errorf("%s: Decode: %v", c.name, err)
			} else if !proto.Equal(env, good) {
				t.Errorf("%s: decoded %v, want %v", c.name, env, good)
			}
			continue
		}
		if !errors.Is(err, c.want) || env != nil {
			t.Errorf("%s: Decode = (%v, %v), want error %v", c.name, env, err, c.want)
		}
	}
}

func TestDecodedEnvelopeStillNeedsVerify(t *testing.T) {
	// Decode checks shape only; a well-shaped forgery decodes and is caught
	// by Verify, which is why transports always run both.
	env := mustEnvelope(t, testSigner("alice"), nil, "x")
	env.Signature[0] ^= 1
	frame, err := Encode(env)
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	got, err := Decode(frame)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if err := got.Verify(); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Verify = %v, want ErrBadSignature", err)
	}
}

func TestReadWriteFrameStream(t *testing.T) {
	alice := testSigner("alice")
	var stream bytes.Buffer
	var sent []*Envelope
	total := 0
	for _, p := range []string{"one", "two", ""} {
		env := mustEnvelope(t, alice, nil, p)
		n, err := WriteFrame(&stream, env)
		if err != nil {
			t.Fatalf("WriteFrame: %v", err)
		}
		total += n
		sent = append(sent, env)
	}
	if total != stream.Len() {
		t.Fatalf("WriteFrame reported %d bytes, stream has %d", total, stream.Len())
	}
	for i, want := range sent {
		got, _, err := ReadFrame(&stream)
		if err != nil || !proto.Equal(got, want) {
			t.Fatalf("frame %d: (%v, %v), want %v", i, got, err, want)
		}
	}
	if _, _, err := ReadFrame(&stream); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last frame: %v, want io.EOF", err)
	}
}

func TestReadFrameRefusesOversizeBeforeReadingBody(t *testing.T) {
	r := &countingReader{r: bytes.NewReader(append(binary.BigEndian.AppendUint32(nil, MaxFrameSize+1), make([]byte, 64)...))}
	if _, _, err := ReadFrame(r); !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("ReadFrame = %v, want ErrFrameTooLarge", err)
	}
	if r.n != FrameHeaderSize {
		t.Fatalf("read %d bytes, want only the %d-byte header", r.n, FrameHeaderSize)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// FuzzDecode: Decode never panics, and whatever it accepts survives a
// re-encode unchanged. The committed corpus in testdata/fuzz/FuzzDecode runs
// in every `go test`; `go test -fuzz FuzzDecode ./messages/` explores more.
func FuzzDecode(f *testing.F) {
	alice, bob := testSigner("alice"), testSigner("bob")
	for _, env := range []*Envelope{mustEnvelope(f, alice, nil, "seed"), mustEnvelope(f, alice, bob.PublicKey, "")} {
		frame, err := Encode(env)
		if err != nil {
			f.Fatalf("Encode: %v", err)
		}
		f.Add(frame)
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		env, err := Decode(frame)
		if err != nil {
			if env != nil {
				t.Fatalf("Decode returned an envelope with error %v", err)
			}
			return
		}
		again, err := Encode(env)
		if err != nil {
			t.Fatalf("accepted envelope does not re-encode: %v", err)
		}
		back, err := Decode(again)
		if err != nil || !proto.Equal(back, env) {
			t.Fatalf("re-encode round trip: (%v, %v), want %v", back, err, env)
		}
		_ = env.Verify() // must not panic on any accepted shape
	})
}
