package tcp_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/actors/transport/tcp"
)

// floodFrom opens n TCP connections to addr from the loopback source
// addresses given, round robin, that never send a byte of the handshake.
func floodFrom(t *testing.T, addr string, n int, sources ...string) {
	t.Helper()
	for i := range n {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(sources[i%len(sources)])}, Timeout: waitLimit}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("flood connection %d: %v", i, err)
		}
		t.Cleanup(func() { c.Close() })
	}
}

// 300 connections that never finish the Noise handshake once held every
// slot of the mesh port, and a new honest node failed every dial (issue 12,
// item 5). Now one source address holds at most MaxPendingPerAddr of them,
// unknown addresses never take the slots reserved for the node's own dials,
// and a stalled handshake yields its slot to a new connection: an honest
// node still connects, the node still dials out, and every refusal is
// counted.
func TestUnfinishedHandshakesCannotLockOutPeers(t *testing.T) {
	sys := newSystem(t)
	r := seeded(t, 12)
	const slots, perAddr, reserved = 16, 8, 4
	victim := startNode(t, sys, newIdentity(t, r, testDifficulty), r, "127.0.0.1:0", func(o *tcp.Options) {
		o.MaxConnections, o.MaxPendingPerAddr, o.ReservedSlots = slots, perAddr, reserved
		o.HandshakeTimeout = time.Hour     // the flood would hold its slots for the whole test
		o.StaleHandshake = time.Nanosecond // any pending handshake may yield
	})
	refused := func(reason string) map[string]string {
		return map[string]string{"transport": "tcp", "reason": reason}
	}
	const name = "bitcraps_transport_refused_connections_total"

	// One address: 8 handshakes pending, the other 142 refused at once.
	const fromOne = 150
	floodFrom(t, victim.addr, fromOne, "127.0.0.2")
	victim.waitCounter(name, refused("pending_per_addr"), fromOne-perAddr)

	// Ten more addresses: they may fill the unknown share (16 - 4); past it
	// each new connection cuts the longest-stalled handshake.
	const fromMany = 150
	var sources []string
	for i := 3; i < 13; i++ {
		sources = append(sources, fmt.Sprintf("127.0.0.%d", i))
	}
	floodFrom(t, victim.addr, fromMany, sources...)
	const share = slots - reserved
	victim.waitCounter(name, refused("stale_handshake"), fromMany-(share-perAddr))

	// A new honest node (an unknown address) still connects...
	honest := startNode(t, sys, newIdentity(t, r, testDifficulty), r, "127.0.0.1:0")
	honest.send(victim, victim.addr, honest.envelope("hello through the flood"))
	victim.waitConnected(honest.peerID())
	// ... and the node still dials out, into its reserved slots.
	other := startNode(t, sys, newIdentity(t, r, testDifficulty), r, "127.0.0.1:0")
	victim.send(other, other.addr, victim.envelope("dialing out through the flood"))
	other.waitConnected(victim.peerID())
	if n := victim.counter(name, refused("pending_per_addr")); n != fromOne-perAddr {
		t.Fatalf("refused per address: %v, want %d", n, fromOne-perAddr)
	}
	if n := victim.counter(name, refused("stale_handshake")); n != fromMany-(share-perAddr)+1 {
		t.Fatalf("stalled handshakes cut: %v, want one per flood connection past the share and one for the honest node", n)
	}
}
