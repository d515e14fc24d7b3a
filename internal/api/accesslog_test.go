package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/logging"
)

// One line per request with method, path (no query), status and request
// id; a client's id that is not a plain token is replaced, not logged; an
// event stream can still flush through the recorder.
func TestAccessLogNamesEachRequest(t *testing.T) {
	var buf bytes.Buffer
	h := accessLog(logging.New(&buf, true, false), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			t.Error("the recorder hides http.Flusher")
		}
		w.WriteHeader(http.StatusTeapot)
	}))
	for _, id := range []string{"client-id_1", "bad id\n{\"level\":\"ERROR\"}"} {
		req := httptest.NewRequest("GET", "/api/v1/tables?token=secret", nil)
		req.Header.Set(requestIDHeader, id)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		got := rec.Header().Get(requestIDHeader)
		if (got == id) != plainToken(id) || got == "" {
			t.Fatalf("client id %q answered as %q", id, got)
		}
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines for 2 requests: %q", len(lines), buf.String())
	}
	for _, l := range lines {
		f, err := logging.ParseLine([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		if f["path"] != "/api/v1/tables" || f["method"] != "GET" || fmt.Sprint(f["status"]) != "418" ||
			f["request_id"] == "" || strings.Contains(l, "secret") || strings.Contains(l, "ERROR") {
			t.Errorf("access line %s", l)
		}
	}
}
