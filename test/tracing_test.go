package test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/bitcraps/bitcraps/internal/metric"
	"github.com/bitcraps/bitcraps/internal/tracing"
	"github.com/bitcraps/bitcraps/internal/tracing/tracingtest"
)

// A real round between two nodes: each player records its own round span
// and one span per phase, settlement included, and all of them are in the
// round's one trace.
func TestEveryPlayersSpansOfARoundShareItsTrace(t *testing.T) {
	rec := tracingtest.Record(t)
	nodes := startCluster(t, 2)
	v := openTable(t, nodes)
	seed := uint64(time.Now().UnixNano())
	playRound(t, nodes, v.ID, 1, rand.New(rand.NewPCG(seed, 5)), seed)
	trace := tracing.RoundTrace(v.ID, 1)
	phases := []string{metric.PhaseProposeToLock, metric.PhaseLockToReveals, metric.PhaseRevealsToCertified, metric.PhaseCertifiedToSettled}
	eventually(t, 10*time.Second, "both players' spans of round 1", func() (bool, string) {
		byNode := map[string][]string{}
		for _, s := range rec.Ended() {
			if attr(s, "bitcraps.table") != v.ID || attr(s, "bitcraps.round") != "1" {
				continue
			}
			if s.SpanContext().TraceID() != trace {
				t.Fatalf("seed %d: span %s of node %s in trace %s, want the round's %s", seed, s.Name(), attr(s, "bitcraps.node"), s.SpanContext().TraceID(), trace)
			}
			byNode[attr(s, "bitcraps.node")] = append(byNode[attr(s, "bitcraps.node")], s.Name())
		}
		if len(byNode) != 2 {
			return false, fmt.Sprintf("spans from %d nodes: %v", len(byNode), byNode)
		}
		for node, names := range byNode {
			for _, want := range append([]string{"round"}, phases...) {
				if !slices.Contains(names, want) {
					return false, fmt.Sprintf("node %s has %v, no %s yet", node, names, want)
				}
			}
		}
		return true, ""
	})
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if kv.Key == attribute.Key(key) {
			return kv.Value.String()
		}
	}
	return ""
}
