package test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// The player API (DESIGN.md "Interfaces") against real in-process nodes:
// every route's success and refusals as a player sees them over HTTP.
// internal/api's own tests cover each bad input and error mapping with
// stand-in actors; these prove the routes reach the real services.

// playerAPI is an HTTP client of one node's API.
type playerAPI struct {
	t     testing.TB
	p     *peerNode
	base  string
	token string
}

func apiOf(t testing.TB, p *peerNode) *playerAPI {
	return &playerAPI{t: t, p: p, base: "http://" + p.n.HTTPAddr()}
}

// call sends body (a string is sent as is, nil as no body, anything else
// as JSON) and returns the status and the answer.
func (a *playerAPI) call(method, path string, body any) (int, []byte) {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, raw
}

// ok calls and requires status, decoding the answer into out (when set).
func (a *playerAPI) ok(method, path string, body any, status int, out any) {
	a.t.Helper()
	got, raw := a.call(method, path, body)
	if got != status {
		a.t.Fatalf("%s %s: %d %s; want %d", method, path, got, raw, status)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			a.t.Fatalf("%s %s: decode %s: %v", method, path, raw, err)
		}
	}
}

// refused calls and requires the error shape with status and code; it
// returns the message.
func (a *playerAPI) refused(method, path string, body any, status int, code string) string {
	a.t.Helper()
	got, raw := a.call(method, path, body)
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(raw, &e); err != nil || got != status || e.Error.Code != code {
		a.t.Fatalf("%s %s: %d %s; want %d %s", method, path, got, raw, status, code)
	}
	return e.Error.Message
}

func (a *playerAPI) table(id string) messages.TableView {
	a.t.Helper()
	var v messages.TableView
	a.ok("GET", "/api/v1/tables/"+id, nil, 200, &v)
	return v
}

func (a *playerAPI) create(body map[string]any) messages.TableView {
	a.t.Helper()
	var v messages.TableView
	a.ok("POST", "/api/v1/tables", body, 201, &v)
	return v
}

// waitPlaying waits until the table plays with a shooter, as this node sees it.
func (a *playerAPI) waitPlaying(id string) messages.TableView {
	a.t.Helper()
	var v messages.TableView
	eventually(a.t, 30*time.Second, "table "+id+" playing with a shooter", func() (bool, string) {
		v = a.table(id)
		return v.Status == "playing" && v.Shooter != "", fmt.Sprintf("%+v", v)
	})
	return v
}

// eventStream is an open SSE stream: events by type, parsed on a goroutine.
type eventStream struct {
	events chan [2]string // type, data
	cancel context.CancelFunc
}

func (a *playerAPI) subscribe(id string) *eventStream {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	req, err := http.NewRequestWithContext(ctx, "GET", a.base+"/api/v1/tables/"+id+"/events", nil)
	if err != nil {
		a.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		a.t.Fatalf("subscribe: %v", err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		cancel()
		a.t.Fatalf("subscribe: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &eventStream{events: make(chan [2]string, 256), cancel: cancel}
	a.t.Cleanup(cancel)
	go func() {
		defer resp.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		var typ string
		for sc.Scan() {
			line := sc.Text()
			if t, ok := strings.CutPrefix(line, "event: "); ok {
				typ = t
			} else if d, ok := strings.CutPrefix(line, "data: "); ok {
				s.events <- [2]string{typ, d}
			}
		}
	}()
	return s
}

// next waits for the next event of type typ and returns its data.
func (s *eventStream) next(t testing.TB, typ string) string {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				t.Fatalf("event stream ended before a %q event", typ)
			}
			if ev[0] == typ {
				return ev[1]
			}
		case <-deadline:
			t.Fatalf("no %q event within 60s", typ)
		}
	}
}

var tableIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

type rollEvent struct {
	TableID string `json:"table_id"`
	Round   uint64 `json:"round"`
	Dice    [2]int `json:"dice"`
}

func decodeRoll(t testing.TB, data string) rollEvent {
	t.Helper()
	var r rollEvent
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		t.Fatalf("roll event %q: %v", data, err)
	}
	for _, d := range r.Dice {
		if d < 1 || d > 6 {
			t.Fatalf("roll event %q: die %d", data, d)
		}
	}
	return r
}

// One node hosts, sits, bets, rolls and leaves through the API; the event
// stream delivers the roll; rounds, balance and the ledger agree.
func TestAPIPlaysATableOnARealNode(t *testing.T) {
	p := startPeer(t, "solo", nodeConfig(t))
	a := apiOf(t, p)
	var peers []messages.PeerInfo
	a.ok("GET", "/api/v1/peers", nil, 200, &peers)
	if len(peers) != 0 {
		t.Fatalf("a lone node lists peers %+v", peers)
	}
	var bal struct {
		Wallet int64            `json:"wallet"`
		Chips  map[string]int64 `json:"chips"`
	}
	a.ok("GET", "/api/v1/balance", nil, 200, &bal)
	if bal.Wallet != p.cfg.InitialBalance || bal.Chips == nil || len(bal.Chips) != 0 {
		t.Fatalf("fresh balance %+v, want the %d grant and no chips", bal, p.cfg.InitialBalance)
	}
	var list []messages.TableView
	a.ok("GET", "/api/v1/tables", nil, 200, &list)
	if len(list) != 0 {
		t.Fatalf("fresh node lists tables %+v", list)
	}

	created := a.create(map[string]any{"min_players": 1, "max_players": 4, "bankroll": 100 * crap,
		"min_bet": crap, "max_bet": 50 * crap, "buy_in": 100 * crap, "bet_window": "30s"})
	id := created.ID
	if !tableIDPattern.MatchString(id) || !created.Seated || created.Bank != 100*crap || created.Host != p.peerID() {
		t.Fatalf("created %+v, want a 16-hex id, seated host %s, bank 100 CRAP", created, p.peerID())
	}
	a.ok("GET", "/api/v1/tables", nil, 200, &list)
	if len(list) != 1 || list[0].ID != id {
		t.Fatalf("tables %+v, want just %s", list, id)
	}
	if v := a.waitPlaying(id); v.Shooter != p.peerID() {
		t.Fatalf("a lone player is not the shooter: %+v", v)
	}

	events := a.subscribe(id)
	var bet struct {
		BetID string `json:"bet_id"`
	}
	a.ok("POST", "/api/v1/tables/"+id+"/bets", map[string]any{"type": "pass", "amount": 5 * crap}, 202, &bet)
	if bet.BetID == "" {
		t.Fatal("bet accepted without a bet_id")
	}
	if data := events.next(t, messages.EventBet); !strings.Contains(data, `"table_id":"`+id+`"`) {
		t.Fatalf("bet event %q does not name the table", data)
	}
	a.ok("POST", "/api/v1/tables/"+id+"/roll", nil, 202, nil)
	roll := decodeRoll(t, events.next(t, messages.EventRoll))
	if roll.TableID != id || roll.Round != 1 {
		t.Fatalf("roll event %+v, want round 1 of %s", roll, id)
	}

	var rounds []messages.RoundView
	a.ok("GET", "/api/v1/tables/"+id+"/rounds", nil, 200, &rounds)
	if len(rounds) < 1 || rounds[0].Round != 1 || rounds[0].Dice != roll.Dice || rounds[0].StateHash == "" ||
		len(rounds[0].Certificate) == 0 || string(rounds[0].Certificate) == "null" {
		t.Fatalf("rounds %+v, want round 1 with the streamed dice %v and its certificate", rounds, roll.Dice)
	}
	a.ok("GET", "/api/v1/balance", nil, 200, &bal)
	if _, ok := bal.Chips[id]; !ok || bal.Wallet != p.cfg.InitialBalance-200*crap {
		t.Fatalf("balance after play %+v, want wallet less bank and buy-in, chips at %s", bal, id)
	}
	var rep struct {
		OK          bool  `json:"ok"`
		TotalGrants int64 `json:"total_grants"`
	}
	a.ok("GET", "/api/v1/ledger/verify", nil, 200, &rep)
	if !rep.OK || rep.TotalGrants != p.cfg.InitialBalance {
		t.Fatalf("ledger verify %+v, want ok with one grant", rep)
	}
	// A pass bet is a contract once its point is set: leaving must wait
	// until it resolves. On any other roll the bet is settled and the
	// player may leave.
	switch sum := roll.Dice[0] + roll.Dice[1]; sum {
	case 4, 5, 6, 8, 9, 10:
		if msg := a.refused("POST", "/api/v1/tables/"+id+"/leave", nil, 409, messages.CodeBetNotAllowed); !strings.Contains(msg, "contract") {
			t.Fatalf("leave with a pass on %d refused for %q, want the contract named", sum, msg)
		}
	default:
		a.ok("POST", "/api/v1/tables/"+id+"/leave", nil, 202, nil)
	}
	var exp game.Export
	a.ok("GET", "/api/v1/tables/"+id+"/export", nil, 200, &exp)
	if rep := game.Verify(exp); !rep.OK || rep.Rounds < 1 || rep.Rounds != len(exp.Certificates) {
		t.Fatalf("export of %s verifies %+v, want every one of its %d rounds (at least round 1)", id, rep, len(exp.Certificates))
	}
	a.ok("GET", "/api/v1/openapi.json", nil, 200, nil)
	if status, page := a.call("GET", "/", nil); status != 200 || !strings.Contains(string(page), "<html") {
		t.Fatalf("GET /: %d, want the web table page", status)
	}
	a.refused("GET", "/api/v1/no-such-route", nil, 404, "not_found")
}

// The refusals a player meets on one node, each with its status and code.
func TestAPIRefusalsOnARealNode(t *testing.T) {
	cfg := nodeConfig(t)
	cfg.MaxGames = 3
	a := apiOf(t, startPeer(t, "refusals", cfg))
	const unknown = "/api/v1/tables/ffffffffffffffff"

	for _, c := range []struct{ method, path, body, field string }{
		{"POST", "/api/v1/tables", `{"bankroll":5,"colour":1}`, `"colour"`},
		{"POST", "/api/v1/tables", `{"bankroll":-5}`, "bankroll"},
		{"POST", "/api/v1/tables", `{"bankroll":5.5}`, "bankroll"},
		{"POST", unknown + "/bets", `{"type":"martingale","amount":5}`, "type"},
		{"POST", unknown + "/join", `{"buy_in":-1}`, "buy_in"},
		{"GET", "/api/v1/tables/FFFF", "", "table id"},
	} {
		if msg := a.refused(c.method, c.path, c.body, 400, "bad_request"); !strings.Contains(msg, c.field) {
			t.Errorf("%s %s %s: %q does not name %s", c.method, c.path, c.body, msg, c.field)
		}
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", unknown, ""}, {"POST", unknown + "/join", `{"buy_in":5}`},
		{"POST", unknown + "/bets", `{"type":"pass","amount":5}`}, {"POST", unknown + "/roll", ""},
		{"POST", unknown + "/leave", ""}, {"GET", unknown + "/rounds", ""}, {"GET", unknown + "/events", ""},
		{"GET", unknown + "/export", ""}, {"POST", unknown + "/cancel", ""},
	} {
		a.refused(c.method, c.path, c.body, 404, messages.CodeUnknownTable)
	}

	msg := a.refused("POST", "/api/v1/tables", map[string]any{"min_players": 1, "max_players": 2,
		"bankroll": 5000 * crap, "min_bet": crap, "max_bet": 5 * crap}, 409, messages.CodeInsufficientBalance)
	if !strings.Contains(msg, "5000 CRAP needed") {
		t.Errorf("insufficient balance %q does not say the amount in CRAP", msg)
	}
	if msg := a.refused("POST", "/api/v1/tables", map[string]any{"min_players": 3, "max_players": 2,
		"bankroll": crap, "min_bet": crap, "max_bet": crap}, 400, messages.CodeBadRequest); !strings.Contains(msg, "max_players") {
		t.Errorf("games refusal %q does not name max_players", msg)
	}

	pass := map[string]any{"type": "pass", "amount": 50 * crap}
	waiting := a.create(map[string]any{"min_players": 2, "max_players": 2, "bankroll": crap,
		"min_bet": crap, "max_bet": 50 * crap, "buy_in": 60 * crap})
	a.refused("POST", "/api/v1/tables/"+waiting.ID+"/bets", pass, 409, messages.CodeBetNotAllowed)
	if msg := a.refused("GET", "/api/v1/tables/"+waiting.ID+"/export", nil, 409, messages.CodeNotStarted); !strings.Contains(msg, "not started") {
		t.Errorf("export of a table still waiting for players refused for %q, want it said the table has not started", msg)
	}

	notSeated := a.create(map[string]any{"min_players": 1, "max_players": 2, "bankroll": crap,
		"min_bet": crap, "max_bet": 50 * crap})
	a.refused("POST", "/api/v1/tables/"+notSeated.ID+"/bets", pass, 409, messages.CodeNotSeated)
	a.refused("POST", "/api/v1/tables/"+notSeated.ID+"/roll", nil, 409, messages.CodeNotSeated)

	poor := a.create(map[string]any{"min_players": 1, "max_players": 2, "bankroll": crap,
		"min_bet": crap, "max_bet": 50 * crap, "buy_in": 60 * crap, "bet_window": "30s"})
	a.waitPlaying(poor.ID)
	msg = a.refused("POST", "/api/v1/tables/"+poor.ID+"/bets", pass, 409, messages.CodeBankCannotCover)
	if want := "table " + poor.ID + ": bet of 50 CRAP on pass is more than the bank can cover"; !strings.HasPrefix(msg, want) {
		t.Errorf("bank cannot cover: %q, want it to start %q", msg, want)
	}
	// Beside the message, the numbers in the API's micro-CRAP.
	_, raw := a.call("POST", "/api/v1/tables/"+poor.ID+"/bets", pass)
	var detail struct {
		Error messages.ErrorDetail `json:"error"`
	}
	if err := json.Unmarshal(raw, &detail); err != nil || detail.Error.Table != poor.ID || detail.Error.Bet != "pass" ||
		detail.Error.Amount == nil || *detail.Error.Amount != 50*crap || detail.Error.Limit == nil || *detail.Error.Limit != crap {
		t.Errorf("bank cannot cover: %s, want table, bet, amount and the bank as limit", raw)
	}

	a.refused("POST", "/api/v1/tables", map[string]any{"min_players": 1, "max_players": 2, "bankroll": crap,
		"min_bet": crap, "max_bet": crap}, 409, messages.CodeTooManyGames)
}

// A node whose services have stopped answers 503 not_initialized.
func TestAPINotInitializedWhenTheNodeIsNotRunning(t *testing.T) {
	p := startPeer(t, "stopping", nodeConfig(t))
	a := apiOf(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.n.Root().Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/v1/peers", ""}, {"GET", "/api/v1/balance", ""}, {"GET", "/api/v1/ledger/verify", ""},
		{"GET", "/api/v1/tables", ""}, {"POST", "/api/v1/tables", `{"bankroll":5}`},
		{"GET", "/api/v1/tables/0123456789abcdef/events", ""},
	} {
		a.refused(c.method, c.path, c.body, 503, messages.CodeNotInitialized)
	}
}

// With a token configured every mutating route needs it; reads do not.
func TestAPITokenRuleOnARealNode(t *testing.T) {
	cfg := nodeConfig(t)
	cfg.APIToken = "a-token-for-the-test-0123456789"
	a := apiOf(t, startPeer(t, "guarded", cfg))
	create := map[string]any{"min_players": 1, "max_players": 2, "bankroll": 10 * crap,
		"min_bet": crap, "max_bet": crap, "buy_in": 10 * crap, "bet_window": "30s"}
	a.refused("POST", "/api/v1/tables", create, 401, "unauthorized")
	a.token = cfg.APIToken
	id := a.create(create).ID
	a.waitPlaying(id)
	a.token = ""
	for _, c := range []struct{ path, body string }{
		{"/join", `{"buy_in":5}`}, {"/bets", `{"type":"pass","amount":1000000}`}, {"/roll", ""}, {"/leave", ""}, {"/cancel", ""},
	} {
		a.refused("POST", "/api/v1/tables/"+id+c.path, c.body, 401, "unauthorized")
	}
	for _, path := range []string{"/api/v1/tables", "/api/v1/tables/" + id, "/api/v1/tables/" + id + "/rounds",
		"/api/v1/tables/" + id + "/export", "/api/v1/balance", "/api/v1/peers", "/api/v1/ledger/verify"} {
		a.ok("GET", path, nil, 200, nil)
	}
	a.token = "wrong"
	a.refused("POST", "/api/v1/tables/"+id+"/bets", `{"type":"pass","amount":1000000}`, 401, "unauthorized")
	a.token = cfg.APIToken
	a.ok("POST", "/api/v1/tables/"+id+"/bets", `{"type":"pass","amount":1000000}`, 202, nil)
	a.ok("POST", "/api/v1/tables/"+id+"/roll", nil, 202, nil)
}

// Three nodes: one hosts, one joins through its own node's API; only the
// shooter may roll, and a stream on the other node sees the roll; the third
// joins once the table plays and sits from the next round.
func TestAPIJoinAndPlayAcrossNodes(t *testing.T) {
	nodes := startCluster(t, 3)
	host, guest, late := apiOf(t, nodes[0]), apiOf(t, nodes[1]), apiOf(t, nodes[2])
	id := host.create(map[string]any{"min_players": 2, "max_players": 3, "bankroll": 200 * crap,
		"min_bet": crap, "max_bet": 20 * crap, "buy_in": 100 * crap, "bet_window": "30s"}).ID
	seen := func(a *playerAPI) {
		eventually(t, 30*time.Second, a.p.name+" sees table "+id, func() (bool, string) {
			var list []messages.TableView
			a.ok("GET", "/api/v1/tables", nil, 200, &list)
			for _, v := range list {
				if v.ID == id {
					return true, ""
				}
			}
			return false, fmt.Sprintf("%+v", list)
		})
	}
	seen(guest)
	if v := guest.table(id); v.Role != messages.RoleWatching || !v.Joinable || v.Sync != "" {
		t.Fatalf("the guest sees the waiting table as %q, joinable %v, sync %q; want watching, joinable, no sync yet", v.Role, v.Joinable, v.Sync)
	}
	// A stream opened while watching goes on once the guest sits down.
	guestEvents := guest.subscribe(id)
	var joined messages.TableView
	guest.ok("POST", "/api/v1/tables/"+id+"/join", map[string]any{"buy_in": 50 * crap}, 200, &joined)
	if !joined.Seated || joined.ID != id || joined.Role != messages.RoleSeated || joined.Joinable {
		t.Fatalf("join answered %+v, want the table with the guest seated", joined)
	}
	if seat := guestEvents.next(t, messages.EventSeat); !strings.Contains(seat, `"seated":true`) {
		t.Fatalf("the guest's stream gave seat event %s, want it seated", seat)
	}

	v := host.waitPlaying(id)
	guest.waitPlaying(id)
	shooter, other := host, guest
	if v.Shooter == guest.p.peerID() {
		shooter, other = guest, host
	}
	other.refused("POST", "/api/v1/tables/"+id+"/roll", nil, 409, messages.CodeNotShooter)
	events := other.subscribe(id)
	for _, a := range []*playerAPI{host, guest} {
		a.ok("POST", "/api/v1/tables/"+id+"/bets", map[string]any{"type": "pass", "amount": 2 * crap}, 202, nil)
	}
	shooter.ok("POST", "/api/v1/tables/"+id+"/roll", nil, 202, nil)
	roll := decodeRoll(t, events.next(t, messages.EventRoll))
	var hostRounds, guestRounds []messages.RoundView
	eventually(t, 30*time.Second, "round 1 on both nodes", func() (bool, string) {
		host.ok("GET", "/api/v1/tables/"+id+"/rounds", nil, 200, &hostRounds)
		guest.ok("GET", "/api/v1/tables/"+id+"/rounds", nil, 200, &guestRounds)
		return len(hostRounds) > 0 && len(guestRounds) > 0, fmt.Sprintf("host %d rounds, guest %d", len(hostRounds), len(guestRounds))
	})
	if hostRounds[0].StateHash != guestRounds[0].StateHash || hostRounds[0].Dice != roll.Dice || roll.Round != 1 {
		t.Fatalf("round 1: host %+v, guest %+v, streamed %+v; want one result everywhere", hostRounds[0], guestRounds[0], roll)
	}
	var bal struct {
		Chips map[string]int64 `json:"chips"`
	}
	guest.ok("GET", "/api/v1/balance", nil, 200, &bal)
	if _, ok := bal.Chips[id]; !ok {
		t.Fatalf("guest balance %+v has no chips at %s", bal, id)
	}

	// The late node joins the playing table: the host puts its buy-in into
	// the round being played, and it sits from the round after.
	seen(late)
	joined2 := make(chan int, 1)
	go func() {
		got, _ := late.call("POST", "/api/v1/tables/"+id+"/join", map[string]any{"buy_in": 50 * crap})
		joined2 <- got
	}()
	var round2 messages.TableView
	eventually(t, 30*time.Second, "the host holds the late join in round 2", func() (bool, string) {
		host.ok("GET", "/api/v1/tables/"+id, nil, 200, &round2)
		return round2.PendingBets >= 1, fmt.Sprintf("%d pending", round2.PendingBets)
	})
	shooter = host
	if round2.Shooter == guest.p.peerID() {
		shooter = guest
	}
	// The shooter rolls at once only when every present player has bet
	// (a wager riding counts): the guest bets, the host's join is its part.
	guest.ok("POST", "/api/v1/tables/"+id+"/bets", map[string]any{"type": "field", "amount": crap}, 202, nil)
	eventually(t, 30*time.Second, "the shooter holds round 2's join and bet", func() (bool, string) {
		shooter.ok("GET", "/api/v1/tables/"+id, nil, 200, &round2)
		return round2.PendingBets >= 2, fmt.Sprintf("%d pending", round2.PendingBets)
	})
	if round2.NextShooter == "" || round2.NextShooter == round2.Shooter {
		t.Fatalf("round 2 view: shooter %q, next shooter %q; want the other seat next", round2.Shooter, round2.NextShooter)
	}
	shooter.ok("POST", "/api/v1/tables/"+id+"/roll", nil, 202, nil)
	if got := <-joined2; got != 200 {
		t.Fatalf("the late join of a playing table answered %d, want 200 once seated", got)
	}
	var lateView messages.TableView
	late.ok("GET", "/api/v1/tables/"+id, nil, 200, &lateView)
	if !lateView.Seated || len(lateView.Players) != 3 {
		t.Fatalf("late node's view %+v: want it seated among three players", lateView)
	}
}
