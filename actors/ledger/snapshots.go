package ledgeractor

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

func (a *ledgerActor) scheduleSnapshot() {
	a.stopSnapshots()
	owner, system, self := a, a.system, a.self
	a.snapTimer = time.AfterFunc(a.opts.SnapshotInterval, func() {
		system.Root.Send(self, &snapshotTick{owner: owner})
	})
}

func (a *ledgerActor) stopSnapshots() {
	if a.snapTimer != nil {
		a.snapTimer.Stop()
		a.snapTimer = nil
	}
}

// snapshot starts a snapshot on a goroutine (checkpoint, verify, prune);
// a request that arrives while one runs waits for that one.
func (a *ledgerActor) snapshot(ctx actor.Context, requester *actor.PID) {
	if a.phase != serving {
		err := a.haltedErr()
		if a.phase == checking {
			err = ledger.ErrBusy
		}
		a.respond(requester, &messages.LedgerSnapshotTaken{Err: err})
		return
	}
	if requester != nil {
		a.snapWaiters = append(a.snapWaiters, requester)
	}
	if a.snapshotting {
		return
	}
	a.snapshotting = true
	l, dir, keep, now := a.l, ledger.SnapshotsDir(a.opts.DataDir), a.opts.SnapshotKeep, a.opts.Now()
	owner, system, self, metrics := a, a.system, a.self, a.metrics
	go func() {
		info, err := l.Snapshot(dir, now)
		if err == nil {
			_, err = ledger.PruneSnapshots(nil, dir, keep)
		}
		metrics.Snapshot(err)
		system.Root.Send(self, &snapshotDone{owner: owner, info: info, err: err})
	}()
}

func (a *ledgerActor) snapshotDone(ctx actor.Context, msg *snapshotDone) {
	a.snapshotting = false
	for _, w := range a.snapWaiters {
		a.respond(w, &messages.LedgerSnapshotTaken{Info: msg.info, Err: msg.err})
	}
	a.snapWaiters = nil
	switch {
	case errors.Is(msg.err, ledger.ErrSnapshotInvalid):
		// The checkpoint is a copy of the live store: it failing Verify
		// means the live store is broken.
		a.halt(ctx, "snapshot check: "+msg.err.Error())
		return
	case msg.err != nil:
		a.log.Error("snapshot failed", "err", msg.err)
		a.report(ctx, messages.Degraded, "snapshots failing: "+msg.err.Error())
	default:
		a.log.Info("snapshot taken", "name", msg.info.Name, "state_hash", msg.info.StateHash, "ops", msg.info.Ops)
		a.report(ctx, messages.Healthy, healthyReason)
	}
	if a.phase == serving {
		a.scheduleSnapshot()
	}
}

// checkpoint copies the store for a backup, off the mailbox. Unlike a
// snapshot it is taken in any phase the store is open in: the backup
// verifies its copy itself.
func (a *ledgerActor) checkpoint(msg *messages.LedgerCheckpoint, requester *actor.PID) {
	l := a.l
	if l == nil {
		a.respond(requester, &messages.CheckpointTaken{Err: ledger.ErrClosed})
		return
	}
	system := a.system
	go func() {
		err := l.Checkpoint(msg.Dir)
		if requester != nil {
			system.Root.Send(requester, &messages.CheckpointTaken{Err: err})
		}
	}()
}
