package api

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Any web page a player visits can send requests to the node on its
// loopback address (CSRF), and a page whose DNS name is rebound to 127.0.0.1
// becomes same-origin with it (DNS rebinding). The guards below close both:
//
//   - Host must name the address the connection arrived on, "localhost", or a
//     name the operator allows (--http-allowed-hosts): a rebound name is none
//     of these. Probes and /metrics are exempt, since infrastructure reaches
//     them by service names and they change nothing.
//   - A mutating request must carry Content-Type: application/json, which a
//     cross-site form or no-cors fetch cannot send without a CORS preflight
//     (that the node never grants).
//   - A mutating request whose Origin or Sec-Fetch-Site says another site
//     (or another port of this one) sent it is refused.
//
// The web table is same-origin and the CLI sends no Origin, so both pass.

// hostExempt are the read-only paths served whatever the Host.
func hostExempt(path string) bool {
	return path == "/metrics" || path == "/health" || strings.HasPrefix(path, "/health/")
}

// mutating: the methods that change state; every other one only reads.
func mutating(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

func forbidden(msg string) *Error { return &Error{http.StatusForbidden, "forbidden", msg} }

// guardCrossSite wraps next with the checks above; allowed are the extra
// host names the operator allows (lowercase, without port).
func guardCrossSite(allowed []string, next http.Handler) http.Handler {
	names := map[string]bool{"localhost": true}
	for _, n := range allowed {
		names[strings.ToLower(n)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkHost(r, names); err != nil && !hostExempt(r.URL.Path) {
			writeError(w, err)
			return
		}
		if mutating(r.Method) {
			if err := firstError(checkSameOrigin(r), checkJSONContent(r)); err != nil {
				writeError(w, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkHost accepts the IP the connection arrived on and the allowed names.
func checkHost(r *http.Request, names map[string]bool) error {
	host := hostOnly(r.Host)
	if host == "" || names[strings.ToLower(host)] {
		return nil // no Host (an HTTP/1.0 probe) names no site to rebind
	}
	if ip := net.ParseIP(host); ip != nil {
		if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			if tcp, ok := local.(*net.TCPAddr); ok && tcp.IP.Equal(ip) {
				return nil
			}
		}
	}
	return forbidden(fmt.Sprintf("Host %q is not this node's address, localhost, or a name allowed by --http-allowed-hosts / BITCRAPS_HTTP_ALLOWED_HOSTS",
		r.Host))
}

// hostOnly drops the port and IPv6 brackets from a Host header.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

// checkSameOrigin refuses a request a browser marks as sent by another
// site. "same-site" is refused too: another port of localhost is another
// program. An Origin of "null" (sandboxed frames, files) is foreign.
func checkSameOrigin(r *http.Request) error {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return forbidden(fmt.Sprintf("Sec-Fetch-Site %q: changes are accepted from this node's own page only", site))
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
		return forbidden(fmt.Sprintf("Origin %q is not this node (%s): changes are accepted from this node's own page only",
			origin, r.Host))
	}
	return nil
}

// checkJSONContent requires application/json (parameters such as charset
// allowed) on every mutating request, bodiless ones included.
func checkJSONContent(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "application/json" {
		return nil
	}
	return &Error{http.StatusUnsupportedMediaType, "unsupported_media_type",
		fmt.Sprintf("Content-Type %q: changes need Content-Type: application/json", ct)}
}
