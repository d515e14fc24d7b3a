package fragment

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Wire layout of one fragment (big-endian):
//
//	[0]   version
//	[1:5] message ID, chosen by the sender, unique per sender for a while
//	[5:7] index of this fragment, 0-based
//	[7:9] number of fragments in the message
//	[9:]  payload
const (
	// Version is bumped if the header layout ever changes, so an old peer's
	// fragments are rejected instead of misread.
	Version byte = 1
	// HeaderSize is the fixed per-fragment overhead.
	HeaderSize = 9
	// ATTOverhead is the opcode and handle that every ATT write or
	// notification spends out of the MTU.
	ATTOverhead = 3
	// MaxFragments bounds the count field; it is also the uint16 limit.
	MaxFragments = 1<<16 - 1
)

var (
	// ErrShortFragment means the input is smaller than the header.
	ErrShortFragment = errors.New("fragment: shorter than header")
	// ErrVersion means the fragment was written by an incompatible peer.
	ErrVersion = errors.New("fragment: unknown version")
	// ErrIndex means the index or count fields are inconsistent.
	ErrIndex = errors.New("fragment: bad index or count")
	// ErrMTU means the MTU leaves no room for payload.
	ErrMTU = errors.New("fragment: mtu too small")
	// ErrTooLarge means a message exceeds the configured or encodable size.
	ErrTooLarge = errors.New("fragment: message too large")
)

// Header is the decoded fixed part of a fragment.
type Header struct {
	MessageID uint32
	Index     uint16
	Count     uint16
}

// Parse splits a fragment into its header and payload. The payload aliases
// frag; callers that keep it must copy.
func Parse(frag []byte) (Header, []byte, error) {
	if len(frag) < HeaderSize {
		return Header{}, nil, fmt.Errorf("%w: %d bytes", ErrShortFragment, len(frag))
	}
	if frag[0] != Version {
		return Header{}, nil, fmt.Errorf("%w: %d", ErrVersion, frag[0])
	}
	h := Header{
		MessageID: binary.BigEndian.Uint32(frag[1:5]),
		Index:     binary.BigEndian.Uint16(frag[5:7]),
		Count:     binary.BigEndian.Uint16(frag[7:9]),
	}
	if h.Count == 0 || h.Index >= h.Count {
		return Header{}, nil, fmt.Errorf("%w: index %d of %d", ErrIndex, h.Index, h.Count)
	}
	return h, frag[HeaderSize:], nil
}

func putHeader(dst []byte, h Header) {
	dst[0] = Version
	binary.BigEndian.PutUint32(dst[1:5], h.MessageID)
	binary.BigEndian.PutUint16(dst[5:7], h.Index)
	binary.BigEndian.PutUint16(dst[7:9], h.Count)
}
