package mesh

import "time"

// seenCache remembers message IDs for a while so a flood that comes back
// round a loop, or arrives from two neighbours, is handled once. It is a ring
// of fixed capacity: when full the oldest ID is forgotten early (counted),
// which only risks handling a very late duplicate twice, never losing a
// message.
type seenCache struct {
	ttl     time.Duration
	ring    []seenEntry
	next    int
	entries map[string]time.Time
	evicted uint64
}

type seenEntry struct {
	id      string
	expires time.Time
}

func newSeenCache(capacity int, ttl time.Duration) *seenCache {
	return &seenCache{
		ttl:     ttl,
		ring:    make([]seenEntry, capacity),
		entries: make(map[string]time.Time, capacity),
	}
}

// Seen reports whether id was recorded and has not expired at now.
func (c *seenCache) Seen(id string, now time.Time) bool {
	exp, ok := c.entries[id]
	return ok && now.Before(exp)
}

// Record remembers id until now+ttl.
func (c *seenCache) Record(id string, now time.Time) {
	old := c.ring[c.next]
	if old.id != "" {
		if exp, ok := c.entries[old.id]; ok && exp.Equal(old.expires) {
			delete(c.entries, old.id)
			if now.Before(exp) {
				c.evicted++
			}
		}
	}
	exp := now.Add(c.ttl)
	c.ring[c.next] = seenEntry{id: id, expires: exp}
	c.next = (c.next + 1) % len(c.ring)
	c.entries[id] = exp
}

// Len is the number of IDs held (expired ones included until overwritten).
func (c *seenCache) Len() int { return len(c.entries) }
