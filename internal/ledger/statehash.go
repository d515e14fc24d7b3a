package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/cockroachdb/pebble/v2"
)

// stateHashDomain versions the state hash: replicas compare this one value,
// so its definition must never change silently.
const stateHashDomain = "bitcraps/ledger/state/v1\x00"

// balanceHasher hashes balances in key order. Zero balances are left out,
// so the hash is a function of who holds what, not of which accounts were
// ever opened.
type balanceHasher struct {
	buf []byte
	h   interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
}

func newBalanceHasher() *balanceHasher {
	h := sha256.New()
	h.Write([]byte(stateHashDomain))
	return &balanceHasher{h: h}
}

func (b *balanceHasher) add(key, value []byte) {
	if len(value) == 8 && binary.BigEndian.Uint64(value) == 0 {
		return
	}
	b.buf = appendBytes(b.buf[:0], key)
	b.buf = appendBytes(b.buf, value)
	b.h.Write(b.buf)
}

func (b *balanceHasher) sum() string { return hex.EncodeToString(b.h.Sum(nil)) }

type cachedHash struct {
	nextLog uint64
	hash    string
}

// StateHash is the deterministic hash of all balances: two replicas that
// applied the same ops have the same one. It is cached until the next op.
func (l *Ledger) StateHash() (string, error) {
	var hash string
	err := l.read(func(r pebble.Reader) error {
		snap := l.db.NewSnapshot()
		defer snap.Close()
		next, _, err := newTxn(readerKV{snap}).getU64([]byte(keyNextLog), "next log index")
		if err != nil {
			return err
		}
		if c := l.hashCache.Load(); c != nil && c.nextLog == next {
			hash = c.hash
			return nil
		}
		if hash, err = storeStateHash(snap); err == nil {
			l.hashCache.Store(&cachedHash{nextLog: next, hash: hash})
		}
		return err
	})
	return hash, err
}

func storeStateHash(r pebble.Reader) (string, error) {
	h := newBalanceHasher()
	err := scan(r, prefixAccount, func(k, v []byte) error {
		h.add(k, v)
		return nil
	})
	return h.sum(), err
}

func memStateHash(m memKV) string {
	h := newBalanceHasher()
	for _, k := range sortedKeys(m, prefixAccount) {
		h.add([]byte(k), m[k])
	}
	return h.sum()
}

func sortedKeys(m memKV, prefix string) []string {
	var keys []string
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func sortEvidence(ev []Evidence) {
	slices.SortFunc(ev, func(a, b Evidence) int {
		switch {
		case a.Index < b.Index:
			return -1
		case a.Index > b.Index:
			return 1
		}
		return 0
	})
}
