package supervisor

import (
	"context"
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkStartToRunningAndStop measures the supervisor's own share of a
// node's start and stop: five services started in order (each waiting for
// the previous one's health report), then stopped in reverse.
func BenchmarkStartToRunningAndStop(b *testing.B) {
	ctx := context.Background()
	sys := newSystem(b)
	for i := 0; b.Loop(); i++ {
		rec := &recorder{}
		root, err := Start(sys, Options{
			Children:   productionShape(rec, nil),
			Registerer: prometheus.NewRegistry(),
			Name:       "root" + strconv.Itoa(i),
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := root.WaitFor(ctx, Running); err != nil {
			b.Fatal(err)
		}
		if err := root.Stop(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHealth measures reading the report, as /health does per request.
func BenchmarkHealth(b *testing.B) {
	rec := &recorder{}
	root, err := Start(newSystem(b), Options{Children: productionShape(rec, nil)})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := root.WaitFor(ctx, Running); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = root.Stop(ctx) })
	for b.Loop() {
		if len(root.Health().Services) != 5 {
			b.Fatal("short report")
		}
	}
}
