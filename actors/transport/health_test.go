package transport

import (
	"testing"

	"github.com/bitcraps/bitcraps/messages"
)

func TestAggregateHealth(t *testing.T) {
	up := func(s messages.HealthStatus) childHealth {
		return childHealth{configured: true, reported: true, status: s, reason: "r"}
	}
	off := childHealth{}
	waiting := childHealth{configured: true}
	H, D, C, U := messages.Healthy, messages.Degraded, messages.Critical, messages.Unavailable
	cases := []struct {
		name     string
		tcp, ble childHealth
		want     messages.HealthStatus
	}{
		{"tcp only, listening", up(H), off, H},
		{"tcp + ble auto without adapter", up(H), up(U), H},
		{"tcp + ble on without adapter", up(H), up(D), D},
		{"tcp + ble failing", up(H), up(C), D},
		{"tcp + ble working", up(H), up(H), H},
		{"tcp cannot listen, no ble", up(C), off, C},
		{"tcp cannot listen, ble without adapter", up(C), up(U), C},
		{"tcp stopped, ble working", up(U), up(H), D},
		{"mobile, ble working", off, up(H), H},
		{"mobile, no adapter", off, up(U), D},
		{"mobile, ble degraded", off, up(D), D},
	}
	for _, c := range cases {
		h, ready := aggregate(c.tcp, c.ble)
		if !ready || h.Status != c.want || h.Service != ServiceName || h.Reason == "" {
			t.Errorf("%s: got %v ready=%v %q, want %v", c.name, h.Status, ready, h.Reason, c.want)
		}
	}
	for _, c := range []struct{ tcp, ble childHealth }{{waiting, off}, {up(H), waiting}, {off, waiting}} {
		if _, ready := aggregate(c.tcp, c.ble); ready {
			t.Errorf("reported before every child did: %+v", c)
		}
	}
}
