package game

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// state is the table after a round: the craps table (rules, phase, point,
// seats with their chips, open wagers, bank, last roll) and the number of
// the last round applied (0 at genesis; bft rounds count from 1, and every
// certified round, roll or void, applies exactly once, so the two agree).
type state struct {
	table string
	round uint64
	craps craps.State
	// ended: a certified round dissolved the table at this state; nothing
	// more is played on it.
	ended bool
}

// stateDomain separates game state hashes from every other hash.
const stateDomain = "bitcraps/game/state/v1"

// hash is the state hash players confirm: SHA-256 of a tag, the table ID,
// the round and the craps state's canonical encoding, then one byte 1 if
// the table ended (absent otherwise, so the hashes of tables that never
// ended are what they always were). The round is in it so
// that two rounds never share a hash (a void round with no bets changes
// nothing else), which keeps the chain of previous-state hashes a chain.
func (s state) hash() bft.Hash {
	enc, _ := s.craps.MarshalBinary() // never fails
	b := make([]byte, 0, len(stateDomain)+len(s.table)+16+len(enc))
	b = binary.BigEndian.AppendUint32(b, uint32(len(stateDomain)))
	b = append(b, stateDomain...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(s.table)))
	b = append(b, s.table...)
	b = binary.BigEndian.AppendUint64(b, s.round)
	b = append(b, enc...)
	if s.ended {
		b = append(b, 1)
	}
	return sha256.Sum256(b)
}

// seated reports whether a player (bft key) has a seat.
func (s state) seated(k bft.PublicKey) bool {
	_, ok := s.craps.Chips(k.String())
	return ok
}
