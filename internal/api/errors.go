package api

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Error is the one error shape every route returns:
// {"error":{"code":"...","message":"..."}} with a 4xx/5xx status.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf-free constructors keep call sites short and codes consistent.
func badRequest(msg string) *Error { return &Error{http.StatusBadRequest, "bad_request", msg} }
func notFound(msg string) *Error   { return &Error{http.StatusNotFound, "not_found", msg} }
func unavailable(msg string) *Error {
	return &Error{http.StatusServiceUnavailable, "unavailable", msg}
}

// writeJSON writes v with the given status. Encoding errors after the header
// is sent cannot be reported to the client; they are rare (only unsupported
// types) and caught by tests.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// writeError turns any error into the JSON error shape; an *Error keeps its
// status and code, anything else is an internal error.
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{http.StatusInternalServerError, "internal", err.Error()}
	}
	writeJSON(w, e.Status, map[string]*Error{"error": e})
}
