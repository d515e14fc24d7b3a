package fragment

import (
	"errors"
	"fmt"
	"time"
)

// ErrCountMismatch means two fragments of one message disagree on the count.
var ErrCountMismatch = errors.New("fragment: count differs from earlier fragment")

// Outcome says what one Add did.
type Outcome int

const (
	// Incomplete: the fragment was stored; the message still has holes.
	Incomplete Outcome = iota
	// Complete: this fragment finished the message, which is returned.
	Complete
	// Duplicate: the fragment was already held, or its message was already
	// delivered; it was ignored.
	Duplicate
	// Rejected: the fragment was malformed or over a limit; see the error.
	Rejected
)

// Config bounds a Reassembler. Zero fields take the defaults below.
type Config struct {
	// Timeout: a message with no new fragment for this long is dropped.
	Timeout time.Duration
	// MaxMessageBytes bounds one reassembled message.
	MaxMessageBytes int
	// MaxPendingPerPeer bounds partial messages per peer; the oldest is
	// evicted when a new one would exceed it.
	MaxPendingPerPeer int
	// MaxRemembered bounds the completed-message IDs kept for duplicate
	// detection across all peers.
	MaxRemembered int
}

const (
	// A sender writes fragments back to back; ten seconds of silence in the
	// middle of a message means the link stalled or a fragment is lost.
	defaultTimeout = 10 * time.Second
	// Envelopes are small (bets, votes); 256 KiB leaves room for a batch of
	// them while keeping one peer from pinning much memory.
	defaultMaxMessageBytes = 256 << 10
	// A link carries one message at a time per direction; a handful of
	// partials covers retransmissions after reconnects.
	defaultMaxPendingPerPeer = 8
	// Duplicates arrive within a timeout of the original; a few thousand
	// IDs cover many peers at BLE's message rates.
	defaultMaxRemembered = 4096
)

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = defaultMaxMessageBytes
	}
	if c.MaxPendingPerPeer <= 0 {
		c.MaxPendingPerPeer = defaultMaxPendingPerPeer
	}
	if c.MaxRemembered <= 0 {
		c.MaxRemembered = defaultMaxRemembered
	}
	return c
}

// Stats counts what the reassembler threw away, so callers can export it.
type Stats struct {
	Completed  uint64
	Duplicates uint64
	Rejected   uint64
	TimedOut   uint64
	Evicted    uint64
}

type key struct {
	peer string
	id   uint32
}

type partial struct {
	parts    [][]byte
	have     int
	bytes    int
	started  time.Time
	deadline time.Time
}

// Reassembler rebuilds messages from fragments of many peers. It is not safe
// for concurrent use.
type Reassembler struct {
	cfg     Config
	pending map[key]*partial
	// done remembers recently completed messages until their deadline so a
	// late duplicate fragment does not start a second copy.
	done    map[key]time.Time
	perPeer map[string]int
	stats   Stats
}

// NewReassembler returns an empty reassembler bounded by cfg.
func NewReassembler(cfg Config) *Reassembler {
	return &Reassembler{
		cfg:     cfg.withDefaults(),
		pending: make(map[key]*partial),
		done:    make(map[key]time.Time),
		perPeer: make(map[string]int),
	}
}

// Stats returns the counters so far.
func (r *Reassembler) Stats() Stats { return r.stats }

// Pending is the number of partial messages held.
func (r *Reassembler) Pending() int { return len(r.pending) }

// Add takes one fragment received from peer at now. On Complete it returns
// the whole message (a fresh slice).
func (r *Reassembler) Add(peer string, frag []byte, now time.Time) (Outcome, []byte, error) {
	h, payload, err := Parse(frag)
	if err != nil {
		r.stats.Rejected++
		return Rejected, nil, err
	}
	k := key{peer: peer, id: h.MessageID}
	if until, ok := r.done[k]; ok && now.Before(until) {
		r.stats.Duplicates++
		return Duplicate, nil, nil
	}
	p, err := r.partialFor(k, h, now)
	if err != nil {
		r.stats.Rejected++
		return Rejected, nil, err
	}
	if p.parts[h.Index] != nil {
		r.stats.Duplicates++
		return Duplicate, nil, nil
	}
	if p.bytes+len(payload) > r.cfg.MaxMessageBytes {
		r.drop(k)
		r.stats.Rejected++
		return Rejected, nil, fmt.Errorf("%w: over %d bytes from peer %q", ErrTooLarge, r.cfg.MaxMessageBytes, peer)
	}
	p.parts[h.Index] = append(make([]byte, 0, len(payload)), payload...)
	p.have++
	p.bytes += len(payload)
	p.deadline = now.Add(r.cfg.Timeout)
	if p.have < len(p.parts) {
		return Incomplete, nil, nil
	}
	msg := make([]byte, 0, p.bytes)
	for _, part := range p.parts {
		msg = append(msg, part...)
	}
	r.drop(k)
	r.remember(k, now)
	r.stats.Completed++
	return Complete, msg, nil
}

func (r *Reassembler) partialFor(k key, h Header, now time.Time) (*partial, error) {
	if p, ok := r.pending[k]; ok {
		if len(p.parts) != int(h.Count) {
			r.drop(k)
			return nil, fmt.Errorf("%w: message %d from peer %q", ErrCountMismatch, k.id, k.peer)
		}
		return p, nil
	}
	if r.perPeer[k.peer] >= r.cfg.MaxPendingPerPeer {
		r.evictOldest(k.peer)
	}
	p := &partial{parts: make([][]byte, h.Count), started: now, deadline: now.Add(r.cfg.Timeout)}
	r.pending[k] = p
	r.perPeer[k.peer]++
	return p, nil
}

func (r *Reassembler) evictOldest(peer string) {
	var oldest key
	var at time.Time
	found := false
	for k, p := range r.pending {
		if k.peer == peer && (!found || p.started.Before(at)) {
			oldest, at, found = k, p.started, true
		}
	}
	if found {
		r.drop(oldest)
		r.stats.Evicted++
	}
}

func (r *Reassembler) drop(k key) {
	if _, ok := r.pending[k]; !ok {
		return
	}
	delete(r.pending, k)
	if r.perPeer[k.peer]--; r.perPeer[k.peer] <= 0 {
		delete(r.perPeer, k.peer)
	}
}

func (r *Reassembler) remember(k key, now time.Time) {
	if len(r.done) >= r.cfg.MaxRemembered {
		r.forgetDone(now)
	}
	for victim := range r.done {
		if len(r.done) < r.cfg.MaxRemembered {
			break
		}
		delete(r.done, victim) // any victim: all are recent, none is special
	}
	r.done[k] = now.Add(r.cfg.Timeout)
}

func (r *Reassembler) forgetDone(now time.Time) {
	for k, until := range r.done {
		if !now.Before(until) {
			delete(r.done, k)
		}
	}
}

// Expire drops partial messages whose deadline has passed and forgets old
// completed IDs. It returns how many partial messages timed out.
func (r *Reassembler) Expire(now time.Time) int {
	n := 0
	for k, p := range r.pending {
		if !now.Before(p.deadline) {
			r.drop(k)
			n++
		}
	}
	r.forgetDone(now)
	r.stats.TimedOut += uint64(n)
	return n
}

// Forget drops everything held for peer, for when its link goes away.
func (r *Reassembler) Forget(peer string) {
	for k := range r.pending {
		if k.peer == peer {
			r.drop(k)
		}
	}
	for k := range r.done {
		if k.peer == peer {
			delete(r.done, k)
		}
	}
}
