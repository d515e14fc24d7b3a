package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/backup"
)

// fakeBackups answers by the first destination it is given: "busy" is
// refused as busy, "bad" fails before any step, "half" reaches one of two
// destinations; anything else succeeds.
type fakeBackups struct{}

func (fakeBackups) Create(_ context.Context, to []string, progress func(backup.Progress)) (backup.Result, error) {
	first := ""
	if len(to) > 0 {
		first = to[0]
	}
	switch first {
	case "busy":
		return backup.Result{}, ErrBackupBusy
	case "bad":
		return backup.Result{}, fmt.Errorf("%w: %q", backup.ErrDestination, first)
	}
	progress(backup.Progress{Step: "checkpoint"})
	res := backup.Result{Name: "bitcraps-x-20260101T000000Z" + backup.Suffix, Size: 42,
		Destinations: []backup.DestinationResult{{Destination: first}}}
	if first == "half" {
		res.Destinations = append(res.Destinations, backup.DestinationResult{Destination: "s3://gone", Error: "connection refused"})
		progress(backup.Progress{Step: "failed", Destination: "s3://gone", Error: "connection refused"})
		return res, fmt.Errorf("%w: s3://gone: connection refused", backup.ErrDestination)
	}
	progress(backup.Progress{Step: "uploaded", Destination: first})
	return res, nil
}

// POST /api/v1/backups streams the steps and ends with the result; a
// destination that failed is named in the final line's error; a refusal
// before the first step is a plain JSON error with its status.
func TestBackupRouteStreamsProgressAndNamesFailures(t *testing.T) {
	ts := httptestServer(t, New(Options{Backups: fakeBackups{}}))
	lines := func(body string) []backupLine {
		var out []backupLine
		for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
			var bl backupLine
			if err := json.Unmarshal([]byte(l), &bl); err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			out = append(out, bl)
		}
		return out
	}
	status, body := call(t, ts, "POST", "/api/v1/backups", `{"to":["/tmp/x"]}`)
	got := lines(body)
	if status != http.StatusOK || len(got) != 3 || got[0].Progress == nil || got[0].Progress.Step != "checkpoint" ||
		got[2].Result == nil || got[2].Result.Size != 42 || got[2].Error != nil {
		t.Fatalf("ok backup: %d %s", status, body)
	}
	status, body = call(t, ts, "POST", "/api/v1/backups", `{"to":["half"]}`)
	got = lines(body)
	last := got[len(got)-1]
	if status != http.StatusOK || last.Error == nil || !strings.Contains(last.Error.Message, "s3://gone") ||
		last.Result == nil || len(last.Result.Failed()) != 1 {
		t.Fatalf("half backup: %d %s", status, body)
	}
	for _, tc := range []struct {
		body   string
		status int
		code   string
	}{{`{"to":["busy"]}`, http.StatusConflict, "busy"}, {`{"to":["bad"]}`, http.StatusBadRequest, "bad_request"}, {`{"nope":1}`, http.StatusBadRequest, "bad_request"}} {
		status, body := call(t, ts, "POST", "/api/v1/backups", tc.body)
		var e struct{ Error Error }
		if err := json.Unmarshal([]byte(body), &e); err != nil || status != tc.status || e.Error.Code != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.body, status, body, tc.status, tc.code)
		}
	}
}
