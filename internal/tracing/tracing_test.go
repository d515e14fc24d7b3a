package tracing

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/bitcraps/bitcraps/internal/tracing/tracingtest"
)

// Two nodes recording the same round land in one trace, each with its own
// round span and phases under the round's shared parent; another round or
// table is another trace.
func TestRoundSpansOfTwoNodesShareTheRoundsTrace(t *testing.T) {
	rec := tracingtest.Record(t)
	t0 := time.Unix(1_800_000_000, 0)
	for _, node := range []string{"aaaa1111", "bbbb2222"} {
		RecordRound(node, "t1", 7, []Phase{{Name: "propose_to_lock", Start: t0, End: t0.Add(time.Millisecond)},
			{Name: "lock_to_reveals", Start: t0.Add(time.Millisecond), End: t0.Add(3 * time.Millisecond)}})
		RecordPhase(node, "t1", 7, Phase{Name: "certified_to_settled", Start: t0.Add(5 * time.Millisecond), End: t0.Add(6 * time.Millisecond)})
	}
	want := RoundTrace("t1", 7)
	spans := rec.Ended()
	if len(spans) != 8 {
		t.Fatalf("%d spans, want 2 nodes × (round + 2 phases + settlement)", len(spans))
	}
	parent := roundParent("t1", 7).SpanID()
	for _, s := range spans {
		if s.SpanContext().TraceID() != want {
			t.Errorf("span %s in trace %s, want %s", s.Name(), s.SpanContext().TraceID(), want)
		}
		if s.Name() == "round" && s.Parent().SpanID() != parent {
			t.Errorf("round span's parent %s, want the round's %s", s.Parent().SpanID(), parent)
		}
		if s.Name() == "round" && (!s.StartTime().Equal(t0) || !s.EndTime().Equal(t0.Add(3*time.Millisecond))) {
			t.Errorf("round span %s–%s, want the phases' extent", s.StartTime(), s.EndTime())
		}
	}
	if RoundTrace("t1", 8) == want || RoundTrace("t2", 7) == want {
		t.Fatal("another round or table shares the trace")
	}
}

// The HTTP middleware continues the caller's trace from traceparent.
func TestHTTPSpanContinuesTheCallersTrace(t *testing.T) {
	rec := tracingtest.Record(t)
	var seen string
	h := HTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = TraceID(r) }))
	req := httptest.NewRequest("POST", "/api/v1/tables", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("handler saw trace %q, want the caller's", seen)
	}
	if s := rec.Ended(); len(s) != 1 || s[0].Name() != "HTTP POST" || s[0].Parent().SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("spans %v: want one HTTP POST span under the caller's", s)
	}
}

func TestStartRefusesABadEndpointAndIsOffWithoutOne(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	prev := otel.GetTracerProvider()
	stop, err := Start(context.Background(), "", "test", "n")
	if err != nil || stop(context.Background()) != nil || otel.GetTracerProvider() != prev {
		t.Fatalf("no endpoint: err %v, provider changed %v", err, otel.GetTracerProvider() != prev)
	}
	for _, bad := range []string{"collector:4318", "ftp://x", "http://"} {
		if _, err := Start(context.Background(), bad, "test", "n"); !errors.Is(err, ErrBadEndpoint) {
			t.Errorf("endpoint %q: %v, want ErrBadEndpoint", bad, err)
		}
	}
}
