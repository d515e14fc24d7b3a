package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/bitcraps/bitcraps/messages"
)

// fakePlugins has one running plugin, "echo", which answers with what it
// was sent, and one that is down, "sleepy".
type fakePlugins struct {
	mu   sync.Mutex
	last *messages.PluginHTTPRequest
}

func (f *fakePlugins) List() any { return []string{"echo", "sleepy"} }

func (f *fakePlugins) Call(_ context.Context, name string, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error) {
	switch name {
	case "echo":
		f.mu.Lock()
		f.last = r
		f.mu.Unlock()
		return &messages.PluginHTTPResponse{Status: 418, Body: fmt.Appendf(nil, `{"path":%q}`, r.Path),
			Headers: []*messages.PluginHTTPHeader{{Name: "X-Plugin", Values: []string{"echo"}}, {Name: "Set-Cookie", Values: []string{"a=b"}}}}, nil
	case "sleepy":
		return nil, fmt.Errorf("%w: restarting", ErrPluginDown)
	}
	return nil, fmt.Errorf("%w: %s", ErrNoPlugin, name)
}

// A plugin's route gets the rest of the path, the query and the body, but
// never the node's credentials; its answer comes back as it made it, less
// cookies; and the route keeps the token rule of every other route.
func TestPluginRoutesForwardBehindTheGuards(t *testing.T) {
	f := newFakeServices(t)
	p := &fakePlugins{}
	s := New(Options{Services: f.services(), Token: "s3cret", Plugins: p})
	ts := httptestServer(t, s)

	if status, body := call(t, ts, "POST", "/api/v1/plugins/echo/a/b?x=1", `{"k":1}`); status != 401 {
		t.Fatalf("POST to a plugin without the token: %d %s, want 401", status, body)
	}
	status, body := call(t, ts, "POST", "/api/v1/plugins/echo/a/b?x=1", `{"k":1}`, "Authorization", "Bearer s3cret")
	if status != 418 || body != `{"path":"/a/b"}` {
		t.Fatalf("POST to echo: %d %s, want its own 418 and body", status, body)
	}
	p.mu.Lock()
	got := p.last
	p.mu.Unlock()
	if got.Method != "POST" || got.Query != "x=1" || string(got.Body) != `{"k":1}` {
		t.Fatalf("echo was sent %+v", got)
	}
	for _, h := range got.Headers {
		if strings.EqualFold(h.Name, "Authorization") {
			t.Fatalf("the node's token reached the plugin: %+v", h)
		}
	}
	resp, err := http.Get(ts.URL + "/api/v1/plugins/echo/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 418 || resp.Header.Get("X-Plugin") != "echo" || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("GET echo: %d %v, want its status and headers without Set-Cookie", resp.StatusCode, resp.Header)
	}
	if status, body := call(t, ts, "GET", "/api/v1/plugins/sleepy/x", ""); status != 503 {
		t.Fatalf("a plugin that is down: %d %s, want 503", status, body)
	}
	if status, body := call(t, ts, "GET", "/api/v1/plugins/nobody/x", ""); status != 404 || !strings.Contains(body, "nobody") {
		t.Fatalf("no such plugin: %d %s, want 404 naming it", status, body)
	}
	big := strings.Repeat("x", maxPluginBody+1)
	if status, _ := call(t, ts, "PUT", "/api/v1/plugins/echo/x", big, "Authorization", "Bearer s3cret"); status != http.StatusRequestEntityTooLarge {
		t.Fatalf("a body above %d bytes: %d, want 413", maxPluginBody, status)
	}
}
