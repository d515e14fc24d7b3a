package mesh

import (
	"fmt"
	"slices"
	"time"
)

// DropReason labels bitcraps_mesh_dropped_total.
type DropReason string

// Why the router (or the actor around it) drops an envelope.
const (
	DropDuplicate     DropReason = "duplicate"
	DropTTLExpired    DropReason = "ttl_expired"
	DropRateLimited   DropReason = "rate_limited"
	DropBadSignature  DropReason = "bad_signature"
	DropBanned        DropReason = "banned"
	DropNoRoute       DropReason = "no_route"
	DropLinkLocal     DropReason = "link_local_relayed"
	DropMalformed     DropReason = "malformed"
	DropNotSubscribed DropReason = "no_subscriber"
	DropSendFailed    DropReason = "send_failed"
)

// Packet is what the router needs to know about an envelope.
type Packet struct {
	// ID is the envelope's content ID (as a string, for map keys).
	ID string
	// Sender is the origin's peer ID (signed, so trustworthy once verified).
	Sender string
	// Recipient is one peer ID, or "" for every node.
	Recipient string
	Class     Class
	// TTL is the number of relays still allowed: a relay forwards only
	// while TTL > 0, with TTL-1.
	TTL uint32
	// LinkLocal packets never travel more than one hop.
	LinkLocal bool
	// Verify checks the signature. The router calls it once, and only for
	// packets it has not seen, so duplicates cost no Ed25519 verification.
	// Nil means already verified.
	Verify func() error
}

// ActionKind says what to do with a packet.
type ActionKind int

const (
	// Deliver: hand the envelope to local subscribers.
	Deliver ActionKind = iota
	// Forward: send the envelope to Peer with TTL.
	Forward
	// Drop: count it under Reason.
	Drop
	// Disconnect: cut Peer and refuse it until Until.
	Disconnect
)

// Action is one output of the router.
type Action struct {
	Kind   ActionKind
	Peer   string
	TTL    uint32
	Reason DropReason
	Until  time.Time
	// Dial (Forward only): Peer is not connected but membership knows its
	// address; the transport should connect to send.
	Dial bool
}

func (a Action) String() string {
	switch a.Kind {
	case Deliver:
		return "deliver"
	case Forward:
		return fmt.Sprintf("forward(%s,ttl=%d)", a.Peer, a.TTL)
	case Drop:
		return fmt.Sprintf("drop(%s)", a.Reason)
	case Disconnect:
		return fmt.Sprintf("disconnect(%s)", a.Peer)
	}
	return "?"
}

// RouterConfig configures a Router. Zero fields take the defaults.
type RouterConfig struct {
	// Self is this node's peer ID.
	Self   string
	Limits Limits
	// DedupCapacity bounds the message IDs remembered.
	DedupCapacity int
	// DedupTTL is how long an ID is remembered.
	DedupTTL time.Duration
}

const (
	// 64 Ki IDs × ~100 bytes ≈ 6 MiB: several minutes of a busy table's
	// traffic, so a flood echo is always recognised.
	defaultDedupCapacity = 1 << 16
	// A flood crosses at most MaxTTL hops in well under a second; two
	// minutes covers reconnect storms that replay queued frames.
	defaultDedupTTL = 2 * time.Minute
)

// Router decides, for each envelope, whether to deliver it here, whom to
// forward it to, or why to drop it. It is pure: the caller passes the time,
// and it never blocks or does I/O. Not safe for concurrent use.
type Router struct {
	self       string
	limits     Limits
	seen       *seenCache
	connected  map[string]bool
	dialable   map[string]bool
	banned     map[string]time.Time
	perClass   *limiterSet[limitKey]
	violations *limiterSet[string]
	badSigs    *limiterSet[string]
}

// NewRouter returns a router with no connected peers.
func NewRouter(cfg RouterConfig) *Router {
	if cfg.DedupCapacity <= 0 {
		cfg.DedupCapacity = defaultDedupCapacity
	}
	if cfg.DedupTTL <= 0 {
		cfg.DedupTTL = defaultDedupTTL
	}
	if cfg.Limits.MaxTracked <= 0 {
		cfg.Limits = DefaultLimits()
	}
	idle := 10 * time.Minute // a bucket idle this long is full again anyway
	return &Router{
		self:       cfg.Self,
		limits:     cfg.Limits,
		seen:       newSeenCache(cfg.DedupCapacity, cfg.DedupTTL),
		connected:  make(map[string]bool),
		dialable:   make(map[string]bool),
		banned:     make(map[string]time.Time),
		perClass:   newLimiterSet[limitKey](cfg.Limits.MaxTracked, idle),
		violations: newLimiterSet[string](cfg.Limits.MaxTracked, idle),
		badSigs:    newLimiterSet[string](cfg.Limits.MaxTracked, idle),
	}
}

// SetConnected records that the transport gained or lost a connection to
// peer. A peer still cooling down is told to go away again.
func (r *Router) SetConnected(peer string, up bool, now time.Time) []Action {
	if !up {
		delete(r.connected, peer)
		return nil
	}
	if until, ok := r.bannedUntil(peer, now); ok {
		return []Action{{Kind: Disconnect, Peer: peer, Until: until}}
	}
	r.connected[peer] = true
	return nil
}

// SetDialable records whether membership knows how to reach peer directly
// (a transport address), for unicasts to members not yet connected.
func (r *Router) SetDialable(peer string, ok bool) {
	if ok {
		r.dialable[peer] = true
	} else {
		delete(r.dialable, peer)
	}
}

// IsConnected reports whether the transport has a connection to peer.
func (r *Router) IsConnected(peer string) bool { return r.connected[peer] }

// Banned reports whether peer is cooling down at now.
func (r *Router) Banned(peer string, now time.Time) bool {
	_, ok := r.bannedUntil(peer, now)
	return ok
}

// DedupEvictions counts IDs forgotten early because the cache was full.
func (r *Router) DedupEvictions() uint64 { return r.seen.evicted }

func (r *Router) bannedUntil(peer string, now time.Time) (time.Time, bool) {
	until, ok := r.banned[peer]
	if !ok {
		return time.Time{}, false
	}
	if !now.Before(until) {
		delete(r.banned, peer)
		return time.Time{}, false
	}
	return until, true
}

// Originate routes an envelope this node created.
func (r *Router) Originate(p Packet, now time.Time) []Action {
	r.seen.Record(p.ID, now)
	if p.Recipient == r.self {
		return []Action{{Kind: Deliver}}
	}
	if hop, ok := r.direct(p.Recipient); ok {
		hop.TTL = p.TTL
		return []Action{hop}
	}
	out := r.flood(p, "", p.TTL)
	if len(out) == 0 {
		return []Action{{Kind: Drop, Reason: DropNoRoute}}
	}
	return out
}

// Receive routes an envelope that arrived from the neighbour from.
func (r *Router) Receive(p Packet, from string, now time.Time) []Action {
	if _, ok := r.bannedUntil(from, now); ok {
		return drop(DropBanned)
	}
	if p.LinkLocal {
		if p.Sender != from {
			return drop(DropLinkLocal)
		}
		return []Action{{Kind: Deliver}}
	}
	if r.seen.Seen(p.ID, now) {
		return drop(DropDuplicate)
	}
	if p.Verify != nil {
		if err := p.Verify(); err != nil {
			return r.punish(from, r.badSigs, r.limits.BadSignatures, DropBadSignature, now)
		}
	}
	r.seen.Record(p.ID, now)
	if !r.perClass.AllowN(limitKey{p.Sender, p.Class}, r.limits.PerClass[p.Class], 1, now) {
		if p.Sender != from {
			// Relays are not to blame for their upstream: honest ones
			// limit the same sender and forward little of its excess.
			return drop(DropRateLimited)
		}
		return r.punish(from, r.violations, r.limits.RateViolations, DropRateLimited, now)
	}
	return r.route(p, from)
}

func (r *Router) route(p Packet, from string) []Action {
	var out []Action
	if p.Recipient == r.self || p.Recipient == "" {
		out = append(out, Action{Kind: Deliver})
		if p.Recipient == r.self {
			return out
		}
	}
	hops := r.flood(p, from, 0)
	if hop, ok := r.direct(p.Recipient); ok {
		hops = []Action{hop}
	}
	if len(hops) == 0 {
		if len(out) == 0 {
			return drop(DropNoRoute)
		}
		return out
	}
	if p.TTL == 0 {
		return append(out, Action{Kind: Drop, Reason: DropTTLExpired})
	}
	for i := range hops {
		hops[i].TTL = p.TTL - 1
	}
	return append(out, hops...)
}

// direct is the single hop to recipient when one exists: a connection, or
// failing that a member address the transport can dial.
func (r *Router) direct(recipient string) (Action, bool) {
	switch {
	case recipient == "":
		return Action{}, false
	case r.connected[recipient]:
		return Action{Kind: Forward, Peer: recipient}, true
	case r.dialable[recipient] && !r.isBanned(recipient):
		return Action{Kind: Forward, Peer: recipient, Dial: true}, true
	}
	return Action{}, false
}

func (r *Router) isBanned(peer string) bool {
	_, ok := r.banned[peer]
	return ok
}

// flood lists every connected peer except the one it came from and its
// origin, in a stable order.
func (r *Router) flood(p Packet, from string, ttl uint32) []Action {
	peers := make([]string, 0, len(r.connected))
	for peer := range r.connected {
		if peer != from && peer != p.Sender {
			peers = append(peers, peer)
		}
	}
	slices.Sort(peers)
	out := make([]Action, len(peers))
	for i, peer := range peers {
		out[i] = Action{Kind: Forward, Peer: peer, TTL: ttl}
	}
	return out
}

// punish drops a packet for reason and, once the neighbour has used up its
// tolerance, disconnects it for the cool-down.
func (r *Router) punish(from string, strikes *limiterSet[string], tolerance Limit, reason DropReason, now time.Time) []Action {
	out := drop(reason)
	if cut, ok := r.strike(from, strikes, tolerance, now); ok {
		out = append(out, cut)
	}
	return out
}

// Misbehaved records that the transport caught peer sending something
// invalid (a bad signature, a malformed frame); it counts like a bad
// signature seen here.
func (r *Router) Misbehaved(peer string, now time.Time) []Action {
	if cut, ok := r.strike(peer, r.badSigs, r.limits.BadSignatures, now); ok {
		return []Action{cut}
	}
	return nil
}

func (r *Router) strike(peer string, strikes *limiterSet[string], tolerance Limit, now time.Time) (Action, bool) {
	if peer == "" || strikes.AllowN(peer, tolerance, 1, now) {
		return Action{}, false
	}
	for p := range r.banned {
		r.bannedUntil(p, now) // sweep, so the map holds only live bans
	}
	until := now.Add(r.limits.CoolDown)
	r.banned[peer] = until
	delete(r.connected, peer)
	strikes.Forget(func(k string) bool { return k == peer })
	return Action{Kind: Disconnect, Peer: peer, Until: until}, true
}

func drop(reason DropReason) []Action {
	return []Action{{Kind: Drop, Reason: reason}}
}
