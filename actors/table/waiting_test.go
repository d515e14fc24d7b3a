package table

import (
	"slices"
	"testing"

	"github.com/bitcraps/bitcraps/messages"
)

// A bet that misses its round waits again under its new ID whether the
// instance's carry report comes before or after the round's certificate;
// one the next round refuses is listed with the reason for ten rounds.
func TestWaitingBetsFollowCarryAndRefusal(t *testing.T) {
	bet := func(id string, round uint64) messages.WaitingBet {
		return messages.WaitingBet{ID: id, Type: "field", Amount: 2, Round: round}
	}
	var w waitingBets
	w.placed(bet("3-a-1", 3))
	w.placed(bet("3-a-2", 3))
	w.placed(bet("3-a-3", 3))
	w.carried("3-a-1", "4-a-4", 4) // the report before the certificate
	w.certified(3)
	w.carried("3-a-2", "4-a-5", 4) // the report after it
	if want := []messages.WaitingBet{bet("4-a-4", 4), bet("4-a-5", 4)}; !slices.Equal(w.waiting, want) {
		t.Fatalf("waiting %+v, want %+v", w.waiting, want)
	}
	r, known := w.dropped("4-a-4", "field below the minimum", 5)
	if !known || r.WaitingBet != bet("4-a-4", 5) || r.Reason != "field below the minimum" {
		t.Fatalf("dropped: %+v (known %v)", r, known)
	}
	if r, known := w.dropped("9-a-9", "gone", 9); known || r.ID != "9-a-9" || r.Type != "" {
		t.Fatalf("a refusal of a bet this node does not know: %+v (known %v)", r, known)
	}
	if len(w.waiting) != 1 || len(w.refused) != 2 {
		t.Fatalf("waiting %+v, refused %+v", w.waiting, w.refused)
	}
	w.certified(16)
	if len(w.waiting) != 0 || len(w.refused) != 1 || w.refused[0].ID != "9-a-9" {
		t.Fatalf("eleven rounds on: waiting %+v, refused %+v; want only the refusal of round 9", w.waiting, w.refused)
	}
	for i := range 2 * maxRefused {
		w.dropped("x", "again", uint64(16+i))
	}
	if len(w.refused) != maxRefused {
		t.Fatalf("%d refusals kept, want at most %d", len(w.refused), maxRefused)
	}
}
