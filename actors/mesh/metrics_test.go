package mesh

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

func TestMetricsPassPromlint(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.drop(DropDuplicate)
	m.route("delivered")
	m.join(true)
	m.reject("pow")
	m.disconnect("misbehaviour")
	m.evicted(1)
	m.setPeers(map[string]int{"alive": 1}, 0)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 8 {
		t.Fatalf("%d metric families, want 8", len(mfs))
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil || len(problems) != 0 {
		t.Fatalf("promlint: %v %+v", err, problems)
	}
}
