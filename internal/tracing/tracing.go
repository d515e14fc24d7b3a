package tracing

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// ErrBadEndpoint is an OTLP endpoint the exporter cannot use.
var ErrBadEndpoint = errors.New("bad OTLP endpoint")

// Name is the instrumentation scope of every bitcraps span.
const Name = "github.com/bitcraps/bitcraps"

// Tracer is bitcraps' tracer from the global provider: a no-op until Start
// installs an exporting one (or a test installs its own).
func Tracer() trace.Tracer { return otel.Tracer(Name) }

// Start installs an exporting tracer provider when endpoint (a URL such as
// http://collector:4318) or OTEL_EXPORTER_OTLP_ENDPOINT is set, and returns
// its shutdown (which flushes); with neither set it changes nothing and
// returns a no-op. node names this node on every span.
func Start(ctx context.Context, endpoint, version, node string) (func(context.Context) error, error) {
	var opts []otlptracehttp.Option
	switch {
	case endpoint != "":
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%w %q (--otlp-endpoint / BITCRAPS_OTLP_ENDPOINT): want http://HOST:PORT", ErrBadEndpoint, endpoint)
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/v1/traces" // a base URL, as OTEL_EXPORTER_OTLP_ENDPOINT is
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
	case os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" && os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "":
		return func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w %q (--otlp-endpoint / BITCRAPS_OTLP_ENDPOINT): %w", ErrBadEndpoint, endpoint, err)
	}
	res := resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName("bitcraps"), semconv.ServiceVersion(version), semconv.ServiceInstanceID(node))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

// RoundTrace is the trace ID of a table's round, the same on every node:
// the first 16 bytes of SHA-256("bitcraps round" ‖ table ‖ round).
func RoundTrace(table string, round uint64) trace.TraceID {
	h := sha256.New()
	h.Write([]byte("bitcraps round\x00"))
	h.Write([]byte(table))
	var r [8]byte
	binary.BigEndian.PutUint64(r[:], round)
	h.Write(r[:])
	var id trace.TraceID
	copy(id[:], h.Sum(nil))
	return id
}

// roundParent is the span context every node's spans of a round hang
// from: the round's trace, and a span ID derived like it (no node records
// that span; it is the round itself).
func roundParent(table string, round uint64) trace.SpanContext {
	tid := RoundTrace(table, round)
	var sid trace.SpanID
	copy(sid[:], tid[8:])
	sid[0] ^= 0xb1 // not the trace ID's own bytes
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true})
}

// Phase is one timed step of a round on this node.
type Phase struct {
	Name       string
	Start, End time.Time
}

// RecordRound records this node's span of a table's round (from its first
// step to its last) with one child span per phase, at the times they
// happened. Phases with a zero time are left out.
func RecordRound(node, table string, round uint64, phases []Phase) {
	var first, last time.Time
	for _, p := range phases {
		if p.Start.IsZero() || p.End.IsZero() {
			continue
		}
		if first.IsZero() || p.Start.Before(first) {
			first = p.Start
		}
		if p.End.After(last) {
			last = p.End
		}
	}
	if first.IsZero() {
		return
	}
	attrs := trace.WithAttributes(attribute.String("bitcraps.node", node), attribute.String("bitcraps.table", table),
		attribute.Int64("bitcraps.round", int64(round)))
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), roundParent(table, round))
	ctx, span := Tracer().Start(ctx, "round", trace.WithTimestamp(first), attrs)
	for _, p := range phases {
		if p.Start.IsZero() || p.End.IsZero() {
			continue
		}
		_, s := Tracer().Start(ctx, p.Name, trace.WithTimestamp(p.Start), attrs)
		s.End(trace.WithTimestamp(p.End))
	}
	span.End(trace.WithTimestamp(last))
}

// RecordPhase records one phase of a round on this node on its own (the
// settlement, timed by the table after the round's span has ended), in the
// round's trace.
func RecordPhase(node, table string, round uint64, p Phase) {
	if p.Start.IsZero() || p.End.IsZero() {
		return
	}
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), roundParent(table, round))
	_, s := Tracer().Start(ctx, p.Name, trace.WithTimestamp(p.Start), trace.WithAttributes(
		attribute.String("bitcraps.node", node), attribute.String("bitcraps.table", table), attribute.Int64("bitcraps.round", int64(round))))
	s.End(trace.WithTimestamp(p.End))
}
