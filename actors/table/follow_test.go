package table

import (
	"fmt"
	"testing"
	"time"
)

// Tables announced only to fill the follower slots never certify a round;
// once they have stalled past FollowStallAfter, a new table takes the
// slot of the longest-stalled one and is followed (its seat is asked for
// its history), where before the full slots kept it out for good
// (issue 12, item 6).
func TestStalledFollowersYieldTheirSlots(t *testing.T) {
	n := startNode(t, 9, func(o *Options) { o.FollowStallAfter = time.Nanosecond })
	spy := spyOnMesh(t, n)
	victim := newIdentity(t, 90)
	for h := range maxFollowed / maxAnnouncedPerHost {
		host := newIdentity(t, uint64(91+h))
		announce(t, n, host, playingTables(host, victim, h*maxAnnouncedPerHost, maxAnnouncedPerHost)...)
	}
	realHost, realSeat := newIdentity(t, 99), newIdentity(t, 100)
	announce(t, n, realHost, playingTables(realHost, realSeat, maxFollowed, 1)...)
	eventually(t, 10*time.Second, "the real table followed", func() (bool, string) {
		got := len(spy.times(string(realSeat.PeerID())))
		return got > 0, fmt.Sprintf("%d history requests to its seat", got)
	})
}
