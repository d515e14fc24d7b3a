package table

import (
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// How current a watching node says it is: live only when it holds the
// newest round it heard of and a player answered recently.
func TestSyncOf(t *testing.T) {
	for _, c := range []struct {
		name              string
		certified, newest uint64
		quiet             time.Duration
		heard             bool
		want              string
		behind            uint64
	}{
		{"holds the newest, answered just now", 12, 12, time.Second, true, messages.SyncLive, 0},
		{"holds the newest, answered within the stale bound", 12, 12, followStaleAfter - time.Millisecond, true, messages.SyncLive, 0},
		{"three rounds heard of, not checked yet", 9, 12, time.Second, true, messages.SyncCatchingUp, 3},
		{"just started, no player answered yet", 0, 0, time.Second, false, messages.SyncCatchingUp, 0},
		{"nobody answered for the stale bound", 12, 12, followStaleAfter, true, messages.SyncStale, 0},
		{"behind and nobody answers", 9, 12, time.Minute, true, messages.SyncStale, 3},
		{"never answered since start", 0, 0, time.Minute, false, messages.SyncStale, 0},
	} {
		got, behind := syncOf(c.certified, c.newest, c.quiet, c.heard)
		if got != c.want || behind != c.behind {
			t.Errorf("%s: %s %d behind, want %s %d", c.name, got, behind, c.want, c.behind)
		}
	}
}
