package supervisor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
)

// maxHistory bounds History: enough to see a crash loop's pattern, small
// enough to copy on every read.
const maxHistory = 256

// Root is the Go-side handle of the root supervisor actor, for the node
// and for tests. Its methods are safe for concurrent use: state is read from
// a snapshot the actor publishes, and commands are requests to the actor.
type Root struct {
	system  *actor.ActorSystem
	pid     *actor.PID
	opts    Options
	metrics *Metrics

	timerSeq     atomic.Uint64
	incarnations atomic.Int32

	mu      sync.Mutex
	report  Report
	pids    map[string]*actor.PID
	history []Transition
	changed chan struct{}
}

// Start spawns the root supervisor and begins the start sequence
// (Uninitialized → Initializing → ServicesStarting → Running). It returns
// without waiting: use WaitFor(ctx, Running).
func Start(system *actor.ActorSystem, opts Options) (*Root, error) {
	r, err := Spawn(system, opts)
	if err != nil {
		return nil, err
	}
	if err := r.RequestTransition(Initializing); err != nil {
		_ = system.Root.StopFuture(r.pid).Wait()
		return nil, fmt.Errorf("start root supervisor: %w", err)
	}
	return r, nil
}

// Spawn spawns the root supervisor and leaves it in Uninitialized until
// RequestTransition(Initializing). Start is Spawn plus that request.
func Spawn(system *actor.ActorSystem, opts Options) (*Root, error) {
	if system == nil {
		return nil, fmt.Errorf("%w: actor system is nil", ErrInvalidOptions)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := NewMetrics(opts.Registerer)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(opts.Children))
	for i, c := range opts.Children {
		names[i] = c.Name
	}
	m.initServices(names)
	m.setState(Uninitialized)
	r := &Root{system: system, opts: opts, metrics: m, changed: make(chan struct{})}
	r.report = Report{State: Uninitialized, Services: initialServices(opts.Children)}
	props := instrument(actor.PropsFromProducer(func() actor.Actor { return newRootActor(r) }),
		m.processedCounter(opts.Name), opts.FaultInjection)
	pid, err := system.Root.SpawnNamed(props, opts.Name)
	if err != nil {
		return nil, fmt.Errorf("spawn root supervisor %q: %w", opts.Name, err)
	}
	r.pid = pid
	return r, nil
}

// PID is the root actor's PID.
func (r *Root) PID() *actor.PID { return r.pid }

// State is the current application state.
func (r *Root) State() AppState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.report.State
}

// Health is the current report: state and every service's status.
func (r *Root) Health() Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := r.report
	rep.Services = slices.Clone(r.report.Services)
	return rep
}

// History returns the last transitions applied (at most 256), oldest first.
func (r *Root) History() []Transition {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.history)
}

// Child is the PID of the named service, or nil when it is not running.
func (r *Root) Child(name string) *actor.PID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pids[name]
}

// WaitFor blocks until the state is want or ctx ends. A state that is
// entered and left between two looks may be missed: use History to check
// that a passing state was visited.
func (r *Root) WaitFor(ctx context.Context, want AppState) error {
	return r.waitUntil(ctx, func(rep *Report, _ map[string]*actor.PID) bool { return rep.State == want },
		func() string { return fmt.Sprintf("wait for state %s (now %s)", want, r.State()) })
}

// RequestTransition asks the root to move to state to, running that
// state's entry action (Initializing starts services, Stopping stops them,
// Error stops them and stays in Error until Initializing is requested).
// An illegal transition returns an error wrapping ErrIllegalTransition and
// changes nothing.
func (r *Root) RequestTransition(to AppState) error {
	if !to.valid() {
		return fmt.Errorf("%w: requested %s", ErrIllegalTransition, to)
	}
	return r.ask(&messages.SupervisorTransition{To: to.String()})
}

// EmergencyStop moves the node to Error at once and stops every service in
// reverse start order. It returns when the root is in Error and the stop is
// under way; the node stays in Error (no automatic recovery) until
// RequestTransition(Initializing).
func (r *Root) EmergencyStop(reason string) error {
	return r.ask(&messages.SupervisorEmergencyStop{Reason: reason})
}

// Ping asks the root actor for an answer within timeout: nil means the
// actor system delivers messages and the root works through its mailbox.
// A stopped root answers ErrRootStopped.
func (r *Root) Ping(timeout time.Duration) error {
	res, err := r.system.Root.RequestFuture(r.pid, &messages.SupervisorPing{}, timeout).Result()
	switch {
	case errors.Is(err, actor.ErrDeadLetter):
		return ErrRootStopped
	case err != nil:
		return fmt.Errorf("ping root supervisor: %w", err)
	}
	if reply, ok := res.(*messages.SupervisorReply); ok {
		return reply.Err
	}
	return fmt.Errorf("ping root supervisor: unexpected answer %T", res)
}

// Inject makes the named service panic once (fault injection for tests).
// It fails with ErrFaultInjectionDisabled unless Options.FaultInjection.
func (r *Root) Inject(service string) error {
	if !r.opts.FaultInjection {
		return fmt.Errorf("inject into %q: %w", service, ErrFaultInjectionDisabled)
	}
	return r.ask(&messages.SupervisorInject{Service: service, Reason: "fault injection"})
}

// Stop stops every service in reverse start order, waits for Stopped, then
// stops the root actor itself. From Error the state cannot become Stopped:
// Stop then cancels any recovery, waits for the services to be gone, stops
// the root actor and returns an error wrapping ErrIllegalTransition.
// A service that did not stop within StopTimeout is skipped so the rest
// still stop (Health names it); the root actor then waits for it up to
// protoactor's 10 s stop future, and Stop returns that timeout as an error.
// Calling Stop again after it succeeded returns nil.
func (r *Root) Stop(ctx context.Context) error {
	err := r.ask(&messages.SupervisorStop{})
	switch {
	case errors.Is(err, ErrRootStopped) && r.State() == Stopped:
		return nil
	case errors.Is(err, ErrRootStopped):
		return err
	case err == nil:
		if werr := r.WaitFor(ctx, Stopped); werr != nil {
			return fmt.Errorf("stop: %w", werr)
		}
	default:
		if werr := r.waitNoChildren(ctx); werr != nil {
			return fmt.Errorf("stop from %s: %w (and %w)", r.State(), err, werr)
		}
	}
	if serr := r.system.Root.StopFuture(r.pid).Wait(); serr != nil {
		return fmt.Errorf("stop root actor: %w", serr)
	}
	if err != nil {
		return fmt.Errorf("stop from %s: %w", r.State(), err)
	}
	return nil
}

func (r *Root) waitNoChildren(ctx context.Context) error {
	return r.waitUntil(ctx, func(_ *Report, pids map[string]*actor.PID) bool { return len(pids) == 0 },
		func() string { return "wait for every service to stop" })
}

// waitUntil re-checks cond after every publish until it holds or ctx ends.
func (r *Root) waitUntil(ctx context.Context, cond func(*Report, map[string]*actor.PID) bool, what func() string) error {
	for {
		r.mu.Lock()
		ok, ch := cond(&r.report, r.pids), r.changed
		r.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what(), ctx.Err())
		}
	}
}

// ask sends a request to the root actor and returns its answer's error.
func (r *Root) ask(msg any) error {
	res, err := r.system.Root.RequestFuture(r.pid, msg, r.opts.RequestTimeout).Result()
	if errors.Is(err, actor.ErrDeadLetter) {
		return ErrRootStopped
	}
	if err != nil {
		return fmt.Errorf("ask root supervisor (%T): %w", msg, err)
	}
	switch reply := res.(type) {
	case *messages.SupervisorReply:
		return reply.Err
	}
	return fmt.Errorf("ask root supervisor (%T): unexpected answer %T", msg, res)
}

// publish is called by the root actor after every change it makes.
func (r *Root) publish(rep Report, pids map[string]*actor.PID, tr *Transition) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report = rep
	r.pids = pids
	if tr != nil {
		if len(r.history) == maxHistory {
			r.history = slices.Delete(r.history, 0, 1)
		}
		r.history = append(r.history, *tr)
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

// previous tells a new incarnation of the root what the last one published
// about a service, so restart counts survive a restart of the root.
func (r *Root) previous(name string) (restarts int, started bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, _ := r.report.Service(name)
	return s.Restarts, s.Restarts > 0 || r.pids[name] != nil
}

func initialServices(children []ChildSpec) []ServiceReport {
	out := make([]ServiceReport, len(children))
	for i, c := range children {
		out[i] = ServiceReport{Name: c.Name, Critical: c.Critical, Status: messages.Unavailable, Reason: reasonNotStarted}
	}
	return out
}
