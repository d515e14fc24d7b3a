package table

import (
	"testing"
	"time"
)

func TestWaitExpiry(t *testing.T) {
	created := time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)
	const timeout = 30 * time.Minute
	for _, c := range []struct {
		name    string
		now     time.Time
		left    time.Duration
		expired bool
	}{
		{"at creation", created, timeout, false},
		{"one second in", created.Add(time.Second), timeout - time.Second, false},
		{"a nanosecond before", created.Add(timeout - 1), 1, false},
		{"at the timeout", created.Add(timeout), 0, true},
		{"long after", created.Add(10 * time.Hour), 0, true},
		{"clock set back", created.Add(-time.Hour), timeout, false},
	} {
		if got := waitLeft(created, c.now, timeout); got != c.left {
			t.Errorf("%s: waitLeft %v, want %v", c.name, got, c.left)
		}
		if got := waitExpired(created, c.now, timeout); got != c.expired {
			t.Errorf("%s: waitExpired %v, want %v", c.name, got, c.expired)
		}
	}
}
