package consensus

import (
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/lifecycle"
	"github.com/bitcraps/bitcraps/messages"
)

func TestTablesHealth(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		reports []instanceReport
		at      time.Duration
		want    messages.HealthStatus
		reason  string
	}{
		{"no tables", nil, 0, messages.Healthy, "0 table instances"},
		{"playing and paused", []instanceReport{{table: "a", mode: lifecycle.Playing}, {table: "b", mode: lifecycle.Paused}}, time.Hour,
			messages.Healthy, "2 table instances"},
		{"catching up for a while", []instanceReport{{table: "a", mode: lifecycle.CatchingUp}}, 59 * time.Second, messages.Healthy, ""},
		{"catching up too long", []instanceReport{{table: "a", mode: lifecycle.CatchingUp}}, time.Minute, messages.Degraded,
			"table a catching up for 1m0s"},
		{"failed", []instanceReport{{table: "b", mode: lifecycle.Playing}, {table: "a", failure: "replay"},
			{table: "c", mode: lifecycle.CatchingUp}}, 2 * time.Minute, messages.Degraded, "table a: replay (and 1 more)"},
	}
	for _, c := range cases {
		reports := map[string]instanceReport{}
		for _, r := range c.reports {
			r.since = t0
			reports[r.table] = r
		}
		got, reason := tablesHealth(reports, t0.Add(c.at))
		if got != c.want || !strings.Contains(reason, c.reason) {
			t.Errorf("%s: %s %q, want %s containing %q", c.name, got, reason, c.want, c.reason)
		}
	}
}
