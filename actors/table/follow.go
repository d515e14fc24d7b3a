package table

import (
	"errors"
	"time"
)

// errFollowerStalled: a followed table evicted for making no certified
// progress while another needed its slot.
var errFollowerStalled = errors.New("no certified round for FollowStallAfter while the follower slots are full")

// evictStalledFollower frees one follower slot for a new table: the
// followed table whose last certified round (or, before any, the start of
// following) is oldest, if that is past FollowStallAfter. Tables announced
// only to fill the slots never certify, so they go first; a real table
// that pauses is followed again by its next pushed certificate.
func (m *Manager) evictStalledFollower(now time.Time) bool {
	var oldest string
	var oldestAt time.Time
	for id, f := range m.followers {
		at := f.heardAt
		if at.IsZero() {
			at = f.followedAt
		}
		if oldest == "" || at.Before(oldestAt) {
			oldest, oldestAt = id, at
		}
	}
	if oldest == "" || now.Sub(oldestAt) < m.opts.FollowStallAfter {
		return false
	}
	delete(m.followers, oldest)
	m.opts.Metrics.follow("follower", errFollowerStalled)
	return true
}
