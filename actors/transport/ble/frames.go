package ble

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bitcraps/bitcraps/internal/fragment"
)

// ErrMessageLost means a message never completed while later ones did: the
// Noise stream cannot skip it, so the link must be dropped.
var ErrMessageLost = errors.New("ble: message lost on link")

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

// frameConn carries whole Noise messages over a Link (it implements
// internal/link.MessageConn): WriteMessage cuts a message into fragments at
// the link's MTU; a pump goroutine reassembles incoming fragments, restores
// the sender's order and hands complete messages to ReadMessage.
type frameConn struct {
	link    Link
	split   *fragment.Splitter
	msgs    chan []byte
	done    chan struct{} // closed when the pump ends
	errOnce sync.Once
	err     error
	stats   *FragmentCounts
}

// FragmentCounts are reassembly outcomes, shared by a link's goroutines
// under a mutex.
type FragmentCounts struct {
	mu                                  sync.Mutex
	Sent, Received, Duplicate, Rejected int
	TimedOut, Lost, Completed           int
	OutOfOrderHeld                      int
}

func (c *FragmentCounts) add(f func(*FragmentCounts)) {
	c.mu.Lock()
	f(c)
	c.mu.Unlock()
}

// Snapshot returns a copy of the counts.
func (c *FragmentCounts) Snapshot() FragmentCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return FragmentCounts{Sent: c.Sent, Received: c.Received, Duplicate: c.Duplicate, Rejected: c.Rejected,
		TimedOut: c.TimedOut, Lost: c.Lost, Completed: c.Completed, OutOfOrderHeld: c.OutOfOrderHeld}
}

// newFrameConn starts the pump. firstID seeds the outgoing message IDs
// (random, so a reconnecting peer does not reuse IDs the other still
// remembers); now is the reassembly clock.
func newFrameConn(l Link, cfg reassembly, firstID uint32, now func() time.Time, stats *FragmentCounts) *frameConn {
	c := &frameConn{
		link:  l,
		split: fragment.NewSplitter(firstID),
		msgs:  make(chan []byte, cfg.MaxEarly),
		done:  make(chan struct{}),
		stats: stats,
	}
	go c.pump(cfg, now)
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

// pump owns the reassembler and sequencer of this link.
func (c *frameConn) pump(cfg reassembly, now func() time.Time) {
	defer close(c.done)
	ra := fragment.NewReassembler(fragment.Config{Timeout: cfg.Timeout, MaxMessageBytes: cfg.MaxMessage})
	seq := fragment.NewSequencer(cfg.MaxEarly)
	tick := time.NewTicker(cfg.Timeout / 4)
	defer tick.Stop()
	for {
		select {
		case frag := <-c.link.Incoming():
			if err := c.take(ra, seq, frag, now()); err != nil {
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
		select {
		case c.msgs <- m:
		case <-c.link.Done():
			return ErrLinkClosed
		}
	}
	return nil
}
