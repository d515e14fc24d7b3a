package table

import (
	"slices"

	"github.com/bitcraps/bitcraps/messages"
)

// The local player's bets between the API's 202 and the layout (issue 11,
// item 6). The consensus instance holds them for the round being played and
// counts them; this keeps what the player needs to see them: what each bet
// is, and, for one that missed its round and that the next round refused,
// why. Certification does not say which of our bets a round held, so a
// round's bets leave the waiting list when it is certified and are kept a
// while as missed: the instance then reports the ones it carries into the
// next round (they come back with their new ID) or drops (refused).
const (
	// maxWaiting bounds the waiting list: bft takes a few dozen bets per
	// player and round, and the instance tracks at most 256.
	maxWaiting = 64
	// maxMissed bounds the bets remembered after their round, long enough
	// for the instance's carry report, which follows the certificate.
	maxMissed = 64
	// maxRefused: the page and `table show` show the last few refusals.
	maxRefused = 8
	// refusedForRounds: a refusal is shown for this many rounds after it.
	refusedForRounds = 10
)

type waitingBets struct {
	waiting []messages.WaitingBet
	missed  []messages.WaitingBet
	refused []messages.RefusedBet
}

// placed records a bet the instance took for b.Round.
func (w *waitingBets) placed(b messages.WaitingBet) {
	w.waiting = appendBounded(w.waiting, b, maxWaiting)
}

// certified moves the bets of rounds up to round out of the waiting list,
// and forgets refusals older than refusedForRounds.
func (w *waitingBets) certified(round uint64) {
	w.waiting = slices.DeleteFunc(w.waiting, func(b messages.WaitingBet) bool {
		if b.Round > round {
			return false
		}
		w.missed = appendBounded(w.missed, b, maxMissed)
		return true
	})
	w.refused = slices.DeleteFunc(w.refused, func(r messages.RefusedBet) bool { return r.Round+refusedForRounds < round })
}

// carried: the bet id missed its round and is now newID in round.
func (w *waitingBets) carried(id, newID string, round uint64) {
	b, ok := w.take(id)
	if !ok {
		return
	}
	b.ID, b.Round = newID, round
	w.placed(b)
}

// dropped: the bet id missed its round and the next one refused it. It
// returns the bet as the player placed it (false when this node no longer
// knows it: only the reason can be told).
func (w *waitingBets) dropped(id, reason string, round uint64) (messages.RefusedBet, bool) {
	b, ok := w.take(id)
	if !ok {
		b = messages.WaitingBet{ID: id}
	}
	b.Round = max(b.Round, round)
	r := messages.RefusedBet{WaitingBet: b, Reason: reason}
	w.refused = appendBounded(w.refused, r, maxRefused)
	return r, ok
}

// take removes the bet id from the waiting or missed list.
func (w *waitingBets) take(id string) (messages.WaitingBet, bool) {
	for _, list := range []*[]messages.WaitingBet{&w.waiting, &w.missed} {
		if i := slices.IndexFunc(*list, func(b messages.WaitingBet) bool { return b.ID == id }); i >= 0 {
			b := (*list)[i]
			*list = slices.Delete(*list, i, i+1)
			return b, true
		}
	}
	return messages.WaitingBet{}, false
}

// appendBounded appends v, dropping the oldest entries past limit.
func appendBounded[T any](s []T, v T, limit int) []T {
	s = append(s, v)
	if len(s) > limit {
		s = slices.Delete(s, 0, len(s)-limit)
	}
	return s
}
