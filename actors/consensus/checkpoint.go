package consensus

import (
	"encoding/binary"
	"fmt"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cockroachdb/pebble/v2"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// OpenStoreReadOnly opens an existing store for reading only: a stopped
// node's, for an offline backup, or a backup's copy, for its manifest.
func OpenStoreReadOnly(dir string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db, err := pebble.Open(dir, &pebble.Options{ReadOnly: true, Logger: ledger.PebbleLogger(log)})
	if err != nil {
		return nil, fmt.Errorf("open consensus store %s read-only: %w", dir, err)
	}
	return &Store{db: db}, nil
}

// Checkpoint writes a consistent copy of the open store into dir, which
// must not exist yet, its WAL flushed first.
func (s *Store) Checkpoint(dir string) error {
	return s.use(func(db *pebble.DB) error {
		if err := db.Checkpoint(dir, pebble.WithFlushedWAL()); err != nil {
			return fmt.Errorf("consensus checkpoint into %s: %w", dir, err)
		}
		return nil
	})
}

// HighestCertified is the highest certified round of every table the store
// keeps certificates for: what a backup's manifest reports, and what a
// restored node has to catch up from.
func (s *Store) HighestCertified() (map[string]uint64, error) {
	out := map[string]uint64{}
	err := s.scan([]byte(prefixCert), prefixEnd([]byte(prefixCert)), func(k, _ []byte) error {
		// c/<table>\0<round as 8 bytes>
		if len(k) < len(prefixCert)+1+8 {
			return fmt.Errorf("certificate key %x: too short", k)
		}
		table := string(k[len(prefixCert) : len(k)-9])
		round := binary.BigEndian.Uint64(k[len(k)-8:])
		out[table] = max(out[table], round)
		return nil
	})
	return out, err
}

// checkpoint copies the store off the mailbox for a backup.
func (s *Service) checkpoint(ctx actor.Context, m *messages.ConsensusCheckpoint) {
	store, sys, to := s.store, ctx.ActorSystem(), ctx.Sender()
	go func() {
		reply := &messages.CheckpointTaken{Err: ErrStoreClosed}
		if store != nil {
			reply.Err = store.Checkpoint(m.Dir)
		}
		respond(sys, to, reply)
	}()
}
