package audit

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Sentinel errors of the writer.
var (
	// ErrClosed means Append after Close.
	ErrClosed = errors.New("audit: log closed")
	// ErrBroken means an earlier write or fsync failed; the file may end in
	// a partial line, so nothing more is appended until it is reopened
	// (which cuts that line).
	ErrBroken = errors.New("audit: log broken by an earlier write error")
	// ErrCorrupt means the log's last entry does not verify, so the chain
	// cannot be continued.
	ErrCorrupt = errors.New("audit: log is corrupt")
	// ErrLocked means another Log (in this process or another) holds the file.
	ErrLocked = errors.New("audit: log is held by another writer")
)

// Path is where the audit log of a data dir lives.
func Path(dataDir string) string {
	return filepath.Join(dataDir, "audit", "audit.log")
}

// Head identifies the last entry: keep a copy elsewhere to detect a log
// cut short.
type Head struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// Log appends signed entries to one file. It is safe for concurrent use.
type Log struct {
	key     ed25519.PrivateKey
	clock   func() time.Time
	metrics *Metrics
	f       *os.File
	unlock  func()
	torn    int64

	mu      sync.Mutex
	synced  *sync.Cond // signalled (with mu) when a sync ends
	seq     uint64
	head    [32]byte
	durable uint64 // highest seq known to be on disk
	syncing bool
	failed  error
	closed  bool
}

// Open opens (creating it if needed) the audit log of dataDir for
// appending entries signed with key and stamped by clock. It cuts a final
// line left unfinished by a crash, and refuses a log whose last entry does
// not verify with key (a corrupt log, or another node's). m may be nil.
func Open(dataDir string, key ed25519.PrivateKey, clock func() time.Time, m *Metrics) (*Log, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("audit: signing key is %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	path := Path(dataDir)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit: create log dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: open log: %w", err)
	}
	l := &Log{key: key, clock: clock, metrics: m, f: f}
	l.synced = sync.NewCond(&l.mu)
	if err := l.start(path); err != nil {
		f.Close()
		return nil, err
	}
	return l, nil
}

func (l *Log) start(path string) error {
	unlock, err := lockFile(l.f)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrLocked, path, err)
	}
	l.unlock = unlock
	last, torn, err := recoverTail(l.f)
	if err == nil && last != nil {
		err = l.resume(last)
	}
	if err != nil {
		unlock()
		return fmt.Errorf("%s: %w", path, err)
	}
	l.torn = torn
	l.durable = l.seq
	return nil
}

// resume continues the chain after the last entry on disk, which must be
// one this key signed.
func (l *Log) resume(last []byte) error {
	e, err := decodeLine(last)
	if err != nil {
		return fmt.Errorf("%w: last entry unreadable: %w", ErrCorrupt, err)
	}
	prev, err := hex.DecodeString(e.PrevHash)
	if err != nil || len(prev) != 32 {
		return fmt.Errorf("%w: last entry (seq %d) has a bad prev_hash", ErrCorrupt, e.Seq)
	}
	pub := l.key.Public().(ed25519.PublicKey)
	_, h, verr := checkLine(last, e.Seq, [32]byte(prev), pub)
	if verr != nil {
		return fmt.Errorf("%w: last entry: %s (a log of another key cannot be continued)", ErrCorrupt, verr.Reason)
	}
	l.seq, l.head = e.Seq, h
	return nil
}

// TornBytes is how many bytes of an unfinished final line Open cut.
func (l *Log) TornBytes() int64 { return l.torn }

// Head returns the last appended entry's seq and hash.
func (l *Log) Head() Head {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seq == 0 {
		return Head{}
	}
	return Head{Seq: l.seq, Hash: hex.EncodeToString(l.head[:])}
}

// Append records one state change and returns once it is on disk. detail
// is marshalled to a JSON object (nil records {}).
func (l *Log) Append(kind Kind, detail any) (Entry, error) {
	raw, err := checkEntry(kind, detail)
	if err != nil {
		l.metrics.appendFailed()
		return Entry{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e, err := l.write(kind, raw)
	if err != nil {
		l.metrics.appendFailed()
		return Entry{}, err
	}
	if err := l.waitDurable(e.Seq); err != nil {
		l.metrics.appendFailed()
		return Entry{}, err
	}
	l.metrics.appended()
	return e, nil
}

// write chains, signs and writes the next entry; mu is held.
func (l *Log) write(kind Kind, detail []byte) (Entry, error) {
	if l.closed {
		return Entry{}, ErrClosed
	}
	if l.failed != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrBroken, l.failed)
	}
	e := Entry{Seq: l.seq + 1, Time: l.clock().UTC().Format(time.RFC3339Nano), Kind: kind, Detail: detail}
	h := seal(&e, l.head, l.key)
	line, err := encodeLine(&e)
	if err != nil {
		return Entry{}, err
	}
	if _, err := l.f.Write(append(line, '\n')); err != nil {
		l.failed = err
		return Entry{}, fmt.Errorf("audit: write entry %d: %w", e.Seq, err)
	}
	l.seq, l.head = e.Seq, h
	return e, nil
}

// waitDurable returns once seq is fsynced. Appenders share fsyncs: the
// first to wait syncs everything written so far while the others wait for
// it (group commit); mu is held, and released during the fsync.
func (l *Log) waitDurable(seq uint64) error {
	for l.durable < seq {
		if l.failed != nil {
			return fmt.Errorf("%w: %w", ErrBroken, l.failed)
		}
		if l.syncing {
			l.synced.Wait()
			continue
		}
		l.syncOnce()
	}
	return nil
}

// syncOnce fsyncs everything written so far; mu is held on entry and exit.
func (l *Log) syncOnce() {
	target := l.seq
	l.syncing = true
	l.mu.Unlock()
	start := time.Now()
	err := l.f.Sync()
	l.metrics.synced(time.Since(start))
	l.mu.Lock()
	l.syncing = false
	if err != nil {
		// After a failed fsync the page cache cannot be trusted to reach
		// the disk: stop appending rather than acknowledge lost entries.
		l.failed = fmt.Errorf("fsync: %w", err)
	} else if target > l.durable {
		l.durable = target
	}
	l.synced.Broadcast()
}

// Close syncs and closes the log. Later Appends fail with ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	for l.syncing {
		l.synced.Wait()
	}
	l.closed = true
	var err error
	if l.failed == nil && l.durable < l.seq {
		if err = l.f.Sync(); err == nil {
			l.durable = l.seq
		} else {
			l.failed = fmt.Errorf("fsync: %w", err)
		}
	}
	l.synced.Broadcast() // appenders waiting for this sync
	l.unlock()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit: close log: %w", err)
	}
	return nil
}
