package ledgeractor

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Props returns the ledger actor's props after checking opts. Each spawn
// or restart gets a fresh actor that reopens the store; nothing but the
// metrics survives in memory.
func Props(opts Options) (*actor.Props, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	metrics := ledger.NewMetrics(opts.Registerer)
	return actor.PropsFromProducer(func() actor.Actor {
		return &ledgerActor{opts: opts, log: opts.Logger, metrics: metrics}
	}), nil
}

// phase is where the actor is in its life.
type phase int

const (
	// checking: the store is open and being verified; writes wait.
	checking phase = iota
	// serving: writes go to the ledger.
	serving
	// halted: the invariant is broken or the store failed; writes are
	// refused, reads still answer.
	halted
)

type ledgerActor struct {
	opts    Options
	log     *slog.Logger
	metrics *ledger.Metrics

	system *actor.ActorSystem
	self   *actor.PID
	parent *actor.PID
	l      *ledger.Ledger

	phase      phase
	haltReason string
	stash      []stashedWrite
	reads      chan struct{}

	snapTimer    *time.Timer
	snapshotting bool
	snapWaiters  []*actor.PID
	health       *messages.ServiceHealth
}

type stashedWrite struct {
	op     ledger.Op
	sender *actor.PID
}

// Internal messages; owner keeps a restarted actor from acting on what its
// predecessor's goroutines and timers send.
type (
	startupChecked struct {
		owner *ledgerActor
		rep   ledger.Report
		err   error
	}
	fullVerifyDone struct {
		owner *ledgerActor
		rep   ledger.Report
		err   error
	}
	haltNow struct {
		owner  *ledgerActor
		reason string
	}
	snapshotTick struct{ owner *ledgerActor }
	snapshotDone struct {
		owner *ledgerActor
		info  ledger.SnapshotInfo
		err   error
	}
	genesisDone struct {
		owner *ledgerActor
		err   error
	}
)

// Receive dispatches; nothing here waits on disk except opening and
// closing the store.
func (a *ledgerActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		a.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		a.shutdown()
	case *startupChecked:
		if msg.owner == a {
			a.startupChecked(ctx, msg)
		}
	case *fullVerifyDone:
		if msg.owner == a {
			a.fullVerifyDone(ctx, msg)
		}
	case *haltNow:
		if msg.owner == a {
			a.halt(ctx, msg.reason)
		}
	case *genesisDone:
		if msg.owner == a {
			a.genesisDone(msg.err)
		}
	case *snapshotTick:
		if msg.owner == a {
			a.snapshot(ctx, nil)
		}
	case *snapshotDone:
		if msg.owner == a {
			a.snapshotDone(ctx, msg)
		}
	case *messages.LedgerApply:
		a.write(ctx, msg.Op, ctx.Sender())
	case *messages.LedgerGrantGenesis:
		if op, ok := a.opts.Money.GenesisGrant(msg.Peer); ok {
			a.write(ctx, op, ctx.Sender())
		} else {
			a.respond(ctx.Sender(), &messages.LedgerApplied{})
		}
	case *messages.LedgerSnapshotRequest:
		a.snapshot(ctx, ctx.Sender())
	case *messages.LedgerCheckpoint:
		a.checkpoint(msg, ctx.Sender())
	case *messages.LedgerReaderRequest:
		a.respondReader(ctx)
	default:
		a.read(ctx, msg)
	}
}

func (a *ledgerActor) start(ctx actor.Context) {
	a.system, a.self, a.parent = ctx.ActorSystem(), ctx.Self(), ctx.Parent()
	a.reads = make(chan struct{}, a.opts.MaxConcurrentReads)
	l, err := ledger.Open(ledger.Options{
		Dir:          ledger.StoreDir(a.opts.DataDir),
		Logger:       a.log,
		Metrics:      a.metrics,
		Certificates: a.opts.Certificates,
		Money:        &a.opts.Money,
		OnApplied:    a.opts.OnApplied,
		OnEvidence:   a.opts.OnEvidence,
	})
	if err != nil {
		a.halt(ctx, fmt.Sprintf("cannot open the ledger store: %v", err))
		return
	}
	a.l = l
	a.log.Info("ledger store open; checking balances before taking writes", "dir", ledger.StoreDir(a.opts.DataDir))
	owner, system, self := a, a.system, a.self
	go func() {
		rep, err := l.CheckBalances()
		system.Root.Send(self, &startupChecked{owner: owner, rep: rep, err: err})
	}()
}

// startupChecked opens for writes once the balances add up (a check that
// reads each balance once), then replays the whole op log in the
// background: a big ledger starts in seconds, and a replay that disagrees
// still halts it.
func (a *ledgerActor) startupChecked(ctx actor.Context, msg *startupChecked) {
	if a.phase == halted {
		return
	}
	if reason := verifyFailure(msg.rep, msg.err); reason != "" {
		a.halt(ctx, "startup check: "+reason)
		return
	}
	a.phase = serving
	a.log.Info("ledger balances check out; serving", "state_hash", msg.rep.StateHash, "ops", msg.rep.Ops, "accounts", msg.rep.Accounts)
	a.report(ctx, messages.Healthy, healthyReason)
	if op, ok := a.opts.Money.GenesisGrant(a.opts.Identity); ok && a.opts.Identity != "" {
		a.submit(op, nil, true)
	}
	stash := a.stash
	a.stash = nil
	for _, w := range stash {
		a.write(ctx, w.op, w.sender)
	}
	a.scheduleSnapshot()
	l, owner, system, self := a.l, a, a.system, a.self
	go func() {
		rep, err := l.Verify()
		system.Root.Send(self, &fullVerifyDone{owner: owner, rep: rep, err: err})
	}()
}

func (a *ledgerActor) fullVerifyDone(ctx actor.Context, msg *fullVerifyDone) {
	if errors.Is(msg.err, ledger.ErrClosed) {
		return
	}
	if reason := verifyFailure(msg.rep, msg.err); reason != "" {
		a.halt(ctx, "op log replay at start: "+reason)
		return
	}
	a.log.Info("ledger op log replayed: the stored state matches", "state_hash", msg.rep.StateHash, "ops", msg.rep.Ops)
}

// healthyReason stays the same while healthy, so that the supervisor hears
// of changes only.
const healthyReason = "balances verified at start; serving"

// verifyFailure is "" when a verification passed, else why it did not.
func verifyFailure(rep ledger.Report, err error) string {
	if err != nil {
		return fmt.Sprintf("verification could not run: %v", err)
	}
	if !rep.OK {
		return "invariant broken: " + strings.Join(rep.Problems, "; ")
	}
	return ""
}

// halt stops writes for good (until the node restarts the service) and
// tells the supervisor, which puts the node in Error with the reason.
func (a *ledgerActor) halt(ctx actor.Context, reason string) {
	if a.phase == halted {
		return
	}
	a.phase, a.haltReason = halted, reason
	if a.l != nil {
		a.l.Halt(reason)
	}
	a.stopSnapshots()
	a.log.Error("ledger halted", "reason", reason)
	a.report(ctx, messages.Critical, reason)
	err := a.haltedErr()
	for _, w := range a.stash {
		a.respond(w.sender, &messages.LedgerApplied{Err: err})
	}
	a.stash = nil
}

func (a *ledgerActor) haltedErr() error {
	return fmt.Errorf("%w: %s", ledger.ErrHalted, a.haltReason)
}

func (a *ledgerActor) report(ctx actor.Context, status messages.HealthStatus, reason string) {
	h := &messages.ServiceHealth{Service: ServiceName, Status: status, Reason: reason}
	if a.health != nil && *a.health == *h {
		return
	}
	a.health = h
	if a.parent != nil {
		ctx.Send(a.parent, h)
	}
}

// respond sends an answer from any goroutine; a request sent without a
// sender is answered to no one.
func (a *ledgerActor) respond(to *actor.PID, msg any) {
	if to != nil {
		a.system.Root.Send(to, msg)
	}
}

func (a *ledgerActor) write(ctx actor.Context, op ledger.Op, sender *actor.PID) {
	switch a.phase {
	case halted:
		a.respond(sender, &messages.LedgerApplied{Err: a.haltedErr()})
	case checking:
		if len(a.stash) >= a.opts.MaxStashedWrites {
			a.respond(sender, &messages.LedgerApplied{Err: fmt.Errorf("%w: %d writes wait for the startup check", ledger.ErrBusy, len(a.stash))})
			return
		}
		a.stash = append(a.stash, stashedWrite{op: op, sender: sender})
	default:
		a.submit(op, sender, false)
	}
}

// submit hands op to the ledger's committer; the answer is sent from the
// committer once the op is durable, so the mailbox never waits on fsync.
func (a *ledgerActor) submit(op ledger.Op, sender *actor.PID, genesis bool) {
	owner, system, self := a, a.system, a.self
	err := a.l.Submit(op, func(ap ledger.Applied, err error) {
		if errors.Is(err, ledger.ErrHalted) {
			system.Root.Send(self, &haltNow{owner: owner, reason: err.Error()})
		}
		if genesis {
			system.Root.Send(self, &genesisDone{owner: owner, err: err})
			return
		}
		if sender != nil {
			system.Root.Send(sender, &messages.LedgerApplied{Applied: ap, Err: err})
		}
	})
	if err != nil {
		if genesis {
			a.genesisDone(err)
			return
		}
		a.respond(sender, &messages.LedgerApplied{Err: err})
	}
}

func (a *ledgerActor) genesisDone(err error) {
	switch {
	case err == nil:
		a.log.Info("play-money grant of this node's identity is in place", "identity", a.opts.Identity, "amount", a.opts.Money.PlayGrant)
	case errors.Is(err, ledger.ErrConflictingOp):
		a.log.Warn("this identity was granted a different initial balance before; keeping the first grant", "identity", a.opts.Identity, "err", err)
	default:
		a.log.Error("genesis grant failed", "identity", a.opts.Identity, "err", err)
	}
}

func (a *ledgerActor) shutdown() {
	a.stopSnapshots()
	if a.l == nil {
		return
	}
	if err := a.l.Close(); err != nil {
		a.log.Error("closing the ledger store", "err", err)
	}
	a.l = nil
}
