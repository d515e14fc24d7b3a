package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/messages"
)

// A take-down rides on POST .../bets: "take_down" with no amount reaches
// the games service as a PlaceBet that takes down; an amount with it, or a
// bet without one, is refused naming the field (issue 11, item 7).
func TestTakeDownGoesThroughBets(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	_, ts := newFakeServer(t, f, "")
	bets := "/api/v1/tables/" + testTable + "/bets"
	cases := []struct {
		body   string
		status int
		want   string
	}{
		{`{"type":"lay","number":4,"take_down":true}`, 202, `"bet_id"`},
		{`{"type":"lay_4","take_down":true,"amount":0}`, 202, `"bet_id"`},
		{`{"type":"lay","number":4,"take_down":true,"amount":5}`, 400, "field amount: 5 with take_down"},
		{`{"type":"lay","number":4}`, 400, "field amount"},
		{`{"type":"lay","number":7,"take_down":true}`, 400, "field type/number"},
	}
	for _, c := range cases {
		if status, body := call(t, ts, "POST", bets, c.body); status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("POST bets %s: %d %s; want %d with %q", c.body, status, body, c.status, c.want)
		}
	}
	var sent []messages.PlaceBet
	for _, m := range f.requests() {
		if b, ok := m.(*messages.PlaceBet); ok {
			sent = append(sent, *b)
		}
	}
	want := messages.PlaceBet{TableID: testTable, Type: "lay", Number: 4, TakeDown: true}
	if len(sent) != 2 || sent[0] != want || sent[1] != want {
		t.Fatalf("sent %+v, want two take-downs of lay 4", sent)
	}
}

// An event replayed from the table's past says so, and every event says
// when the node emitted it (issue 11, item 9).
func TestEventStreamMarksHistory(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	_, ts := newFakeServer(t, f, "")
	events, _, _ := openStream(t, ts.URL+"/api/v1/tables/"+testTable+"/events")
	sub := waitPID(t, f.subs, "subscription")
	f.sys.Root.Send(sub, &messages.TableEvent{TableID: testTable, Type: messages.EventRoll, Data: json.RawMessage(`{"round":2}`), At: 1700000000123, History: true})
	f.sys.Root.Send(sub, &messages.TableEvent{TableID: testTable, Type: messages.EventRoll, Data: json.RawMessage(`{"round":3}`), At: 1700000000456})
	type payload struct {
		Round   int   `json:"round"`
		At      int64 `json:"at"`
		History bool  `json:"history"`
	}
	for _, want := range []payload{{2, 1700000000123, true}, {3, 1700000000456, false}} {
		got := next(t, events)
		var p payload
		if err := json.Unmarshal([]byte(got.data), &p); err != nil || p != want {
			t.Fatalf("event %q (%v), want %+v", got.data, err, want)
		}
	}
}
