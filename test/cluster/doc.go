// Package cluster holds the script behind `make cluster` and
// `make cluster-stop` (cluster.sh: five node processes on loopback, joined,
// with their own ports, data and logs) and the test that runs both targets.
package cluster
