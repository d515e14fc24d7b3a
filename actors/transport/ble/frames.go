package ble

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bitcraps/bitcraps/internal/fragment"
)

var (
	// ErrMessageLost means a message never completed while later ones did:
	// the Noise stream cannot skip it, so the link must be dropped.
	ErrMessageLost = errors.New("ble: message lost on link")
	// ErrLinkSilent means nothing, not even a keepalive, arrived for too
	// long: the link is dead even if the radio has not noticed.
	ErrLinkSilent = errors.New("ble: link silent")
)

// reassembly bounds one link's reassembly.
type reassembly struct {
	// Timeout: an incomplete message, or a gap before completed ones, is
	// given up after this long.
	Timeout time.Duration
	// MaxMessage bounds one Noise message (link.MaxMessageSize).
	MaxMessage int
	// MaxEarly bounds completed messages waiting for an earlier one.
	MaxEarly int
}

// The keepalive is an empty message (a Noise message never is): sent when a
// link has been quiet for half the timeout, it both proves the link alive
// and exposes a lost message, whose gap it would otherwise hide until the
// next real one. A link silent for twice the timeout is dead.
func (r reassembly) keepAlive() time.Duration { return r.Timeout / 2 }
func (r reassembly) silence() time.Duration   { return 2 * r.Timeout }

// frameConn carries whole Noise messages over a Link (it implements
// internal/link.MessageConn): WriteMessage cuts a message into fragments at
// the link's MTU; a pump goroutine reassembles incoming fragments, restores
// the sender's order and hands complete messages to ReadMessage.
type frameConn struct {
	link    Link
	wmu     sync.Mutex // the writer and the keepalive share split and lastSent
	split   *fragment.Splitter
	sent    time.Time
	msgs    chan []byte
	done    chan struct{} // closed when the pump ends
	errOnce sync.Once
	err     error
	stats   *fragmentStats
}

// FragmentCounts are one link's reassembly outcomes.
type FragmentCounts struct {
	Sent, Received, Duplicate, Rejected int
	TimedOut, Lost, Completed           int
	OutOfOrderHeld                      int
}

// fragmentStats shares FragmentCounts between a link's goroutines.
type fragmentStats struct {
	mu sync.Mutex
	c  FragmentCounts
}

func (s *fragmentStats) add(f func(*FragmentCounts)) {
	s.mu.Lock()
	f(&s.c)
	s.mu.Unlock()
}

// Snapshot returns a copy of the counts.
func (s *fragmentStats) Snapshot() FragmentCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// newFrameConn starts the pump. firstID seeds the outgoing message IDs
// (random, so a reconnecting peer does not reuse IDs the other still
// remembers); now is the reassembly clock.
func newFrameConn(l Link, cfg reassembly, firstID uint32, now func() time.Time, stats *fragmentStats) *frameConn {
	c := &frameConn{
		link:  l,
		split: fragment.NewSplitter(firstID),
		sent:  now(), // no keepalive before the first real message has had its chance
		msgs:  make(chan []byte, cfg.MaxEarly),
		done:  make(chan struct{}),
		stats: stats,
	}
	go c.pump(cfg, now)
	go c.keepAlive(cfg, now)
	return c
}

func (c *frameConn) fail(err error) {
	c.errOnce.Do(func() { c.err = err })
}

// ReadMessage implements link.MessageConn.
func (c *frameConn) ReadMessage() ([]byte, error) {
	select {
	case m := <-c.msgs:
		return m, nil
	case <-c.done:
		select { // messages released before the end are still delivered
		case m := <-c.msgs:
			return m, nil
		default:
			return nil, c.err
		}
	}
}

// WriteMessage implements link.MessageConn.
func (c *frameConn) WriteMessage(msg []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.write(msg, time.Now())
}

func (c *frameConn) write(msg []byte, now time.Time) error {
	c.sent = now
	frags, err := c.split.Split(msg, c.link.MTU())
	if err != nil {
		return fmt.Errorf("ble: fragment message: %w", err)
	}
	for _, f := range frags {
		if err := c.link.Send(f); err != nil {
			return err
		}
	}
	c.stats.add(func(s *FragmentCounts) { s.Sent += len(frags) })
	return nil
}

// keepAlive sends an empty message whenever the link has been quiet for
// the keepalive interval.
func (c *frameConn) keepAlive(cfg reassembly, now func() time.Time) {
	t := time.NewTicker(cfg.keepAlive() / 2)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.wmu.Lock()
			var err error
			if at := now(); at.Sub(c.sent) >= cfg.keepAlive() {
				err = c.write(nil, at)
			}
			c.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// pump owns the reassembler and sequencer of this link.
func (c *frameConn) pump(cfg reassembly, now func() time.Time) {
	defer close(c.done)
	ra := fragment.NewReassembler(fragment.Config{Timeout: cfg.Timeout, MaxMessageBytes: cfg.MaxMessage})
	seq := fragment.NewSequencer(cfg.MaxEarly)
	tick := time.NewTicker(cfg.Timeout / 4)
	defer tick.Stop()
	heard := now()
	for {
		select {
		case frag := <-c.link.Incoming():
			heard = now()
			if err := c.take(ra, seq, frag, heard); err != nil {
				c.fail(err)
				_ = c.link.Close()
				return
			}
		case <-tick.C:
			// A message that timed out, or a gap later messages wait
			// behind, is lost, and Noise cannot decrypt past a lost
			// message: the link is done.
			t := now()
			if n := ra.Expire(t); n > 0 {
				c.stats.add(func(s *FragmentCounts) { s.TimedOut += n })
				c.fail(ErrMessageLost)
				_ = c.link.Close()
				return
			}
			if seq.Stalled(t, cfg.Timeout) {
				c.stats.add(func(s *FragmentCounts) { s.Lost++ })
				c.fail(ErrMessageLost)
				_ = c.link.Close()
				return
			}
			if t.Sub(heard) >= cfg.silence() {
				c.fail(ErrLinkSilent)
				_ = c.link.Close()
				return
			}
		case <-c.link.Done():
			c.fail(ErrLinkClosed)
			return
		}
	}
}

func (c *frameConn) take(ra *fragment.Reassembler, seq *fragment.Sequencer, frag []byte, now time.Time) error {
	out, msg, err := ra.Add("link", frag, now)
	c.stats.add(func(s *FragmentCounts) {
		s.Received++
		switch out {
		case fragment.Duplicate:
			s.Duplicate++
		case fragment.Rejected:
			s.Rejected++
		case fragment.Complete:
			s.Completed++
		}
	})
	if err != nil || out != fragment.Complete {
		return nil // a bad fragment is dropped; its message will time out
	}
	h, _, _ := fragment.Parse(frag)
	ready := seq.Push(h.MessageID, msg, now)
	if seq.Held() > 0 {
		c.stats.add(func(s *FragmentCounts) { s.OutOfOrderHeld++ })
	}
	for _, m := range ready {
		if len(m) == 0 {
			continue // a keepalive: it did its work by arriving
		}
		select {
		case c.msgs <- m:
		case <-c.link.Done():
			return ErrLinkClosed
		}
	}
	return nil
}
