package api

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
)

// errorConn rewrites the answers net/http writes by itself to a request it
// cannot parse (400 malformed, 431 headers too large, 501 unknown transfer
// coding, 505 HTTP version) from plain text into the API's JSON error
// shape, so every answer a client gets from the node has that shape. They
// are the only writes net/http makes straight to the socket, in one call,
// with this exact header block, just before it closes the connection.
type errorConn struct{ net.Conn }

var netHTTPError = regexp.MustCompile(`(?s)^HTTP/1\.1 ([0-9]{3}) [^\r\n]*\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n(.*)$`)

// netHTTPCodes are the error codes of those answers.
var netHTTPCodes = map[int]string{
	http.StatusBadRequest:                  "bad_request",
	http.StatusRequestHeaderFieldsTooLarge: "headers_too_large",
	http.StatusNotImplemented:              "not_implemented",
	http.StatusHTTPVersionNotSupported:     "http_version_not_supported",
}

func (c errorConn) Write(p []byte) (int, error) {
	m := netHTTPError.FindSubmatch(p)
	if m == nil {
		return c.Conn.Write(p)
	}
	status, _ := strconv.Atoi(string(m[1]))
	code, ok := netHTTPCodes[status]
	if !ok {
		code = "bad_request"
	}
	body, _ := json.Marshal(map[string]*Error{"error": {Code: code, Message: "the request could not be read: " + string(m[2])}})
	answer := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), len(body)+1, body)
	if _, err := c.Conn.Write([]byte(answer + "\n")); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CloseWrite keeps net/http's half-close of a connection it refuses (it
// looks for the method on the connection it was given).
func (c errorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
