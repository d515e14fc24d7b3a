package supervisor

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// assertRefuses checks, on the live root, that every transition the
// design forbids from state s is refused with ErrIllegalTransition and
// changes nothing: state, history and transition counter.
func assertRefuses(t *testing.T, f *fixture, s AppState) {
	t.Helper()
	if f.root.State() != s {
		t.Fatalf("root in %s, test expected %s", f.root.State(), s)
	}
	refused := 0
	for _, to := range append(AllStates(), AppState(99)) {
		if CanTransition(s, to) {
			continue
		}
		before := f.root.Health().Transitions
		err := f.root.RequestTransition(to)
		if !errors.Is(err, ErrIllegalTransition) {
			t.Fatalf("in %s, RequestTransition(%s) = %v, want ErrIllegalTransition", s, to, err)
		}
		if f.root.State() != s || f.root.Health().Transitions != before {
			t.Fatalf("refused %s -> %s still changed state to %s / counter %d -> %d", s, to, f.root.State(), before, f.root.Health().Transitions)
		}
		refused++
	}
	if refused == 0 {
		t.Fatalf("nothing to refuse in %s", s)
	}
}

func TestBehaviorUninitializedRefuses(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil)}, rec)
	f.until("root published", func() bool { return f.root.State() == Uninitialized })
	assertRefuses(t, f, Uninitialized)
	if len(rec.list()) != 0 {
		t.Fatalf("an Uninitialized root started services: %v", rec.list())
	}
	err := f.root.Stop(t.Context())
	if !errors.Is(err, ErrIllegalTransition) || f.root.State() != Uninitialized {
		t.Fatalf("Stop while Uninitialized: %v (state %s)", err, f.root.State())
	}
}

// A service that never reports holds the root in ServicesStarting; a stop
// then (a signal during start) must still stop what was started.
func TestBehaviorServicesStartingRefusesAndStopsOnSignal(t *testing.T) {
	rec := &recorder{}
	children := productionShape(rec, map[string][]serviceOption{"mesh": {silent()}})
	f := newFixture(t, Options{Children: children, StartTimeout: time.Hour}, rec)
	if err := f.root.RequestTransition(Initializing); err != nil {
		t.Fatal(err)
	}
	f.waitState(ServicesStarting)
	f.until("mesh started", func() bool { return f.root.Child("mesh") != nil && len(rec.withPrefix("start:")) == 3 })
	assertRefuses(t, f, ServicesStarting)
	if got := rec.withPrefix("start:"); !slices.Equal(got, productionOrder[:3]) {
		t.Fatalf("started %v while waiting on mesh, want %v", got, productionOrder[:3])
	}
	f.stop()
	if got := rec.withPrefix("stop:"); !slices.Equal(got, []string{"mesh", "transport", "ledger"}) {
		t.Fatalf("stops %v", got)
	}
	if !f.visited("ServicesStarting>Stopping", "Stopping>Stopped") {
		t.Fatalf("history %s", f.histString())
	}
}

func TestBehaviorRunningAndDegradedRefuse(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil)}, rec)
	f.start()
	assertRefuses(t, f, Running)
	f.root.system.Root.Send(f.root.Child("games"), &messages.ServiceHealth{Service: "games", Status: messages.Degraded, Reason: "test"})
	f.waitState(Degraded)
	assertRefuses(t, f, Degraded)
}

// A service whose Stopping is held by a gate keeps the root in Stopping.
func TestBehaviorStoppingRefuses(t *testing.T) {
	rec := &recorder{}
	gate := make(chan struct{})
	children := productionShape(rec, map[string][]serviceOption{"mesh": {gated(gate)}})
	f := newFixture(t, Options{Children: children}, rec)
	f.start()
	done := make(chan error, 1)
	go func() { done <- f.root.Stop(context.Background()) }()
	f.waitState(Stopping)
	f.until("mesh is stopping", func() bool { return slices.Contains(rec.withPrefix("stop:"), "mesh") })
	assertRefuses(t, f, Stopping)
	if got := rec.withPrefix("stop:"); !slices.Equal(got, []string{"games", "consensus", "mesh"}) {
		t.Fatalf("stops %v while mesh holds: the ones before it must wait", got)
	}
	close(gate)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Stop did not return after the gate opened")
	}
	if f.root.State() != Stopped {
		t.Fatalf("state %s after Stop", f.root.State())
	}
}

func TestBehaviorStoppedRefuses(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil), FaultInjection: true}, rec)
	f.start()
	if err := f.root.RequestTransition(Stopping); err != nil {
		t.Fatal(err)
	}
	f.waitState(Stopped)
	assertRefuses(t, f, Stopped)
	if err := f.root.Inject("ledger"); !errors.Is(err, ErrServiceNotRunning) {
		t.Fatalf("Inject while Stopped: %v", err)
	}
	f.root.system.Root.Send(f.root.PID(), &messages.ServiceHealth{Service: "ledger", Status: messages.Healthy})
	if err := f.root.RequestTransition(Running); !errors.Is(err, ErrIllegalTransition) {
		t.Fatalf("Stopped -> Running: %v", err)
	}
	if s := f.service("ledger"); s.Status != messages.Unavailable {
		t.Fatalf("a stopped service's report was recorded: %+v", s)
	}
}

func TestBehaviorErrorRefusesEverythingButInitializing(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil)}, rec)
	f.start()
	if err := f.root.EmergencyStop("test"); err != nil {
		t.Fatal(err)
	}
	assertRefuses(t, f, Error)
	for _, to := range AllStates() {
		if to != Initializing && CanTransition(Error, to) {
			t.Fatalf("Error -> %s is legal", to)
		}
	}
}

// While Error's stop sequence is held by a gate, a requested Initializing
// waits for every service to be gone; a stop requested meanwhile is
// honoured as soon as the start sequence would begin.
func TestBehaviorInitializingRefusesAndHonoursPendingStop(t *testing.T) {
	rec := &recorder{}
	gate := make(chan struct{})
	children := productionShape(rec, map[string][]serviceOption{"games": {gated(gate)}})
	f := newFixture(t, Options{Children: children}, rec)
	f.start()
	if err := f.root.EmergencyStop("test"); err != nil {
		t.Fatal(err)
	}
	if err := f.root.RequestTransition(Initializing); err != nil {
		t.Fatal(err)
	}
	if f.root.State() != Initializing {
		t.Fatalf("state %s: Initializing must wait while games is still stopping", f.root.State())
	}
	assertRefuses(t, f, Initializing)
	// The request half of Stop, so the gate opens only once the root holds
	// the stop as pending.
	if err := f.root.ask(&messages.SupervisorStop{}); err != nil {
		t.Fatalf("stop request in Initializing: %v", err)
	}
	if f.root.State() != Initializing {
		t.Fatalf("a pending stop changed the state to %s", f.root.State())
	}
	close(gate)
	f.waitState(Stopped)
	f.stop()
	if !f.visited("Error>Initializing", "Initializing>ServicesStarting", "ServicesStarting>Stopping", "Stopping>Stopped") {
		t.Fatalf("history %s", f.histString())
	}
	if got := rec.withPrefix("start:"); len(got) != len(productionOrder) {
		t.Fatalf("services started again despite the pending stop: %v", got)
	}
}
