package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/bitcraps/bitcraps/messages"
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

// detailedError is an *Error with the numbers behind its message, which
// the answer carries beside the message (ErrorDetail's fields).
type detailedError struct {
	err    *Error
	detail *messages.ErrorDetail
}

func (d *detailedError) Error() string { return d.err.Error() }
func (d *detailedError) Unwrap() error { return d.err }

// errorBody is the "error" object of an answer.
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	*messages.ErrorDetail
}

// writeError turns any error into the JSON error shape; an *Error keeps its
// status and code, anything else is an internal error.
func writeError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{http.StatusInternalServerError, "internal", err.Error()}
	}
	body := errorBody{Code: e.Code, Message: e.Message}
	var d *detailedError
	if errors.As(err, &d) {
		body.ErrorDetail = d.detail
	}
	writeJSON(w, e.Status, map[string]errorBody{"error": body})
}
