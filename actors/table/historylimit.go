package table

import (
	"errors"
	"time"

	"golang.org/x/time/rate"
)

// Followers ask a table's genesis seats for its history, and a genesis may
// name anyone: announcing many tables whose seats are one victim would turn
// every node's followers into a flood toward it. So history requests are
// limited per target peer, across all the tables followed.
const (
	// One request a second per target, four at once: a node following a
	// few tables of the same players asks each of them about every 5 s.
	historyAsksPerSecond = 1
	historyAskBurst      = 4
	// maxHistoryTargets bounds the limiters kept; past it, those full again
	// (idle for a while) are dropped.
	maxHistoryTargets = 4096
)

// errHistoryRateLimited: a history request held back by the target's limit.
var errHistoryRateLimited = errors.New("history requests to this peer are rate-limited")

// historyTargets holds one limiter per peer asked.
type historyTargets map[string]*rate.Limiter

// allow takes a request's token for peer at now, or says to wait.
func (h *historyTargets) allow(peer string, now time.Time) bool {
	if *h == nil {
		*h = historyTargets{}
	}
	l := (*h)[peer]
	if l == nil {
		if len(*h) >= maxHistoryTargets {
			h.prune(now)
		}
		l = rate.NewLimiter(historyAsksPerSecond, historyAskBurst)
		(*h)[peer] = l
	}
	return l.AllowN(now, 1)
}

// prune drops limiters whose bucket is full again: they hold no state.
func (h historyTargets) prune(now time.Time) {
	for p, l := range h {
		if l.TokensAt(now) >= historyAskBurst {
			delete(h, p)
		}
	}
}
