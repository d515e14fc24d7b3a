package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Bad inputs are refused with 400 naming the field, and never reach the
// games service.
func TestBadInputsAreRefusedNamingTheField(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	_, ts := newFakeServer(t, f, "")
	tables := "/api/v1/tables"
	one := tables + "/" + testTable
	cases := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"unknown field", "POST", tables, `{"bankroll":5,"colour":"red"}`, 400, `unknown field "colour"`},
		{"negative bankroll", "POST", tables, `{"bankroll":-5}`, 400, "field bankroll"},
		{"zero bankroll", "POST", tables, `{"bankroll":0}`, 400, "field bankroll"},
		{"fractional min_bet", "POST", tables, `{"bankroll":5,"min_bet":1.5}`, 400, "field min_bet"},
		{"string amount", "POST", tables, `{"bankroll":"5"}`, 400, "field bankroll"},
		{"negative max_bet", "POST", tables, `{"bankroll":5,"max_bet":-1}`, 400, "field max_bet"},
		{"negative max_players", "POST", tables, `{"bankroll":5,"max_players":-1}`, 400, "field max_players"},
		{"bad bet_window", "POST", tables, `{"bankroll":5,"bet_window":"soon"}`, 400, "field bet_window"},
		{"overflowing amount", "POST", tables, `{"bankroll":99999999999999999999}`, 400, "field bankroll"},
		{"empty body", "POST", tables, ``, 400, "empty"},
		{"array body", "POST", tables, `[1]`, 400, "want a JSON object"},
		{"malformed json", "POST", tables, `{"bankroll":`, 400, "request body"},
		{"trailing data", "POST", tables, `{"bankroll":5} {}`, 400, "after the JSON object"},
		{"huge body", "POST", tables, `{"odds_multiple":"` + strings.Repeat("x", maxBodyBytes) + `"}`, 413, "64"},
		{"short table id", "GET", tables + "/abc", ``, 400, "table id"},
		{"uppercase table id", "GET", tables + "/0123456789ABCDEF", ``, 400, "table id"},
		{"non-hex table id", "POST", tables + "/0123456789abcdeg/join", `{"buy_in":5}`, 400, "table id"},
		{"join without buy_in", "POST", one + "/join", `{}`, 400, "field buy_in"},
		{"join negative buy_in", "POST", one + "/join", `{"buy_in":-1}`, 400, "field buy_in"},
		{"join fractional buy_in", "POST", one + "/join", `{"buy_in":0.5}`, 400, "field buy_in"},
		{"unknown bet", "POST", one + "/bets", `{"type":"martingale","amount":5}`, 400, "field type"},
		{"bet needs a number", "POST", one + "/bets", `{"type":"place","amount":5}`, 400, "field type"},
		{"bet wrong number", "POST", one + "/bets", `{"type":"place","number":7,"amount":5}`, 400, "field type/number"},
		{"bet without type", "POST", one + "/bets", `{"amount":5}`, 400, "field type"},
		{"bet negative amount", "POST", one + "/bets", `{"type":"pass","amount":-5}`, 400, "field amount"},
		{"bet fractional amount", "POST", one + "/bets", `{"type":"pass","amount":2.5}`, 400, "field amount"},
		{"bet unknown field", "POST", one + "/bets", `{"type":"pass","amount":5,"odds":2}`, 400, `unknown field "odds"`},
		{"roll with a body", "POST", one + "/roll", `{"dice":[6,6]}`, 400, `unknown field "dice"`},
		{"leave with a body", "POST", one + "/leave", `{"now":true}`, 400, `unknown field "now"`},
		{"cancel with a body", "POST", one + "/cancel", `{"refund":false}`, 400, `unknown field "refund"`},
		{"cancel bad id", "POST", tables + "/xyz/cancel", ``, 400, "table id"},
		{"events bad id", "GET", tables + "/xyz/events", ``, 400, "table id"},
		{"rounds bad id", "GET", tables + "/xyz/rounds", ``, 400, "table id"},
	}
	for _, c := range cases {
		status, body := call(t, ts, c.method, c.path, c.body)
		if status != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, status, c.status, body)
			continue
		}
		code, msg := errorOf(t, body)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s %q does not name %q", c.name, code, msg, c.want)
		}
	}
	if got := f.requests(); len(got) != 0 {
		t.Fatalf("bad requests reached the services: %#v", got)
	}
}

// Every route answers its documented status and shape, and passes the
// request's values on as parsed.
func TestRoutesAnswerAndForwardParsedValues(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	_, ts := newFakeServer(t, f, "")
	one := "/api/v1/tables/" + testTable
	cases := []struct {
		method, path, body string
		status             int
		want               string // a fragment of the answer
	}{
		{"GET", "/api/v1/peers", "", 200, "[]"},
		{"GET", "/api/v1/balance", "", 200, `"chips": {}`},
		{"GET", "/api/v1/ledger/verify", "", 200, `"problems": []`},
		{"GET", "/api/v1/tables", "", 200, `"id": "` + testTable},
		{"POST", "/api/v1/tables", `{"min_players":1,"max_players":4,"bankroll":1000000,"min_bet":1,"max_bet":9,"bet_window":"1500ms","odds_multiple":"2","field_12_pays":2,"buy_in":7}`, 201, `"id": "` + testTable},
		{"GET", one, "", 200, `"phase": "come_out"`},
		{"POST", one + "/join", `{"buy_in":250}`, 200, `"id": "` + testTable},
		{"POST", one + "/bets", `{"type":"Place-6","amount":30}`, 202, `"bet_id": "bet-1"`},
		{"POST", one + "/roll", "", 202, `"accepted"`},
		{"POST", one + "/leave", "{}", 202, `"accepted"`},
		{"POST", one + "/cancel", "", 200, `"status": "closed"`},
		{"GET", one + "/rounds", "", 200, "[]"},
	}
	for _, c := range cases {
		status, body := call(t, ts, c.method, c.path, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s; want %d with %q", c.method, c.path, status, body, c.status, c.want)
		}
	}
	var create *messages.CreateTable
	var bet *messages.PlaceBet
	var join *messages.JoinTable
	var holdings *messages.LedgerHoldingsRequest
	var cancel *messages.CancelTable
	for _, m := range f.requests() {
		switch m := m.(type) {
		case *messages.CancelTable:
			cancel = m
		case *messages.CreateTable:
			create = m
		case *messages.PlaceBet:
			bet = m
		case *messages.JoinTable:
			join = m
		case *messages.LedgerHoldingsRequest:
			holdings = m
		}
	}
	want := messages.CreateTable{MinPlayers: 1, MaxPlayers: 4, Bankroll: 1000000, MinBet: 1, MaxBet: 9,
		OddsMultiple: "2", Field12Pays: 2, BetWindow: 1500 * time.Millisecond, BuyIn: 7}
	if create == nil || *create != want {
		t.Errorf("create sent %+v, want %+v", create, want)
	}
	if bet == nil || *bet != (messages.PlaceBet{TableID: testTable, Type: "place", Number: 6, Amount: 30}) {
		t.Errorf("bet sent %+v, want place 6 for 30 at %s", bet, testTable)
	}
	if join == nil || *join != (messages.JoinTable{TableID: testTable, BuyIn: 250}) {
		t.Errorf("join sent %+v", join)
	}
	if cancel == nil || cancel.TableID != testTable {
		t.Errorf("cancel sent %+v", cancel)
	}
	if holdings == nil || holdings.Peer != "ab" {
		t.Errorf("balance asked for %+v, want the node's player", holdings)
	}
}

// The games service's user errors keep their code and message and get the
// status DESIGN.md gives them.
func TestUserErrorCodesMapToStatuses(t *testing.T) {
	f := newFakeServices(t)
	_, ts := newFakeServer(t, f, "")
	want := map[string]int{
		messages.CodeBadRequest: 400, messages.CodeUnknownTable: 404,
		messages.CodeInsufficientBalance: 409, messages.CodeTableFull: 409, messages.CodeBetNotAllowed: 409,
		messages.CodeBankCannotCover: 409, messages.CodeNotShooter: 409, messages.CodeNotSeated: 409,
		messages.CodeTooManyGames: 409, messages.CodeTableInPlay: 409, messages.CodeTableClosed: 409,
		messages.CodeNotHost: 403, messages.CodeHostUnreachable: 504,
		messages.CodeRateLimited: 429, messages.CodeNotInitialized: 503, messages.CodeTablePaused: 409,
	}
	for code, status := range want {
		f.setAnswer(func(msg any) any {
			return &messages.BetReply{Err: messages.Errorf(code, "because %s happened", code)}
		})
		got, body := call(t, ts, "POST", "/api/v1/tables/"+testTable+"/bets", `{"type":"pass","amount":5}`)
		gotCode, msg := errorOf(t, body)
		if got != status || gotCode != code || msg != "because "+code+" happened" {
			t.Errorf("%s: %d %s %q; want %d with the service's message", code, got, gotCode, msg, status)
		}
	}
	f.setAnswer(func(any) any { return &messages.TableReply{Err: fmt.Errorf("disk on fire")} })
	got, body := call(t, ts, "GET", "/api/v1/tables/"+testTable, "")
	if code, msg := errorOf(t, body); got != 500 || code != "internal" || !strings.Contains(msg, "disk on fire") {
		t.Errorf("plain error: %d %s %q; want 500 internal with the cause", got, code, msg)
	}
	f.setAnswer(func(any) any { return &messages.LedgerHoldings{Err: fmt.Errorf("read: %w", ledger.ErrBusy)} })
	if got, body := call(t, ts, "GET", "/api/v1/balance", ""); got != 429 {
		t.Errorf("busy ledger: %d %s; want 429", got, body)
	}
	f.setAnswer(func(any) any { return &messages.LedgerVerifyResult{Err: ledger.ErrHalted} })
	if got, body := call(t, ts, "GET", "/api/v1/ledger/verify", ""); got != 503 {
		t.Errorf("halted ledger: %d %s; want 503", got, body)
	}
	f.setAnswer(func(any) any { return &messages.Ack{} }) // the wrong answer to a bet
	if got, body := call(t, ts, "POST", "/api/v1/tables/"+testTable+"/bets", `{"type":"pass","amount":5}`); got != 500 ||
		!strings.Contains(body, "*messages.Ack") {
		t.Errorf("wrong answer type: %d %s; want 500 naming it", got, body)
	}
}

// Until the node runs, every player route answers 503 not_initialized;
// a silent service is a 504, a missing one a 503.
func TestNotServingSilentAndMissingServices(t *testing.T) {
	f := newFakeServices(t)
	_, ts := newFakeServer(t, f, "")
	f.mu.Lock()
	f.serving = false
	f.mu.Unlock()
	for _, p := range []string{"/api/v1/peers", "/api/v1/balance", "/api/v1/tables", "/api/v1/tables/" + testTable + "/events"} {
		status, body := call(t, ts, "GET", p, "")
		if code, _ := errorOf(t, body); status != 503 || code != messages.CodeNotInitialized {
			t.Errorf("GET %s while starting: %d %s; want 503 not_initialized", p, status, code)
		}
	}
	f.mu.Lock()
	f.serving = true
	f.mu.Unlock()

	f.setAnswer(nil) // the fakes never answer
	srv := New(Options{Services: &Services{System: f.services().System, Service: f.services().Service,
		Timeout: 50 * time.Millisecond, LongTimeout: 50 * time.Millisecond}})
	quick := httptestServer(t, srv)
	status, body := call(t, quick, "GET", "/api/v1/tables", "")
	if code, _ := errorOf(t, body); status != 504 || code != "timeout" {
		t.Errorf("silent games: %d %s; want 504 timeout", status, body)
	}

	gone := f.pids[meshService]
	if err := f.sys.Root.StopFuture(gone).Wait(); err != nil {
		t.Fatal(err)
	}
	status, body = call(t, ts, "GET", "/api/v1/peers", "")
	if code, msg := errorOf(t, body); status != 503 || code != "unavailable" || !strings.Contains(msg, "mesh") {
		t.Errorf("stopped mesh: %d %s %q; want 503 unavailable naming the mesh", status, code, msg)
	}
}

// The token rule holds for every mutating player route; reads stay open.
func TestTokenGuardsEveryMutatingRoute(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	s, ts := newFakeServer(t, f, "s3cret-token")
	for _, route := range s.Routes() {
		method, path, ok := strings.Cut(route, " ")
		if !ok || method == "GET" {
			continue
		}
		path = strings.ReplaceAll(path, "{id}", testTable)
		status, body := call(t, ts, method, path, "{}")
		if status != http.StatusUnauthorized {
			t.Errorf("%s without token: %d %s; want 401", route, status, body)
		}
		status, _ = call(t, ts, method, path, "{}", "Authorization", "Bearer wrong")
		if status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d; want 401", route, status)
		}
		status, body = call(t, ts, method, path, "{}", "Authorization", "Bearer s3cret-token")
		if status == http.StatusUnauthorized {
			t.Errorf("%s with the token: %d %s; want past the guard", route, status, body)
		}
	}
	if status, body := call(t, ts, "GET", "/api/v1/tables", ""); status != 200 {
		t.Errorf("GET tables without token: %d %s; reads stay open", status, body)
	}
}

// The document lists every route the server registers, and nothing else.
func TestOpenAPIDocumentMatchesTheRoutes(t *testing.T) {
	f := newFakeServices(t)
	s := New(Options{Services: f.services(), Health: fakeHealth{}, Gatherer: prometheus.NewRegistry(),
		AuditVerify: func() any { return map[string]bool{"ok": true} }, Web: http.NotFoundHandler(), Backups: fakeBackups{}, Plugins: &fakePlugins{}})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, route := range s.Routes() {
		if !strings.Contains(route, " ") {
			route = "GET " + route // the catch-all is the web page
		}
		registered[route] = true
		if !documented[route] {
			t.Errorf("route %s is served but not in openapi.json", route)
		}
	}
	for route := range documented {
		if !registered[route] {
			t.Errorf("openapi.json documents %s, which is not served", route)
		}
	}
	if len(registered) < 20 {
		t.Fatalf("only %d routes registered: %v", len(registered), s.Routes())
	}
	ts := httptestServer(t, s)
	status, body := call(t, ts, "GET", "/api/v1/openapi.json", "")
	if status != 200 || !json.Valid([]byte(body)) {
		t.Fatalf("GET openapi.json: %d, valid JSON %v", status, json.Valid([]byte(body)))
	}
}
