package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/messages"
)

// sseEvent is one parsed server-sent event (or comment).
type sseEvent struct {
	id, event, data, comment string
}

// openStream opens the table's event stream and parses it on a goroutine;
// the returned cancel ends the request (the client going away).
func openStream(t *testing.T, url string) (<-chan sseEvent, *http.Response, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	out := make(chan sseEvent, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				out <- ev
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ev.comment = strings.TrimSpace(line[1:])
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.event = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	t.Cleanup(cancel)
	return out, resp, cancel
}

// next waits for the next event that is not a comment.
func next(t *testing.T, events <-chan sseEvent) sseEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("stream ended")
			}
			if ev.event != "" {
				return ev
			}
		case <-deadline:
			t.Fatal("no event within 10s")
		}
	}
}

func waitPID(t *testing.T, ch <-chan *actor.PID, what string) *actor.PID {
	t.Helper()
	select {
	case pid := <-ch:
		return pid
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10s", what)
		return nil
	}
}

// waitEnded waits for the parsed stream to close.
func waitEnded(t *testing.T, events <-chan sseEvent, why string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("stream still open 10s after %s", why)
		}
	}
}

func TestEventStreamDeliversTableEvents(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	_, ts := newFakeServer(t, f, "")
	events, resp, _ := openStream(t, ts.URL+"/api/v1/tables/"+testTable+"/events")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream answered %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sub := waitPID(t, f.subs, "subscription")
	roll := &messages.TableEvent{TableID: testTable, Type: messages.EventRoll,
		Data: json.RawMessage("{\n  \"round\": 3,\n  \"dice\": [2, 5]\n}")}
	f.sys.Root.Send(sub, roll)
	f.sys.Root.Send(sub, &messages.TableEvent{TableID: testTable, Type: messages.EventPhase, Data: json.RawMessage(`{"phase":"point","point":6,"table_id":"x"}`)})
	got := next(t, events)
	if got.event != "roll" || got.id != "1" {
		t.Fatalf("first event %+v, want roll with id 1", got)
	}
	var data struct {
		TableID string `json:"table_id"`
		Round   int    `json:"round"`
		Dice    [2]int `json:"dice"`
	}
	if err := json.Unmarshal([]byte(got.data), &data); err != nil || data != (struct {
		TableID string `json:"table_id"`
		Round   int    `json:"round"`
		Dice    [2]int `json:"dice"`
	}{testTable, 3, [2]int{2, 5}}) {
		t.Fatalf("roll data %q (%v), want round 3 dice [2,5] with the table id on one line", got.data, err)
	}
	if got := next(t, events); got.event != "phase" || got.id != "2" || !strings.Contains(got.data, `"table_id":"x"`) {
		t.Fatalf("second event %+v, want phase id 2 keeping the payload's own table_id", got)
	}
}

// A client that goes away unsubscribes and stops its forwarder.
func TestEventStreamCleansUpWhenTheClientLeaves(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	reg := prometheus.NewRegistry()
	s := New(Options{Services: f.services(), Registerer: reg})
	ts := httptestServer(t, s)
	_, _, cancel := openStream(t, ts.URL+"/api/v1/tables/"+testTable+"/events")
	sub := waitPID(t, f.subs, "subscription")
	if got := metricValue(t, reg, "bitcraps_api_sse_streams"); got != 1 {
		t.Fatalf("open streams gauge %v, want 1", got)
	}
	cancel()
	if gone := waitPID(t, f.unsubs, "unsubscription"); !gone.Equal(sub) {
		t.Fatalf("unsubscribed %v, want %v", gone, sub)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, alive := f.sys.ProcessRegistry.GetLocal(sub.Id)
		if !alive && metricValue(t, reg, "bitcraps_api_sse_streams") == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("forwarder alive %v, gauge %v 10s after the client left", alive, metricValue(t, reg, "bitcraps_api_sse_streams"))
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
}

// An unknown table is a JSON 404 before any stream starts, and leaves no
// forwarder behind.
func TestEventStreamOfUnknownTableIs404(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(func(msg any) any {
		return &messages.Ack{Err: messages.Errorf(messages.CodeUnknownTable, "table %s: unknown", testTable)}
	})
	_, ts := newFakeServer(t, f, "")
	status, body := call(t, ts, "GET", "/api/v1/tables/"+testTable+"/events", "")
	if code, _ := errorOf(t, body); status != 404 || code != messages.CodeUnknownTable {
		t.Fatalf("unknown table stream: %d %s", status, body)
	}
	sub := waitPID(t, f.subs, "subscription")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, alive := f.sys.ProcessRegistry.GetLocal(sub.Id); !alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("forwarder of a refused subscription still alive after 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The stream ends when the games service stops (the subscription died with
// it) and when the server shuts down, so a shutdown is not held by it.
func TestEventStreamEndsWithGamesServiceAndShutdown(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	s := New(Options{Services: f.services()})
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve() }()
	url := "http://" + s.Addr() + "/api/v1/tables/" + testTable + "/events"

	first, _, _ := openStream(t, url)
	waitPID(t, f.subs, "subscription")
	second, _, _ := openStream(t, url)
	waitPID(t, f.subs, "second subscription")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with open streams: %v", err)
	}
	waitEnded(t, first, "shutdown")
	waitEnded(t, second, "shutdown")
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}

	f2 := newFakeServices(t)
	f2.setAnswer(tableAnswers)
	_, ts := newFakeServer(t, f2, "")
	events, _, _ := openStream(t, ts.URL+"/api/v1/tables/"+testTable+"/events")
	waitPID(t, f2.subs, "subscription")
	if err := f2.sys.Root.StopFuture(f2.pids[gamesService]).Wait(); err != nil {
		t.Fatal(err)
	}
	waitEnded(t, events, "the games service stopped")
}

// A quiet stream sends heartbeats carrying the count of dropped events.
func TestEventStreamHeartbeat(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	s := New(Options{Services: f.services()})
	s.heartbeat = 10 * time.Millisecond
	ts := httptestServer(t, s)
	events, _, _ := openStream(t, ts.URL+"/api/v1/tables/"+testTable+"/events")
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.comment == "heartbeat dropped=0" {
				return
			}
		case <-deadline:
			t.Fatal("no heartbeat within 10s")
		}
	}
}

// A forwarder whose reader lags drops the overflow and counts it, and
// never blocks its mailbox.
func TestForwarderDropsAndCountsOverflow(t *testing.T) {
	f := newFakeServices(t)
	reg := prometheus.NewRegistry()
	metrics := NewMetrics(reg)
	events := make(chan *messages.TableEvent, 2)
	var dropped atomic.Int64
	pid := f.sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &forwarder{games: f.pids[gamesService], events: events, gone: func() {}, dropped: &dropped, metrics: metrics}
	}))
	for i := range 5 {
		f.sys.Root.Send(pid, &messages.TableEvent{TableID: testTable, Type: "bet", Data: json.RawMessage(`{"n":` + string(rune('0'+i)) + `}`)})
	}
	deadline := time.Now().Add(10 * time.Second)
	for dropped.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("dropped %d of 5 into a buffer of 2, want 3", dropped.Load())
		}
		time.Sleep(time.Millisecond)
	}
	if got := metricValue(t, reg, "bitcraps_api_sse_events_dropped_total"); got != 3 {
		t.Fatalf("dropped counter %v, want 3", got)
	}
	if got := (<-events).Data; string(got) != `{"n":0}` {
		t.Fatalf("first kept event %s, want the oldest", got)
	}
	if err := f.sys.Root.StopFuture(pid).Wait(); err != nil {
		t.Fatal(err)
	}
}

// metricValue reads one unlabelled series from reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range families {
		if mf.GetName() != name || len(mf.GetMetric()) != 1 {
			continue
		}
		m := mf.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			return c.GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("metric %s not found", name)
	return 0
}
