package mesh

import "time"

// seenCache remembers message IDs for a while so a flood that comes back
// round a loop, or arrives from two neighbours, is handled once. It is a ring
// of fixed capacity: when full the oldest ID is forgotten early (counted),
// which only risks handling a very late duplicate twice, never losing a
// message.
type seenCache struct {
	ttl      time.Duration
	capacity int
	// ring grows up to capacity as IDs arrive (an idle node holds
	// nothing), then wraps, overwriting the oldest.
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
	return &seenCache{ttl: ttl, capacity: capacity, entries: make(map[string]time.Time)}
}

// Seen reports whether id was recorded and has not expired at now.
func (c *seenCache) Seen(id string, now time.Time) bool {
	exp, ok := c.entries[id]
	return ok && now.Before(exp)
}

// Record remembers id until now+ttl.
func (c *seenCache) Record(id string, now time.Time) {
	exp := now.Add(c.ttl)
	if len(c.ring) < c.capacity {
		c.ring = append(c.ring, seenEntry{id: id, expires: exp})
		c.entries[id] = exp
		return
	}
	old := c.ring[c.next]
	if cur, ok := c.entries[old.id]; ok && cur.Equal(old.expires) {
		delete(c.entries, old.id)
		if now.Before(cur) {
			c.evicted++
		}
	}
	c.ring[c.next] = seenEntry{id: id, expires: exp}
	c.next = (c.next + 1) % c.capacity
	c.entries[id] = exp
}

// Len is the number of IDs held (expired ones included until overwritten).
func (c *seenCache) Len() int { return len(c.entries) }
