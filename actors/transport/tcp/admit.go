package tcp

import (
	"net"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// Inbound connections are admitted to the Noise handshake by three rules,
// so connections that never finish it (a slowloris on the mesh port) cannot
// hold every slot and lock out real peers:
//
//   - at most MaxPendingPerAddr handshakes at once from one source address;
//   - an address the node does not know (no connection, not dialed) may not
//     take the last ReservedSlots slots, which stay free for the node's own
//     dials and for peers it already knows;
//   - the total never exceeds MaxConnections;
//
// and when the slots it may use are full, the inbound handshake pending
// longest (past StaleHandshake, far longer than a real one takes) is cut to
// make room, so even a flood from many addresses cannot lock a new peer out.
// Every refusal and cut is counted by reason in the refused counter.
func (a *Actor) admitInbound(from string) (refusal string) {
	if refusal = a.inboundRefusal(from); refusal == "pending_per_addr" || refusal == "" || !a.cutStaleHandshake() {
		return refusal
	}
	return ""
}

func (a *Actor) inboundRefusal(from string) string {
	pending := 0
	for p := range a.pending {
		if p.inbound && p.from == from {
			pending++
		}
	}
	if pending >= a.opts.MaxPendingPerAddr {
		return "pending_per_addr"
	}
	if !a.slotsFree() {
		return "max_connections"
	}
	if len(a.conns)+len(a.pending) >= a.opts.MaxConnections-a.reservedSlots() && !a.knownAddr(from) {
		return "reserved_slots"
	}
	return ""
}

// cutStaleHandshake closes the oldest inbound handshake pending past
// StaleHandshake and frees its slot at once; false if there is none.
func (a *Actor) cutStaleHandshake() bool {
	var oldest *pendingConn
	for p := range a.pending {
		if p.inbound && time.Since(p.since) >= a.opts.StaleHandshake && (oldest == nil || p.seq < oldest.seq) {
			oldest = p
		}
	}
	if oldest == nil {
		return false
	}
	delete(a.pending, oldest) // its handshakeDone then finds it gone
	_ = oldest.nc.Close()
	a.opts.Metrics.Refused.WithLabelValues(messages.TransportTCP, "stale_handshake").Inc()
	return true
}

// reservedSlots is ReservedSlots, kept below MaxConnections so that at
// least one slot always takes unknown inbound peers.
func (a *Actor) reservedSlots() int {
	return min(a.opts.ReservedSlots, a.opts.MaxConnections-1)
}

// knownAddr: a peer connected from or dialed at this address.
func (a *Actor) knownAddr(ip string) bool {
	for _, c := range a.conns {
		if hostOf(c.nc.RemoteAddr().String()) == ip {
			return true
		}
	}
	for addr := range a.dials {
		if hostOf(addr) == ip {
			return true
		}
	}
	return false
}

// hostOf is the host part of host:port, or the whole when there is none.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
