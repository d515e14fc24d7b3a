package backup

import (
	"slices"
	"testing"
	"time"
)

const testPeer = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"

// A schedule of one backup every 20 minutes runs for three days on an
// injected clock, pruning after each backup as the service does. Retention
// then holds exactly the newest backup of each of the last 5 hours and of
// each of the last 3 days: the newest counts for both, so 5 + 3 - 1 = 7,
// and the older backups of each kept hour are gone.
func TestRetentionKeepsExactlyTheConfiguredHoursAndDays(t *testing.T) {
	policy := Policy{Hourly: 5, Daily: 3}
	interval := 20 * time.Minute
	now := time.Date(2026, 12, 1, 0, 5, 0, 0, time.UTC)
	end := now.Add(72*time.Hour - time.Minute)
	var stored []string
	var newest time.Time
	for {
		now = now.Add(NextDelay(newest, now, interval))
		if now.After(end) {
			break
		}
		stored = append(stored, Name(testPeer, now))
		newest = now
		keep, remove := Retain(stored, testPeer, policy)
		if len(keep)+len(remove) != len(stored) {
			t.Fatalf("at %s: kept %d + removed %d of %d", now, len(keep), len(remove), len(stored))
		}
		stored = keep
	}
	slices.Sort(stored)
	// The last backup is at 2026-12-03T23:45 (every 20 min from 00:05).
	want := []string{
		Name(testPeer, time.Date(2026, 12, 1, 23, 45, 0, 0, time.UTC)), // day 1's newest
		Name(testPeer, time.Date(2026, 12, 2, 23, 45, 0, 0, time.UTC)), // day 2's newest
		Name(testPeer, time.Date(2026, 12, 3, 19, 45, 0, 0, time.UTC)), // the last 5 hours' newest
		Name(testPeer, time.Date(2026, 12, 3, 20, 45, 0, 0, time.UTC)),
		Name(testPeer, time.Date(2026, 12, 3, 21, 45, 0, 0, time.UTC)),
		Name(testPeer, time.Date(2026, 12, 3, 22, 45, 0, 0, time.UTC)),
		Name(testPeer, time.Date(2026, 12, 3, 23, 45, 0, 0, time.UTC)), // also day 3's newest
	}
	if !slices.Equal(stored, want) {
		t.Fatalf("kept\n %v\nwant\n %v", stored, want)
	}
}

// Retention never touches another node's backups, nor names that are not
// backups, and keeps everything while there are fewer than the policy asks.
func TestRetentionLeavesOthersAlone(t *testing.T) {
	other := "ffee" + testPeer[4:]
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	names := []string{Name(other, t0), Name(other, t0.Add(time.Minute)), "notes.txt",
		Name(testPeer, t0), Name(testPeer, t0.Add(time.Minute)), Name(testPeer, t0.Add(2*time.Hour))}
	keep, remove := Retain(names, testPeer, Policy{Hourly: 1, Daily: 0})
	if !slices.Equal(keep, []string{Name(testPeer, t0.Add(2*time.Hour))}) ||
		!slices.Equal(remove, []string{Name(testPeer, t0.Add(time.Minute)), Name(testPeer, t0)}) {
		t.Fatalf("keep %v remove %v", keep, remove)
	}
	keep, remove = Retain(names, testPeer, Policy{Hourly: 24, Daily: 7})
	if len(keep) != 2 || len(remove) != 1 {
		t.Fatalf("two hours with backups, 24 hourly kept: keep %v remove %v", keep, remove)
	}
}

// A schedule resumes from the newest stored backup: at once when it is
// overdue, the rest of the interval otherwise, never more than one
// interval even if a clock ran ahead.
func TestNextDelay(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		newest time.Time
		want   time.Duration
	}{
		{time.Time{}, 0},
		{now.Add(-2 * time.Hour), 0},
		{now.Add(-20 * time.Minute), 40 * time.Minute},
		{now.Add(3 * time.Hour), time.Hour},
	} {
		if got := NextDelay(tc.newest, now, time.Hour); got != tc.want {
			t.Errorf("newest %s: %s, want %s", tc.newest, got, tc.want)
		}
	}
}

func TestNameRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 3, 18, 4, 5, 0, time.UTC)
	n := Name(testPeer, at)
	peer, got, err := ParseName(n)
	if err != nil || peer != testPeer[:16] || !got.Equal(at) || !OfPeer(n, testPeer) {
		t.Fatalf("%s: %s %s %v", n, peer, got, err)
	}
	for _, bad := range []string{"", "bitcraps-.tar.zst.age", "bitcraps-abc-2026.tar.zst.age", "x" + n, n + ".tmp"} {
		if _, _, err := ParseName(bad); err == nil {
			t.Errorf("%q parsed as a backup name", bad)
		}
	}
}
