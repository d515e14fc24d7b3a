package consensus

import (
	"fmt"
	"slices"
	"time"

	"github.com/bitcraps/bitcraps/internal/lifecycle"
	"github.com/bitcraps/bitcraps/messages"
)

// A node whose tables are stuck is not healthy. Each instance reports its
// lifecycle mode when it changes, and its failure; the service turns them
// into its health on every change and every resubscribe tick. A paused
// table is not this node's fault (its players are away), so it does not
// count; an instance that failed, or that has been catching up for longer
// than stuckAfter, does.

// stuckAfter: catching up goes at hundreds of rounds a second (one answer
// of 16 rounds per ask, two asks a second), so a minute is a table this
// node cannot reach, not a slow one.
const stuckAfter = time.Minute

// instanceReport is an instance's word about its table; a zero mode with
// no failure means the instance stopped.
type instanceReport struct {
	table   string
	mode    lifecycle.Mode
	failure string
	since   time.Time
}

// tablesHealth is the service's health from its tables' reports at now.
func tablesHealth(reports map[string]instanceReport, now time.Time) (messages.HealthStatus, string) {
	var failed, stuck []string
	for _, r := range reports {
		switch {
		case r.failure != "":
			failed = append(failed, fmt.Sprintf("table %s: %s", r.table, r.failure))
		case r.mode == lifecycle.CatchingUp && now.Sub(r.since) >= stuckAfter:
			stuck = append(stuck, fmt.Sprintf("table %s catching up for %s", r.table, now.Sub(r.since).Round(time.Second)))
		}
	}
	if len(failed)+len(stuck) == 0 {
		return messages.Healthy, fmt.Sprintf("store open; %d table instances run from it", len(reports))
	}
	slices.Sort(failed)
	slices.Sort(stuck)
	problems := append(failed, stuck...)
	reason := problems[0]
	if len(problems) > 1 {
		reason = fmt.Sprintf("%s (and %d more)", reason, len(problems)-1)
	}
	return messages.Degraded, reason
}
