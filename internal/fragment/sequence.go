package fragment

import "time"

// Sequencer puts completed messages back in the sender's order. A sender's
// message IDs count up by one (Splitter), and Noise transport messages must
// be decrypted in order, so a message that completes early (its fragments
// overtook an earlier message's) waits here for the ones before it. Not safe
// for concurrent use.
type Sequencer struct {
	started bool
	next    uint32
	held    map[uint32]heldMessage
	max     int
}

type heldMessage struct {
	msg []byte
	at  time.Time
}

// NewSequencer holds at most max early messages.
func NewSequencer(max int) *Sequencer {
	return &Sequencer{held: make(map[uint32]heldMessage), max: max}
}

// Push takes the completed message id and returns every message that is
// now next in order (possibly none). The first message pushed sets the
// starting point: a link's first messages (the handshake) strictly alternate
// directions, so the first one cannot have been overtaken.
func (s *Sequencer) Push(id uint32, msg []byte, now time.Time) [][]byte {
	if !s.started {
		s.started, s.next = true, id
	}
	if int32(id-s.next) < 0 {
		return nil // already released: a late duplicate
	}
	if id != s.next {
		if len(s.held) < s.max {
			s.held[id] = heldMessage{msg: msg, at: now}
		}
		return nil
	}
	out := [][]byte{msg}
	s.next++
	for {
		h, ok := s.held[s.next]
		if !ok {
			return out
		}
		delete(s.held, s.next)
		out = append(out, h.msg)
		s.next++
	}
}

// Stalled reports whether a missing message has kept later ones waiting
// for at least timeout, or the hold is full: the missing one is lost.
func (s *Sequencer) Stalled(now time.Time, timeout time.Duration) bool {
	if len(s.held) >= s.max && s.max > 0 {
		return true
	}
	for _, h := range s.held {
		if now.Sub(h.at) >= timeout {
			return true
		}
	}
	return false
}

// Held is the number of messages waiting for an earlier one.
func (s *Sequencer) Held() int { return len(s.held) }
