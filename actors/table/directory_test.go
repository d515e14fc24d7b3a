package table

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/messages"
)

// One peer announcing thousands of tables holds at most
// maxAnnouncedPerHost directory entries, refusals are counted, and other
// hosts' tables still enter the directory (issue 12, item 6).
func TestAPeerAnnouncingThousandsOfTablesHoldsABoundedShare(t *testing.T) {
	reg := prometheus.NewRegistry()
	metrics, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, 7, func(o *Options) { o.Metrics = metrics })
	flooder, honest := newIdentity(t, 71), newIdentity(t, 72)
	const tables, batch = 2000, 100
	for b := 0; b < tables; b += batch {
		var recs []*record
		for i := b; i < b+batch; i++ {
			recs = append(recs, &record{ID: fmt.Sprintf("f100d%011x", i), Host: string(flooder.PeerID()),
				Status: statusWaiting, Version: 1, Settings: settings{MinPlayers: 1, MaxPlayers: 2, Bankroll: crap}})
		}
		announce(t, n, flooder, recs...)
	}
	real := &record{ID: "0123456789abcdef", Host: string(honest.PeerID()), Status: statusWaiting, Version: 1,
		Settings: settings{MinPlayers: 1, MaxPlayers: 2, Bankroll: crap}}
	announce(t, n, honest, real) // delivered after the flood, in order
	eventually(t, 10*time.Second, "the honest host's table listed", func() (bool, string) {
		return n.ask("games", &messages.GetTable{TableID: real.ID}).(*messages.TableReply).Err == nil, ""
	})
	list := n.ask("games", &messages.ListTables{}).(*messages.TableList)
	byHost := map[string]int{}
	for _, v := range list.Items {
		byHost[v.Host]++
	}
	if got := byHost[string(flooder.PeerID())]; got != maxAnnouncedPerHost {
		t.Fatalf("the flooder holds %d directory entries, want %d", got, maxAnnouncedPerHost)
	}
	if got := refusedAnnouncements(t, reg); got != tables-maxAnnouncedPerHost {
		t.Fatalf("refused announcements counted %v, want %d", got, tables-maxAnnouncedPerHost)
	}
}

func refusedAnnouncements(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if f.GetName() == "bitcraps_games_followed_total" && labels["kind"] == "announcement" && labels["result"] == "refused" {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
