package fragment

import "fmt"

// PayloadPerFragment is how many message bytes fit in one fragment at the
// given ATT MTU.
func PayloadPerFragment(mtu int) (int, error) {
	n := mtu - ATTOverhead - HeaderSize
	if n < 1 {
		return 0, fmt.Errorf("%w: mtu %d", ErrMTU, mtu)
	}
	return n, nil
}

// Splitter numbers and cuts outgoing messages for one link. It is not safe
// for concurrent use; one writer goroutine owns it.
type Splitter struct {
	next uint32
}

// NewSplitter starts message IDs at first. Callers pass a random value so a
// restarted sender does not reuse IDs the receiver still remembers as done.
func NewSplitter(first uint32) *Splitter {
	return &Splitter{next: first}
}

// Split cuts msg into fragments that each fit one ATT write at mtu. Every
// fragment is a fresh slice the caller may hand to a radio.
func (s *Splitter) Split(msg []byte, mtu int) ([][]byte, error) {
	per, err := PayloadPerFragment(mtu)
	if err != nil {
		return nil, err
	}
	count := (len(msg) + per - 1) / per
	if count == 0 {
		count = 1 // an empty message still needs one fragment to arrive
	}
	if count > MaxFragments {
		return nil, fmt.Errorf("%w: %d bytes need %d fragments at mtu %d", ErrTooLarge, len(msg), count, mtu)
	}
	id := s.next
	s.next++
	out := make([][]byte, count)
	for i := range count {
		lo := i * per
		hi := min(lo+per, len(msg))
		frag := make([]byte, HeaderSize+hi-lo)
		putHeader(frag, Header{MessageID: id, Index: uint16(i), Count: uint16(count)})
		copy(frag[HeaderSize:], msg[lo:hi])
		out[i] = frag
	}
	return out, nil
}
