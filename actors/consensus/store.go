package consensus

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// ErrStoreClosed is returned by a Store used after Close: an instance's
// persist goroutine can outlive the service that closed the store.
var ErrStoreClosed = errors.New("consensus: store closed")

// StoreDir is where the consensus store lives in a node's data dir.
func StoreDir(dataDir string) string { return filepath.Join(dataDir, "consensus") }

// Key layout. Table IDs are short hex strings, so a 0 byte ends one safely.
//
//	s/<table>                 the instance's spec (genesis and seatings)
//	m/<table>                 the games manager's table record (opaque)
//	c/<table>\0<round>        a certificate, kept for the table's history
//	r/<table>\0<round><hash>  any other record, dropped once its round is certified
//
// A record's key ends in the SHA-256 of its bytes: the same record written
// twice lands on one key, no counter has to survive a restart, and no peer
// can craft a reveal that overwrites one of our own signed records.
const (
	prefixSpec   = "s/"
	prefixMeta   = "m/"
	prefixCert   = "c/"
	prefixRecord = "r/"
)

// Store is the consensus service's pebble store: every bft.Record of every
// table instance, written synced before the messages of the same Ready
// leave, plus each table's spec and the games manager's table records.
// Safe for concurrent use; after Close every call answers ErrStoreClosed.
type Store struct {
	mu     sync.RWMutex
	db     *pebble.DB
	closed bool
}

// OpenStore opens (creating) the store in dir.
func OpenStore(dir string, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create consensus store dir %s: %w", dir, err)
	}
	db, err := pebble.Open(dir, &pebble.Options{
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             ledger.PebbleLogger(log),
	})
	if err != nil {
		return nil, fmt.Errorf("open consensus store %s: %w", dir, err)
	}
	return &Store{db: db}, nil
}

// Close closes the store once every call in progress has returned.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.db.Close()
}

func (s *Store) use(fn func(db *pebble.DB) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrStoreClosed
	}
	return fn(s.db)
}

func tableKey(prefix, table string) []byte {
	return append([]byte(prefix+table), 0)
}

func roundKey(prefix, table string, round uint64) []byte {
	return binary.BigEndian.AppendUint64(tableKey(prefix, table), round)
}

// Persist writes one Ready's records for table in one synced batch. A
// certificate also drops the records of its round and earlier ones, which
// bft.Restore no longer needs (the certificate itself is kept).
func (s *Store) Persist(table string, recs []bft.Record) error {
	if len(recs) == 0 {
		return nil
	}
	return s.use(func(db *pebble.DB) error {
		b := db.NewBatch()
		defer b.Close()
		for _, r := range recs {
			raw, err := r.MarshalBinary()
			if err != nil {
				return fmt.Errorf("persist table %s round %d: %w", table, r.Round, err)
			}
			if r.Kind == bft.RecordCertificate {
				if err := b.Set(roundKey(prefixCert, table, r.Round), raw, nil); err != nil {
					return err
				}
				if err := b.DeleteRange(tableKey(prefixRecord, table), roundKey(prefixRecord, table, r.Round+1), nil); err != nil {
					return err
				}
				continue
			}
			sum := sha256.Sum256(raw)
			key := append(roundKey(prefixRecord, table, r.Round), sum[:]...)
			if err := b.Set(key, raw, nil); err != nil {
				return err
			}
		}
		if err := b.Commit(pebble.Sync); err != nil {
			return fmt.Errorf("persist table %s: %w", table, err)
		}
		return nil
	})
}

// Certificates returns table's certificates from round from on, in order,
// at most limit of them (0: all).
func (s *Store) Certificates(table string, from uint64, limit int) ([]bft.Certificate, error) {
	var out []bft.Certificate
	err := s.scan(roundKey(prefixCert, table, from), prefixEnd(tableKey(prefixCert, table)), func(_, v []byte) error {
		if limit > 0 && len(out) == limit {
			return errScanDone
		}
		r, err := bft.UnmarshalRecord(v)
		if err != nil {
			return fmt.Errorf("certificate of table %s: %w", table, err)
		}
		out = append(out, *r.Certificate)
		return nil
	})
	return out, err
}

// Records returns what bft.Restore needs for table: every record not yet
// dropped, and the latest certificate.
func (s *Store) Records(table string) ([]bft.Record, error) {
	var out []bft.Record
	err := s.scan(tableKey(prefixRecord, table), prefixEnd(tableKey(prefixRecord, table)), func(_, v []byte) error {
		r, err := bft.UnmarshalRecord(v)
		if err != nil {
			return fmt.Errorf("record of table %s: %w", table, err)
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	last, err := s.lastCertificate(table)
	if err != nil || last == nil {
		return out, err
	}
	return append(out, *last), nil
}

func (s *Store) lastCertificate(table string) (*bft.Record, error) {
	var last *bft.Record
	err := s.use(func(db *pebble.DB) error {
		it, err := db.NewIter(&pebble.IterOptions{LowerBound: tableKey(prefixCert, table), UpperBound: prefixEnd(tableKey(prefixCert, table))})
		if err != nil {
			return err
		}
		defer it.Close()
		if !it.Last() {
			return it.Error()
		}
		r, err := bft.UnmarshalRecord(it.Value())
		if err != nil {
			return fmt.Errorf("certificate of table %s: %w", table, err)
		}
		last = &r
		return nil
	})
	return last, err
}

// PutSpec stores an instance's spec (synced).
func (s *Store) PutSpec(table string, spec []byte) error { return s.put(prefixSpec, table, spec) }

// PutMeta stores the games manager's record of a table (synced).
func (s *Store) PutMeta(table string, meta []byte) error { return s.put(prefixMeta, table, meta) }

// Spec returns one table's stored spec.
func (s *Store) Spec(table string) (spec []byte, found bool, err error) {
	err = s.use(func(db *pebble.DB) error {
		v, closer, err := db.Get(tableKey(prefixSpec, table))
		if errors.Is(err, pebble.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		spec, found = append([]byte(nil), v...), true
		return closer.Close()
	})
	return spec, found, err
}

// Specs returns every stored instance spec by table.
func (s *Store) Specs() (map[string][]byte, error) { return s.all(prefixSpec) }

// Metas returns every stored table record by table.
func (s *Store) Metas() (map[string][]byte, error) { return s.all(prefixMeta) }

func (s *Store) put(prefix, table string, v []byte) error {
	return s.use(func(db *pebble.DB) error {
		if err := db.Set(tableKey(prefix, table), v, pebble.Sync); err != nil {
			return fmt.Errorf("store %s%s: %w", prefix, table, err)
		}
		return nil
	})
}

func (s *Store) all(prefix string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.scan([]byte(prefix), prefixEnd([]byte(prefix)), func(k, v []byte) error {
		table := string(k[len(prefix) : len(k)-1])
		out[table] = append([]byte(nil), v...)
		return nil
	})
	return out, err
}

// errScanDone: a scan's fn has seen enough.
var errScanDone = errors.New("scan done")

// scan calls fn with every key in [lo, hi) until it returns errScanDone;
// fn must copy what it keeps.
func (s *Store) scan(lo, hi []byte, fn func(k, v []byte) error) error {
	return s.use(func(db *pebble.DB) error {
		it, err := db.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
		if err != nil {
			return err
		}
		defer it.Close()
		for ok := it.First(); ok; ok = it.Next() {
			if err := fn(it.Key(), it.Value()); errors.Is(err, errScanDone) {
				return nil
			} else if err != nil {
				return err
			}
		}
		return it.Error()
	})
}

// prefixEnd is the first key after every key that starts with p.
func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
