package ledger

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Checkpoint writes a consistent copy of the open store into dir, which
// must not exist yet: a backup's ledger part. The WAL is flushed first, so
// the copy holds every synced op. Unlike Snapshot it neither names, checks
// nor prunes anything: the backup checks its copy itself. (A read-only
// store cannot checkpoint; a stopped node's files are copied instead.)
func (l *Ledger) Checkpoint(dir string) error {
	if err := l.read(func(pebble.Reader) error { return l.db.Checkpoint(dir, pebble.WithFlushedWAL()) }); err != nil {
		return fmt.Errorf("ledger checkpoint into %s: %w", dir, err)
	}
	return nil
}
