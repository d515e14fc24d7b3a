package ledger

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// kv is what the rules need from storage: a pebble indexed batch in the
// committer, a map when Verify replays the log.
type kv interface {
	get(key []byte) (value []byte, found bool, err error)
	set(key, value []byte) error
}

// txn stages one op's writes so that a refused op leaves nothing behind.
type txn struct {
	base    kv
	writes  map[string][]byte
	order   []string
	changes []Change
}

func newTxn(base kv) *txn { return &txn{base: base, writes: map[string][]byte{}} }

func (t *txn) get(key []byte) ([]byte, bool, error) {
	if v, ok := t.writes[string(key)]; ok {
		return v, true, nil
	}
	v, found, err := t.base.get(key)
	if err != nil {
		return nil, false, internalError{fmt.Errorf("read %q: %w", key, err)}
	}
	return v, found, nil
}

func (t *txn) set(key, value []byte) {
	k := string(key)
	if _, ok := t.writes[k]; !ok {
		t.order = append(t.order, k)
	}
	t.writes[k] = value
}

func (t *txn) flush() error {
	for _, k := range t.order {
		if err := t.base.set([]byte(k), t.writes[k]); err != nil {
			return internalError{fmt.Errorf("write %q: %w", k, err)}
		}
	}
	return nil
}

func (t *txn) getU64(key []byte, what string) (uint64, bool, error) {
	v, found, err := t.get(key)
	if err != nil || !found {
		return 0, found, err
	}
	if len(v) != 8 {
		return 0, true, internalError{fmt.Errorf("%w: %s %q: %d bytes", ErrCorrupt, what, key, len(v))}
	}
	return binary.BigEndian.Uint64(v), true, nil
}

func (t *txn) setU64(key []byte, v uint64) { t.set(key, binary.BigEndian.AppendUint64(nil, v)) }

// balance reads an account; found says whether it was ever opened.
func (t *txn) balance(a Account) (int64, bool, error) {
	v, found, err := t.getU64(a.key(), "balance")
	return int64(v), found, err
}

// move adds delta to an account, refusing a negative result.
func (t *txn) move(a Account, delta int64, op Op) error {
	bal, _, err := t.balance(a)
	if err != nil {
		return err
	}
	next, ok := addChecked(bal, delta)
	if !ok {
		return fmt.Errorf("%w: %s has %d, %s adds %d", ErrOverflow, a, bal, op.Kind, delta)
	}
	if next < 0 {
		return fmt.Errorf("%w: %s has %d, %s needs %d", ErrInsufficientFunds, a, bal, op.Kind, -delta)
	}
	t.setU64(a.key(), uint64(next))
	t.changes = append(t.changes, Change{Account: a, Delta: delta, Balance: next})
	return nil
}

func addChecked(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// appendLog writes a log entry at the next index and returns that index.
func (t *txn) appendLog(entry []byte) (uint64, error) {
	next, _, err := t.getU64([]byte(keyNextLog), "next log index")
	if err != nil {
		return 0, err
	}
	if next == math.MaxUint64 {
		return 0, internalError{fmt.Errorf("%w: op log full", ErrOverflow)}
	}
	t.set(logKey(next), entry)
	t.setU64([]byte(keyNextLog), next+1)
	return next, nil
}

// entryAt reads and decodes the log entry at index, with its raw bytes.
func (t *txn) entryAt(index uint64) (logEntry, []byte, error) {
	raw, found, err := t.get(logKey(index))
	if err != nil {
		return logEntry{}, nil, err
	}
	if !found {
		return logEntry{}, nil, internalError{fmt.Errorf("%w: log entry %d missing", ErrCorrupt, index)}
	}
	e, err := decodeEntry(raw)
	if err != nil {
		return logEntry{}, nil, internalError{fmt.Errorf("log entry %d: %w", index, err)}
	}
	return e, raw, nil
}

// appliedOp finds an applied op by id: its log index and stored record.
func (t *txn) appliedOp(id OpID) (index uint64, record []byte, found bool, err error) {
	index, found, err = t.getU64(opKey(id), "op index")
	if err != nil || !found {
		return 0, nil, found, err
	}
	_, raw, err := t.entryAt(index)
	if err != nil {
		return 0, nil, true, err
	}
	if raw[0] != entryOp {
		return 0, nil, true, internalError{fmt.Errorf("%w: op %s points at a non-op log entry %d", ErrCorrupt, id, index)}
	}
	return index, raw[1:], true, nil
}

// slotHolder is the id of the op occupying a slot, if any.
func (t *txn) slotHolder(key []byte) (OpID, bool, error) {
	var id OpID
	v, found, err := t.get(key)
	if err != nil || !found {
		return id, found, err
	}
	if len(v) != len(id) {
		return id, true, internalError{fmt.Errorf("%w: slot %q: %d bytes", ErrCorrupt, key, len(v))}
	}
	copy(id[:], v)
	return id, true, nil
}

// opByID loads an applied op.
func (t *txn) opByID(id OpID) (Op, error) {
	_, rec, found, err := t.appliedOp(id)
	if err != nil {
		return Op{}, err
	}
	if !found {
		return Op{}, internalError{fmt.Errorf("%w: op %s missing", ErrCorrupt, id)}
	}
	op, err := decodeRecord(rec)
	if err != nil {
		return Op{}, internalError{fmt.Errorf("op %s: %w", id, err)}
	}
	return op, nil
}

func (t *txn) frozen(owner identity.PeerID) (bool, error) {
	_, found, err := t.get(frozenKey(owner))
	return found, err
}

// tableState is what the ledger knows about a table beyond its balances.
type tableState struct {
	Host      identity.PeerID
	Closed    bool
	LastRound uint64
}

func encodeTable(s tableState) []byte {
	b := appendString(nil, string(s.Host))
	closed := byte(0)
	if s.Closed {
		closed = 1
	}
	b = append(b, closed)
	return appendU64(b, s.LastRound)
}

func decodeTable(b []byte) (tableState, error) {
	d := decoder{b: b}
	s := tableState{Host: identity.PeerID(d.bytes("table host", maxField))}
	s.Closed = d.byte1("table closed") == 1
	s.LastRound = d.u64("table last round")
	return s, d.end("table state")
}

func (t *txn) table(id string) (tableState, bool, error) {
	v, found, err := t.get(tableKey(id))
	if err != nil || !found {
		return tableState{}, found, err
	}
	s, err := decodeTable(v)
	if err != nil {
		return s, true, internalError{fmt.Errorf("table %q: %w", id, err)}
	}
	return s, true, nil
}

func (t *txn) setTable(id string, s tableState) { t.set(tableKey(id), encodeTable(s)) }

// openTable loads a table that must exist and be open (not closed by its
// host, not dissolved).
func (t *txn) openTable(id string) (tableState, error) {
	s, found, err := t.table(id)
	switch {
	case err != nil:
		return s, err
	case !found:
		return s, fmt.Errorf("%w: %q", ErrUnknownTable, id)
	case s.Closed:
		return s, t.closedError(id)
	}
	return s, nil
}

// memKV is the replay store: a plain map.
type memKV map[string][]byte

func (m memKV) get(key []byte) ([]byte, bool, error) {
	v, ok := m[string(key)]
	return v, ok, nil
}

func (m memKV) set(key, value []byte) error {
	m[string(key)] = bytes.Clone(value)
	return nil
}
