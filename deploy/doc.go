// Package deploy holds no code: it exists so that `go test ./deploy/` can keep
// the deployment artifacts beside it (Dockerfile, Kubernetes manifests,
// Prometheus rules, Grafana dashboard) true to the node they describe. The
// tests check every BITCRAPS_* name against the config package, resolve the
// manifests' environment into a real Config, start real nodes with it, hit
// every probe path, and look up every metric a rule or panel queries in the
// nodes' /metrics.
package deploy
