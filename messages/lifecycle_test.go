package messages

import (
	"errors"
	"testing"
)

func TestPresenceAndRoundsBodies(t *testing.T) {
	for _, c := range []struct {
		round     uint64
		dissolved bool
	}{{0, false}, {7, true}, {1 << 60, false}} {
		r, d, err := DecodePresence(EncodePresence(c.round, c.dissolved))
		if err != nil || r != c.round || d != c.dissolved {
			t.Errorf("presence %+v: got %d %v %v", c, r, d, err)
		}
	}
	for _, bad := range [][]byte{nil, EncodeRound(3), append(EncodeRound(3), 2), append(EncodePresence(3, true), 0)} {
		if _, _, err := DecodePresence(bad); !errors.Is(err, ErrBadFrame) {
			t.Errorf("presence body %x: %v, want ErrBadFrame", bad, err)
		}
	}
	body, err := EncodeRounds(12, nil)
	if err != nil {
		t.Fatal(err)
	}
	from, certs, err := DecodeRounds(body)
	if err != nil || from != 12 || len(certs) != 0 {
		t.Errorf("empty answer: %d %d %v", from, len(certs), err)
	}
	tooMany := append(EncodeRound(1), 0, 0, 0, MaxRoundsPerAnswer+1)
	truncated := append(EncodeRound(1), 0, 0, 0, 1, 0, 0, 0, 9)
	trailing := append(body, 0)
	for name, b := range map[string][]byte{"too many": tooMany, "truncated": truncated, "trailing": trailing, "short": {1}} {
		if _, _, err := DecodeRounds(b); !errors.Is(err, ErrBadFrame) {
			t.Errorf("%s: %v, want ErrBadFrame", name, err)
		}
	}
}

// FuzzLifecycleBodies: the lifecycle's frame bodies never panic, and
// what they accept re-encodes to the same bytes.
func FuzzLifecycleBodies(f *testing.F) {
	f.Add(EncodePresence(5, true))
	body, _ := EncodeRounds(3, nil)
	f.Add(body)
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, d, err := DecodePresence(b); err == nil && string(EncodePresence(r, d)) != string(b) {
			t.Fatalf("presence %x re-encodes differently", b)
		}
		if from, certs, err := DecodeRounds(b); err == nil {
			again, err := EncodeRounds(from, certs)
			if err != nil {
				t.Fatalf("accepted rounds body does not re-encode: %v", err)
			}
			if _, back, err := DecodeRounds(again); err != nil || len(back) != len(certs) {
				t.Fatalf("re-encoded rounds body: %d certificates, %v", len(back), err)
			}
		}
	})
}
