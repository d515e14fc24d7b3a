package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// wedged is a node whose actor system no longer answers.
type wedged struct{ fakeHealth }

func (wedged) Alive() error { return errors.New("ping root supervisor: future: timeout") }

// The liveness probe answers 503 once the node's actor system stops
// answering, so the kubelet restarts a wedged pod, and 200 while it answers.
func TestLivenessFollowsTheRootPing(t *testing.T) {
	for _, tc := range []struct {
		health Health
		want   int
	}{{fakeHealth{}, http.StatusOK}, {wedged{}, http.StatusServiceUnavailable}} {
		rec := httptest.NewRecorder()
		New(Options{Health: tc.health}).Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/health/live", nil))
		if rec.Code != tc.want {
			t.Errorf("%T: /health/live %d, want %d: %s", tc.health, rec.Code, tc.want, rec.Body)
		}
	}
}
