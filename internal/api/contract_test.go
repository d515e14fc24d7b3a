package api

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/web"
)

// rawExchange sends raw bytes on a fresh connection and reads one answer.
func rawExchange(t *testing.T, addr, raw string) (*http.Response, string) {
	t.Helper()
	c := rawConn(t, addr, raw)
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("%.40q: no answer: %v", raw, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%.40q: body: %v", raw, err)
	}
	return resp, string(body)
}

// Every answer has the JSON error shape, including those net/http writes
// itself to requests it cannot parse, and API paths with "..", "." or "//"
// get the JSON 404 rather than a redirect (issue 12, item 10).
func TestEveryRefusalHasTheJSONShape(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	s := New(Options{Services: f.services(), Health: fakeHealth{}, Web: web.Handler()})
	addr := serveOnLoopback(t, s)
	host := "Host: 127.0.0.1\r\n"
	cases := []struct {
		name, raw string
		status    int
		code      string
	}{
		{"dot-dot path", "GET /api/v1/../v1/tables HTTP/1.1\r\n" + host + "\r\n", 404, "not_found"},
		{"double slash", "GET /api/v1//tables HTTP/1.1\r\n" + host + "\r\n", 404, "not_found"},
		{"dot segment", "POST /api/v1/./tables HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", 404, "not_found"},
		{"encoded dot-dot", "GET /api/v1/tables/%2e%2e/balance HTTP/1.1\r\n" + host + "\r\n", 404, "not_found"},
		{"trailing slash", "GET /api/v1/tables/ HTTP/1.1\r\n" + host + "\r\n", 404, "not_found"},
		{"HTTP/2.0 in clear", "GET /api/v1/tables HTTP/2.0\r\n" + host + "\r\n", 505, "http_version_not_supported"},
		{"headers too large", "GET /api/v1/tables HTTP/1.1\r\n" + host + "X-Pad: " + strings.Repeat("p", 80<<10) + "\r\n\r\n", 431, "headers_too_large"},
		{"malformed header", "GET /api/v1/tables HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", 400, "bad_request"},
		{"no Host on 1.1", "GET /api/v1/tables HTTP/1.1\r\n\r\n", 400, "bad_request"},
		{"unknown transfer coding", "POST /api/v1/tables HTTP/1.1\r\n" + host + "Transfer-Encoding: rot13\r\n\r\n", 501, "not_implemented"},
		{"unknown method", "BREW /api/v1/tables HTTP/1.1\r\n" + host + "Content-Type: application/json\r\n\r\n", 404, "not_found"},
	}
	for _, c := range cases {
		resp, body := rawExchange(t, addr, c.raw)
		if resp.StatusCode != c.status || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %q, want %d JSON (%q)", c.name, resp.StatusCode, resp.Header.Get("Content-Type"), c.status, body)
			continue
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != c.code || e.Error.Message == "" {
			t.Errorf("%s: body %q, want the error shape with code %s", c.name, body, c.code)
		}
	}
	// The web table keeps the mux's redirects: they are for browsers.
	if resp, _ := rawExchange(t, addr, "GET /assets//x HTTP/1.1\r\n"+host+"\r\n"); resp.StatusCode/100 != 3 && resp.StatusCode != 404 {
		t.Errorf("web path with //: %d", resp.StatusCode)
	}
	if got := f.requests(); len(got) != 0 {
		t.Fatalf("refused requests reached the services: %#v", got)
	}
}
