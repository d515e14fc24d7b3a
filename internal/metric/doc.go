// Package metric is the one list of bitcraps' Prometheus series names and
// the one way a package registers its series.
//
// Each package keeps its own Metrics struct (CometBFT's shape: one per
// package, a nil value counts nothing), but takes every name from here, so a
// name is defined once and the checks that hold the names together can find
// them all: a fresh node exposes every name in Names with each labelled
// counter already at 0 for its known label values (internal/node), and every
// registered series has a writer that some code calls (writers_test.go).
package metric
