package api

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// A web page on another site, or a DNS name rebound to the node's address,
// cannot change anything; the node's own page (same origin) and the CLI
// (no Origin) can. Issue 12, item 1.
func TestCrossSiteRequestsAreRefused(t *testing.T) {
	f := newFakeServices(t)
	f.setAnswer(tableAnswers)
	s := New(Options{Services: f.services(), Health: fakeHealth{}, AllowedHosts: []string{"Craps.Example"}})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	self := strings.TrimPrefix(ts.URL, "http://")
	create, tables := `{"bankroll":5}`, "/api/v1/tables"
	roll := tables + "/" + testTable + "/roll"
	refused := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		want                     string
	}{
		{"text/plain form post", "POST", tables, create, []string{"Content-Type", "text/plain"}, 415, "application/json"},
		{"form urlencoded", "POST", tables, create, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "Content-Type"},
		{"bodiless roll without type", "POST", roll, "", []string{"Content-Type", ""}, 415, "Content-Type"},
		{"foreign origin", "POST", tables, create, []string{"Origin", "http://evil.example"}, 403, "Origin"},
		{"other port of localhost", "POST", tables, create, []string{"Origin", "http://127.0.0.1:1"}, 403, "Origin"},
		{"null origin", "POST", roll, "", []string{"Origin", "null"}, 403, "Origin"},
		{"cross-site fetch", "POST", tables, create, []string{"Sec-Fetch-Site", "cross-site"}, 403, "Sec-Fetch-Site"},
		{"same-site fetch", "POST", tables, create, []string{"Sec-Fetch-Site", "same-site"}, 403, "Sec-Fetch-Site"},
		{"rebound name posts", "POST", tables, create, []string{"Host", "evil.example:80", "Origin", "http://evil.example:80"}, 403, "evil.example"},
		{"rebound name reads", "GET", "/api/v1/balance", "", []string{"Host", "evil.example"}, 403, "--http-allowed-hosts"},
		{"rebound name reads the page", "GET", "/", "", []string{"Host", "localhost.evil.example"}, 403, "Host"},
		{"other IP in Host", "GET", tables, "", []string{"Host", "10.1.2.3:80"}, 403, "Host"},
	}
	for _, c := range refused {
		status, body := call(t, ts, c.method, c.path, c.body, c.header...)
		if status != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, status, c.status, body)
			continue
		}
		if _, msg := errorOf(t, body); !strings.Contains(msg, c.want) {
			t.Errorf("%s: message %q does not name %q", c.name, msg, c.want)
		}
	}
	if got := f.requests(); len(got) != 0 {
		t.Fatalf("refused requests reached the services: %#v", got)
	}

	allowed := []struct {
		name, method, path, body string
		header                   []string
		status                   int
	}{
		{"the node's page", "POST", tables, create, []string{"Origin", ts.URL, "Sec-Fetch-Site", "same-origin"}, 201},
		{"the CLI", "POST", roll, "", nil, 202},
		{"json with charset", "POST", tables, create, []string{"Content-Type", "application/json; charset=utf-8"}, 201},
		{"localhost", "POST", tables, create, []string{"Host", "localhost:8080", "Origin", "http://localhost:8080"}, 201},
		{"an allowed name", "GET", tables, "", []string{"Host", "craps.example"}, 200},
		{"the bound address", "GET", tables, "", []string{"Host", self}, 200},
		{"probes by any name", "GET", "/health/live", "", []string{"Host", "bitcraps.svc.cluster.local"}, 200},
	}
	for _, c := range allowed {
		if status, body := call(t, ts, c.method, c.path, c.body, c.header...); status != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, status, c.status, body)
		}
	}
}
