package messages

import (
	"encoding/binary"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// The table lifecycle's frames (internal/lifecycle, driven by
// actors/consensus). Bodies are big-endian and length-prefixed, as bft's
// own canonical encoding; the envelope that carries them is signed by its
// sender and the mesh link authenticates it, so presence needs no
// signature of its own, and certificates prove themselves.
const (
	// FramePresence: u64 round ‖ u8 flags — "I am here, at this round", or
	// with flag 1 "I dissolved the table at this round". Sent when a node
	// has sent nothing else to the table for a heartbeat (EncodePresence).
	FramePresence byte = 4
	// FrameRoundsAsk: u64 from — "send me the certified rounds from this
	// one on".
	FrameRoundsAsk byte = 5
	// FrameRounds: u64 from ‖ u32 count ‖ count × (u32 len ‖ certificate):
	// the answer, at most MaxRoundsPerAnswer certificates in round order;
	// none means the sender has nothing from that round on.
	FrameRounds byte = 6
)

// MaxRoundsPerAnswer bounds one FrameRounds answer: a 7-seat certificate
// encodes in a few KiB, so 16 stay far below the 1 MiB frame limit, and a
// node catching up hundreds of rounds needs only a few dozen asks.
const MaxRoundsPerAnswer = 16

// presenceDissolved is the flag of a dissolved table's presence.
const presenceDissolved = 1

// EncodePresence is the body of FramePresence.
func EncodePresence(round uint64, dissolved bool) []byte {
	flags := byte(0)
	if dissolved {
		flags = presenceDissolved
	}
	return append(EncodeRound(round), flags)
}

// DecodePresence reads the body of FramePresence.
func DecodePresence(b []byte) (round uint64, dissolved bool, err error) {
	if len(b) != 9 || b[8]&^presenceDissolved != 0 {
		return 0, false, fmt.Errorf("presence body of %d bytes: want 8 bytes of round and a known flag: %w", len(b), ErrBadFrame)
	}
	return binary.BigEndian.Uint64(b), b[8] == presenceDissolved, nil
}

// EncodeRound is the body of FrameRoundsAsk.
func EncodeRound(round uint64) []byte { return binary.BigEndian.AppendUint64(nil, round) }

// DecodeRound reads the body of FrameRoundsAsk.
func DecodeRound(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("round body of %d bytes, want 8: %w", len(b), ErrBadFrame)
	}
	return binary.BigEndian.Uint64(b), nil
}

// EncodeRounds is the body of FrameRounds.
func EncodeRounds(from uint64, certs []bft.Certificate) ([]byte, error) {
	if len(certs) > MaxRoundsPerAnswer {
		return nil, fmt.Errorf("%d certificates in one answer, at most %d: %w", len(certs), MaxRoundsPerAnswer, ErrBadFrame)
	}
	out := binary.BigEndian.AppendUint64(nil, from)
	out = binary.BigEndian.AppendUint32(out, uint32(len(certs)))
	for i := range certs {
		raw, err := certs[i].MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("certificate of round %d: %w", certs[i].Round, err)
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(raw)))
		out = append(out, raw...)
	}
	return out, nil
}

// DecodeRounds reads the body of FrameRounds. The certificates are only
// decoded: the receiver checks each against its seats.
func DecodeRounds(b []byte) (from uint64, certs []bft.Certificate, err error) {
	if len(b) < 12 {
		return 0, nil, fmt.Errorf("rounds body of %d bytes: %w", len(b), ErrBadFrame)
	}
	from, n := binary.BigEndian.Uint64(b), binary.BigEndian.Uint32(b[8:])
	if n > MaxRoundsPerAnswer {
		return 0, nil, fmt.Errorf("%d certificates in one answer, at most %d: %w", n, MaxRoundsPerAnswer, ErrBadFrame)
	}
	b = b[12:]
	for i := range n {
		if len(b) < 4 || uint64(binary.BigEndian.Uint32(b)) > uint64(len(b)-4) {
			return 0, nil, fmt.Errorf("certificate %d of %d: truncated: %w", i, n, ErrBadFrame)
		}
		size := binary.BigEndian.Uint32(b)
		c, err := bft.UnmarshalCertificate(b[4 : 4+size])
		if err != nil {
			return 0, nil, fmt.Errorf("certificate %d of %d: %w: %w", i, n, ErrBadFrame, err)
		}
		certs = append(certs, c)
		b = b[4+size:]
	}
	if len(b) != 0 {
		return 0, nil, fmt.Errorf("%d bytes after the certificates: %w", len(b), ErrBadFrame)
	}
	return from, certs, nil
}
