package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/logging"
)

// A node's JSON log, through start, rounds played over HTTP and stop:
// every line is one JSON object with each key once; the node is `node`;
// every settled round has one INFO line naming table and round, with its
// durations as strings; the access log names each request with its id;
// and a normal stop logs no dead letter at INFO.
func TestNodeLogLinesAreJSONWithEachKeyOnce(t *testing.T) {
	logs := &logging.Buffer{}
	cfg := testConfig(t)
	cfg.AccessLog = true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := Start(ctx, Options{Config: cfg, Version: "test", Logger: logging.New(logs, true, true)})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = n.Stop(context.Background())
		}
	}()
	if err := n.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	base := "http://" + n.HTTPAddr()
	var table struct{ ID string }
	table.ID = soloTable(t, base)
	const rounds = 2
	for round := 1; round <= rounds; round++ {
		betAndRoll(t, base, table.ID, "test-roll-"+fmt.Sprint(round))
		waitFor(t, fmt.Sprintf("round %d settled", round), func() bool {
			return len(linesWith(t, logs.Lines(), "round settled")) >= round
		})
	}
	stopAt := len(logs.Lines())
	stopped = true
	if err := n.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	all := logs.Lines()
	for i, line := range all {
		fields, err := logging.ParseLine([]byte(line))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if _, ok := fields["peer"]; ok && fields["peer"] == fields["node"] {
			t.Errorf("line %d names this node as peer: %s", i+1, line)
		}
		if i >= stopAt && strings.HasPrefix(fmt.Sprint(fields["msg"]), "[DeadLetter]") && fields["level"] != "DEBUG" {
			t.Errorf("line %d: dead letter at %v during a normal stop: %s", i+1, fields["level"], line)
		}
	}
	settled := linesWith(t, all, "round settled")
	if len(settled) != rounds {
		t.Fatalf("%d round lines, want %d", len(settled), rounds)
	}
	for i, f := range settled {
		if f["table"] != table.ID || fmt.Sprint(f["round"]) != fmt.Sprint(i+1) || f["level"] != "INFO" || f["node"] == nil {
			t.Errorf("round line %v: want table %s, round %d, node, at INFO", f, table.ID, i+1)
		}
		if d, ok := f["latency"].(string); !ok || !strings.HasSuffix(d, "s") {
			t.Errorf("round line latency %#v: want a duration string", f["latency"])
		}
	}
	requests := linesWith(t, all, "http request")
	var roll map[string]any
	for _, f := range requests {
		if f["request_id"] == "test-roll-1" {
			roll = f
		}
	}
	if roll == nil || roll["method"] != "POST" || roll["path"] != "/api/v1/tables/"+table.ID+"/roll" ||
		fmt.Sprint(roll["status"]) != "202" || roll["duration"] == nil {
		t.Fatalf("access line of the first roll %v (of %d request lines)", roll, len(requests))
	}
}

// soloTable creates a one-seat table on the node at base (its host sits
// with 100 CRAP) and waits until it plays.
func soloTable(t *testing.T, base string) string {
	t.Helper()
	var table struct {
		ID string `json:"id"`
	}
	call(t, "POST", base+"/api/v1/tables", `{"min_players":1,"max_players":4,"bankroll":100000000,"min_bet":1000000,"max_bet":50000000,"buy_in":100000000,"bet_window":"30s"}`, "", &table)
	return table.ID
}

// betAndRoll waits until the table plays, bets 1 CRAP on the field (it
// resolves on every roll) and rolls, naming the roll's request.
func betAndRoll(t *testing.T, base, id, requestID string) {
	t.Helper()
	waitFor(t, "table playing", func() bool {
		var v struct {
			Status string `json:"status"`
		}
		call(t, "GET", base+"/api/v1/tables/"+id, "", "", &v)
		return v.Status == "playing"
	})
	call(t, "POST", base+"/api/v1/tables/"+id+"/bets", `{"type":"field","amount":1000000}`, "", nil)
	call(t, "POST", base+"/api/v1/tables/"+id+"/roll", "", requestID, nil)
}

// linesWith parses the lines whose message is msg.
func linesWith(t *testing.T, lines []string, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range lines {
		if !strings.Contains(l, `"msg":"`+msg+`"`) {
			continue
		}
		f, err := logging.ParseLine([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// call makes one API request and decodes a 2xx answer into into.
func call(t *testing.T, method, url, body, requestID string, into any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if requestID != "" {
		req.Header.Set("X-Request-Id", requestID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e bytes.Buffer
		_, _ = e.ReadFrom(resp.Body)
		t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, e.String())
	}
	if requestID != "" && resp.Header.Get("X-Request-Id") != requestID {
		t.Fatalf("%s %s: request id %q echoed as %q", method, url, requestID, resp.Header.Get("X-Request-Id"))
	}
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("%s %s: %v", method, url, err)
		}
	}
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 20 s", what)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, bounded by the deadline
	}
}
