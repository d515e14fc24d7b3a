package backup

import "time"

// NextDelay is how long a schedule waits before its next backup, given
// the newest backup already stored (zero when there is none): one interval
// after it, at once if that is past, and never more than one interval (a
// backup stamped in the future means a clock was wrong, not that the next
// one may wait longer). Pure.
func NextDelay(newest, now time.Time, interval time.Duration) time.Duration {
	if newest.IsZero() {
		return 0
	}
	return min(max(newest.Add(interval).Sub(now), 0), interval)
}

// NewestOfPeer is the creation time of peer's newest archive among objs
// (zero when there is none).
func NewestOfPeer(objs []Object, peer string) time.Time {
	var newest time.Time
	for _, o := range objs {
		if !OfPeer(o.Name, peer) {
			continue
		}
		if _, t, err := ParseName(o.Name); err == nil && t.After(newest) {
			newest = t
		}
	}
	return newest
}
