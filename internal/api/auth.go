package api

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// requireToken guards mutating routes with a bearer token. Reads stay
// open: public table state is public by design, and probes must work
// without credentials.
func requireToken(token string, next http.Handler) http.Handler {
	if token == "" {
		return next
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		got := []byte(strings.TrimSpace(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bitcraps"`)
			writeError(w, &Error{http.StatusUnauthorized, "unauthorized",
				"this route changes state: send Authorization: Bearer <token> (BITCRAPS_API_TOKEN, or the token file in the data dir)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
