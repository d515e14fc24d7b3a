package messages

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/proto"
)

// Frame layout: a 4-byte big-endian length, then that many bytes of a
// protobuf-encoded Envelope. Every transport carries these frames inside its
// encrypted stream.
const (
	// FrameHeaderSize is the length prefix.
	FrameHeaderSize = 4
	// MaxFrameSize bounds one envelope's encoding. 1 MiB holds a table
	// snapshot or a large batch of ledger operations, while capping what a
	// peer can make us allocate per frame before we have checked anything
	// (the length is read before the body, and a larger length is refused
	// without reading on).
	MaxFrameSize = 1 << 20
	// MaxPayloadSize leaves room in MaxFrameSize for the envelope's other
	// fields (keys, id, signature, tags: under 200 bytes).
	MaxPayloadSize = MaxFrameSize - 512
)

// Codec errors.
var (
	ErrFrameTooLarge = errors.New("frame too large")
	ErrShortFrame    = errors.New("frame truncated")
	ErrTrailingData  = errors.New("trailing data after frame")
)

// Marshal encodes the envelope body (no length prefix).
func Marshal(env *Envelope) ([]byte, error) {
	body, err := proto.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("marshal envelope: %w", err)
	}
	if len(body) > MaxFrameSize {
		return nil, fmt.Errorf("marshal envelope: %d bytes > %d: %w", len(body), MaxFrameSize, ErrFrameTooLarge)
	}
	return body, nil
}

// Unmarshal decodes an envelope body and checks its shape (field sizes, type,
// ttl). It does not verify the signature: call Envelope.Verify.
// Unknown fields are refused: they would ride along unsigned.
func Unmarshal(body []byte) (*Envelope, error) {
	if len(body) > MaxFrameSize {
		return nil, fmt.Errorf("unmarshal envelope: %d bytes > %d: %w", len(body), MaxFrameSize, ErrFrameTooLarge)
	}
	env := &Envelope{}
	if err := proto.Unmarshal(body, env); err != nil {
		return nil, fmt.Errorf("unmarshal envelope: %w: %w", ErrMalformed, err)
	}
	if n := len(env.ProtoReflect().GetUnknown()); n != 0 {
		return nil, fmt.Errorf("unmarshal envelope: %d bytes of unknown fields: %w", n, ErrMalformed)
	}
	if err := checkShape(env, true); err != nil {
		return nil, fmt.Errorf("unmarshal envelope: %w", err)
	}
	return env, nil
}

// Encode returns one frame: length prefix and envelope body.
func Encode(env *Envelope) ([]byte, error) {
	body, err := Marshal(env)
	if err != nil {
		return nil, err
	}
	frame := make([]byte, FrameHeaderSize, FrameHeaderSize+len(body))
	binary.BigEndian.PutUint32(frame, uint32(len(body)))
	return append(frame, body...), nil
}

// Decode parses exactly one frame: anything before or after it, a length
// above MaxFrameSize, or a malformed body is an error.
func Decode(frame []byte) (*Envelope, error) {
	if len(frame) < FrameHeaderSize {
		return nil, fmt.Errorf("decode: %d bytes, need %d for the header: %w", len(frame), FrameHeaderSize, ErrShortFrame)
	}
	n := binary.BigEndian.Uint32(frame)
	if n > MaxFrameSize {
		return nil, fmt.Errorf("decode: length %d > %d: %w", n, MaxFrameSize, ErrFrameTooLarge)
	}
	rest := frame[FrameHeaderSize:]
	switch {
	case uint32(len(rest)) < n:
		return nil, fmt.Errorf("decode: %d body bytes, header says %d: %w", len(rest), n, ErrShortFrame)
	case uint32(len(rest)) > n:
		return nil, fmt.Errorf("decode: %d bytes after a %d-byte body: %w", uint32(len(rest))-n, n, ErrTrailingData)
	}
	return Unmarshal(rest)
}

// WriteFrame writes one frame with a single Write call (so a transport that
// encrypts per Write sends header and body together). It returns the bytes
// written for accounting.
func WriteFrame(w io.Writer, env *Envelope) (int, error) {
	frame, err := Encode(env)
	if err != nil {
		return 0, err
	}
	n, err := w.Write(frame)
	if err != nil {
		return n, fmt.Errorf("write frame: %w", err)
	}
	return n, nil
}

// ReadFrame reads one frame from a stream and returns the envelope and the
// frame's size in bytes. An oversized length is refused before its body is
// read, so the caller must drop the stream (it is no longer in sync).
func ReadFrame(r io.Reader) (*Envelope, int, error) {
	var hdr [FrameHeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, 0, fmt.Errorf("read frame header: %w", err)
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxFrameSize {
		return nil, FrameHeaderSize, fmt.Errorf("read frame: length %d > %d: %w", n, MaxFrameSize, ErrFrameTooLarge)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, FrameHeaderSize, fmt.Errorf("read frame body (%d bytes): %w", n, err)
	}
	env, err := Unmarshal(body)
	return env, FrameHeaderSize + int(n), err
}
