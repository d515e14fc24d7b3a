package supervisor

import (
	"context"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/messages"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

// The names must pass Prometheus's own lint (what `promtool check metrics`
// runs) after a run that touched every metric.
func TestMetricsPassPromLint(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, Options{Children: productionShape(rec, nil), FaultInjection: true}, rec)
	f.start()
	if err := f.root.Inject("games"); err != nil {
		t.Fatal(err)
	}
	f.until("games restarted", func() bool { return f.service("games").Restarts == 1 })
	f.stop()

	mfs, err := f.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	want := map[string]bool{
		"bitcraps_app_startup_duration_seconds": false, "bitcraps_app_state": false,
		"bitcraps_state_transitions_total": false, "bitcraps_service_health": false,
		"bitcraps_actor_restarts_total": false, "bitcraps_messages_processed_total": false,
	}
	for _, mf := range mfs {
		if _, ok := want[mf.GetName()]; ok {
			want[mf.GetName()] = true
		}
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("metric %s not exported", name)
		}
	}
	if got := f.metric("bitcraps_messages_processed_total", map[string]string{"actor": "root"}); got == 0 {
		t.Error("the root's own messages are not counted")
	}
}

func TestNilMetricsIsANoOp(t *testing.T) {
	m, err := NewMetrics(nil)
	if m != nil || err != nil {
		t.Fatalf("NewMetrics(nil) = %v, %v", m, err)
	}
	m.initServices([]string{"x"})
	m.setState(Running)
	m.countTransition(Running, Degraded)
	m.observeStartup(0)
	m.setServiceHealth("x", messages.Healthy)
	m.countRestart("x")
	if m.processedCounter("x") != nil {
		t.Fatal("nil metrics gave a counter")
	}

	// A whole tree runs without a registerer.
	rec := &recorder{}
	root, err := Start(newSystem(t), Options{Children: productionShape(rec, nil)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := root.WaitFor(ctx, Running); err != nil {
		t.Fatal(err)
	}
	if err := root.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

// A failed registration leaves nothing of ours behind, so the caller can
// retry with another registry.
func TestNewMetricsRollsBackOnConflict(t *testing.T) {
	reg := prometheus.NewRegistry()
	squatter := prometheus.NewGauge(prometheus.GaugeOpts{Name: "bitcraps_service_health", Help: "someone else's"})
	reg.MustRegister(squatter)
	m, err := NewMetrics(reg)
	if m != nil || err == nil || !strings.Contains(err.Error(), "bitcraps_service_health") {
		t.Fatalf("NewMetrics over a conflicting name = %v, %v", m, err)
	}
	if _, err := Spawn(newSystem(t), Options{Registerer: reg}); err == nil {
		t.Fatal("Spawn with a conflicting registry succeeded")
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "bitcraps_service_health" {
			t.Errorf("%s stayed registered after the failure", mf.GetName())
		}
	}
}
