package supervisor

import (
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
)

// rootActor is the root supervisor. Its behavior is the application state
// machine: one receive method per state, switched with Become on every
// transition. It also implements actor.SupervisorStrategy, which protoactor
// consults before the props' strategy, so each child's failure is judged
// against that child's own restart budget (a props strategy has one budget
// for all children).
type rootActor struct {
	h        *Root
	log      *slog.Logger
	self     *actor.PID
	behavior actor.Behavior
	machine  *Machine
	services []*service
	reason   string

	// halted: Error was asked for (emergency stop, request, or Stop while in
	// Error), so no automatic recovery.
	halted bool
	// stopPending: a stop arrived during Initializing; honoured as soon as
	// ServicesStarting is entered.
	stopPending     bool
	startedAt       time.Time
	startIndex      int
	awaiting        int // service the start sequence waits on; -1: none
	stopQueue       []int
	stopReason      string
	stopCurrent     int // service the stop sequence waits on; -1: none
	recoverAttempts int
	timers          map[uint64]*pendingTimer
}

// service is the root's record of one child.
type service struct {
	spec     ChildSpec
	pid      *actor.PID // nil when not running
	status   messages.HealthStatus
	reason   string
	restarts int
	started  bool // spawned at least once: later spawns count as restarts
	reported bool // has reported health since its last spawn
	// exhausted: stopped by the supervisor for exceeding its budget, for
	// the reason in exhaustedReason (kept apart so nothing overwrites it
	// before the child is gone).
	exhausted       bool
	exhaustedReason string
	// wantStop: a stop sequence asked it to stop.
	wantStop bool
	// settled: status is an observation (a report, a failure, a timeout),
	// not the initial "starting" status given before its first report.
	settled bool
	// downs: consecutive times it went down without becoming Healthy in
	// between; drives the respawn back-off.
	downs int
}

const (
	reasonNotStarted = "not started"
	reasonAwaiting   = "started; waiting for its first health report"
)

func newRootActor(h *Root) *rootActor {
	h.incarnations.Add(1)
	a := &rootActor{
		h:           h,
		log:         h.opts.Logger.With(slog.String("actor", h.opts.Name)),
		behavior:    actor.NewBehavior(),
		machine:     NewMachine(),
		awaiting:    -1,
		stopCurrent: -1,
		timers:      make(map[uint64]*pendingTimer),
	}
	for _, c := range h.opts.Children {
		restarts, started := h.previous(c.Name)
		a.services = append(a.services, &service{
			spec: c, status: messages.Unavailable, reason: reasonNotStarted, restarts: restarts, started: started,
		})
	}
	a.behavior.Become(a.receiveUninitialized)
	return a
}

// Receive delegates to the current state's receive method.
func (a *rootActor) Receive(ctx actor.Context) { a.behavior.Receive(ctx) }

func (a *rootActor) receiverFor(s AppState) actor.ReceiveFunc {
	switch s {
	case Initializing:
		return a.receiveInitializing
	case ServicesStarting:
		return a.receiveServicesStarting
	case Running:
		return a.receiveRunning
	case Degraded:
		return a.receiveDegraded
	case Stopping:
		return a.receiveStopping
	case Stopped:
		return a.receiveStopped
	case Error:
		return a.receiveError
	}
	return a.receiveUninitialized
}

// transition applies a legal transition: behavior, metrics, log, audit,
// snapshot, then the new state's entry action. Illegal: error, no change.
func (a *rootActor) transition(ctx actor.Context, to AppState, reason string) error {
	from := a.machine.State()
	if err := a.machine.Transition(to); err != nil {
		a.log.Debug("transition refused", slog.String("from", from.String()), slog.String("to", to.String()), slog.String("reason", reason))
		return err
	}
	a.behavior.Become(a.receiverFor(to))
	a.reason = reason
	tr := Transition{From: from, To: to, Reason: reason, At: time.Now()}
	a.h.metrics.countTransition(from, to)
	a.h.metrics.setState(to)
	a.log.Info("app state transition", slog.String("from", from.String()), slog.String("to", to.String()),
		slog.String("reason", reason), slog.Uint64("transitions", a.machine.Transitions()))
	a.audit(AuditTransition, tr)
	a.publish(&tr)
	a.enter(ctx, from, to)
	return nil
}

// enter runs the entry action of state to.
func (a *rootActor) enter(ctx actor.Context, from, to AppState) {
	switch to {
	case Initializing:
		a.enterInitializing(ctx)
	case ServicesStarting:
		a.enterServicesStarting(ctx)
	case Running, Degraded:
		if from == ServicesStarting {
			a.h.metrics.observeStartup(time.Since(a.startedAt))
			a.recoverAttempts = 0
		}
		a.ensureRespawns()
	case Stopping:
		a.stopPending = false
		a.awaiting = -1
		a.cancelTimers(messages.TimerStartTimeout, messages.TimerRespawn, messages.TimerRecover)
		a.beginStopAll(ctx, "stopped: node stopping")
		a.finishStoppingIfDone(ctx)
	case Stopped:
		a.cancelTimers(messages.TimerStartTimeout, messages.TimerRespawn, messages.TimerRecover)
	case Error:
		a.awaiting = -1
		a.cancelTimers(messages.TimerStartTimeout, messages.TimerRespawn, messages.TimerRecover)
		a.beginStopAll(ctx, "stopped: node in Error")
		a.maybeScheduleRecovery()
	}
}

func (a *rootActor) enterInitializing(ctx actor.Context) {
	a.halted = false
	a.startedAt = time.Now()
	a.cancelTimers(messages.TimerStartTimeout, messages.TimerRespawn, messages.TimerRecover)
	// What happened before this start sequence is history: a service is
	// judged again once the sequence has started it.
	for _, s := range a.services {
		if s.pid == nil {
			a.setStatus(s, messages.Unavailable, reasonNotStarted, false)
		}
	}
	if a.stopCurrent < 0 && a.anyAlive() {
		a.beginStopAll(ctx, "stopped: node re-initializing")
	}
	a.startIfClear(ctx)
}

// startIfClear leaves Initializing once no child is left: a re-spawned child
// needs its name free.
func (a *rootActor) startIfClear(ctx actor.Context) {
	if !a.anyAlive() {
		_ = a.transition(ctx, ServicesStarting, "no service running; starting services in order")
	}
}

func (a *rootActor) enterServicesStarting(ctx actor.Context) {
	if a.stopPending {
		_ = a.transition(ctx, Stopping, "stop requested during Initializing")
		return
	}
	a.startIndex = 0
	a.awaiting = -1
	a.startNext(ctx)
}

func (a *rootActor) audit(kind string, detail any) {
	if a.h.opts.Audit != nil {
		a.h.opts.Audit(kind, detail)
	}
}

// publish hands an immutable snapshot to the Go-side handle.
func (a *rootActor) publish(tr *Transition) {
	rep := Report{State: a.machine.State(), Reason: a.reason, Transitions: a.machine.Transitions(),
		Services: make([]ServiceReport, len(a.services))}
	pids := make(map[string]*actor.PID, len(a.services))
	for i, s := range a.services {
		rep.Services[i] = ServiceReport{Name: s.spec.Name, Critical: s.spec.Critical, Status: s.status, Reason: s.reason, Restarts: s.restarts}
		if s.pid != nil {
			pids[s.spec.Name] = s.pid
		}
	}
	a.h.publish(rep, pids, tr)
}

func (a *rootActor) reply(ctx actor.Context, err error) {
	if ctx.Sender() != nil {
		ctx.Respond(&messages.SupervisorReply{Err: err})
	}
}
