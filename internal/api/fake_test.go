package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// fakeServices stands in for the node's games, ledger and mesh actors on a
// real actor system, so the API's own logic (validation, error mapping,
// streams) is tested without a cluster. Tests against a real node live in
// test/api_test.go.
type fakeServices struct {
	sys     *actor.ActorSystem
	pids    map[string]*actor.PID
	mu      sync.Mutex
	seen    []any           // every request the fakes received, in order
	answer  func(any) any   // games' answer to a request; nil answer = stay silent
	subs    chan *actor.PID // subscribers, as they subscribe
	unsubs  chan *actor.PID // subscribers, as they unsubscribe
	serving bool
}

func newFakeServices(t *testing.T) *fakeServices {
	t.Helper()
	f := &fakeServices{
		sys: actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(
			func(*actor.ActorSystem) *slog.Logger { return slog.New(slog.DiscardHandler) }))),
		pids:    map[string]*actor.PID{},
		subs:    make(chan *actor.PID, 16),
		unsubs:  make(chan *actor.PID, 16),
		serving: true,
	}
	for _, name := range []string{gamesService, ledgerService, meshService} {
		pid, err := f.sys.Root.SpawnNamed(actor.PropsFromFunc(f.receive), "fake-"+name)
		if err != nil {
			t.Fatal(err)
		}
		f.pids[name] = pid
	}
	t.Cleanup(func() {
		for _, pid := range f.pids {
			_ = f.sys.Root.StopFuture(pid).Wait()
		}
		f.sys.Shutdown()
	})
	return f
}

func (f *fakeServices) receive(ctx actor.Context) {
	msg := ctx.Message()
	switch msg.(type) {
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
		return
	}
	f.mu.Lock()
	f.seen = append(f.seen, msg)
	answer := f.answer
	f.mu.Unlock()
	switch m := msg.(type) {
	case *messages.SubscribeTable:
		f.subs <- m.Subscriber
	case *messages.UnsubscribeTable:
		f.unsubs <- m.Subscriber
		return
	}
	if answer == nil {
		return
	}
	if a := answer(msg); a != nil {
		ctx.Respond(a)
	}
}

func (f *fakeServices) setAnswer(fn func(any) any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = fn
}

func (f *fakeServices) requests() []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]any(nil), f.seen...)
}

func (f *fakeServices) services() *Services {
	return &Services{
		System:  func() *actor.ActorSystem { return f.sys },
		Service: func(name string) *actor.PID { return f.pids[name] },
		Player:  "ab",
		Serving: func() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.serving },
		Timeout: 2 * time.Second, LongTimeout: 2 * time.Second,
	}
}

// newFakeServer is a Server over the fakes, served by httptest.
func newFakeServer(t *testing.T, f *fakeServices, token string) (*Server, *httptest.Server) {
	t.Helper()
	s := New(Options{Services: f.services(), Token: token, Plugins: &fakePlugins{}})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

// call sends a request and returns the status and body.
func call(t *testing.T, ts *httptest.Server, method, path, body string, header ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if mutating(method) {
		req.Header.Set("Content-Type", "application/json") // what the CLI and the page send
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host // net/http sends req.Host, never a Host header
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(raw)
}

// errorOf decodes the API's error shape.
func errorOf(t *testing.T, body string) (code, message string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code == "" {
		t.Fatalf("body %q is not the error shape: %v", body, err)
	}
	return e.Error.Code, e.Error.Message
}

const testTable = "0123456789abcdef"

// tableAnswers answers every games request with a plausible success.
func tableAnswers(msg any) any {
	view := &messages.TableView{ID: testTable, Phase: "come_out", Status: "waiting"}
	switch m := msg.(type) {
	case *messages.CreateTable, *messages.GetTable, *messages.JoinTable:
		return &messages.TableReply{Table: view}
	case *messages.CancelTable:
		return &messages.TableReply{Table: &messages.TableView{ID: testTable, Phase: "come_out", Status: "closed"}}
	case *messages.ListTables:
		return &messages.TableList{Items: []messages.TableView{*view}}
	case *messages.PlaceBet:
		return &messages.BetReply{BetID: "bet-1"}
	case *messages.RollDice, *messages.LeaveTable, *messages.SubscribeTable:
		return &messages.Ack{}
	case *messages.ListRounds:
		return &messages.RoundList{}
	case *messages.ListPeers:
		return &messages.Peers{}
	case *messages.LedgerHoldingsRequest:
		return &messages.LedgerHoldings{}
	case *messages.LedgerVerifyRequest:
		return &messages.LedgerVerifyResult{}
	default:
		_ = m
		return nil
	}
}

func httptestServer(t *testing.T, s *Server) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// fakeHealth lets a test mount every route.
type fakeHealth struct{}

func (fakeHealth) Report() HealthReport { return HealthReport{State: "Running"} }
func (fakeHealth) StartupDone() bool    { return true }
func (fakeHealth) Ready() bool          { return true }
func (fakeHealth) Alive() error         { return nil }
