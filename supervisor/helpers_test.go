package supervisor

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bitcraps/bitcraps/messages"
	"github.com/prometheus/client_golang/prometheus"
)

// waitLimit bounds every wait in these tests; reaching it is a failure.
const waitLimit = 15 * time.Second

var productionOrder = []string{"ledger", "transport", "mesh", "consensus", "games"}

func newSystem(t testing.TB) *actor.ActorSystem {
	t.Helper()
	return actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	})))
}

// recorder is where test services write what happened to them, in order.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// withPrefix keeps the events that start with prefix ("start:", "stop:").
func (r *recorder) withPrefix(prefix string) []string {
	var out []string
	for _, e := range r.list() {
		if strings.HasPrefix(e, prefix) {
			out = append(out, strings.TrimPrefix(e, prefix))
		}
	}
	return out
}

// testService is a real service actor: it records its lifecycle, reports
// its health to its parent after Started (unless silent), relays any
// *messages.ServiceHealth it is sent (so a test can make it report a
// change), and, with a gate, holds its Stopping until the gate is closed
// (to keep the root in Stopping or Initializing while a test looks).
type testService struct {
	name    string
	rec     *recorder
	initial messages.HealthStatus
	silent  bool
	gate    <-chan struct{}
}

func (s *testService) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		s.rec.add("start:" + s.name)
		if !s.silent {
			ctx.Send(ctx.Parent(), &messages.ServiceHealth{Service: s.name, Status: s.initial, Reason: "test service up"})
		}
	case *actor.Stopping:
		s.rec.add("stop:" + s.name)
		if s.gate != nil {
			<-s.gate
		}
	case *messages.ServiceHealth:
		ctx.Send(ctx.Parent(), msg)
	}
}

type serviceOption func(*ChildSpec, *testService)

func silent() serviceOption { return func(_ *ChildSpec, s *testService) { s.silent = true } }

func gated(g <-chan struct{}) serviceOption {
	return func(_ *ChildSpec, s *testService) { s.gate = g }
}

func budget(n int) serviceOption {
	return func(c *ChildSpec, _ *testService) { c.MaxRestarts = n }
}

func testSpec(name string, critical bool, rec *recorder, opts ...serviceOption) ChildSpec {
	spec := ChildSpec{Name: name, Critical: critical, MaxRestarts: 5, Within: time.Minute}
	for _, o := range opts {
		o(&spec, &testService{})
	}
	spec.Props = func() *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor {
			s := &testService{name: name, rec: rec}
			for _, o := range opts {
				o(&ChildSpec{}, s)
			}
			return s
		})
	}
	return spec
}

// productionShape is the five services in production order; the ledger is
// critical. extra options apply to the named service.
func productionShape(rec *recorder, extra map[string][]serviceOption) []ChildSpec {
	var out []ChildSpec
	for _, n := range productionOrder {
		out = append(out, testSpec(n, n == "ledger", rec, extra[n]...))
	}
	return out
}

// auditLog collects Audit calls.
type auditLog struct {
	mu     sync.Mutex
	kinds  []string
	detail []any
}

func (a *auditLog) hook(kind string, detail any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.kinds = append(a.kinds, kind)
	a.detail = append(a.detail, detail)
}

func (a *auditLog) services(kind string) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for i, k := range a.kinds {
		if k == kind {
			out = append(out, a.detail[i].(ServiceEvent).Service)
		}
	}
	return out
}

func (a *auditLog) count(kind string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, k := range a.kinds {
		if k == kind {
			n++
		}
	}
	return n
}

// syncBuffer is a log sink safe for the root's goroutine and the test's.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a started tree with everything a test inspects.
type fixture struct {
	t     *testing.T
	sys   *actor.ActorSystem
	root  *Root
	rec   *recorder
	reg   *prometheus.Registry
	audit *auditLog
	logs  *syncBuffer
}

func newFixture(t *testing.T, opts Options, rec *recorder) *fixture {
	t.Helper()
	f := &fixture{t: t, sys: newSystem(t), rec: rec, reg: prometheus.NewRegistry(), audit: &auditLog{}, logs: &syncBuffer{}}
	opts.Registerer = f.reg
	opts.Audit = f.audit.hook
	opts.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	root, err := Spawn(f.sys, opts)
	if err != nil {
		t.Fatalf("Spawn: %v", err)
	}
	f.root = root
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
		defer cancel()
		_ = root.Stop(ctx)
	})
	return f
}

func (f *fixture) start() {
	f.t.Helper()
	if err := f.root.RequestTransition(Initializing); err != nil {
		f.t.Fatalf("RequestTransition(Initializing): %v", err)
	}
	f.waitState(Running)
}

func (f *fixture) waitState(s AppState) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := f.root.WaitFor(ctx, s); err != nil {
		f.t.Fatalf("%v; health %+v; history %v", err, f.root.Health(), f.histString())
	}
}

// until waits for cond, re-checking after every change the root publishes
// and on a short tick (for what test services record, which the root does
// not publish), up to a deadline.
func (f *fixture) until(what string, cond func() bool) {
	f.t.Helper()
	deadline := time.After(waitLimit)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		f.root.mu.Lock()
		ch := f.root.changed
		f.root.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-deadline:
			f.t.Fatalf("timed out waiting for %s; health %+v; history %v", what, f.root.Health(), f.histString())
		}
	}
}

func (f *fixture) service(name string) ServiceReport {
	f.t.Helper()
	s, ok := f.root.Health().Service(name)
	if !ok {
		f.t.Fatalf("no service %q in health report", name)
	}
	return s
}

func (f *fixture) histString() string {
	var parts []string
	for _, tr := range f.root.History() {
		parts = append(parts, tr.From.String()+">"+tr.To.String())
	}
	return strings.Join(parts, " ")
}

// visited reports whether the history contains the transitions in order
// (not necessarily adjacent).
func (f *fixture) visited(steps ...string) bool {
	h := f.root.History()
	j := 0
	for _, tr := range h {
		if j < len(steps) && tr.From.String()+">"+tr.To.String() == steps[j] {
			j++
		}
	}
	return j == len(steps)
}

// metric reads one sample from the fixture's registry (a histogram gives
// its sample count).
func (f *fixture) metric(name string, labels map[string]string) float64 {
	f.t.Helper()
	mfs, err := f.reg.Gather()
	if err != nil {
		f.t.Fatalf("gather: %v", err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	samples:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, lp := range m.GetLabel() {
				got[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if got[k] != v {
					continue samples
				}
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Gauge != nil:
				return m.GetGauge().GetValue()
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	f.t.Fatalf("no sample %s%v", name, labels)
	return 0
}

func (f *fixture) stop() {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := f.root.Stop(ctx); err != nil {
		f.t.Fatalf("Stop: %v", err)
	}
}
