package consensus

import (
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
)

func paceKey(b byte) bft.PublicKey { return bft.PublicKey{b} }

func betMsg(round uint64, by bft.PublicKey, payload []byte) *bft.Message {
	return &bft.Message{Bet: &bft.Bet{Bettor: by, Round: round, Seq: 1, Payload: payload}}
}

func TestPacingIdleUntilTheFirstBet(t *testing.T) {
	a, b := paceKey(1), paceKey(2)
	field, err := game.EncodeBet("field", 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	p := newPacing(3)
	p.at(1)
	p.saw(&bft.Message{Commitment: &bft.Commitment{Player: a, Round: 1}})
	for i := range 100 {
		if p.tick() || p.inPlay() || p.windowOver() {
			t.Fatalf("tick %d: an idle round (only commitments) is in play", i)
		}
	}
	p.saw(betMsg(1, a, field))
	if !p.inPlay() || !p.acted(a) || p.acted(b) || p.asked(a) {
		t.Fatalf("after A's bet: in play %v, acted A %v B %v, asked %v", p.inPlay(), p.acted(a), p.acted(b), p.asked(a))
	}
	for i := 1; i <= 3; i++ {
		if p.windowOver() || !p.tick() {
			t.Fatalf("tick %d of a 3-tick window: over %v", i, p.windowOver())
		}
	}
	if !p.windowOver() {
		t.Fatal("3 ticks in play: the window should be over")
	}
	// A new round starts idle; a message of the round after it, seen early
	// (this node lagged), is remembered.
	p.saw(&bft.Message{Vote: &bft.Vote{Round: 3}})
	p.at(2)
	if p.inPlay() || p.tick() {
		t.Fatal("round 2 starts in play")
	}
	// Even a commitment of a later round says the others are past ours:
	// this node must tick to learn the certificate it lacks.
	q := newPacing(3)
	q.at(7)
	q.saw(&bft.Message{Commitment: &bft.Commitment{Player: b, Round: 7}})
	if q.inPlay() {
		t.Fatal("a commitment of our own round put it in play")
	}
	q.saw(&bft.Message{Commitment: &bft.Commitment{Player: b, Round: 8}})
	if !q.inPlay() || !q.tick() {
		t.Fatal("a commitment of the next round did not wake the round we lag in")
	}
	p.saw(betMsg(2, b, game.EncodeRoll()))
	if !p.asked(b) || p.asked(a) || !p.acted(b) {
		t.Fatalf("B's roll request: asked B %v, A %v", p.asked(b), p.asked(a))
	}
	p.at(3)
	if !p.inPlay() {
		t.Fatal("round 3's vote, seen during round 2, did not put it in play")
	}
	p.saw(betMsg(3+paceAhead+1, a, field))
	p.at(3 + paceAhead + 1)
	if p.inPlay() {
		t.Fatal("a message too far ahead was remembered")
	}
}

func TestRollNowWaitsForEveryPresentSeat(t *testing.T) {
	a, b, c := paceKey(1), paceKey(2), paceKey(3)
	absent := func(ks ...bft.PublicKey) func(bft.PublicKey) bool {
		return func(k bft.PublicKey) bool {
			for _, x := range ks {
				if x == k {
					return true
				}
			}
			return false
		}
	}
	// A shoots.
	cases := []struct {
		name   string
		asked  bool
		toBet  []bft.PublicKey
		absent func(bft.PublicKey) bool
		want   bool
	}{
		{"not asked", false, nil, absent(), false},
		{"asked, everyone bet", true, nil, absent(), true},
		{"asked, B still to bet", true, []bft.PublicKey{b}, absent(), false},
		{"asked, B still to bet but absent", true, []bft.PublicKey{b}, absent(b), true},
		{"asked, B absent, C present", true, []bft.PublicKey{b, c}, absent(b), false},
		{"the shooter absent, everyone present bet", false, []bft.PublicKey{b}, absent(a, b), true},
		{"the shooter absent, C still to bet", false, []bft.PublicKey{b, c}, absent(a, b), false},
	}
	for _, tc := range cases {
		if got := rollNow(tc.asked, a, tc.toBet, tc.absent); got != tc.want {
			t.Errorf("%s: rollNow %v, want %v", tc.name, got, tc.want)
		}
	}
}
