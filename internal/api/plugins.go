package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/bitcraps/bitcraps/messages"
)

// Plugins is the node's plugins service as the API sees it.
type Plugins interface {
	// List is GET /api/v1/plugins: each plugin's name, version, state,
	// restarts and dropped events.
	List() any
	// Call forwards a request to a running plugin's HTTP routes. It wraps
	// ErrNoPlugin or ErrPluginDown when it cannot.
	Call(ctx context.Context, name string, r *messages.PluginHTTPRequest) (*messages.PluginHTTPResponse, error)
}

// Refusals of Plugins.Call.
var (
	ErrNoPlugin   = errors.New("no such plugin")
	ErrPluginDown = errors.New("plugin not running")
)

// maxPluginBody bounds a request body forwarded to a plugin, as the
// player routes bound theirs: a plugin route takes settings and messages,
// not uploads.
const maxPluginBody = 64 << 10

// mountPlugins serves the plugins' list and their routes. The routes sit
// behind the same guards as every route (the bearer token on mutating
// methods, the Host check): a plugin cannot open a door the API keeps shut.
func (s *Server) mountPlugins() {
	p := s.opts.Plugins
	s.mux.HandleFunc("GET /api/v1/plugins", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, p.List())
	})
	forward := func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		body, err := io.ReadAll(io.LimitReader(r.Body, maxPluginBody+1))
		if err != nil {
			return badRequest(fmt.Sprintf("read body: %v", err))
		}
		if len(body) > maxPluginBody {
			return &Error{http.StatusRequestEntityTooLarge, "body_too_large",
				fmt.Sprintf("a plugin route takes at most %d bytes", maxPluginBody)}
		}
		req := &messages.PluginHTTPRequest{Method: r.Method, Path: "/" + r.PathValue("rest"),
			Query: r.URL.RawQuery, Body: body}
		for k, v := range r.Header {
			if k == "Authorization" || k == "Cookie" {
				continue // the node's credentials are not the plugin's business
			}
			req.Headers = append(req.Headers, &messages.PluginHTTPHeader{Name: k, Values: v})
		}
		resp, err := p.Call(r.Context(), name, req)
		switch {
		case errors.Is(err, ErrNoPlugin):
			return notFound(fmt.Sprintf("no plugin %q on this node (GET /api/v1/plugins lists them)", name))
		case errors.Is(err, ErrPluginDown):
			return unavailable(err.Error())
		case err != nil:
			return &Error{http.StatusBadGateway, "plugin_failed", fmt.Sprintf("plugin %s: %v", name, err)}
		}
		for _, h := range resp.Headers {
			if strings.EqualFold(h.Name, "Set-Cookie") {
				continue // plugins share the node's origin: no cookies for it
			}
			for _, v := range h.Values {
				w.Header().Add(h.Name, v)
			}
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		status := int(resp.Status)
		if status < 100 || status > 599 {
			status = http.StatusBadGateway
		}
		w.WriteHeader(status)
		_, _ = w.Write(resp.Body)
		return nil
	}
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		s.handle(m+" /api/v1/plugins/{name}/{rest...}", forward)
	}
}
