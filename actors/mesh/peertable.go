package mesh

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bitcraps/bitcraps/messages"
)

// peer is one row of the table.
type peer struct {
	id         string
	state      string
	member     bool // known through memberlist (not only a connection)
	leaving    bool // its metadata announced a graceful leave
	gossipAddr string
	meta       NodeMeta
	conns      map[string]string // transport → remote address
	rtt        time.Duration
	lastSeen   time.Time
	stateSince time.Time
}

// PeerTable is the mesh's knowledge of other nodes: membership from
// memberlist plus live transport connections. Pure: every change takes the
// time as an argument. Not safe for concurrent use.
type PeerTable struct {
	self  string
	max   int
	keep  time.Duration
	peers map[string]*peer
}

// NewPeerTable returns an empty table for self. Dead and left peers are
// forgotten after keep; at most max peers are held (the oldest gone ones
// are forgotten first).
func NewPeerTable(self string, max int, keep time.Duration) *PeerTable {
	return &PeerTable{self: self, max: max, keep: keep, peers: make(map[string]*peer)}
}

func (t *PeerTable) get(id string, now time.Time) *peer {
	p, ok := t.peers[id]
	if !ok {
		p = &peer{id: id, state: messages.PeerDead, conns: map[string]string{}, stateSince: now}
		t.peers[id] = p
	}
	return p
}

func (p *peer) setState(s string, now time.Time) {
	if p.state != s {
		p.state, p.stateSince = s, now
	}
}

// MemberAlive records a join or metadata update from memberlist.
func (t *PeerTable) MemberAlive(id, gossipAddr string, meta NodeMeta, now time.Time) {
	if id == t.self {
		return
	}
	p := t.get(id, now)
	p.member, p.gossipAddr, p.meta, p.leaving = true, gossipAddr, meta, meta.Leaving
	p.lastSeen = now
	p.setState(messages.PeerAlive, now)
}

// MemberGone records memberlist's leave callback: "left" if the peer had
// announced its leave, else "dead".
func (t *PeerTable) MemberGone(id string, now time.Time) {
	p, ok := t.peers[id]
	if !ok || id == t.self {
		return
	}
	if p.leaving {
		p.setState(messages.PeerLeft, now)
	} else {
		p.setState(messages.PeerDead, now)
	}
}

// ProbeOK records a successful memberlist probe and its round trip.
func (t *PeerTable) ProbeOK(id string, rtt time.Duration, now time.Time) {
	if p, ok := t.peers[id]; ok {
		p.rtt, p.lastSeen = rtt, now
		if p.state == messages.PeerSuspect {
			p.setState(messages.PeerAlive, now)
		}
	}
}

// Heard records traffic from a neighbour.
func (t *PeerTable) Heard(id string, now time.Time) {
	if p, ok := t.peers[id]; ok {
		p.lastSeen = now
	}
}

// Connected records a transport connection to id (from any source).
func (t *PeerTable) Connected(id, transport, addr string, now time.Time) {
	if id == t.self {
		return
	}
	p := t.get(id, now)
	p.conns[transport] = addr
	p.lastSeen = now
	if !p.member || p.state == messages.PeerSuspect {
		p.setState(messages.PeerAlive, now)
	}
}

// Disconnected records that the last connection over transport closed.
// It reports whether the peer still has a connection over another one.
func (t *PeerTable) Disconnected(id, transport string, now time.Time) bool {
	p, ok := t.peers[id]
	if !ok {
		return false
	}
	delete(p.conns, transport)
	if len(p.conns) == 0 && !p.member {
		p.setState(messages.PeerDead, now)
	}
	return len(p.conns) > 0
}

// IsMember reports whether memberlist currently lists id as alive.
func (t *PeerTable) IsMember(id string) bool {
	p, ok := t.peers[id]
	return ok && p.member && (p.state == messages.PeerAlive || p.state == messages.PeerSuspect)
}

// Members lists the peers memberlist currently counts as members.
func (t *PeerTable) Members() []string {
	var ids []string
	for id := range t.peers {
		if t.IsMember(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// Refresh marks members not heard from for suspectAfter as suspect (and
// back), forgets long-gone peers and enforces the size bound.
func (t *PeerTable) Refresh(now time.Time, suspectAfter time.Duration) {
	for id, p := range t.peers {
		switch p.state {
		case messages.PeerAlive:
			if p.member && len(p.conns) == 0 && now.Sub(p.lastSeen) > suspectAfter {
				p.setState(messages.PeerSuspect, now)
			}
		case messages.PeerDead, messages.PeerLeft:
			if len(p.conns) == 0 && now.Sub(p.stateSince) > t.keep {
				delete(t.peers, id)
			}
		}
	}
	t.enforceMax()
}

func (t *PeerTable) enforceMax() {
	for len(t.peers) > t.max {
		victim := t.oldest(func(p *peer) bool { return p.state == messages.PeerDead || p.state == messages.PeerLeft })
		if victim == nil {
			victim = t.oldest(func(*peer) bool { return true })
		}
		delete(t.peers, victim.id)
	}
}

func (t *PeerTable) oldest(match func(*peer) bool) *peer {
	var victim *peer
	for _, p := range t.peers {
		if match(p) && (victim == nil || p.stateSince.Before(victim.stateSince)) {
			victim = p
		}
	}
	return victim
}

// forgetMembership is used when memberlist's leave callback cannot have run (the
// memberlist was shut down): every member becomes dead.
func (t *PeerTable) forgetMembership(now time.Time) {
	for _, p := range t.peers {
		if p.member {
			p.member = false
			if len(p.conns) == 0 {
				p.setState(messages.PeerDead, now)
			}
		}
	}
}

// Counts returns how many peers are in each state.
func (t *PeerTable) Counts() map[string]int {
	c := map[string]int{messages.PeerAlive: 0, messages.PeerSuspect: 0, messages.PeerDead: 0, messages.PeerLeft: 0}
	for _, p := range t.peers {
		c[p.state]++
	}
	return c
}

// Snapshot returns the rows, sorted by peer ID.
func (t *PeerTable) Snapshot() []messages.PeerInfo {
	out := make([]messages.PeerInfo, 0, len(t.peers))
	for _, p := range t.peers {
		out = append(out, p.info())
	}
	slices.SortFunc(out, func(a, b messages.PeerInfo) int { return strings.Compare(a.PeerID, b.PeerID) })
	return out
}

func (p *peer) info() messages.PeerInfo {
	var addrs []string
	add := func(a string) {
		if a != "" && !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	add(p.gossipAddr)
	if host, _, err := net.SplitHostPort(p.gossipAddr); err == nil && p.meta.MeshPort != 0 {
		add(net.JoinHostPort(host, strconv.Itoa(int(p.meta.MeshPort))))
	}
	transports := make([]string, 0, len(p.conns))
	for tr, a := range p.conns {
		transports = append(transports, tr)
		add(a)
	}
	slices.Sort(transports)
	transport := strings.Join(transports, ",")
	if transport == "" {
		transport = "gossip"
	}
	if addrs == nil {
		addrs = []string{}
	}
	return messages.PeerInfo{
		PeerID:    p.id,
		State:     p.state,
		Addresses: addrs,
		Transport: transport,
		RTTMillis: float64(p.rtt.Microseconds()) / 1000,
		LastSeen:  p.lastSeen,
		MeshPort:  int(p.meta.MeshPort),
		HTTPPort:  int(p.meta.HTTPPort),
	}
}

// MeshAddr is the host:port of id's transport listener, from its gossip
// address and metadata; "" when unknown.
func (t *PeerTable) MeshAddr(id string) string {
	p, ok := t.peers[id]
	if !ok || p.meta.MeshPort == 0 {
		return ""
	}
	host, _, err := net.SplitHostPort(p.gossipAddr)
	if err != nil {
		return ""
	}
	return net.JoinHostPort(host, strconv.Itoa(int(p.meta.MeshPort)))
}
