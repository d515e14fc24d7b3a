package ledger

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

func TestMetricsPassPromlint(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.op(KindGrant, "applied")
	m.commit(3, time.Millisecond)
	m.queueWasFull()
	m.verified(false, time.Second)
	m.Snapshot(nil)
	m.Snapshot(errors.New("disk full"))
	m.setHalted()
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

func TestMetricsSurviveReRegistrationAndNil(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, b := NewMetrics(reg), NewMetrics(reg) // a restarted actor builds them again
	a.op(KindGrant, "applied")
	b.op(KindGrant, "applied")
	if a.ops != b.ops || testutil.ToFloat64(a.ops.WithLabelValues("grant", "applied")) != 2 {
		t.Fatalf("re-registered metrics do not share series: grant applied %g", testutil.ToFloat64(a.ops.WithLabelValues("grant", "applied")))
	}
	var none *Metrics
	none.op(KindGrant, "applied")
	none.commit(1, time.Millisecond)
	none.Snapshot(nil)
}
