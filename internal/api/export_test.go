package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// sampleExport is an export with every top-level field set, so a field
// the route dropped or renamed shows in the comparison.
func sampleExport() game.Export {
	certs := make([]bft.Certificate, 3)
	for i := range certs {
		certs[i] = bft.Certificate{TableID: testTable, Round: uint64(i + 1), View: uint64(i)}
		certs[i].StateHash[0], certs[i].Seed[1] = byte(i+1), byte(7*i+1)
	}
	return game.Export{
		Version:      game.ExportVersion,
		Info:         json.RawMessage(`{"id":"` + testTable + `","host":"ab"}`),
		Genesis:      game.Genesis{TableID: testTable, Bank: 400_000_000},
		Certificates: certs,
	}
}

// GET .../export answers the games service's export as the file `bitcraps
// verify` reads, as an attachment, without a token, and asks for the
// table in the path.
func TestExportAnswersTheGameExportAsAnAttachment(t *testing.T) {
	f := newFakeServices(t)
	want := sampleExport()
	f.setAnswer(func(msg any) any {
		if _, ok := msg.(*messages.ExportTable); ok {
			return &messages.TableExport{Export: want}
		}
		return nil
	})
	_, ts := newFakeServer(t, f, "s3cret-token") // a token guards writes only
	resp, err := ts.Client().Get(ts.URL + "/api/v1/tables/" + testTable + "/export")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw := mustRead(t, resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s", resp.StatusCode, raw)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="table-`+testTable+`.json"` {
		t.Errorf("Content-Disposition %q, want an attachment named table-%s.json", cd, testTable)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	got, err := game.DecodeExport([]byte(raw))
	if err != nil {
		t.Fatalf("the answer is not an export `bitcraps verify` reads: %v\n%s", err, raw)
	}
	if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
		t.Fatalf("export changed on the way:\n got %s\nwant %s", g, w)
	}
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("games got %d requests, want one ExportTable: %#v", len(reqs), reqs)
	}
	if m, ok := reqs[0].(*messages.ExportTable); !ok || m.TableID != testTable {
		t.Fatalf("games got %#v, want ExportTable of %s", reqs[0], testTable)
	}
}

// The games service's refusals keep their code and get their status; a
// malformed ID never reaches it; errors are not attachments.
func TestExportRefusals(t *testing.T) {
	f := newFakeServices(t)
	_, ts := newFakeServer(t, f, "")
	path := "/api/v1/tables/" + testTable + "/export"
	cases := []struct {
		name   string
		err    error
		status int
		code   string
		msg    string // what the answer's message says
	}{
		{"unknown table", messages.Errorf(messages.CodeUnknownTable, "unknown table %q", testTable), 404,
			messages.CodeUnknownTable, `unknown table "` + testTable + `"`},
		{"not started", messages.Errorf(messages.CodeNotStarted, "table %s has not started: nothing to export", testTable), 409,
			messages.CodeNotStarted, "has not started"},
		{"not seated", messages.Errorf(messages.CodeNotSeated, "this node did not sit at the table"), 409,
			messages.CodeNotSeated, "did not sit"},
		{"loading", messages.Errorf(messages.CodeNotInitialized, "the node is loading its tables"), 503,
			messages.CodeNotInitialized, "loading"},
		{"store failed", fmt.Errorf("export table %s: rounds unreadable", testTable), 500, "internal", "rounds unreadable"},
	}
	for _, c := range cases {
		f.setAnswer(func(any) any { return &messages.TableExport{Err: c.err} })
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body := mustRead(t, resp)
		resp.Body.Close()
		code, msg := errorOf(t, body)
		if resp.StatusCode != c.status || code != c.code || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %s %q; want %d %s with the service's message", c.name, resp.StatusCode, code, msg, c.status, c.code)
		}
		if cd := resp.Header.Get("Content-Disposition"); cd != "" {
			t.Errorf("%s: an error answered as attachment %q", c.name, cd)
		}
	}
	before := len(f.requests())
	status, body := call(t, ts, "GET", "/api/v1/tables/NOT-A-TABLE/export", "")
	if code, msg := errorOf(t, body); status != 400 || code != "bad_request" || !strings.Contains(msg, "table id") {
		t.Errorf("bad id: %d %s %q; want 400 naming the table id", status, code, msg)
	}
	if len(f.requests()) != before {
		t.Errorf("a malformed table id reached the games service")
	}
	f.setAnswer(func(any) any { return &messages.RoundList{} })
	if status, body := call(t, ts, "GET", path, ""); status != 500 || !strings.Contains(body, "*messages.RoundList") {
		t.Errorf("wrong answer type: %d %s; want 500 naming it", status, body)
	}
}

func mustRead(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
