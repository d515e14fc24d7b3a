package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	backupactor "github.com/bitcraps/bitcraps/actors/backup"
	"github.com/bitcraps/bitcraps/actors/consensus"
	ledgeractor "github.com/bitcraps/bitcraps/actors/ledger"
	"github.com/bitcraps/bitcraps/internal/api"
	"github.com/bitcraps/bitcraps/internal/backup"
)

// backupTimeout bounds an on-demand backup asked through the API: an hour
// covers a big ledger over a slow uplink; past it the caller stops waiting
// (the backup itself finishes or fails on its own).
const backupTimeout = time.Hour

func (n *Node) backupProps() (func() *actor.Props, error) {
	opts := backupactor.Options{
		DataDir: n.cfg.DataDir, NodeVersion: n.version, PeerID: string(n.id.PeerID()),
		Recipients: n.cfg.BackupRecipients, To: n.cfg.BackupTo, Interval: n.cfg.BackupInterval,
		Retention: backup.Policy{Hourly: n.cfg.BackupKeepHourly, Daily: n.cfg.BackupKeepDaily},
		Ledger:    n.sibling(ledgeractor.ServiceName), Consensus: n.sibling(consensus.ServiceName),
		Metrics: backupactor.NewMetrics(n.registry), Logger: n.log.With("service", "backup"),
	}
	if _, err := backupactor.Props(opts); err != nil {
		return nil, err
	}
	return func() *actor.Props { p, _ := backupactor.Props(opts); return p }, nil
}

// nodeBackups serves POST /api/v1/backups through the backup service.
type nodeBackups struct{ n *Node }

func (b nodeBackups) Create(ctx context.Context, to []string, progress func(backup.Progress)) (backup.Result, error) {
	timeout := backupTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = time.Until(deadline)
	}
	reply, err := b.n.system.Root.RequestFuture(b.n.sibling(backupactor.ServiceName),
		&backupactor.BackupNow{To: to, Progress: progress}, timeout).Result()
	if err != nil {
		return backup.Result{}, fmt.Errorf("backup service: %w", err)
	}
	done, ok := reply.(*backupactor.BackupDone)
	if !ok {
		return backup.Result{}, fmt.Errorf("backup service: unexpected answer %T", reply)
	}
	if errors.Is(done.Err, backupactor.ErrBusy) {
		return done.Result, fmt.Errorf("%w: %w", api.ErrBackupBusy, done.Err)
	}
	return done.Result, done.Err
}
