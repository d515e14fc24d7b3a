package supervisor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

func TestInvalidOptionsAreRefusedNamingTheInput(t *testing.T) {
	rec := &recorder{}
	good := func() ChildSpec { return testSpec("mesh", false, rec) }
	shared := actor.PropsFromProducer(func() actor.Actor { return &testService{} })
	cases := []struct {
		name   string
		mutate func(*Options)
		want   string
	}{
		{"empty name", func(o *Options) { o.Children[0].Name = "" }, "child 0"},
		{"slash in name", func(o *Options) { o.Children[0].Name = "a/b" }, `"a/b"`},
		{"duplicate", func(o *Options) { o.Children = append(o.Children, good()) }, "duplicate"},
		{"nil props", func(o *Options) { o.Children[0].Props = nil }, "Props is nil"},
		{"props returns nil", func(o *Options) { o.Children[0].Props = func() *actor.Props { return nil } }, "returned nil"},
		{"shared props", func(o *Options) { o.Children[0].Props = func() *actor.Props { return shared } }, "new *actor.Props"},
		{"negative budget", func(o *Options) { o.Children[0].MaxRestarts = -1 }, "MaxRestarts -1"},
		{"budget without window", func(o *Options) { o.Children[0].Within = 0 }, "Within"},
		{"negative timeout", func(o *Options) { o.StopTimeout = -time.Second }, "StopTimeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := Options{Children: []ChildSpec{good()}}
			c.mutate(&o)
			_, err := Spawn(newSystem(t), o)
			if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want ErrInvalidOptions mentioning %q", err, c.want)
			}
		})
	}
	if _, err := Spawn(nil, Options{}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("nil system: %v", err)
	}
}

func TestDefaultsFillZeroDurations(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.StartTimeout != defaultStartTimeout || o.StopTimeout != defaultStopTimeout || o.Backoff != defaultBackoff ||
		o.MaxBackoff != defaultMaxBackoff || o.RequestTimeout != defaultRequestTimeout || o.Name != "root" || o.Logger == nil {
		t.Fatalf("defaults not applied: %+v", o)
	}
	o, _ = Options{Backoff: time.Minute}.withDefaults()
	if o.MaxBackoff != time.Minute {
		t.Fatalf("MaxBackoff %s below Backoff %s", o.MaxBackoff, o.Backoff)
	}
}

// MaxRestarts 0 means the first failure stops the service: no restart.
func TestZeroBudgetStopsAtFirstFailure(t *testing.T) {
	rec := &recorder{}
	children := productionShape(rec, map[string][]serviceOption{"consensus": {budget(0)}})
	f := newFixture(t, Options{Children: children, FaultInjection: true, Backoff: time.Hour}, rec)
	f.start()
	if err := f.root.Inject("consensus"); err != nil {
		t.Fatal(err)
	}
	f.waitState(Degraded)
	s := f.service("consensus")
	if s.Restarts != 0 || !strings.Contains(s.Reason, "restart budget exhausted") || f.root.Child("consensus") != nil {
		t.Fatalf("consensus after one failure with budget 0: %+v, pid %v", s, f.root.Child("consensus"))
	}
}
