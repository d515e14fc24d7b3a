package mesh

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/messages"
)

func TestPeerTableStates(t *testing.T) {
	tb := NewPeerTable("self", 3, time.Hour)
	meta := NodeMeta{MeshPort: 9000}
	tb.MemberAlive("self", "127.0.0.1:1", meta, t0) // never listed
	tb.MemberAlive("m", "127.0.0.1:7946", meta, t0)
	tb.Refresh(t0.Add(time.Second), 2*time.Second)
	if got := tb.Snapshot(); len(got) != 1 || got[0].State != messages.PeerAlive || got[0].Transport != "gossip" {
		t.Fatalf("%+v, want m alive over gossip", got)
	}
	tb.Refresh(t0.Add(3*time.Second), 2*time.Second)
	if s := tb.Snapshot()[0].State; s != messages.PeerSuspect {
		t.Fatalf("quiet member is %q, want suspect", s)
	}
	tb.ProbeOK("m", 3*time.Millisecond, t0.Add(4*time.Second))
	row := tb.Snapshot()[0]
	if row.State != messages.PeerAlive || row.RTTMillis != 3 {
		t.Fatalf("%+v, want alive with 3 ms rtt after a probe", row)
	}
	tb.Connected("m", messages.TransportTCP, "127.0.0.1:50000", t0)
	tb.Connected("m", messages.TransportBLE, "aa:bb", t0)
	if row := tb.Snapshot()[0]; row.Transport != "ble,tcp" || len(row.Addresses) != 4 {
		t.Fatalf("%+v, want ble,tcp and four addresses", row)
	}
	if still := tb.Disconnected("m", messages.TransportTCP, t0); !still {
		t.Fatal("ble connection still up, yet Disconnected says none left")
	}
	tb.MemberGone("m", t0)
	if s := tb.Snapshot()[0].State; s != messages.PeerDead {
		t.Fatalf("member gone without a leave notice is %q, want dead", s)
	}
	tb.MemberAlive("m", "127.0.0.1:7946", NodeMeta{Leaving: true}, t0)
	tb.MemberGone("m", t0)
	if s := tb.Snapshot()[0].State; s != messages.PeerLeft {
		t.Fatalf("member gone after a leave notice is %q, want left", s)
	}
}

func TestPeerTableConnectionOnlyPeers(t *testing.T) {
	tb := NewPeerTable("self", 10, time.Minute)
	tb.Connected("b", messages.TransportBLE, "aa:bb", t0)
	if s := tb.Snapshot()[0].State; s != messages.PeerAlive {
		t.Fatalf("connected BLE peer is %q, want alive", s)
	}
	tb.Disconnected("b", messages.TransportBLE, t0)
	if s := tb.Snapshot()[0].State; s != messages.PeerDead {
		t.Fatalf("BLE peer with no link is %q, want dead", s)
	}
	tb.Refresh(t0.Add(2*time.Minute), time.Second)
	if n := len(tb.Snapshot()); n != 0 {
		t.Fatalf("%d rows after the keep period, want 0", n)
	}
}

func TestPeerTableIsBounded(t *testing.T) {
	tb := NewPeerTable("self", 3, time.Hour)
	for i := range 5 {
		tb.MemberAlive(fmt.Sprint("p", i), "127.0.0.1:1", NodeMeta{}, t0.Add(time.Duration(i)*time.Second))
	}
	tb.MemberGone("p4", t0.Add(10*time.Second))
	tb.Refresh(t0.Add(10*time.Second), time.Hour)
	rows := tb.Snapshot()
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	for _, r := range rows {
		if r.PeerID == "p4" {
			t.Fatal("the dead peer should be evicted before live ones")
		}
	}
}

func TestNewMetricsTwiceOnOneRegistryShares(t *testing.T) {
	reg := prometheus.NewRegistry()
	m1, err1 := NewMetrics(reg)
	m2, err2 := NewMetrics(reg)
	if err1 != nil || err2 != nil {
		t.Fatalf("errors %v, %v", err1, err2)
	}
	m1.drop(DropDuplicate)
	m2.drop(DropDuplicate)
	if got := counterValue(t, reg, "bitcraps_mesh_dropped_total", string(DropDuplicate)); got != 2 {
		t.Fatalf("shared counter %v, want 2", got)
	}
	var nilMetrics *Metrics
	nilMetrics.drop(DropDuplicate) // the no-op path must not panic
}
