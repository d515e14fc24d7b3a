package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// Limits of the event streams, each with its reason.
const (
	// 256 streams: a node serves its own player and a few watchers (the
	// web page opens one per tab); each stream costs an actor, a goroutine
	// and a buffer, so the bound keeps a page left open in many tabs, or a
	// misbehaving client, from growing them without end.
	maxStreams = 256
	// 64 events: a round brings about one event per player and bet, so
	// this absorbs several rounds of a full table while the client's TCP
	// window is full; past it events are dropped (and counted), never
	// queued without bound. The page refetches state on the next event.
	streamBuffer = 64
	// Fifteen seconds: below the idle timeouts of common proxies (30-60 s),
	// so a quiet table's stream is not cut, and a dead client is noticed
	// within one interval by the failed write.
	heartbeatEvery = 15 * time.Second
	// retryMillis tells EventSource how soon to reconnect after the stream
	// ends (node restart, games service restart).
	retryMillis = 2000
)

// forwarder is the per-stream subscriber actor: it moves the table's
// events into the stream's bounded channel without ever blocking, and
// tells the stream when the games service stops (its subscription died
// with it; the client reconnects and subscribes anew).
type forwarder struct {
	games   *actor.PID
	events  chan<- *messages.TableEvent
	gone    func()
	dropped *atomic.Int64
	metrics *Metrics
}

func (f *forwarder) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		ctx.Watch(f.games)
	case *messages.TableEvent:
		select {
		case f.events <- m:
		default:
			f.dropped.Add(1)
			f.metrics.eventDropped()
		}
	case *actor.Terminated:
		if m.Who.Equal(f.games) {
			f.gone()
		}
	}
}

// stream is one subscription: the forwarder's PID and its channels.
type stream struct {
	pid     *actor.PID
	events  chan *messages.TableEvent
	gone    chan struct{}
	dropped atomic.Int64
}

func (s *Server) mountEvents() {
	s.handle("GET /api/v1/tables/{id}/events", s.serveEvents)
}

// serveEvents streams a table's live events as server-sent events until
// the client goes away, the games service stops or the server shuts down.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := tableID(r)
	if err != nil {
		return err
	}
	_, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("event stream: the response writer %T cannot flush", w)
	}
	svc := s.opts.Services
	root, err := svc.root()
	if err != nil {
		return err
	}
	select {
	case s.streams <- struct{}{}:
		defer func() { <-s.streams }()
	default:
		s.metrics.streamRefused()
		return &Error{http.StatusTooManyRequests, messages.CodeRateLimited,
			fmt.Sprintf("%d event streams are open on this node, the most it serves; close one", maxStreams)}
	}
	st, err := s.subscribe(root, id)
	if err != nil {
		return err
	}
	defer func() {
		root.Send(svc.Service(gamesService), &messages.UnsubscribeTable{TableID: id, Subscriber: st.pid})
		root.Stop(st.pid)
	}()
	s.metrics.streamOpened(1)
	defer s.metrics.streamOpened(-1)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // reverse proxies must not buffer a stream
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "retry: %d\n: subscribed to table %s\n\n", retryMillis, id)
	rc := http.NewResponseController(w)
	s.armStreamWrite(rc)
	if !s.flushStream(bw, rc) {
		return nil
	}
	s.pump(r, bw, rc, st)
	return nil
}

// subscribe spawns the forwarder and subscribes it to the table; an
// unknown table or a games service that refuses ends here, before any
// stream header is written, so the client gets the JSON error.
func (s *Server) subscribe(root *actor.RootContext, table string) (*stream, error) {
	svc := s.opts.Services
	games := svc.Service(gamesService)
	st := &stream{events: make(chan *messages.TableEvent, streamBuffer), gone: make(chan struct{})}
	var once sync.Once
	gone := func() { once.Do(func() { close(st.gone) }) }
	st.pid = root.Spawn(actor.PropsFromProducer(func() actor.Actor {
		return &forwarder{games: games, events: st.events, gone: gone, dropped: &st.dropped, metrics: s.metrics}
	}))
	ans, err := askAs[*messages.Ack](svc, gamesService,
		&messages.SubscribeTable{TableID: table, Subscriber: st.pid}, svc.Timeout)
	if err == nil && ans.Err != nil {
		err = serviceError(gamesService, ans.Err)
	}
	if err != nil {
		root.Stop(st.pid)
		return nil, err
	}
	return st, nil
}

// pump writes events and heartbeats until the stream must end. A failed
// or timed-out write means the client is gone or does not read; a stream
// with no event past the session timeout is ended (heartbeats do not
// count), so abandoned streams cannot hold every slot.
func (s *Server) pump(r *http.Request, bw *bufio.Writer, rc *http.ResponseController, st *stream) {
	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	idle := time.NewTimer(s.limits.streamIdle)
	defer idle.Stop()
	var seq uint64
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		case <-st.gone:
			return
		case <-idle.C:
			s.metrics.streamDropped("idle")
			return
		case ev := <-st.events:
			s.armStreamWrite(rc)
			seq++
			writeEvent(bw, seq, ev)
			idle.Reset(s.limits.streamIdle)
		case <-heartbeat.C:
			s.armStreamWrite(rc)
			fmt.Fprintf(bw, ": heartbeat dropped=%d\n\n", st.dropped.Load())
		}
		if !s.flushStream(bw, rc) {
			return
		}
	}
}

// armStreamWrite gives the writes that follow, up to the next flush, the
// stream's write deadline; it is set before writing because a large event
// reaches the socket before the flush.
func (s *Server) armStreamWrite(rc *http.ResponseController) {
	_ = rc.SetWriteDeadline(time.Now().Add(s.limits.streamWrite))
}

// flushStream sends what is buffered within the stream's write deadline.
func (s *Server) flushStream(bw *bufio.Writer, rc *http.ResponseController) bool {
	if bw.Flush() != nil || rc.Flush() != nil {
		s.metrics.streamDropped("write_failed")
		return false
	}
	return true
}

// writeEvent writes one event: its type, a sequence id, and its payload
// as one line of JSON carrying the table's ID.
func writeEvent(bw *bufio.Writer, seq uint64, ev *messages.TableEvent) {
	bw.WriteString("id: " + strconv.FormatUint(seq, 10) + "\n")
	bw.WriteString("event: " + eventName(ev.Type) + "\n")
	bw.WriteString("data: ")
	bw.Write(eventData(ev))
	bw.WriteString("\n\n")
}

// eventName keeps a type from breaking the stream's framing: an event
// name is one line.
func eventName(t string) string {
	for _, c := range t {
		if c == '\n' || c == '\r' {
			return "message"
		}
	}
	if t == "" {
		return "message"
	}
	return t
}

// eventData is the payload on one line, with "table_id" added when the
// payload is an object without it, so every event names its table, "at"
// (Unix milliseconds) when the node emitted it, and "history": true on an
// event replayed from the table's recent past to a new stream.
func eventData(ev *messages.TableEvent) []byte {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(ev.Data, &obj); err != nil {
		// Not an object: wrap it rather than lose it.
		out, _ := json.Marshal(map[string]any{"table_id": ev.TableID, "data": ev.Data})
		if len(ev.Data) == 0 || !json.Valid(ev.Data) {
			out, _ = json.Marshal(map[string]any{"table_id": ev.TableID})
		}
		return out
	}
	if obj == nil {
		obj = map[string]json.RawMessage{}
	}
	if _, ok := obj["table_id"]; !ok {
		obj["table_id"], _ = json.Marshal(ev.TableID)
	}
	if _, ok := obj["at"]; !ok && ev.At != 0 {
		obj["at"], _ = json.Marshal(ev.At)
	}
	if ev.History {
		obj["history"] = json.RawMessage("true")
	}
	out, _ := json.Marshal(obj) // re-encoding compacts: never a newline inside
	return out
}
