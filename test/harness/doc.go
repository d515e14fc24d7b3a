// Package harness starts real `bitcraps` processes for end-to-end tests:
// it builds the binary once, picks free loopback ports, waits for readiness
// by polling the node's own probes, and keeps each process's output so a
// failing test shows what the node said.
package harness
