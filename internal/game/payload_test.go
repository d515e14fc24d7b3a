package game

import (
	"bytes"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

func TestPayloadRoundTrip(t *testing.T) {
	cases := []struct {
		in   Payload
		want Payload // what decoding gives back: the canonical names
	}{
		{Payload{Kind: KindBet, BetType: "pass", Amount: 5 * crap}, Payload{Kind: KindBet, BetType: "pass", Amount: 5 * crap}},
		{Payload{Kind: KindBet, BetType: "place", Number: 6, Amount: 6 * crap}, Payload{Kind: KindBet, BetType: "place", Number: 6, Amount: 6 * crap}},
		{Payload{Kind: KindBet, BetType: "Place-6", Amount: 1}, Payload{Kind: KindBet, BetType: "place", Number: 6, Amount: 1}},
		{Payload{Kind: KindBet, BetType: "hop", Number: 52, Amount: 2}, Payload{Kind: KindBet, BetType: "hop", Number: 25, Amount: 2}},
		{Payload{Kind: KindBet, BetType: "yes_11", Amount: MaxStake}, Payload{Kind: KindBet, BetType: "yes", Number: 11, Amount: MaxStake}},
		{Payload{Kind: KindTakeDown, BetType: "place", Number: 8}, Payload{Kind: KindTakeDown, BetType: "place", Number: 8}},
		{Payload{Kind: KindTakeDown, BetType: "pass_odds"}, Payload{Kind: KindTakeDown, BetType: "pass_odds"}},
		{Payload{Kind: KindLeave}, Payload{Kind: KindLeave}},
		{Payload{Kind: KindUnseat, Target: bft.PublicKey{7, 7}}, Payload{Kind: KindUnseat, Target: bft.PublicKey{7, 7}}},
	}
	for _, c := range cases {
		b, err := EncodePayload(c.in)
		if err != nil {
			t.Fatalf("EncodePayload(%+v): %v", c.in, err)
		}
		got, err := DecodePayload(b)
		if err != nil {
			t.Fatalf("DecodePayload(%x) of %+v: %v", b, c.in, err)
		}
		if got != c.want {
			t.Errorf("round trip of %+v: got %+v, want %+v", c.in, got, c.want)
		}
		again, err := EncodePayload(got)
		if err != nil || !bytes.Equal(again, b) {
			t.Errorf("re-encoding %+v: %x (%v), want the same bytes %x", got, again, err, b)
		}
	}
}

// Every bet the engine knows encodes and decodes to itself.
func TestPayloadEveryBet(t *testing.T) {
	for _, bet := range craps.AllBets() {
		b, err := EncodeBet(bet.Kind.ID(), int(bet.Number), 1)
		if err != nil {
			t.Fatalf("EncodeBet(%s): %v", bet.ID(), err)
		}
		p, err := DecodePayload(b)
		if err != nil {
			t.Fatalf("DecodePayload(%s): %v", bet.ID(), err)
		}
		if got, err := p.Bet(); err != nil || got != bet {
			t.Errorf("%s decodes to %s (%v)", bet.ID(), got.ID(), err)
		}
	}
}

func TestEncodePayloadRefuses(t *testing.T) {
	for _, p := range []Payload{
		{},
		{Kind: "raise"},
		{Kind: KindBet, BetType: "pass", Amount: 0},
		{Kind: KindBet, BetType: "pass", Amount: -1},
		{Kind: KindBet, BetType: "pass", Amount: MaxStake + 1},
		{Kind: KindBet, BetType: "nonsense", Amount: 1},
		{Kind: KindBet, BetType: "place", Number: 7, Amount: 1},
		{Kind: KindBet, BetType: "place", Amount: 1},
		{Kind: KindTakeDown, BetType: "place", Number: 6, Amount: 1},
		{Kind: KindLeave, Amount: 1},
		{Kind: KindLeave, BetType: "pass"},
		{Kind: KindUnseat},
		{Kind: KindUnseat, Target: bft.PublicKey{1}, Amount: 1},
	} {
		if b, err := EncodePayload(p); err == nil {
			t.Errorf("EncodePayload(%+v) = %x, want an error", p, b)
		} else {
			wantErr(t, err, ErrBadPayload)
		}
	}
}

func TestDecodePayloadRefuses(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		{1},
		{2, tagLeave},           // version
		{1, 9},                  // kind tag
		{1, tagLeave, 0},        // trailing byte
		{1, tagUnseat, 1, 2, 3}, // short
		append([]byte{1, tagUnseat}, make([]byte, 32)...), // the zero key
		{1, tagTakeDown, 9},                             // short
		{1, tagTakeDown, 99, 0},                         // unknown bet kind
		{1, tagTakeDown, 9, 7},                          // place 7
		{1, tagTakeDown, 24, 52},                        // hop 5-2 is not canonical (2-5 is)
		{1, tagBet, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},       // amount 0
		{1, tagBet, 1, 0, 0xff, 0, 0, 0, 0, 0, 0, 0},    // amount negative
		{1, tagBet, 1, 0, 0, 0, 0xff, 0, 0, 0, 0, 0},    // amount above MaxStake
		{1, tagBet, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xaa}, // trailing byte
	} {
		if p, err := DecodePayload(b); err == nil {
			t.Errorf("DecodePayload(%x) = %+v, want an error", b, p)
		} else {
			wantErr(t, err, ErrBadPayload)
		}
	}
}

// FuzzDecodePayload: decoding never panics, and whatever decodes encodes
// back to exactly the same bytes (one encoding per payload).
func FuzzDecodePayload(f *testing.F) {
	for _, p := range []Payload{
		{Kind: KindBet, BetType: "pass", Amount: 5 * crap},
		{Kind: KindBet, BetType: "hop", Number: 25, Amount: 1},
		{Kind: KindBet, BetType: "come_odds", Number: 4, Amount: 3 * crap},
		{Kind: KindTakeDown, BetType: "place", Number: 6},
		{Kind: KindLeave},
	} {
		b, err := EncodePayload(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{1, tagTakeDown, 24, 52})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePayload(b)
		if err != nil {
			return
		}
		again, err := EncodePayload(p)
		if err != nil {
			t.Fatalf("%x decodes to %+v, which does not encode: %v", b, p, err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("%x decodes to %+v, which encodes to %x", b, p, again)
		}
	})
}
