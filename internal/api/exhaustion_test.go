package api

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/messages"
)

// serveOnLoopback runs s on a real loopback listener until the test ends.
func serveOnLoopback(t *testing.T, s *Server) string {
	t.Helper()
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s.Addr()
}

// rawConn opens a TCP connection and sends text on it (a partial request,
// or nothing); it is closed when the test ends.
func rawConn(t *testing.T, addr, text string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, text); err != nil {
		t.Fatal(err)
	}
	return c
}

// closedByServer reads c until the server closes it, failing the test if
// the server still holds it after 10 s; it returns what the server sent.
func closedByServer(t *testing.T, c net.Conn, what string) string {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s: still open after 10 s (read %q)", what, got)
	}
	return string(got)
}

// realClient is a player's request on a fresh connection: it must be served.
func realClient(t *testing.T, addr string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/api/v1/tables")
	if err != nil {
		t.Fatalf("a real client was not served: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a real client got %d", resp.StatusCode)
	}
}

func eventuallyTrue(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not standing in for one
	}
}

const (
	keepAliveRequest = "GET /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
	slowBodyRequest  = "POST /api/v1/tables HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
)

// Idle keep-alive connections, bodies that never finish and connections
// that never send a request are all closed by the server, while a real
// client is served (issue 12, item 4).
func TestIdleSlowAndSilentConnectionsAreClosed(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	s := New(Options{Services: f.services()})
	s.limits.header, s.limits.body, s.limits.idle = 300*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
	addr := serveOnLoopback(t, s)
	const each = 16
	var idle, slow, silent []net.Conn
	for range each {
		idle = append(idle, rawConn(t, addr, keepAliveRequest))
		slow = append(slow, rawConn(t, addr, slowBodyRequest))
		silent = append(silent, rawConn(t, addr, ""))
	}
	realClient(t, addr)
	for i := range each {
		if got := closedByServer(t, idle[i], "idle keep-alive"); !strings.HasPrefix(got, "HTTP/1.1 200") {
			t.Fatalf("idle keep-alive: answered %q", got)
		}
		got := closedByServer(t, slow[i], "slow body")
		if !strings.HasPrefix(got, "HTTP/1.1 408") || !strings.Contains(got, `"code": "timeout"`) {
			t.Fatalf("slow body: answered %q, want 408 in the JSON error shape", got)
		}
		closedByServer(t, silent[i], "silent")
	}
	realClient(t, addr)
}

// At the connection cap a new connection takes the slot of the one idle
// longest, so a real client is served while idle connections hold every
// slot; when every slot is busy with a request the new one is refused.
// Both are counted (issue 12, item 4).
func TestConnectionCapMakesRoomForARealClient(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	reg := prometheus.NewRegistry()
	s := New(Options{Services: f.services(), Registerer: reg})
	const slots = 8
	s.limits.maxConns, s.limits.header, s.limits.body = slots, time.Minute, time.Minute
	addr := serveOnLoopback(t, s)
	var silent []net.Conn
	for i := range slots {
		silent = append(silent, rawConn(t, addr, ""))
		eventuallyTrue(t, "connection admitted", func() bool { return s.conns.open() == i+1 })
	}
	const clients = 3
	for range clients {
		realClient(t, addr)
		eventuallyTrue(t, "the client's connection closed", func() bool { return s.conns.open() == slots-1 })
		silent = append(silent, rawConn(t, addr, "")) // back to the cap
		eventuallyTrue(t, "connection admitted", func() bool { return s.conns.open() == slots })
	}
	if n := reasonCount(t, reg, "bitcraps_api_connections_refused_total", "evicted_idle"); n != clients {
		t.Fatalf("evicted %v idle connections for %d clients", n, clients)
	}
	for _, c := range silent[:clients] { // the longest idle went first
		closedByServer(t, c, "evicted idle connection")
	}

	var slow []net.Conn
	for range slots {
		slow = append(slow, rawConn(t, addr, slowBodyRequest))
	}
	eventuallyTrue(t, "every slot busy with a request", func() bool {
		s.conns.mu.Lock()
		defer s.conns.mu.Unlock()
		busy := 0
		for _, e := range s.conns.conns {
			if e.state == http.StateActive {
				busy++
			}
		}
		return busy == slots
	})
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get("http://" + addr + "/api/v1/tables"); err == nil {
		resp.Body.Close()
		t.Fatalf("a connection beyond %d busy ones was served (%d)", slots, resp.StatusCode)
	}
	if n := reasonCount(t, reg, "bitcraps_api_connections_refused_total", "busy"); n < 1 {
		t.Fatalf("refusal not counted")
	}
	for _, c := range slow {
		c.Close()
	}
	eventuallyTrue(t, "slots freed", func() bool { return s.conns.open() == 0 })
	realClient(t, addr)
}

// An event stream whose client does not read is dropped at the write
// deadline, one that delivers no event past the session timeout is ended
// (heartbeats do not count), and their slots serve a real client again
// (issue 12, item 4: 256 non-reading clients once held every slot).
func TestEventStreamsNotReadOrIdleAreDropped(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	reg := prometheus.NewRegistry()
	s := New(Options{Services: f.services(), Registerer: reg})
	s.streams = make(chan struct{}, 2)
	s.heartbeat = 20 * time.Millisecond
	s.limits.streamWrite, s.limits.streamIdle = 200*time.Millisecond, 500*time.Millisecond
	addr := serveOnLoopback(t, s)
	path := "/api/v1/tables/" + testTable + "/events"

	rawConn(t, addr, "GET "+path+" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") // never reads
	deaf := waitPID(t, f.subs, "the deaf stream's subscription")
	quiet, _, _ := openStream(t, "http://"+addr+path)
	quietPID := waitPID(t, f.subs, "the quiet stream's subscription")
	third, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	third.Body.Close()
	if third.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a third stream on two slots: %d", third.StatusCode)
	}

	blob := `{"blob":"` + strings.Repeat("x", 64<<10) + `"}`
	root := f.sys.Root
	deadline := time.Now().Add(30 * time.Second)
	var gone []string
	for sent := 0; !slices.Contains(gone, deaf.Id); sent++ {
		if sent > 100_000 || time.Now().After(deadline) {
			t.Fatalf("the deaf stream still open after %d events of 64 KiB", sent)
		}
		root.Send(deaf, &messages.TableEvent{TableID: testTable, Type: "flood", Data: []byte(blob)})
		select {
		case pid := <-f.unsubs:
			gone = append(gone, pid.Id)
		default:
		}
	}
	waitEnded(t, quiet, "the session timeout")
	for !slices.Contains(gone, quietPID.Id) {
		gone = append(gone, waitPID(t, f.unsubs, "the quiet stream's unsubscription").Id)
	}
	for reason, want := range map[string]float64{"write_failed": 1, "idle": 1} {
		if n := reasonCount(t, reg, "bitcraps_api_sse_streams_dropped_total", reason); n < want {
			t.Errorf("streams dropped for %s: %v", reason, n)
		}
	}

	events, resp, _ := openStream(t, "http://"+addr+path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a real client after the drops: %d", resp.StatusCode)
	}
	sub := waitPID(t, f.subs, "the real client's subscription")
	root.Send(sub, &messages.TableEvent{TableID: testTable, Type: messages.EventRoll, Data: []byte(`{"dice":[3,4]}`)})
	if ev := next(t, events); ev.event != messages.EventRoll {
		t.Fatalf("real client got %+v", ev)
	}
}

// reasonCount reads the counter of name with reason="reason" from reg.
func reasonCount(t *testing.T, reg *prometheus.Registry, name, reason string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if mf.GetName() == name && l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
