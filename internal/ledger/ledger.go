package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Options configure Open.
type Options struct {
	// Dir is the pebble store's directory (StoreDir of the node's data dir).
	Dir string
	// FS is the file system; nil means the disk. Tests pass a crashable
	// in-memory one.
	FS vfs.FS
	// ReadOnly opens an existing store for reading and verifying only (the
	// offline `ledger verify`); the store must not be held by a node.
	ReadOnly bool
	// Logger receives the ledger's and pebble's logs; nil discards them.
	Logger *slog.Logger
	// Metrics may be nil.
	Metrics *Metrics
	// Certificates checks settlement certificates; nil accepts them all
	// (until consensus supplies a verifier).
	Certificates CertificateVerifier
	// Money is the deployment's money policy: which grants create money
	// (money.go). Nil accepts the grants of either mode, signatures
	// checked (tools and tests); a node always sets it.
	Money *Money
	// MaxBatchOps caps the ops sharing one fsync. Default 1024: at
	// ≈0.5 ms per fsync that is ≈2 M ops/s of headroom, while bounding the
	// memory and the latency of one batch.
	MaxBatchOps int
	// CacheBytes sizes pebble's block cache. Default 64 MiB: the ops'
	// point reads (balances, seqs, op ids) hit it instead of the disk for
	// ledgers of a few million accounts, at a cost a server or phone can
	// afford. (Pebble's own default, 8 MiB, makes each op read from disk
	// past about 100,000 accounts.)
	CacheBytes int64
	// MaxPending caps the ops waiting for the committer; beyond it Submit
	// answers ErrBusy. Default 4096: four full batches, enough to keep
	// the committer busy while bounding memory.
	MaxPending int
	// OnApplied is called once for each newly applied op, in log order,
	// after its batch is synced and before its submitter hears back. It
	// runs on the committer goroutine: it must not block or call the
	// ledger. This is where the audit trail hooks in.
	OnApplied func(Applied)
	// OnEvidence is called for each newly stored equivocation evidence,
	// after its batch is synced, under the same rules as OnApplied.
	OnEvidence func(Evidence)

	// afterCommit is a test hook run on the committer after every synced
	// batch, before any acknowledgement, with the ids the batch applied.
	afterCommit func(synced []OpID)
	// tweakPebble lets tests shrink pebble's memtable to exercise flushes.
	tweakPebble func(*pebble.Options)
}

const (
	defaultMaxBatchOps = 1024
	defaultCacheBytes  = 64 << 20
	defaultMaxPending  = 4096
	// restoreMarker sits in the store while a snapshot restore replaces
	// its files; Open refuses such a half-restored store.
	restoreMarker = "RESTORE-IN-PROGRESS"
)

// StoreDir is where the ledger's pebble store lives in a node's data dir.
func StoreDir(dataDir string) string { return filepath.Join(dataDir, "ledger") }

// Ledger is the accounting store. Apply/Submit may be called from any
// goroutine; one committer applies the ops in arrival order. Reads are
// safe from any goroutine and see only synced ops.
type Ledger struct {
	db      *pebble.DB
	lock    *pebble.Lock
	opts    Options
	log     *slog.Logger
	metrics *Metrics
	rules   rules

	reqs    chan request
	checked chan checkedGroup
	done    chan struct{}

	// mu orders Close after in-flight reads and submissions.
	mu     sync.RWMutex
	closed bool

	haltReason atomic.Pointer[string]
	hashCache  atomic.Pointer[cachedHash]
}

type request struct {
	op   Op
	done func(Applied, error)
}

// Open opens (creating unless read-only) the store in opts.Dir.
func Open(opts Options) (*Ledger, error) {
	opts = withDefaults(opts)
	if _, err := opts.FS.Stat(opts.FS.PathJoin(opts.Dir, restoreMarker)); err == nil {
		return nil, fmt.Errorf("%w: %s holds %s; run `bitcraps snapshot restore` again", ErrRestoreIncomplete, opts.Dir, restoreMarker)
	}
	if opts.Money != nil {
		if err := opts.Money.Validate(); err != nil {
			return nil, err
		}
	}
	if err := prepareDir(opts); err != nil {
		return nil, err
	}
	lock, err := pebble.LockDirectory(opts.Dir, opts.FS)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrDataDirInUse, opts.Dir, err)
	}
	db, err := pebble.Open(opts.Dir, pebbleOptions(opts, lock))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open ledger store %s: %w", opts.Dir, err), lock.Close())
	}
	l := &Ledger{
		db: db, lock: lock, opts: opts, log: opts.Logger, metrics: opts.Metrics,
		rules: rules{certs: opts.Certificates, money: AnyMoney()},
		reqs:  make(chan request, opts.MaxPending),
		// One checked group may wait while the previous one syncs.
		checked: make(chan checkedGroup, 1),
		done:    make(chan struct{}),
	}
	if opts.Money != nil {
		l.rules.money = *opts.Money
	}
	if opts.ReadOnly {
		close(l.done)
	} else {
		go l.gatherAndCheck()
		go l.commitLoop()
	}
	return l, nil
}

func withDefaults(opts Options) Options {
	if opts.FS == nil {
		opts.FS = vfs.Default
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBatchOps <= 0 {
		opts.MaxBatchOps = defaultMaxBatchOps
	}
	if opts.MaxPending <= 0 {
		opts.MaxPending = defaultMaxPending
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = defaultCacheBytes
	}
	return opts
}

func prepareDir(opts Options) error {
	if opts.Dir == "" {
		return fmt.Errorf("%w: ledger dir is empty", ErrInvalidOp)
	}
	if !opts.ReadOnly {
		if err := opts.FS.MkdirAll(opts.Dir, 0o755); err != nil {
			return fmt.Errorf("create ledger dir %s: %w", opts.Dir, err)
		}
		return nil
	}
	if _, err := opts.FS.Stat(opts.Dir); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no ledger store at %s: %w", opts.Dir, err)
	}
	return nil
}

func pebbleOptions(opts Options, lock *pebble.Lock) *pebble.Options {
	p := &pebble.Options{
		FS:        opts.FS,
		Lock:      lock,
		CacheSize: opts.CacheBytes,
		Logger:    PebbleLogger(opts.Logger),
		ReadOnly:  opts.ReadOnly,
	}
	if opts.ReadOnly {
		p.ErrorIfNotExists = true
	} else {
		p.FormatMajorVersion = pebble.FormatNewest
	}
	if opts.tweakPebble != nil {
		opts.tweakPebble(p)
	}
	return p
}

// Submit queues op and returns at once; done is called on the committer
// goroutine once the op is synced (or refused). done must not block or call
// the ledger. A full queue answers ErrBusy without queueing.
func (l *Ledger) Submit(op Op, done func(Applied, error)) error {
	if l.opts.ReadOnly {
		return ErrReadOnly
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	if err := l.Halted(); err != nil {
		return err
	}
	select {
	case l.reqs <- request{op: op, done: done}:
		return nil
	default:
		l.metrics.queueWasFull()
		return fmt.Errorf("%w: %d ops already waiting", ErrBusy, cap(l.reqs))
	}
}

// Apply applies op and returns once it is synced. If ctx ends first, Apply
// returns ctx's error but the op may still be applied.
func (l *Ledger) Apply(ctx context.Context, op Op) (Applied, error) {
	type result struct {
		a   Applied
		err error
	}
	ch := make(chan result, 1)
	if err := l.Submit(op, func(a Applied, err error) { ch <- result{a, err} }); err != nil {
		return Applied{}, err
	}
	select {
	case r := <-ch:
		return r.a, r.err
	case <-ctx.Done():
		return Applied{}, ctx.Err()
	}
}

// Halted is nil while the ledger accepts writes, else ErrHalted with the
// reason.
func (l *Ledger) Halted() error {
	if r := l.haltReason.Load(); r != nil {
		return fmt.Errorf("%w: %s", ErrHalted, *r)
	}
	return nil
}

// Halt stops all further writes (for example after Verify found a
// problem). The first reason wins.
func (l *Ledger) Halt(reason string) {
	if l.haltReason.CompareAndSwap(nil, &reason) {
		l.metrics.setHalted()
		l.log.Error("ledger halted: writes refused", "reason", reason)
	}
}

// Close waits for queued ops to be committed and acknowledged, then closes
// the store. Reads and submissions after Close answer ErrClosed.
func (l *Ledger) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	if !l.opts.ReadOnly {
		close(l.reqs)
	}
	<-l.done
	// Taking the write lock again waits out reads that began before Close.
	l.mu.Lock()
	defer l.mu.Unlock()
	return errors.Join(l.db.Close(), l.lock.Close())
}

// PebbleLogger routes pebble's logs to l, so pebble never prints to
// stderr. Pebble is chatty at info level (every flush and compaction), so
// that becomes debug. Any package opening a pebble store can use it.
func PebbleLogger(l *slog.Logger) pebble.Logger { return pebbleLogger{l} }

type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug(fmt.Sprintf(format, args...), "component", "pebble")
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...), "component", "pebble")
}

// Fatalf is called by pebble when it cannot go on (for example a failed
// WAL sync); it must not return.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.l.Error(msg, "component", "pebble", "fatal", true)
	panic("pebble: " + msg)
}
