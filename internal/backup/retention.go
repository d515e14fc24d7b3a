package backup

import (
	"slices"
	"strings"
	"time"
)

// Policy is how many backups retention keeps: the newest of each of the
// last Hourly hours that have a backup, and the newest of each of the last
// Daily days (UTC) that have one. One backup may count for both (the newest
// is always both the newest of its hour and of its day). Counting hours and
// days that have a backup, rather than the last hours before now, means a
// node whose backups failed for a while never loses the ones it still has.
type Policy struct {
	Hourly int
	Daily  int
}

// Retain decides which of peer's backups among names to keep and which to
// remove. Names that are not peer's backups are in neither list: a shared
// bucket holds other nodes' backups, which are theirs to prune. Pure: the
// times come from the names.
func Retain(names []string, peer string, p Policy) (keep, remove []string) {
	type backup struct {
		name    string
		created time.Time
	}
	var mine []backup
	for _, n := range names {
		if !OfPeer(n, peer) {
			continue
		}
		_, created, _ := ParseName(n)
		mine = append(mine, backup{n, created})
	}
	// Newest first; equal times by name so the decision is deterministic.
	slices.SortFunc(mine, func(a, b backup) int {
		if c := b.created.Compare(a.created); c != 0 {
			return c
		}
		return strings.Compare(b.name, a.name)
	})
	hours, days := map[time.Time]bool{}, map[time.Time]bool{}
	for _, b := range mine {
		hour := b.created.Truncate(time.Hour)
		day := time.Date(b.created.Year(), b.created.Month(), b.created.Day(), 0, 0, 0, 0, time.UTC)
		kept := false
		if !hours[hour] && len(hours) < p.Hourly {
			hours[hour], kept = true, true
		}
		if !days[day] && len(days) < p.Daily {
			days[day], kept = true, true
		}
		if kept {
			keep = append(keep, b.name)
		} else {
			remove = append(remove, b.name)
		}
	}
	return keep, remove
}
