package mesh

import (
	"time"

	"golang.org/x/time/rate"
)

// Class groups message types that share a rate limit.
type Class int

const (
	// ClassConsensus: BFT rounds and ledger operations; the hot path of a
	// game, so its limit is generous.
	ClassConsensus Class = iota
	// ClassTable: table creation and announcements; rare by nature.
	ClassTable
	// ClassDiscovery: peer discovery gossip.
	ClassDiscovery
	// ClassData: everything else that may be relayed.
	ClassData
	numClasses
)

// String is the metric label of the class.
func (c Class) String() string {
	switch c {
	case ClassConsensus:
		return "consensus"
	case ClassTable:
		return "table"
	case ClassDiscovery:
		return "discovery"
	case ClassData:
		return "data"
	}
	return "unknown"
}

// Limit is a token bucket: Rate tokens per second, at most Burst saved up.
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// Limits configures rate limiting and cool-downs.
type Limits struct {
	// PerClass is the budget of one sender in one class.
	PerClass [numClasses]Limit
	// RateViolations is how many rate-limit drops a directly connected
	// sender is forgiven before it is disconnected.
	RateViolations Limit
	// BadSignatures is how many badly signed envelopes a neighbour is
	// forgiven: honest nodes verify before relaying, so these are rare.
	BadSignatures Limit
	// CoolDown is how long a disconnected peer stays refused.
	CoolDown time.Duration
	// MaxTracked bounds the per-sender state kept.
	MaxTracked int
}

// DefaultLimits returns the production limits.
func DefaultLimits() Limits {
	var l Limits
	// A 10-player table in the testing profile sends a few hundred consensus
	// messages per second in bursts; 500/s with a 1000 burst never throttles
	// a honest player and still caps a flooder.
	l.PerClass[ClassConsensus] = Limit{Rate: 500, Burst: 1000}
	// The figure: five table creations per minute.
	l.PerClass[ClassTable] = Limit{Rate: rate.Every(time.Minute / 5), Burst: 5}
	// The figure: fifty discovery messages per second.
	l.PerClass[ClassDiscovery] = Limit{Rate: 50, Burst: 50}
	// Application data has no protocol rhythm; 200/s is ample for tests
	// and demos and small next to the consensus budget.
	l.PerClass[ClassData] = Limit{Rate: 200, Burst: 400}
	// Twenty quick violations (about a second of flooding at most rates)
	// before a cut, refilled one per second so a bursty honest peer recovers.
	l.RateViolations = Limit{Rate: 1, Burst: 20}
	// Two bad signatures per minute are forgiven (a bug, a bit flip past
	// Noise is impossible, so a third is malice).
	l.BadSignatures = Limit{Rate: rate.Every(time.Minute), Burst: 2}
	// A minute is long enough to stop a flood and short enough that a
	// misconfigured honest peer comes back by itself.
	l.CoolDown = time.Minute
	// Each tracked sender needs a PoW identity; 4096 covers any real table
	// population with room for churn.
	l.MaxTracked = 4096
	return l
}

type limitKey struct {
	peer  string
	class Class
}

type tracked struct {
	lim      *rate.Limiter
	lastUsed time.Time
}

// limiterSet keeps one token bucket per key, bounded in number. Dropping an
// idle bucket is harmless: a new one starts full, which is where an idle one
// would be anyway.
type limiterSet[K comparable] struct {
	max     int
	idle    time.Duration
	buckets map[K]*tracked
}

func newLimiterSet[K comparable](max int, idle time.Duration) *limiterSet[K] {
	return &limiterSet[K]{max: max, idle: idle, buckets: make(map[K]*tracked)}
}

// AllowN takes n tokens from k's bucket (made with l if new) at now.
func (s *limiterSet[K]) AllowN(k K, l Limit, n int, now time.Time) bool {
	t, ok := s.buckets[k]
	if !ok {
		s.makeRoom(now)
		t = &tracked{lim: rate.NewLimiter(l.Rate, l.Burst)}
		s.buckets[k] = t
	}
	t.lastUsed = now
	return t.lim.AllowN(now, n)
}

func (s *limiterSet[K]) makeRoom(now time.Time) {
	if len(s.buckets) < s.max {
		return
	}
	for k, t := range s.buckets {
		if now.Sub(t.lastUsed) > s.idle {
			delete(s.buckets, k)
		}
	}
	for k := range s.buckets {
		if len(s.buckets) < s.max {
			break
		}
		delete(s.buckets, k) // still full: forget an arbitrary sender's bucket
	}
}

func (s *limiterSet[K]) Forget(match func(K) bool) {
	for k := range s.buckets {
		if match(k) {
			delete(s.buckets, k)
		}
	}
}
