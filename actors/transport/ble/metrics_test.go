package ble

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

func TestMetricsPassPromlintAndShare(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, err1 := NewMetrics(reg)
	b, err2 := NewMetrics(reg) // a rebuilt service registers again
	if err1 != nil || err2 != nil {
		t.Fatalf("errors %v, %v", err1, err2)
	}
	a.record(FragmentCounts{Sent: 2, Lost: 1})
	b.record(FragmentCounts{Sent: 3})
	var none *Metrics
	none.record(FragmentCounts{Sent: 1}) // the no-op path
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil || len(problems) != 0 {
		t.Fatalf("promlint: %v %+v", err, problems)
	}
	for _, mf := range mfs {
		if mf.GetName() != "bitcraps_ble_fragments_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == "sent" && m.GetCounter().GetValue() != 5 {
				t.Fatalf("sent %v, want 5 across both handles", m.GetCounter().GetValue())
			}
		}
	}
}
