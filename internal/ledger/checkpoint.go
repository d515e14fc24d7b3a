package ledger

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Checkpoint writes a consistent copy of the store into dir, which must
// not exist yet: a backup's ledger part. A writable store flushes its WAL
// first, so the copy holds every synced op; a read-only one (a stopped
// node's, for an offline backup) cannot flush and copies its WAL instead.
// Unlike Snapshot it neither names, checks nor prunes anything: the backup
// checks the copy itself.
func (l *Ledger) Checkpoint(dir string) error {
	var opts []pebble.CheckpointOption
	if !l.opts.ReadOnly {
		opts = append(opts, pebble.WithFlushedWAL())
	}
	if err := l.read(func(pebble.Reader) error { return l.db.Checkpoint(dir, opts...) }); err != nil {
		return fmt.Errorf("ledger checkpoint into %s: %w", dir, err)
	}
	return nil
}
