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
	"github.com/bitcraps/bitcraps/internal/audit"
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

// reportRestore says, once, that the node starts on a data dir restored
// from a backup, and how far behind that backup was: in the log and the
// audit trail. Its tables catch up from their peers from the rounds named.
func (n *Node) reportRestore() {
	r, err := backup.TakeRestoredFrom(n.cfg.DataDir)
	if err != nil {
		n.log.Warn("restore marker unreadable", "err", err)
	}
	if r == nil {
		return
	}
	behind := r.Behind(time.Now()).Round(time.Second)
	n.log.Info("starting on a data dir restored from a backup; tables catch up from their peers",
		"backup", r.Name, "taken", r.CreatedAt, "behind", behind, "rounds_in_backup", r.HighestCertified)
	n.audit.record(audit.KindBackupRestored, map[string]any{
		"backup": r.Name, "created_at": r.CreatedAt, "restored_at": r.RestoredAt, "behind_seconds": int64(behind.Seconds()),
		"ledger_state_hash": r.StateHash, "highest_certified_rounds": r.HighestCertified,
	})
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
