package api

import (
	"net/http"
	"sort"
)

// routeMux is an http.ServeMux that remembers its patterns, so a test can
// hold every registered route against the OpenAPI document: the standard
// mux cannot list what it serves.
type routeMux struct {
	*http.ServeMux
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// Routes lists the patterns this server serves ("GET /api/v1/tables", and
// "/" for the catch-all), sorted.
func (s *Server) Routes() []string {
	out := append([]string(nil), s.mux.patterns...)
	sort.Strings(out)
	return out
}
