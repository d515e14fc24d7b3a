package api

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimiter caps the server's connections. At the cap a new connection
// takes the slot of the one idle longest (a keep-alive between requests, or
// one that has not sent a whole request yet), so connections held open by
// an idle or slow client never lock out a real one; when every connection
// is busy with a request the new one is refused. Both are counted.
type connLimiter struct {
	net.Listener
	max     int
	metrics *Metrics
	mu      sync.Mutex
	conns   map[net.Conn]*connEntry
}

type connEntry struct {
	state http.ConnState
	since time.Time
}

func newConnLimiter(ln net.Listener, max int, m *Metrics) *connLimiter {
	return &connLimiter{Listener: ln, max: max, metrics: m, conns: map[net.Conn]*connEntry{}}
}

// Accept returns the next admitted connection.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		nc, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		c := errorConn{nc} // neterrors.go
		if l.admit(c) {
			return c, nil
		}
		c.Close()
	}
}

func (l *connLimiter) admit(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.conns) >= l.max {
		victim := l.longestIdle()
		if victim == nil {
			l.metrics.connRefused("busy")
			return false
		}
		delete(l.conns, victim)
		victim.Close()
		l.metrics.connRefused("evicted_idle")
	}
	l.conns[c] = &connEntry{state: http.StateNew, since: time.Now()}
	return true
}

// longestIdle is the connection waiting longest for a request, or nil.
func (l *connLimiter) longestIdle() net.Conn {
	var oldest net.Conn
	var since time.Time
	for c, e := range l.conns {
		if e.state != http.StateNew && e.state != http.StateIdle {
			continue
		}
		if oldest == nil || e.since.Before(since) {
			oldest, since = c, e.since
		}
	}
	return oldest
}

// track is the server's ConnState hook.
func (l *connLimiter) track(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
	default:
		if e, ok := l.conns[c]; ok {
			e.state, e.since = state, time.Now()
		}
	}
}

// open is the number of connections held now.
func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}
