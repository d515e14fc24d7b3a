package supervisor

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
)

func TestStartsInOrderAndStopsInReverse(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil)}, rec)
	f.start()

	if got := rec.withPrefix("start:"); !slices.Equal(got, productionOrder) {
		t.Fatalf("start order %v, want %v", got, productionOrder)
	}
	if got := f.audit.services(AuditServiceStart); !slices.Equal(got, productionOrder) {
		t.Fatalf("audited starts %v, want %v", got, productionOrder)
	}
	if !f.visited("Uninitialized>Initializing", "Initializing>ServicesStarting", "ServicesStarting>Running") {
		t.Fatalf("history %s", f.histString())
	}
	rep := f.root.Health()
	for _, s := range rep.Services {
		if s.Status != messages.Healthy || s.Restarts != 0 || f.root.Child(s.Name) == nil {
			t.Fatalf("service after start: %+v (pid %v)", s, f.root.Child(s.Name))
		}
	}
	if got := f.root.Child("ledger").Id; got != "root/ledger" {
		t.Fatalf("ledger PID %q, want root/ledger", got)
	}

	f.stop()
	want := slices.Clone(productionOrder)
	slices.Reverse(want)
	if got := rec.withPrefix("stop:"); !slices.Equal(got, want) {
		t.Fatalf("stop order %v, want %v", got, want)
	}
	if got := f.audit.services(AuditServiceStop); !slices.Equal(got, want) {
		t.Fatalf("audited stops %v, want %v", got, want)
	}
	if f.root.State() != Stopped || !f.visited("Running>Stopping", "Stopping>Stopped") {
		t.Fatalf("state %s, history %s", f.root.State(), f.histString())
	}
	for _, n := range productionOrder {
		if f.root.Child(n) != nil {
			t.Fatalf("%s still has a PID after Stop", n)
		}
	}
	if err := f.root.Stop(t.Context()); err != nil {
		t.Fatalf("second Stop: %v", err)
	}

	// Every transition is counted, logged and audited.
	hist := f.root.History()
	if uint64(len(hist)) != f.root.Health().Transitions || f.audit.count(AuditTransition) != len(hist) {
		t.Fatalf("%d transitions in history, report says %d, audited %d", len(hist), f.root.Health().Transitions, f.audit.count(AuditTransition))
	}
	for _, tr := range hist {
		line := "from=" + tr.From.String() + " to=" + tr.To.String()
		if !strings.Contains(f.logs.String(), line) {
			t.Fatalf("transition %s not logged", line)
		}
		if got := f.metric("bitcraps_state_transitions_total", map[string]string{"from": tr.From.String(), "to": tr.To.String()}); got != 1 {
			t.Fatalf("transitions_total{%s} = %v, want 1", line, got)
		}
	}
	if f.metric("bitcraps_app_state", map[string]string{"state": "Stopped"}) != 1 ||
		f.metric("bitcraps_app_state", map[string]string{"state": "Running"}) != 0 {
		t.Fatal("bitcraps_app_state does not show Stopped alone")
	}
	if f.metric("bitcraps_app_startup_duration_seconds", nil) != 1 {
		t.Fatal("startup duration not observed once")
	}
	if f.metric("bitcraps_messages_processed_total", map[string]string{"actor": "games"}) < 2 {
		t.Fatal("messages to games not counted (at least Started and Stopping)")
	}
}

func TestPanicRestartsChildWithinBudget(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil), FaultInjection: true}, rec)
	var events sync.Map // protoactor's own supervision events still flow
	sub := f.sys.EventStream.Subscribe(func(evt any) {
		if e, ok := evt.(*actor.SupervisorEvent); ok {
			events.Store(e.Child.Id+"/"+e.Directive.String(), true)
		}
	})
	defer f.sys.EventStream.Unsubscribe(sub)
	f.start()
	before := f.root.Child("mesh")

	if err := f.root.Inject("mesh"); err != nil {
		t.Fatalf("Inject: %v", err)
	}
	f.until("mesh restarted and healthy again", func() bool {
		s := f.service("mesh")
		return s.Restarts == 1 && s.Status == messages.Healthy && len(rec.withPrefix("start:")) == 6
	})
	if got := rec.withPrefix("start:"); got[5] != "mesh" {
		t.Fatalf("starts %v: the sixth is not mesh", got)
	}
	if after := f.root.Child("mesh"); after == nil || after.Id != before.Id {
		t.Fatalf("mesh PID %v after restart, want the same %v (restart in place)", after, before)
	}
	if f.root.State() != Running || f.service("ledger").Restarts != 0 {
		t.Fatalf("state %s, ledger %+v: a restart of mesh touched more than mesh", f.root.State(), f.service("ledger"))
	}
	for _, n := range productionOrder {
		want := 0.0
		if n == "mesh" {
			want = 1
		}
		if got := f.metric("bitcraps_actor_restarts_total", map[string]string{"actor": n}); got != want {
			t.Fatalf("bitcraps_actor_restarts_total{actor=%q} = %v, want %v", n, got, want)
		}
	}
	if _, ok := events.Load("root/mesh/RestartDirective"); !ok {
		t.Fatal("no SupervisorEvent with RestartDirective for root/mesh on the event stream")
	}
	if f.audit.count(AuditServiceRestart) != 1 {
		t.Fatalf("%d restarts audited, want 1", f.audit.count(AuditServiceRestart))
	}
}

// A non-critical service that exhausts its budget is stopped, marked
// Unavailable, the node goes Degraded; after the back-off it is spawned
// again, reports Healthy, and the node returns to Running.
func TestNonCriticalBudgetExhaustedDegradesThenRecovers(t *testing.T) {
	rec := &recorder{}
	children := productionShape(rec, map[string][]serviceOption{"mesh": {budget(2)}})
	f := newFixture(t, Options{Children: children, FaultInjection: true, Backoff: 20 * time.Millisecond}, rec)
	f.start()

	for i := 1; i <= 2; i++ {
		if err := f.root.Inject("mesh"); err != nil {
			t.Fatalf("Inject %d: %v", i, err)
		}
		f.until("mesh restart", func() bool { return f.service("mesh").Restarts == i })
	}
	if err := f.root.Inject("mesh"); err != nil {
		t.Fatalf("Inject 3: %v", err)
	}
	f.until("Degraded then back to Running", func() bool {
		return f.visited("Running>Degraded", "Degraded>Running") && f.root.State() == Running
	})
	var degraded Transition
	for _, tr := range f.root.History() {
		if tr.To == Degraded {
			degraded = tr
		}
	}
	if !strings.Contains(degraded.Reason, "mesh") || !strings.Contains(degraded.Reason, "restart budget exhausted") {
		t.Fatalf("Degraded reason %q does not say mesh exhausted its budget", degraded.Reason)
	}
	mesh := f.service("mesh")
	if mesh.Status != messages.Healthy || mesh.Restarts != 3 {
		t.Fatalf("mesh %+v, want Healthy with 3 restarts (2 in place + 1 respawn)", mesh)
	}
	if got := rec.withPrefix("stop:"); !slices.Equal(got, []string{"mesh"}) {
		t.Fatalf("stops %v: only mesh should have stopped", got)
	}
	if got := f.metric("bitcraps_actor_restarts_total", map[string]string{"actor": "mesh"}); got != 3 {
		t.Fatalf("restarts_total{mesh} = %v, want 3", got)
	}
	if got := f.metric("bitcraps_service_health", map[string]string{"service": "mesh"}); got != float64(messages.Healthy) {
		t.Fatalf("service_health{mesh} = %v, want 0", got)
	}
}

// The ledger is critical: exhausting its budget puts the node in Error,
// every service is stopped in reverse order, and after the back-off the
// node re-initializes and starts everything again in order.
func TestCriticalBudgetExhaustedGoesToErrorAndRecovers(t *testing.T) {
	rec := &recorder{}
	children := productionShape(rec, map[string][]serviceOption{"ledger": {budget(1)}})
	f := newFixture(t, Options{Children: children, FaultInjection: true, Backoff: 20 * time.Millisecond}, rec)
	f.start()

	if err := f.root.Inject("ledger"); err != nil {
		t.Fatal(err)
	}
	f.until("ledger restart", func() bool { return f.service("ledger").Restarts == 1 })
	if err := f.root.Inject("ledger"); err != nil {
		t.Fatal(err)
	}
	f.until("Error, then recovery to Running", func() bool {
		return f.visited("Running>Error", "Error>Initializing", "Initializing>ServicesStarting", "ServicesStarting>Running") &&
			f.root.State() == Running
	})
	wantStops := []string{"ledger", "games", "consensus", "mesh", "transport"}
	if got := rec.withPrefix("stop:"); !slices.Equal(got, wantStops) {
		t.Fatalf("stops %v, want %v (ledger by its budget, then the rest in reverse)", got, wantStops)
	}
	starts := rec.withPrefix("start:")
	if len(starts) != 11 || !slices.Equal(starts[6:], productionOrder) {
		t.Fatalf("starts %v: want 5, the ledger's restart, then all 5 again in order", starts)
	}
	for _, tr := range f.root.History() {
		if tr.To == Error && !strings.Contains(tr.Reason, "critical service ledger") {
			t.Fatalf("Error reason %q does not name the ledger", tr.Reason)
		}
	}
	if got := f.service("ledger").Restarts; got != 2 {
		t.Fatalf("ledger restarts %d, want 2 (1 in place + 1 after recovery)", got)
	}
	if got := f.metric("bitcraps_state_transitions_total", map[string]string{"from": "Running", "to": "Error"}); got != 1 {
		t.Fatalf("Running->Error counted %v times", got)
	}
}

func TestCriticalServiceReportingCriticalPutsNodeInError(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil), Backoff: time.Hour}, rec)
	f.start()
	f.root.system.Root.Send(f.root.Child("ledger"), &messages.ServiceHealth{Service: "ledger", Status: messages.Critical, Reason: "disk full"})
	f.waitState(Error)
	f.until("every service stopped", func() bool { return len(rec.withPrefix("stop:")) == 5 })
	if rep := f.root.Health(); !strings.Contains(rep.Reason, "disk full") {
		t.Fatalf("Error reason %q does not carry the ledger's reason", rep.Reason)
	}
	// Error cannot become Stopped: Stop says so, after the services are gone.
	err := f.root.Stop(t.Context())
	if !errors.Is(err, ErrIllegalTransition) || f.root.State() != Error {
		t.Fatalf("Stop from Error: %v, state %s", err, f.root.State())
	}
	if err := f.root.RequestTransition(Initializing); !errors.Is(err, ErrRootStopped) {
		t.Fatalf("request after Stop: %v, want ErrRootStopped", err)
	}
}

func TestNonCriticalHealthChangesMoveRunningAndDegraded(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil)}, rec)
	f.start()
	mesh := f.root.Child("mesh")
	f.root.system.Root.Send(mesh, &messages.ServiceHealth{Service: "mesh", Status: messages.Critical, Reason: "no peers"})
	f.waitState(Degraded)
	if got := f.metric("bitcraps_service_health", map[string]string{"service": "mesh"}); got != float64(messages.Critical) {
		t.Fatalf("service_health{mesh} = %v, want 2", got)
	}
	f.root.system.Root.Send(mesh, &messages.ServiceHealth{Service: "mesh", Status: messages.Healthy})
	f.waitState(Running)
	// A report from a name the root does not supervise changes nothing.
	f.root.system.Root.Send(mesh, &messages.ServiceHealth{Service: "nobody", Status: messages.Critical})
	f.root.system.Root.Send(mesh, &messages.ServiceHealth{Service: "mesh", Status: messages.Degraded, Reason: "ble absent"})
	f.waitState(Degraded)
	if _, ok := f.root.Health().Service("nobody"); ok {
		t.Fatal("a report from an unknown service created a service")
	}
}

func TestEmergencyStopIsStickyUntilInitializingRequested(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil), Backoff: time.Millisecond}, rec)
	f.start()
	if err := f.root.EmergencyStop("operator pulled the plug"); err != nil {
		t.Fatal(err)
	}
	if f.root.State() != Error {
		t.Fatalf("state %s right after EmergencyStop", f.root.State())
	}
	f.until("every service stopped", func() bool {
		for _, n := range productionOrder {
			if f.root.Child(n) != nil {
				return false
			}
		}
		return true
	})
	want := slices.Clone(productionOrder)
	slices.Reverse(want)
	if got := rec.withPrefix("stop:"); !slices.Equal(got, want) {
		t.Fatalf("stops %v, want %v", got, want)
	}
	if f.audit.count(AuditEmergencyStop) != 1 {
		t.Fatal("emergency stop not audited")
	}
	// A second emergency stop in Error is accepted and changes nothing.
	n := len(f.root.History())
	if err := f.root.EmergencyStop("again"); err != nil || len(f.root.History()) != n {
		t.Fatalf("second EmergencyStop: %v, history grew from %d to %d", err, n, len(f.root.History()))
	}
	if err := f.root.RequestTransition(Initializing); err != nil {
		t.Fatal(err)
	}
	f.waitState(Running)
	if got := rec.withPrefix("start:"); !slices.Equal(got[5:], productionOrder) {
		t.Fatalf("restart after emergency: %v", got)
	}
}

func TestRootPanicRecoversThroughError(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil), FaultInjection: true, Backoff: time.Millisecond}, rec)
	f.start()
	f.root.system.Root.Send(f.root.PID(), &messages.InjectPanic{Reason: "root bug"})
	f.until("root restarted, Error, then Running", func() bool {
		return f.visited("Uninitialized>Error", "Error>Initializing", "ServicesStarting>Running") && f.root.State() == Running
	})
	if got := rec.withPrefix("start:"); !slices.Equal(got[5:], productionOrder) {
		t.Fatalf("starts after the root's panic: %v", got)
	}
	if got := f.service("games").Restarts; got != 1 {
		t.Fatalf("games restarts %d, want 1 (counts survive the root's restart)", got)
	}
}

func TestFaultInjectionOffByDefault(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil)}, rec)
	f.start()
	if err := f.root.Inject("mesh"); !errors.Is(err, ErrFaultInjectionDisabled) {
		t.Fatalf("Inject without FaultInjection: %v", err)
	}
	// Sent directly, the message reaches the child, which ignores it: the
	// report sent after it arrives with no restart in between.
	mesh := f.root.Child("mesh")
	f.root.system.Root.Send(mesh, &messages.InjectPanic{Reason: "should be ignored"})
	f.root.system.Root.Send(mesh, &messages.ServiceHealth{Service: "mesh", Status: messages.Degraded})
	f.waitState(Degraded)
	if got := f.service("mesh").Restarts; got != 0 {
		t.Fatalf("mesh restarted %d times with fault injection off", got)
	}
}

func TestInjectNamesUnknownAndStoppedServices(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil), FaultInjection: true}, rec)
	f.start()
	if err := f.root.Inject("dice"); !errors.Is(err, ErrUnknownService) || !strings.Contains(err.Error(), "dice") {
		t.Fatalf("Inject(dice): %v", err)
	}
	if err := f.root.RequestTransition(Stopping); err != nil {
		t.Fatal(err)
	}
	f.waitState(Stopped)
	if err := f.root.Inject("mesh"); !errors.Is(err, ErrServiceNotRunning) {
		t.Fatalf("Inject into stopped mesh: %v", err)
	}
}

func TestStartTimeoutMarksSilentServiceAndMovesOn(t *testing.T) {
	rec := &recorder{}
	children := productionShape(rec, map[string][]serviceOption{"mesh": {silent()}})
	f := newFixture(t, Options{Children: children, StartTimeout: 50 * time.Millisecond}, rec)
	if err := f.root.RequestTransition(Initializing); err != nil {
		t.Fatal(err)
	}
	f.until("Degraded after the start sequence", func() bool { return f.visited("ServicesStarting>Running", "Running>Degraded") })
	if got := rec.withPrefix("start:"); !slices.Equal(got, productionOrder) {
		t.Fatalf("starts %v", got)
	}
	if mesh := f.service("mesh"); mesh.Status != messages.Unavailable || !strings.Contains(mesh.Reason, "no health report") {
		t.Fatalf("silent mesh: %+v", mesh)
	}
}

// A critical service late in the order must not count as failing while the
// start sequence has not reached it yet (after a stop it is merely stopped).
func TestCriticalServiceLateInOrderRestartsCleanly(t *testing.T) {
	rec := &recorder{}
	children := productionShape(rec, nil)
	children[3].Critical = true // consensus
	f := newFixture(t, Options{Children: children}, rec)
	f.start()
	if err := f.root.EmergencyStop("test"); err != nil {
		t.Fatal(err)
	}
	f.until("every service stopped", func() bool { return len(rec.withPrefix("stop:")) == 5 })
	if err := f.root.RequestTransition(Initializing); err != nil {
		t.Fatal(err)
	}
	f.waitState(Running)
	toError := 0
	for _, tr := range f.root.History() {
		if tr.To == Error {
			toError++
		}
	}
	if toError != 1 {
		t.Fatalf("went back to Error while restarting: %s", f.histString())
	}
}

// A service stuck in its stop is given up on after StopTimeout so the ones
// started before it (the ledger last) still stop.
func TestStuckServiceDoesNotBlockTheRestOfTheStop(t *testing.T) {
	rec := &recorder{}
	gate := make(chan struct{})
	children := productionShape(rec, map[string][]serviceOption{"mesh": {gated(gate)}})
	f := newFixture(t, Options{Children: children, StopTimeout: 50 * time.Millisecond}, rec)
	f.start()
	if err := f.root.ask(&messages.SupervisorStop{}); err != nil {
		t.Fatal(err)
	}
	f.waitState(Stopped)
	want := []string{"games", "consensus", "mesh", "transport", "ledger"}
	if got := rec.withPrefix("stop:"); !slices.Equal(got, want) {
		t.Fatalf("stops %v, want %v", got, want)
	}
	if mesh := f.service("mesh"); mesh.Status != messages.Critical || !strings.Contains(mesh.Reason, "did not stop within") {
		t.Fatalf("stuck mesh reported as %+v", mesh)
	}
	if r := f.root.Health().Reason; !strings.Contains(r, "did not stop in time: mesh") {
		t.Fatalf("Stopped reason %q does not name mesh", r)
	}
	close(gate)
	f.until("mesh finally gone", func() bool { return f.root.Child("mesh") == nil })
	f.stop()
}
