package table

import "time"

// The wait timeout of a table that does not fill (DESIGN.md, "Table
// lifecycle", Waiting) as a rule of its inputs alone: the host's table
// actor owns the timer and passes its clock in, so the rule is tested
// without one.

// waitLeft is how long a table created at createdAt may still wait for
// players at now: zero once timeout has passed. It is never more than
// timeout, so a host clock set back after the table was created cannot
// keep the table's money locked for longer.
func waitLeft(createdAt, now time.Time, timeout time.Duration) time.Duration {
	return min(timeout, max(0, createdAt.Add(timeout).Sub(now)))
}

// waitExpired says whether a waiting table created at createdAt is to be
// cancelled at now.
func waitExpired(createdAt, now time.Time, timeout time.Duration) bool {
	return waitLeft(createdAt, now, timeout) == 0
}
