package supervisor

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"
)

// ChildSpec declares one service of the root supervisor. The root spawns
// the specs in order and stops them in reverse order.
type ChildSpec struct {
	// Name is the actor name under the root (root/<Name>) and the service
	// name in health reports and metrics. It must match the Service field
	// of the child's *messages.ServiceHealth reports.
	Name string
	// Critical: the node cannot serve without it (the ledger). A critical
	// service that fails puts the node in Error instead of Degraded.
	Critical bool
	// Props returns a NEW *actor.Props on every call (the supervisor adds
	// its middleware to it), built with actor.PropsFromProducer.
	Props func() *actor.Props
	// MaxRestarts restarts are allowed within Within; one more failure
	// inside that window stops the child and marks it Unavailable.
	// 0 means the first failure stops it.
	MaxRestarts int
	// Within is the sliding window of the restart budget.
	Within time.Duration
}

// Options configures the root supervisor. Zero durations take the defaults
// below.
type Options struct {
	Children []ChildSpec
	// Logger receives one line per transition and supervision decision.
	// Nil discards.
	Logger *slog.Logger
	// Registerer receives the supervisor's metrics. Nil: no metrics.
	Registerer prometheus.Registerer
	// FaultInjection lets Inject make a child panic. Off unless a test or a
	// testing profile turns it on: users must not be able to crash services.
	FaultInjection bool
	// Audit, when set, is told about service starts, stops and restarts,
	// state transitions and emergency stops. It is called from the root
	// actor: it must not block.
	Audit func(kind string, detail any)

	// StartTimeout bounds how long the start sequence waits for a service's
	// first health report before marking it Unavailable and moving on.
	StartTimeout time.Duration
	// StopTimeout bounds how long a stop sequence waits for one service to
	// terminate before moving on, so one stuck service cannot keep the
	// ledger (stopped last) from closing.
	StopTimeout time.Duration
	// Backoff is the first delay before a stopped service is spawned again
	// (and before the node leaves an Error caused by a critical service);
	// it doubles with every consecutive failure up to MaxBackoff.
	Backoff time.Duration
	// MaxBackoff caps Backoff's doubling.
	MaxBackoff time.Duration
	// RequestTimeout bounds each request the Go-side handle makes to the
	// root actor.
	RequestTimeout time.Duration
	// Name is the root actor's name; children are Name/<child>.
	Name string
}

const (
	// The ledger opens pebble and may replay its WAL; 30 s covers a slow
	// disk while still catching a service that never reports.
	defaultStartTimeout = 30 * time.Second
	// Closing pebble flushes memtables; 10 s is ample on any disk, and the
	// process supervisor (systemd, Kubernetes) usually allows 30 s in total.
	defaultStopTimeout = 10 * time.Second
	// One second keeps a crash-looping service from spinning the CPU while
	// a transient failure recovers almost at once.
	defaultBackoff = time.Second
	// 30 s: a service that keeps failing is retried twice a minute, often
	// enough to recover quickly once its cause (disk, network) is fixed.
	defaultMaxBackoff = 30 * time.Second
	// The root answers requests from its mailbox without I/O; 5 s only
	// bounds a wedged root.
	defaultRequestTimeout = 5 * time.Second
	// "root" makes child PIDs read root/ledger, root/transport, ...
	defaultName = "root"
)

var (
	// ErrInvalidOptions: Start was given options it cannot run with.
	ErrInvalidOptions = errors.New("invalid supervisor options")
	// ErrUnknownService: no child has that name.
	ErrUnknownService = errors.New("unknown service")
	// ErrServiceNotRunning: the child exists but is not running now.
	ErrServiceNotRunning = errors.New("service not running")
	// ErrFaultInjectionDisabled: Inject was called without FaultInjection.
	ErrFaultInjectionDisabled = errors.New("fault injection disabled")
	// ErrInjectedPanic is the panic value of an injected fault.
	ErrInjectedPanic = errors.New("injected panic")
	// ErrRootStopped: the root actor is gone (after Stop).
	ErrRootStopped = errors.New("root supervisor stopped")
)

// withDefaults validates o and fills in zero durations.
func (o Options) withDefaults() (Options, error) {
	if err := validateChildren(o.Children); err != nil {
		return o, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"StartTimeout", &o.StartTimeout, defaultStartTimeout},
		{"StopTimeout", &o.StopTimeout, defaultStopTimeout},
		{"Backoff", &o.Backoff, defaultBackoff},
		{"MaxBackoff", &o.MaxBackoff, defaultMaxBackoff},
		{"RequestTimeout", &o.RequestTimeout, defaultRequestTimeout},
	}
	for _, d := range durations {
		if *d.v < 0 {
			return o, fmt.Errorf("%w: %s %s is negative", ErrInvalidOptions, d.name, *d.v)
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = o.Backoff
	}
	if o.Name == "" {
		o.Name = defaultName
	}
	return o, nil
}

func validateChildren(children []ChildSpec) error {
	seen := make(map[string]bool, len(children))
	for i, c := range children {
		where := fmt.Sprintf("child %d (%q)", i, c.Name)
		switch {
		case c.Name == "" || strings.Contains(c.Name, "/"):
			return fmt.Errorf("%w: %s: name must be non-empty and contain no '/'", ErrInvalidOptions, where)
		case seen[c.Name]:
			return fmt.Errorf("%w: %s: duplicate name", ErrInvalidOptions, where)
		case c.Props == nil:
			return fmt.Errorf("%w: %s: Props is nil", ErrInvalidOptions, where)
		case c.MaxRestarts < 0:
			return fmt.Errorf("%w: %s: MaxRestarts %d is negative", ErrInvalidOptions, where, c.MaxRestarts)
		case c.MaxRestarts > 0 && c.Within <= 0:
			return fmt.Errorf("%w: %s: Within %s must be positive when MaxRestarts > 0", ErrInvalidOptions, where, c.Within)
		}
		seen[c.Name] = true
		if err := checkFreshProps(c.Props); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidOptions, where, err)
		}
	}
	return nil
}

// checkFreshProps refuses a Props func that returns nil or one shared
// *actor.Props: the supervisor configures each result, and configuring a
// shared one would stack middleware and race.
func checkFreshProps(f func() *actor.Props) error {
	a, b := f(), f()
	if a == nil {
		return errors.New("the Props func returned nil")
	}
	if a == b {
		return errors.New("the Props func must return a new *actor.Props on every call")
	}
	return nil
}

// backoff is the delay before attempt n (1-based) of bringing something back.
func backoff(n int, first, max time.Duration) time.Duration {
	d := first
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}
