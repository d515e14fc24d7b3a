package transport_test

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

const (
	testDifficulty = 8
	waitLimit      = 10 * time.Second
)

func newSystem(t *testing.T) *actor.ActorSystem {
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
		func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) })))
}

func seeded(t *testing.T, seed uint64) io.Reader {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("random seed: %d", seed)
		}
	})
	var s [32]byte
	s[0] = byte(seed)
	return rand.NewChaCha8(s)
}

func newIdentity(t *testing.T, r io.Reader) *identity.Identity {
	t.Helper()
	id, err := identity.Generate(r, testDifficulty)
	if err != nil {
		t.Fatalf("identity.Generate: %v", err)
	}
	return id
}

// inbox is an actor that passes whatever it receives to a channel; it
// stands for the root supervisor (as the transport's parent) and for the
// mesh (as subscriber).
type inbox struct {
	ch    chan any
	child func() *actor.Props // spawned as "transport" when set
}

func (b *inbox) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started:
		if b.child != nil {
			if _, err := ctx.SpawnNamed(b.child(), "transport"); err != nil {
				panic(err)
			}
		}
		return
	case *actor.Stopping, *actor.Stopped, *actor.Restarting, *actor.Terminated:
		return
	}
	select {
	case b.ch <- ctx.Message():
	default:
		panic("test inbox overflow")
	}
}

func spawnInbox(t *testing.T, sys *actor.ActorSystem, child func() *actor.Props) (*actor.PID, chan any) {
	t.Helper()
	ch := make(chan any, 1024)
	pid := sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &inbox{ch: ch, child: child} }))
	t.Cleanup(func() { _ = sys.Root.StopFuture(pid).Wait() })
	return pid, ch
}

// waitFor returns the first message on ch that pred accepts.
func waitFor[T any](t *testing.T, ch chan any, pred func(T) bool) T {
	t.Helper()
	deadline := time.After(waitLimit)
	for {
		select {
		case m := <-ch:
			if v, ok := m.(T); ok && pred(v) {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T within %v", zero, waitLimit)
			return zero
		}
	}
}

func health(t *testing.T, ch chan any) *messages.ServiceHealth {
	t.Helper()
	return waitFor(t, ch, func(*messages.ServiceHealth) bool { return true })
}

// fakeBLE stands in for actors/transport/ble, which another package
// provides: it reports the health it is given, records what it is asked to
// send, and on a *bleUp tells its parent a peer connected over BLE.
type fakeBLE struct {
	status messages.HealthStatus
	reason string
	sent   chan any
}

type (
	bleUp   struct{ peer string }
	bleBoom struct{}
)

func (f *fakeBLE) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		ctx.Send(ctx.Parent(), &messages.ServiceHealth{Service: messages.TransportBLE, Status: f.status, Reason: f.reason})
	case *bleUp:
		ctx.Send(ctx.Parent(), &messages.PeerConnected{Peer: m.peer, Transport: messages.TransportBLE})
	case *bleBoom:
		panic("fake ble crash")
	case *messages.SendEnvelope:
		f.sent <- m
	}
}

func fakeBLEProps(status messages.HealthStatus, reason string, sent chan any) func() *actor.Props {
	return func() *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor { return &fakeBLE{status: status, reason: reason, sent: sent} })
	}
}
