package api

import (
	"fmt"
	"net/http"
	"path"
	"strings"
)

// refuseUncleanPaths answers an API path with "..", "." or "//" segments
// (or a trailing slash) with the JSON 404, where http.ServeMux would
// redirect to the cleaned path: an API client follows no redirects, and a
// redirect is not in the API's contract. The web table keeps the mux's
// redirects.
func refuseUncleanPaths(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasPrefix(p, "/api/") && path.Clean(p) != p {
			writeError(w, notFound(fmt.Sprintf("no route for %s %s: API paths have no empty, . or .. segments", r.Method, p)))
			return
		}
		next.ServeHTTP(w, r)
	})
}
