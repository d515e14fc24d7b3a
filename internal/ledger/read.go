package ledger

import (
	"fmt"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/cockroachdb/pebble/v2"
)

// Holdings is everything one identity holds: the body of GET /api/v1/balance.
type Holdings struct {
	Wallet int64            `json:"wallet"`
	Chips  map[string]int64 `json:"chips"`
}

// TableInfo is the ledger's view of a table.
type TableInfo struct {
	ID     string          `json:"id"`
	Host   identity.PeerID `json:"host"`
	Closed bool            `json:"closed"`
	Bank   int64           `json:"bank"`
	// LastRound is the highest settled round (0: none yet).
	LastRound uint64 `json:"last_round"`
	// Dissolved: the table was dissolved at the state of round
	// DissolvedRound (closed too).
	Dissolved      bool   `json:"dissolved"`
	DissolvedRound uint64 `json:"dissolved_round"`
}

// read runs fn against the committed state unless the ledger is closed.
func (l *Ledger) read(fn func(r pebble.Reader) error) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	return fn(l.db)
}

// readTxn runs fn with the rules' typed accessors over committed state.
func (l *Ledger) readTxn(fn func(t *txn) error) error {
	return l.read(func(r pebble.Reader) error { return fn(newTxn(readerKV{r})) })
}

// Balance is an account's balance (0 if it was never opened).
func (l *Ledger) Balance(a Account) (int64, error) {
	if err := a.validate(); err != nil {
		return 0, err
	}
	var bal int64
	err := l.readTxn(func(t *txn) (err error) {
		bal, _, err = t.balance(a)
		return err
	})
	return bal, err
}

// Holdings is an identity's wallet and its chips at every table.
func (l *Ledger) Holdings(owner identity.PeerID) (Holdings, error) {
	if err := validPeer("owner", owner); err != nil {
		return Holdings{}, err
	}
	h := Holdings{Chips: map[string]int64{}}
	err := l.read(func(r pebble.Reader) error {
		t := newTxn(readerKV{r})
		var err error
		if h.Wallet, _, err = t.balance(WalletOf(owner)); err != nil {
			return err
		}
		prefix := prefixAccount + "c/" + string(owner) + "/"
		return scan(r, prefix, func(k, v []byte) error {
			bal, err := decodeI64(v, "balance")
			if err != nil {
				return err
			}
			h.Chips[string(k[len(prefix):])] = bal
			return nil
		})
	})
	return h, err
}

// NextSeq is the sequence number the owner's next signed op must carry.
func (l *Ledger) NextSeq(owner identity.PeerID) (uint64, error) {
	if err := validPeer("owner", owner); err != nil {
		return 0, err
	}
	var last uint64
	err := l.readTxn(func(t *txn) (err error) {
		last, _, err = t.getU64(seqKey(owner), "seq")
		return err
	})
	return last + 1, err
}

// Frozen says whether equivocation evidence froze the owner.
func (l *Ledger) Frozen(owner identity.PeerID) (bool, error) {
	if err := validPeer("owner", owner); err != nil {
		return false, err
	}
	var frozen bool
	err := l.readTxn(func(t *txn) (err error) {
		frozen, err = t.frozen(owner)
		return err
	})
	return frozen, err
}

// Table is the ledger's view of a table; found is false if its bank was
// never funded.
func (l *Ledger) Table(id string) (info TableInfo, found bool, err error) {
	if err := validTable(id); err != nil {
		return TableInfo{}, false, err
	}
	err = l.readTxn(func(t *txn) error {
		s, ok, err := t.table(id)
		if err != nil || !ok {
			return err
		}
		bank, _, err := t.balance(BankOf(id))
		if err != nil {
			return err
		}
		info = TableInfo{ID: id, Host: s.Host, Closed: s.Closed, Bank: bank, LastRound: s.LastRound}
		found = true
		d, dissolved, err := t.dissolution(id)
		info.Dissolved, info.DissolvedRound = dissolved, d.Round
		return err
	})
	return info, found, err
}

// Op finds an applied op by id.
func (l *Ledger) Op(id OpID) (a Applied, found bool, err error) {
	err = l.readTxn(func(t *txn) error {
		index, rec, ok, err := t.appliedOp(id)
		if err != nil || !ok {
			return err
		}
		op, err := decodeRecord(rec)
		a, found = Applied{ID: id, Index: index, Duplicate: true, Op: op}, true
		return err
	})
	return a, found, err
}

// Evidence is all stored equivocation evidence, oldest first.
func (l *Ledger) Evidence() ([]Evidence, error) {
	var out []Evidence
	err := l.read(func(r pebble.Reader) error {
		t := newTxn(readerKV{r})
		var indexes []uint64
		err := scan(r, prefixFrozen, func(_, v []byte) error {
			i, err := decodeI64(v, "evidence index")
			indexes = append(indexes, uint64(i))
			return err
		})
		if err != nil {
			return err
		}
		for _, i := range indexes {
			e, _, err := t.entryAt(i)
			if err != nil {
				return err
			}
			if e.kind != entryEvidence {
				return fmt.Errorf("%w: frozen account points at a non-evidence log entry %d", ErrCorrupt, i)
			}
			out = append(out, Evidence{Owner: e.second.Owner, Seq: e.second.Seq, Index: i, First: e.first, Second: e.second})
		}
		return nil
	})
	sortEvidence(out)
	return out, err
}

// readerKV adapts a pebble reader (db or snapshot) for the rules; writes
// are a bug.
type readerKV struct{ r pebble.Reader }

func (k readerKV) get(key []byte) ([]byte, bool, error) { return getCopy(k.r, key) }

func (k readerKV) set([]byte, []byte) error {
	return fmt.Errorf("%w: write through a reader", ErrReadOnly)
}

// scan calls fn for every key with the prefix ("": every key), in key order. k and v are
// valid only during the call.
func scan(r pebble.Reader, prefix string, fn func(k, v []byte) error) error {
	opts := &pebble.IterOptions{}
	if prefix != "" {
		opts.LowerBound, opts.UpperBound = []byte(prefix), prefixEnd(prefix)
	}
	it, err := r.NewIter(opts)
	if err != nil {
		return fmt.Errorf("iterate %q: %w", prefix, err)
	}
	for it.First(); it.Valid(); it.Next() {
		v, err := it.ValueAndErr()
		if err == nil {
			err = fn(it.Key(), v)
		}
		if err != nil {
			it.Close()
			return err
		}
	}
	return it.Close()
}

// TreasuryGrants is up to limit of the treasury grants applied here, in
// the order of their ids: what a node hands a peer that connects, so that
// every node ends with every grant (gossip alone may miss a node).
func (l *Ledger) TreasuryGrants(limit int) ([]Op, error) {
	var out []Op
	err := l.read(func(r pebble.Reader) error {
		t := newTxn(readerKV{r})
		var ids []OpID
		err := scan(r, prefixTreasurySlot, func(_, v []byte) error {
			if len(ids) >= limit {
				return nil
			}
			var id OpID
			if len(v) != len(id) {
				return fmt.Errorf("%w: treasury grant slot holds %d bytes", ErrCorrupt, len(v))
			}
			copy(id[:], v)
			ids = append(ids, id)
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range ids {
			op, err := t.opByID(id)
			if err != nil {
				return err
			}
			out = append(out, op)
		}
		return nil
	})
	return out, err
}
