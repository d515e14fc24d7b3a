package api

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route this package serves, in OpenAPI
// 3. A test holds it against the registered routes both ways.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPI is the embedded OpenAPI 3 document, for tools and tests.
func OpenAPI() []byte { return append([]byte(nil), openAPIDocument...) }

func (s *Server) mountOpenAPI() {
	s.mux.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPIDocument)
	})
}
