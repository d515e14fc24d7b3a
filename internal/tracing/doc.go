// Package tracing sends OpenTelemetry spans of table rounds and API
// requests to an OTLP/HTTP collector, off unless an endpoint is configured
// (--otlp-endpoint / BITCRAPS_OTLP_ENDPOINT, or the standard
// OTEL_EXPORTER_OTLP_ENDPOINT).
//
// A round is one trace on every node that plays it: its trace ID is derived
// from the table and the round number (RoundTrace), so the spans each node
// records for its phases join without any field on the wire, and a round
// replayed or caught up later lands in the same trace. Each node's spans
// name it (service.instance.id and the attribute bitcraps.node).
package tracing
