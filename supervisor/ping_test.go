package supervisor

import (
	"errors"
	"testing"
	"time"
)

// The liveness ping is answered in every state the root passes through,
// Error and Stopped included, and a root actor that is gone answers
// ErrRootStopped rather than hanging past the timeout.
func TestPingIsAnsweredInEveryStateUntilTheRootIsGone(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil)}, rec)
	f.start()
	ping := func(state AppState) {
		t.Helper()
		if err := f.root.Ping(time.Second); err != nil {
			t.Fatalf("ping in %s: %v", state, err)
		}
	}
	ping(Running)
	if err := f.root.EmergencyStop("test"); err != nil {
		t.Fatal(err)
	}
	ping(Error)
	if err := f.root.RequestTransition(Initializing); err != nil {
		t.Fatal(err)
	}
	f.waitState(Running)
	ping(Running)
	if err := f.root.RequestTransition(Stopping); err != nil {
		t.Fatal(err)
	}
	f.waitState(Stopped)
	ping(Stopped)
	if err := f.root.system.Root.StopFuture(f.root.PID()).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := f.root.Ping(5 * time.Second); !errors.Is(err, ErrRootStopped) {
		t.Fatalf("ping of a stopped root actor: %v, want ErrRootStopped (not a timeout)", err)
	}
}
