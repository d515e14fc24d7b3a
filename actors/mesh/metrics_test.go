package mesh

import (
	"testing"
	"time"

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
	m.probed(3 * time.Millisecond)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 9 {
		t.Fatalf("%d metric families, want 9", len(mfs))
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil || len(problems) != 0 {
		t.Fatalf("promlint: %v %+v", err, problems)
	}
}
