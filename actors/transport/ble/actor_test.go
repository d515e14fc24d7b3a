package ble

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/messages"
)

func TestTheRealHCIPathReportsNoAdapterHere(t *testing.T) {
	r, err := OpenHCI("bc-test")
	if err == nil {
		// A machine with a usable adapter: the path works; release it.
		_ = r.Close()
		return
	}
	if !errors.Is(err, ErrNoAdapter) {
		t.Fatalf("OpenHCI: %v; want ErrNoAdapter or success", err)
	}
}

func TestNoAdapterClassification(t *testing.T) {
	for msg, want := range map[string]bool{
		"can't init hci: can't create socket: address family not supported by protocol": true,
		"can't create hci: no devices available: (hci0: can't down device)":             true,
		"can't init hci: disconnected":                                                  false,
	} {
		if got := isNoAdapter(errors.New(msg)); got != want {
			t.Errorf("%q: no adapter = %v, want %v", msg, got, want)
		}
	}
}

func TestHealthWithoutAdapterFollowsTheMode(t *testing.T) {
	noAdapter := func() (Radio, error) {
		return nil, fmt.Errorf("%w: can't init hci: can't create socket: address family not supported by protocol", ErrNoAdapter)
	}
	cases := []struct {
		name   string
		opts   Options
		status messages.HealthStatus
		says   string
	}{
		{"auto", Options{Mode: config.BLEAuto, OpenRadio: noAdapter}, messages.Unavailable, "TCP only"},
		{"on", Options{Mode: config.BLEOn, OpenRadio: noAdapter}, messages.Degraded, "mode is on"},
		{"mobile", Options{Mode: config.BLEOn, Mobile: true, OpenRadio: noAdapter}, messages.Degraded, "mobile mode needs Bluetooth"},
		{"off", Options{Mode: config.BLEOff, OpenRadio: noAdapter}, messages.Unavailable, "off by configuration"},
	}
	sys := newSystem(t)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := seeded(t, uint64(i))
			n := startNode(t, sys, newIdentity(t, r), r, tc.opts)
			h := n.waitHealth()
			if h.Service != messages.TransportBLE || h.Status != tc.status || !strings.Contains(h.Reason, tc.says) {
				t.Fatalf("health %+v; want %v saying %q", h, tc.status, tc.says)
			}
		})
	}
}

func TestBrokenRadioIsRetried(t *testing.T) {
	air := NewMemoryAir(1)
	calls := 0
	open := func() (Radio, error) { // called from the actor's opener goroutines, one at a time
		calls++
		if calls == 1 {
			return nil, errors.New("hci: controller reset")
		}
		return air.NewRadio("aa:00", 185), nil
	}
	r := seeded(t, 5)
	n := startNode(t, newSystem(t), newIdentity(t, r), r, Options{OpenRadio: open, RetryRadio: 10 * time.Millisecond})
	if h := n.waitHealth(); h.Status != messages.Degraded || !strings.Contains(h.Reason, "controller reset") {
		t.Fatalf("first health %+v, want Degraded naming the failure", h)
	}
	if h := n.waitHealth(); h.Status != messages.Healthy {
		t.Fatalf("after retry %+v, want Healthy", h)
	}
}

func TestTwoNodesLinkAndExchangeBothWays(t *testing.T) {
	sys := newSystem(t)
	air := NewMemoryAir(21)
	a := onAir(t, sys, air, "aa:01", 21, 185)
	b := onAir(t, sys, air, "aa:02", 22, 185)
	ca, cb := a.waitConnected(b.peerID()), b.waitConnected(a.peerID())
	if ca.Transport != messages.TransportBLE || ca.Inbound == cb.Inbound {
		t.Fatalf("connected events %+v / %+v: want one inbound and one outbound BLE link", ca, cb)
	}
	a.send(b, a.envelope("hello b"))
	b.send(a, b.envelope("hello a"))
	fb, fa := b.waitFrame(), a.waitFrame()
	if string(fb.Envelope.GetPayload()) != "hello b" || fb.From != a.peerID() || fb.Transport != messages.TransportBLE {
		t.Fatalf("b got %+v", fb)
	}
	if string(fa.Envelope.GetPayload()) != "hello a" || fa.From != b.peerID() {
		t.Fatalf("a got %+v", fa)
	}
	if got := a.connections(); len(got) != 1 || got[0].Peer != b.peerID() {
		t.Fatalf("a's connections %+v, want exactly one to b", got)
	}
}

func TestEnvelopesCrossAFaultyAirIntactOnceAndInOrder(t *testing.T) {
	sys := newSystem(t)
	air := NewMemoryAir(31)
	air.SetFaults(Faults{Duplicate: 0.05, Reorder: 0.1})
	a := onAir(t, sys, air, "aa:01", 31, 23) // the BLE 4.0 default MTU: many fragments per frame
	b := onAir(t, sys, air, "aa:02", 32, 23)
	a.waitConnected(b.peerID())
	b.waitConnected(a.peerID())
	const n = 40
	for i := range n {
		a.send(b, a.envelope(fmt.Sprintf("bet %02d %s", i, strings.Repeat("x", i*7))))
	}
	for i := range n {
		f := b.waitFrame()
		want := fmt.Sprintf("bet %02d", i)
		if !strings.HasPrefix(string(f.Envelope.GetPayload()), want) {
			t.Fatalf("frame %d is %q, want prefix %q", i, f.Envelope.GetPayload(), want)
		}
	}
	a.send(b, a.envelope("last"))
	if f := b.waitFrame(); string(f.Envelope.GetPayload()) != "last" {
		t.Fatalf("after the batch got %q, want last (no duplicates)", f.Envelope.GetPayload())
	}
	if s := air.Stats(); s.Duplicated == 0 || s.Reordered == 0 {
		t.Fatalf("air stats %+v: faults not exercised", s)
	}
}

func TestLinkLostToRadioLossIsRebuilt(t *testing.T) {
	sys := newSystem(t)
	air := NewMemoryAir(41)
	a := onAir(t, sys, air, "aa:01", 41, 185)
	b := onAir(t, sys, air, "aa:02", 42, 185)
	a.waitConnected(b.peerID())
	b.waitConnected(a.peerID())
	air.SetFaults(Faults{Loss: 1}) // a blackout: every fragment lost
	a.send(b, a.envelope("into the void"))
	a.waitDisconnected(b.peerID()) // the reassembly timeout drops the link
	air.SetFaults(Faults{})
	a.waitConnected(b.peerID()) // scanning finds b again
	a.send(b, a.envelope("after the blackout"))
	for {
		f := b.waitFrame()
		if string(f.Envelope.GetPayload()) == "after the blackout" {
			break
		}
	}
	if a.counter("bitcraps_transport_handshake_failures_total", "pow") != 0 {
		t.Fatal("unexpected handshake failures")
	}
}

func TestWeakIdentityIsRefusedOverBLE(t *testing.T) {
	sys := newSystem(t)
	air := NewMemoryAir(51)
	strong := onAir(t, sys, air, "aa:01", 51, 185)
	r := seeded(t, 52)
	weak := newIdentity(t, r)
	for weak.Nonce++; verifies(weak); weak.Nonce++ {
	}
	radio := air.NewRadio("aa:02", 185)
	startNode(t, sys, weak, r, Options{OpenRadio: func() (Radio, error) { return radio, nil }})
	strong.waitCounter("bitcraps_transport_handshake_failures_total", "pow")
	if got := strong.connections(); len(got) != 0 {
		t.Fatalf("strong node linked to %+v", got)
	}
}

func TestDisconnectWithCoolDownRefusesTheReturn(t *testing.T) {
	sys := newSystem(t)
	air := NewMemoryAir(61)
	a := onAir(t, sys, air, "aa:01", 61, 185)
	b := onAir(t, sys, air, "aa:02", 62, 185)
	a.waitConnected(b.peerID())
	sys.Root.Send(a.pid, &messages.DisconnectPeer{Peer: b.peerID(), CoolDown: time.Minute, Reason: "test"})
	a.waitDisconnected(b.peerID())
	a.waitCounter("bitcraps_transport_handshake_failures_total", "cooldown") // b's return refused
	if got := a.connections(); len(got) != 0 {
		t.Fatalf("a linked to %+v during the cool-down", got)
	}
}

func TestBothEndsKeepTheSameOfTwoLinks(t *testing.T) {
	// Two links between x and y (both dialed at once). Each end sees one as
	// inbound and one as outbound; both must keep the link x dialed (x < y).
	x, y := "1111", "2222"
	atX := &Actor{selfID: x}
	atY := &Actor{selfID: y}
	xDialed := func(at *Actor) *conn {
		return &conn{peer: map[bool]string{true: y, false: x}[at == atX], inbound: at == atY}
	}
	yDialed := func(at *Actor) *conn {
		return &conn{peer: map[bool]string{true: y, false: x}[at == atX], inbound: at == atX}
	}
	if !atX.prefer(xDialed(atX), yDialed(atX)) || atX.prefer(yDialed(atX), xDialed(atX)) {
		t.Fatal("x does not keep the link x dialed")
	}
	if !atY.prefer(xDialed(atY), yDialed(atY)) || atY.prefer(yDialed(atY), xDialed(atY)) {
		t.Fatal("y does not keep the link x dialed")
	}
}
