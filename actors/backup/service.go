package backupactor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/backup"
	"github.com/bitcraps/bitcraps/messages"
)

// BackupNow asks for a backup now, to To (nil: the service's --backup-to).
// Progress, when set, hears each step from the backup's goroutine and must
// not block. Answer: *BackupDone, once every destination answered.
type BackupNow struct {
	To       []string
	Progress func(backup.Progress)
}

// BackupDone answers BackupNow. Err is set unless every destination
// confirmed the archive; Result says which did.
type BackupDone struct {
	Result backup.Result
	Err    error
}

type tick struct{ owner *service }

// scheduleFrom carries the newest backup found at start.
type scheduleFrom struct {
	owner  *service
	newest time.Time
}

type finished struct {
	owner     *service
	requester *actor.PID
	began     time.Time
	to        []string
	res       backup.Result
	err       error
}

type service struct {
	opts    Options
	log     *slog.Logger
	system  *actor.ActorSystem
	self    *actor.PID
	parent  *actor.PID
	timer   *time.Timer
	running bool
	// cancel ends the running backup when the service stops.
	cancel context.CancelFunc
	// requester waits for the running backup (nil for a scheduled one).
	requester *actor.PID
	health    *messages.ServiceHealth
}

// Receive implements actor.Actor.
func (s *service) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		s.stopTimer()
		if s.cancel != nil {
			s.cancel()
		}
		// The running backup's answer would reach a stopped actor: its
		// requester hears now instead of waiting out its timeout.
		if s.requester != nil {
			s.system.Root.Send(s.requester, &BackupDone{Err: ErrStopped})
			s.requester = nil
		}
	case *scheduleFrom:
		if m.owner == s {
			s.schedule(backup.NextDelay(m.newest, s.opts.Now(), s.opts.Interval))
		}
	case *tick:
		if m.owner == s && !s.running {
			s.run(nil, s.opts.To, nil)
		}
	case *BackupNow:
		s.onDemand(ctx, m)
	case *finished:
		if m.owner == s {
			s.finished(ctx, m)
		}
	}
}

func (s *service) start(ctx actor.Context) {
	s.system, s.self, s.parent = ctx.ActorSystem(), ctx.Self(), ctx.Parent()
	if s.opts.Interval == 0 {
		s.report(ctx, messages.Healthy, "no schedule (--backup-interval 0); on demand only")
		return
	}
	s.report(ctx, messages.Healthy, fmt.Sprintf("every %s to %s", s.opts.Interval, strings.Join(s.opts.To, ", ")))
	// Where the last backup is decides when the next is due, so restarts
	// shorter than the interval do not starve the schedule.
	owner, system, self, opts := s, s.system, s.self, s.opts
	go func() {
		newest := newestEverywhere(opts)
		opts.Metrics.restored(newest)
		system.Root.Send(self, &scheduleFrom{owner: owner, newest: newest})
	}()
}

// newestEverywhere is the newest backup of this node every destination
// holds (the oldest of each one's newest); zero when one has none or
// cannot be listed.
func newestEverywhere(opts Options) time.Time {
	dests, err := backup.ParseDestinations(opts.To, opts.getenv())
	if err != nil {
		return time.Time{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.CheckpointTimeout)
	defer cancel()
	var oldest time.Time
	for i, d := range dests {
		objs, err := d.List(ctx)
		if err != nil {
			return time.Time{}
		}
		newest := backup.NewestOfPeer(objs, opts.PeerID)
		if newest.IsZero() {
			return time.Time{}
		}
		if i == 0 || newest.Before(oldest) {
			oldest = newest
		}
	}
	return oldest
}

func (s *service) schedule(after time.Duration) {
	s.stopTimer()
	owner, system, self := s, s.system, s.self
	s.timer = time.AfterFunc(after, func() { system.Root.Send(self, &tick{owner: owner}) })
}

func (s *service) stopTimer() {
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
}

func (s *service) onDemand(ctx actor.Context, m *BackupNow) {
	if s.running {
		ctx.Respond(&BackupDone{Err: ErrBusy})
		return
	}
	to := m.To
	if len(to) == 0 {
		to = s.opts.To
	}
	// A request the node cannot carry out (no recipients, a malformed
	// destination) is the caller's to fix: refused, the service's health
	// unchanged.
	if _, err := backup.ParseRecipients(s.opts.Recipients); err != nil {
		ctx.Respond(&BackupDone{Err: err})
		return
	}
	if _, err := backup.ParseDestinations(to, s.opts.getenv()); err != nil {
		ctx.Respond(&BackupDone{Err: err})
		return
	}
	s.run(ctx.Sender(), to, m.Progress)
}

// run starts one backup on a goroutine; its stores are checkpointed by
// their services, asked from that goroutine (never from Receive).
func (s *service) run(requester *actor.PID, to []string, progress func(backup.Progress)) {
	s.running, s.requester = true, requester
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	owner, system, self, opts, began := s, s.system, s.self, s.opts, s.opts.Now()
	go func() {
		defer cancel()
		res, err := create(runCtx, opts, system, to, progress)
		system.Root.Send(self, &finished{owner: owner, requester: requester, began: began, to: to, res: res, err: err})
	}()
}

func create(ctx context.Context, opts Options, system *actor.ActorSystem, to []string, progress func(backup.Progress)) (backup.Result, error) {
	dests, err := backup.ParseDestinations(to, opts.getenv())
	if err != nil {
		return backup.Result{}, err
	}
	ask := func(pid *actor.PID, msg any) error {
		reply, err := system.Root.RequestFuture(pid, msg, opts.CheckpointTimeout).Result()
		if err != nil {
			return fmt.Errorf("checkpoint from %s: %w", pid.Id, err)
		}
		taken, ok := reply.(*messages.CheckpointTaken)
		if !ok {
			return fmt.Errorf("checkpoint from %s: unexpected answer %T", pid.Id, reply)
		}
		return taken.Err
	}
	res, err := backup.Create(ctx, backup.CreateOptions{
		DataDir: opts.DataDir,
		Stores: backup.Stores{
			Ledger:    func(dir string) error { return ask(opts.Ledger, &messages.LedgerCheckpoint{Dir: dir}) },
			Consensus: func(dir string) error { return ask(opts.Consensus, &messages.ConsensusCheckpoint{Dir: dir}) },
		},
		Recipients: opts.Recipients, Destinations: dests, NodeVersion: opts.NodeVersion,
		Now: opts.Now, Progress: progress, Logger: opts.Logger,
	})
	// Retention runs where the archive landed, and only there: a
	// destination that missed this backup keeps what it has.
	var pruneErrs []error
	for i, d := range dests {
		if i < len(res.Destinations) && res.Destinations[i].Error == "" {
			if _, perr := backup.Prune(ctx, d, res.Manifest.PeerID, opts.Retention); perr != nil {
				pruneErrs = append(pruneErrs, perr)
			}
		}
	}
	if len(pruneErrs) > 0 {
		err = errors.Join(err, fmt.Errorf("retention: %w", errors.Join(pruneErrs...)))
	}
	return res, err
}

func (s *service) finished(ctx actor.Context, m *finished) {
	s.running, s.cancel, s.requester = false, nil, nil
	var confirmed, failed []string
	for _, d := range m.res.Destinations {
		if d.Error == "" {
			confirmed = append(confirmed, d.Destination)
		} else {
			failed = append(failed, d.Destination)
		}
	}
	if m.err != nil && len(m.res.Destinations) == 0 {
		failed = m.to // it failed before any upload: none got it
	}
	s.opts.Metrics.done(s.opts.Now(), s.opts.Now().Sub(m.began), m.res.Size, confirmed, failed)
	if m.err != nil {
		s.log.Error("backup failed", "name", m.res.Name, "err", m.err)
		s.report(ctx, messages.Degraded, "last backup failed: "+m.err.Error())
	} else {
		s.log.Info("backup stored", "name", m.res.Name, "bytes", m.res.Size, "destinations", len(confirmed))
		s.report(ctx, messages.Healthy, "last backup "+m.res.Name)
	}
	if m.requester != nil {
		s.system.Root.Send(m.requester, &BackupDone{Result: m.res, Err: m.err})
	}
	if s.opts.Interval > 0 {
		s.schedule(s.opts.Interval)
	}
}

func (s *service) report(ctx actor.Context, status messages.HealthStatus, reason string) {
	h := &messages.ServiceHealth{Service: ServiceName, Status: status, Reason: reason}
	if s.health != nil && *s.health == *h {
		return
	}
	s.health = h
	if s.parent != nil {
		ctx.Send(s.parent, h)
	}
}
