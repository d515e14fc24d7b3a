package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/bitcraps/bitcraps/internal/ledger"
)

// maxBodyBytes bounds a request body: the largest legitimate body (a
// table's settings) is a few hundred bytes; 64 KiB leaves room for
// clients that pretty-print and caps memory per request.
const maxBodyBytes = 64 << 10

// tableIDLen is a table ID's length: 8 bytes of SHA-256 in lowercase hex.
const tableIDLen = 16

// tableID reads and checks the {id} path value, so a malformed ID never
// reaches the games service.
func tableID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if len(id) != tableIDLen || strings.Trim(id, "0123456789abcdef") != "" {
		return "", badRequest(fmt.Sprintf("table id %q: want %d lowercase hex digits", id, tableIDLen))
	}
	return id, nil
}

// decodeBody decodes a JSON object into v: bounded size, no unknown
// fields, nothing after the object, and type errors naming the field.
// An empty body is allowed only when optional (routes with no body).
func decodeBody(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &Error{http.StatusRequestEntityTooLarge, "too_large",
			fmt.Sprintf("request body: larger than %d KiB", maxBodyBytes>>10)}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &Error{http.StatusRequestTimeout, "timeout", "request body: not received in time; send it at once"}
	case err != nil:
		return badRequest(fmt.Sprintf("request body: %v", err))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		if optional {
			return nil
		}
		return badRequest("request body: empty; want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest(decodeMessage(err))
	}
	if dec.More() {
		return badRequest("request body: unexpected data after the JSON object")
	}
	return nil
}

// decodeMessage says what is wrong with a body in the player's terms,
// naming the field whenever the decoder knows it.
func decodeMessage(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		want := typeErr.Type.String()
		if strings.HasPrefix(want, "int") {
			want = "an integer (amounts are whole micro-CRAP)"
		}
		// Bodies are flat objects: the last part of the path is the JSON
		// field (the decoder prefixes fields of embedded structs with the
		// struct's Go name).
		field := typeErr.Field[strings.LastIndex(typeErr.Field, ".")+1:]
		return fmt.Sprintf("field %s: got %s, want %s", field, typeErr.Value, want)
	case errors.As(err, &typeErr):
		return fmt.Sprintf("request body: got %s, want a JSON object", typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("request body: malformed JSON at byte %d: %v", syntaxErr.Offset, err)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "request body: truncated JSON"
	}
	return fmt.Sprintf("request body: %v", err)
}

// positive checks an amount that must be above zero and, like every
// amount, at most the ledger's maximum: a larger one could only wrap a sum
// somewhere downstream.
func positive(field string, v int64) error {
	if v <= 0 {
		return badRequest(fmt.Sprintf("field %s: %d, want a positive amount of micro-CRAP", field, v))
	}
	return belowLedgerMax(field, v)
}

// amountOrZero checks an amount where zero means "default" or "none".
func amountOrZero(field string, v int64) error {
	if v == 0 {
		return nil
	}
	return positive(field, v)
}

func belowLedgerMax(field string, v int64) error {
	if v > ledger.MaxAmount {
		return badRequest(fmt.Sprintf("field %s: %d micro-CRAP, above the ledger's maximum of %d CRAP",
			field, v, ledger.MaxAmount/microsPerCRAP))
	}
	return nil
}

// microsPerCRAP converts amounts for messages a player reads.
const microsPerCRAP = 1_000_000

// nonNegative checks a count where zero means "default".
func nonNegative(field string, v int64) error {
	if v < 0 {
		return badRequest(fmt.Sprintf("field %s: %d, want zero or more", field, v))
	}
	return nil
}

// firstError returns the first non-nil error, so a handler checks its
// fields in order and reports the first bad one.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
