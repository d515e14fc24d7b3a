package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/bitcraps/bitcraps/internal/tracing"
)

// requestIDHeader carries a request's id: taken from the client when it is
// a plain token, made here otherwise, and always echoed in the response,
// so a client's report and the node's log line name the same request.
const requestIDHeader = "X-Request-Id"

// accessLog writes one INFO line per request once it is answered: method,
// path, status, duration and request id. Paths only, never query strings
// (a token must not land in a log).
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(requestIDHeader)
		if !plainToken(id) {
			id = newRequestID()
		}
		w.Header().Set(requestIDHeader, id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(rec, r)
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start), "request_id", id, "bytes", rec.bytes}
		if tid := tracing.TraceID(r); tid != "" {
			attrs = append(attrs, "trace_id", tid)
		}
		log.Info("http request", attrs...)
	})
}

// plainToken: 1–64 letters, digits, '-' or '_', so a client's id cannot
// forge log content.
func plainToken(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	return hex.EncodeToString(b[:])
}

// statusRecorder remembers the status and counts the body; Flush and
// Unwrap keep event streams (http.Flusher, ResponseController) working.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int
	wroteHeader bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wroteHeader = true
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

func (s *statusRecorder) Flush() { _ = http.NewResponseController(s.ResponseWriter).Flush() }

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
