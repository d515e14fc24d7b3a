package node

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/bitcraps/bitcraps/internal/tracing"
)

// collector is an OTLP/HTTP trace endpoint: it decodes what the exporter
// posts to /v1/traces and keeps each span's name, trace and node.
type collector struct {
	mu    sync.Mutex
	spans []collected
}

type collected struct {
	name, trace, node string
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/traces" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want POST /v1/traces, protobuf", http.StatusNotFound)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	raw, err := io.ReadAll(body)
	var req coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(raw, &req)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	for _, rs := range req.GetResourceSpans() {
		node := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.instance.id" {
				node = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				c.spans = append(c.spans, collected{name: s.GetName(), trace: hex.EncodeToString(s.GetTraceId()), node: node})
			}
		}
	}
	c.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (c *collector) received() []collected {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.spans)
}

// A node with --otlp-endpoint sends its spans to a real OTLP/HTTP endpoint:
// a solo round's phases in the round's trace and the API requests that
// drove it, named by the node; stopping the node flushes them.
func TestNodeExportsSpansToAnOTLPEndpoint(t *testing.T) {
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	cfg := testConfig(t)
	cfg.OTLPEndpoint = srv.URL
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := Start(ctx, Options{Config: cfg, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	base := "http://" + n.HTTPAddr()
	var table struct{ ID string }
	table.ID = soloTable(t, base)
	betAndRoll(t, base, table.ID, "")
	waitFor(t, "round 1 settled", func() bool {
		var rounds []struct {
			Round int `json:"round"`
		}
		call(t, "GET", base+"/api/v1/tables/"+table.ID+"/rounds", "", "", &rounds)
		return len(rounds) == 1
	})
	var bal struct {
		Chips map[string]int64 `json:"chips"`
	}
	waitFor(t, "settlement in the ledger", func() bool {
		call(t, "GET", base+"/api/v1/balance", "", "", &bal)
		return bal.Chips[table.ID] != 100_000_000 // the field bet won or lost
	})
	want := hex.EncodeToString(func() []byte { id := tracing.RoundTrace(table.ID, 1); return id[:] }())
	// The settlement's span is recorded once the ledger answers the table;
	// the batch exporter sends within its 5 s interval.
	waitFor(t, "the settlement's span at the collector", func() bool {
		return slices.Contains(col.received(), collected{name: "certified_to_settled", trace: want, node: n.id.PeerID().Short()})
	})
	if err := n.Stop(context.Background()); err != nil { // flushes the exporter
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, s := range col.received() {
		if s.node != n.id.PeerID().Short() {
			t.Errorf("span %s from node %q, want %q", s.name, s.node, n.id.PeerID().Short())
		}
		if s.trace == want {
			got[s.name] = true
		}
		if s.name == "HTTP POST" {
			got["HTTP POST"] = true
		}
	}
	for _, name := range []string{"round", "propose_to_lock", "lock_to_reveals", "reveals_to_certified", "certified_to_settled", "HTTP POST"} {
		if !got[name] {
			t.Errorf("the collector got no %s span (of round 1's trace %s, or an API request): %v", name, want, col.received())
		}
	}
}
