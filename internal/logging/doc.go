// Package logging builds the node's slog logger and holds the rules every
// line keeps, so that log tools can read it: each key once per line (`node`
// for this node, `peer` for a remote one, `service` once), `table` and
// `round` on lines about a table round, durations as strings ("1.5s", not
// integer nanoseconds), and no protoactor dead-letter chatter at INFO while
// the node shuts down (dead letters then are messages to actors already
// stopped, which is normal).
package logging
