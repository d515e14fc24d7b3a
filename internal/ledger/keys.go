package ledger

import (
	"encoding/binary"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// Store layout. Everything except the op log is derived from the op log, so
// Verify can rebuild it from empty and compare every key.
const (
	prefixAccount = "a/" // a/w/PEER, a/c/PEER/TABLE, a/b/TABLE → balance (int64)
	prefixOp      = "o/" // o/ID (32 raw bytes) → log index (uint64)
	prefixLog     = "l/" // l/INDEX (uint64) → log entry
	prefixSlot    = "s/" // s/g/PEER, s/t/ID, s/q/PEER/SEQ, s/r/TABLE/ROUND, s/d/TABLE → op id
	prefixSeq     = "q/" // q/PEER → last applied seq of the owner
	prefixTable   = "t/" // t/TABLE → table state
	prefixFrozen  = "f/" // f/PEER → log index of the evidence
	keyGrants     = "m/grants"
	// prefixTreasurySlot: s/t/ID → the treasury grant's id.
	prefixTreasurySlot = prefixSlot + "t/"
	keyNextLog         = "m/next_log"
)

func opKey(id OpID) []byte { return append([]byte(prefixOp), id[:]...) }

func logKey(index uint64) []byte { return binary.BigEndian.AppendUint64([]byte(prefixLog), index) }

func seqKey(owner identity.PeerID) []byte { return []byte(prefixSeq + string(owner)) }

func tableKey(table string) []byte { return []byte(prefixTable + table) }

func frozenKey(owner identity.PeerID) []byte { return []byte(prefixFrozen + string(owner)) }

// slotKey is the one place an op may occupy: one play-money grant per
// identity, each treasury grant its own (by id: the index GrantOps reads),
// one signed op per (owner, seq), one settlement per table round, one
// standing dissolution per table (a later round's takes the slot over).
func slotKey(op Op) []byte {
	if op.TreasuryGrantOp() {
		id := op.ID()
		return append([]byte(prefixTreasurySlot), id[:]...)
	}
	switch op.Kind {
	case KindGrant:
		return []byte(prefixSlot + "g/" + string(op.Owner))
	case KindSettle:
		return binary.BigEndian.AppendUint64([]byte(prefixSlot+"r/"+op.Table+"/"), op.Round)
	case KindDissolve:
		return dissolutionKey(op.Table)
	default:
		return signedSlotKey(op.Owner, op.Seq)
	}
}

func dissolutionKey(table string) []byte { return []byte(prefixSlot + "d/" + table) }

func signedSlotKey(owner identity.PeerID, seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefixSlot+"q/"+string(owner)+"/"), seq)
}

// prefixEnd is the smallest key greater than every key with the prefix.
func prefixEnd(prefix string) []byte {
	b := []byte(prefix)
	b[len(b)-1]++
	return b
}
