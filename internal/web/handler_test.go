package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string, hdr map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The page and every file it loads are served with a JavaScript, CSS or
// HTML type (module scripts under nosniff need exactly that), revalidated
// by ETag, under a same-origin-only CSP.
func TestServesPageAndEveryReferencedAsset(t *testing.T) {
	h := Handler()
	resp := get(t, h, http.MethodGet, "/", nil)
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, k := range []string{"Cache-Control", "ETag", "Content-Security-Policy", "X-Content-Type-Options"} {
		if resp.Header.Get(k) == "" {
			t.Errorf("GET / lacks header %s", k)
		}
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Errorf("index.html references another origin; the page must work offline")
	}
	wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	seen := map[string]bool{}
	queue := []string{}
	for _, m := range refs {
		queue = append(queue, m[1])
	}
	imports := regexp.MustCompile(`from "\./([a-z]+\.js)"`)
	for len(queue) > 0 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		resp := get(t, h, http.MethodGet, path, nil)
		text := body(t, resp)
		ext := path[strings.LastIndex(path, "."):]
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != wantType[ext] {
			t.Errorf("GET %s = %d %q, want 200 %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), wantType[ext])
		}
		// An SVG namespace is a name, not a request.
		fetched := strings.ReplaceAll(text, `xmlns="http://www.w3.org/2000/svg"`, "")
		if strings.Contains(fetched, "http://") || strings.Contains(fetched, "https://") {
			t.Errorf("%s references another origin", path)
		}
		for _, m := range imports.FindAllStringSubmatch(text, -1) {
			queue = append(queue, "/assets/"+m[1])
		}
	}
	for _, must := range []string{"/assets/app.js", "/assets/app.css", "/assets/verify.js", "/assets/felt.js"} {
		if !seen[must] {
			t.Errorf("%s is not reachable from index.html", must)
		}
	}
}

func TestRevalidationAndHead(t *testing.T) {
	h := Handler()
	first := get(t, h, http.MethodGet, "/assets/app.js", nil)
	etag := first.Header.Get("ETag")
	if first.Header.Get("Cache-Control") != "no-cache" || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("app.js: Cache-Control %q, ETag %q", first.Header.Get("Cache-Control"), etag)
	}
	again := get(t, h, http.MethodGet, "/assets/app.js", map[string]string{"If-None-Match": etag})
	if again.StatusCode != http.StatusNotModified || body(t, again) != "" {
		t.Errorf("If-None-Match with the current ETag = %d, want 304 without a body", again.StatusCode)
	}
	stale := get(t, h, http.MethodGet, "/assets/app.js", map[string]string{"If-None-Match": `"old"`})
	if stale.StatusCode != http.StatusOK {
		t.Errorf("If-None-Match with a stale ETag = %d, want 200", stale.StatusCode)
	}
	head := get(t, h, http.MethodHead, "/", nil)
	if head.StatusCode != http.StatusOK || body(t, head) != "" || head.Header.Get("Content-Type") == "" {
		t.Errorf("HEAD / = %d with a body or no type", head.StatusCode)
	}
	if index := get(t, h, http.MethodGet, "/index.html", nil); index.Header.Get("ETag") != get(t, h, http.MethodGet, "/", nil).Header.Get("ETag") {
		t.Errorf("/index.html and / serve different pages")
	}
}

// Unknown paths and methods answer in the API's error shape, so the handler
// can be the node's catch-all.
func TestErrorsUseTheAPIShape(t *testing.T) {
	h := Handler()
	for _, c := range []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, "/api/v1/nope", http.StatusNotFound, "not_found"},
		{http.MethodGet, "/assets/missing.js", http.StatusNotFound, "not_found"},
		{http.MethodGet, "/assets/../doc.go", http.StatusNotFound, "not_found"},
		{http.MethodPost, "/", http.StatusMethodNotAllowed, "method_not_allowed"},
	} {
		resp := get(t, h, c.method, c.path, nil)
		var doc struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(body(t, resp)), &doc); err != nil {
			t.Errorf("%s %s: body is not JSON: %v", c.method, c.path, err)
			continue
		}
		if resp.StatusCode != c.status || doc.Error.Code != c.code || doc.Error.Message == "" {
			t.Errorf("%s %s = %d %+v, want %d %q with a message", c.method, c.path, resp.StatusCode, doc, c.status, c.code)
		}
	}
}
