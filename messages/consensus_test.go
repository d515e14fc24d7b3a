package messages

import (
	"bytes"
	"errors"
	"testing"
)

func TestFrameRoundTripAndNonce(t *testing.T) {
	a, err := EncodeFrame(FrameBFT, "0123456789abcdef", []byte("body"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := EncodeFrame(FrameBFT, "0123456789abcdef", []byte("body"))
	if bytes.Equal(a, b) {
		t.Fatal("two frames of the same message are identical: the mesh would drop the resend")
	}
	kind, table, body, err := DecodeFrame(a)
	if err != nil || kind != FrameBFT || table != "0123456789abcdef" || string(body) != "body" {
		t.Fatalf("decode: %d %q %q %v", kind, table, body, err)
	}
	if _, err := EncodeFrame(FrameTable, "", nil); !errors.Is(err, ErrBadFrame) {
		t.Fatalf("empty table: %v", err)
	}
	for _, bad := range [][]byte{nil, {FrameVersion}, {2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'x'}, a[:frameHeader+3]} {
		if _, _, _, err := DecodeFrame(bad); !errors.Is(err, ErrBadFrame) {
			t.Fatalf("decode %x: %v", bad, err)
		}
	}
}
