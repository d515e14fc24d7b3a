package api

import (
	"io"
	"net/http"
	"time"
)

// limits bound what one client can hold of the node: connections, time
// and event streams. Every value has its reason in defaultLimits; tests
// shrink them between New and Serve.
type limits struct {
	header, body, idle, write time.Duration
	// streamWrite bounds one write to an event stream: a client that does
	// not read is dropped when its socket buffers are full this long.
	streamWrite time.Duration
	// streamIdle ends a stream that delivered no event for this long (its
	// heartbeats do not count): the player's session is over, and a live
	// page reconnects by itself.
	streamIdle time.Duration
	maxConns   int
}

func defaultLimits(streamIdle time.Duration) limits {
	if streamIdle <= 0 {
		streamIdle = defaultStreamIdle
	}
	return limits{
		// Five seconds for the headers: a real client sends them in one
		// packet; a slowloris client is cut off early.
		header: 5 * time.Second,
		// Fifteen seconds for a body of at most 64 KiB: 35 kbit/s, slower
		// than any real link, so only a stalling client meets it.
		body: 15 * time.Second,
		// A minute of keep-alive: the page polls every few seconds and keeps
		// its connection; an abandoned one is closed.
		idle: time.Minute,
		// Two minutes to answer: above the 30 s LongTimeout of create, join
		// and verify, and of an export's write to a slow reader.
		write: 2 * time.Minute,
		// Ten seconds per stream write: several heartbeats' worth; a reader
		// that stalls longer is gone or hostile.
		streamWrite: 10 * time.Second,
		streamIdle:  streamIdle,
		// 512 connections: two per event stream slot, and room below the
		// usual 1,024 open files for the mesh (128), gossip and pebble.
		maxConns: 512,
	}
}

// defaultStreamIdle is the server profile's session timeout, for servers
// built without one.
const defaultStreamIdle = 30 * time.Minute

// withDeadlines gives every response a write deadline and every request
// body a read deadline, lifted once the body has arrived so a handler that
// takes its time is not cut off. Event streams replace the write deadline
// with one per write.
func (s *Server) withDeadlines(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Now().Add(s.limits.write))
		if r.ContentLength != 0 {
			_ = rc.SetReadDeadline(time.Now().Add(s.limits.body))
			r.Body = &bodyDeadline{ReadCloser: r.Body, rc: rc}
		}
		next.ServeHTTP(w, r)
	})
}

// bodyDeadline lifts the read deadline at the body's end.
type bodyDeadline struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *bodyDeadline) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
