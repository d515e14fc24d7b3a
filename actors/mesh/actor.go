package mesh

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/hashicorp/memberlist"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/messages"
)

// ServiceName is the mesh's name in ServiceHealth and the supervision tree.
const ServiceName = "mesh"

// Props returns the mesh actor's props after checking opts; each spawn or
// restart gets a fresh actor that rebuilds its state from memberlist and the
// transport (neither is kept in memory across restarts).
func Props(opts Options) (*actor.Props, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LookupHost == nil {
		opts.LookupHost = net.DefaultResolver.LookupHost
	}
	if opts.Limits.MaxTracked <= 0 {
		opts.Limits = DefaultLimits()
	}
	return actor.PropsFromProducer(func() actor.Actor { return newMeshActor(opts) }), nil
}

// meshActor owns memberlist, the router and the peer table. Blocking work
// (joins) runs in goroutines that only send results back.
type meshActor struct {
	opts    Options
	tm      timings
	log     *slog.Logger
	self    string
	system  *actor.ActorSystem
	pid     *actor.PID
	parent  *actor.PID
	router  *Router
	table   *PeerTable
	subs    map[string]subscription
	ml      *memberlist.Memberlist
	mlAddr  string // memberlist's bound address, read once at start
	members int    // alive+suspect members at the last refresh, self included
	dlg     *delegates
	dialed  map[string]string // peer → mesh address asked of the transport
	stopCtx context.Context
	stop    context.CancelFunc
	timers  map[string]*time.Timer

	createErr    error
	createTries  int
	joined       bool
	joining      bool
	joinTries    int
	lastJoinErr  error
	reported     *messages.ServiceHealth
	lastEvicted  uint64
	conns        map[string]map[string]bool // peer → transports connected
	startedAtNow time.Time
}

type subscription struct {
	pid   *actor.PID
	types map[messages.MessageType]bool // empty: all
}

// tick is a timer firing; owner keeps a restarted actor from acting on
// its predecessor's timers.
type tick struct {
	owner *meshActor
	name  string
}

// memberSnapshot is memberlist's member list, read off the actor: Members
// takes memberlist's node lock, which its own goroutines may hold a while.
type memberSnapshot struct {
	owner *meshActor
	names []string
	score int
}

type joinDone struct {
	owner *meshActor
	n     int
	err   error
}

func newMeshActor(opts Options) *meshActor {
	self := string(opts.Identity.PeerID())
	return &meshActor{
		opts:   opts,
		tm:     timingsFor(opts.Profile),
		log:    opts.Logger, // the node names the service
		self:   self,
		subs:   map[string]subscription{},
		dialed: map[string]string{},
		timers: map[string]*time.Timer{},
		conns:  map[string]map[string]bool{},
	}
}

// Receive implements actor.Actor.
func (a *meshActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		a.shutdown()
	case *tick:
		if m.owner == a {
			a.onTick(ctx, m.name)
		}
	case *gossipEvent:
		if m.owner == a {
			a.onGossip(ctx, m)
		}
	case *probeDone:
		if m.owner == a {
			a.table.ProbeOK(m.name, m.rtt, a.opts.Now())
			a.opts.Metrics.probed(m.rtt)
		}
	case *joinDone:
		if m.owner == a {
			a.onJoinDone(ctx, m)
		}
	case *memberSnapshot:
		if m.owner == a {
			a.refresh(ctx, m)
			a.armRefresh()
		}
	default:
		a.receiveRouting(ctx, m)
	}
}

func (a *meshActor) start(ctx actor.Context) {
	a.system, a.pid, a.parent = ctx.ActorSystem(), ctx.Self(), ctx.Parent()
	a.stopCtx, a.stop = context.WithCancel(context.Background())
	a.router = NewRouter(RouterConfig{Self: a.self, Limits: a.opts.Limits})
	a.table = NewPeerTable(a.self, a.tm.maxTablePeer, a.tm.tableKeep)
	a.startedAtNow = a.opts.Now()
	if a.opts.Transport != nil {
		ctx.Send(a.opts.Transport, &messages.SubscribeTransport{Subscriber: ctx.Self()})
	}
	if a.opts.Gossip {
		a.createMemberlist(ctx)
	}
	a.members = 1
	a.armRefresh()
	a.reportHealth(ctx)
}

// armRefresh schedules the next refresh. The timer goroutine reads
// memberlist (which may wait on memberlist's lock) and sends the result.
func (a *meshActor) armRefresh() {
	sys, pid, owner, ml := a.system, a.pid, a, a.ml
	a.timers["refresh"] = time.AfterFunc(a.tm.refresh, func() {
		snap := &memberSnapshot{owner: owner}
		if ml != nil {
			for _, n := range ml.Members() {
				snap.names = append(snap.names, n.Name) // Name never changes; other fields may
			}
			snap.score = ml.GetHealthScore()
		}
		sys.Root.Send(pid, snap)
	})
}

// after arms a one-shot timer that sends a tick named name to the actor.
func (a *meshActor) after(name string, d time.Duration) {
	if t, ok := a.timers[name]; ok {
		t.Stop()
	}
	sys, pid, msg := a.system, a.pid, &tick{owner: a, name: name}
	a.timers[name] = time.AfterFunc(d, func() { sys.Root.Send(pid, msg) })
}

func (a *meshActor) onTick(ctx actor.Context, name string) {
	switch name {
	case "create":
		a.createMemberlist(ctx)
	case "join":
		a.startJoin()
	}
}

func (a *meshActor) createMemberlist(ctx actor.Context) {
	pub := a.opts.Identity.PublicKey
	meta := NodeMeta{PublicKey: pub, PoWNonce: a.opts.Identity.Nonce, MeshPort: uint16(a.opts.MeshPort), HTTPPort: uint16(a.opts.HTTPPort)}
	// The callbacks run on memberlist's goroutines: they capture values,
	// never the actor's mutable state.
	sys, pid, difficulty, metrics := a.system, a.pid, a.opts.PoWDifficulty, a.opts.Metrics
	a.dlg = &delegates{
		owner: a,
		send:  func(m any) { sys.Root.Send(pid, m) },
		verify: func(name string, b []byte) error {
			_, err := VerifyMeta(name, b, identity.VerifyPoW, difficulty)
			if err != nil {
				metrics.reject(rejectReason(err))
			}
			return err
		},
	}
	a.dlg.setMeta(meta.Encode())
	c := memberlistConfig(a.opts.Profile)
	c.Name = a.self
	c.BindAddr, c.BindPort = a.opts.BindAddr, a.opts.GossipPort
	c.AdvertiseAddr, c.AdvertisePort = a.opts.AdvertiseAddr, a.opts.GossipPort
	c.Delegate, c.Events, c.Alive, c.Ping = a.dlg, a.dlg, a.dlg, a.dlg
	c.Logger = memberlistLogger(a.log)
	if len(a.opts.GossipKey) > 0 {
		c.SecretKey = a.opts.GossipKey
	}
	ml, err := memberlist.Create(c)
	if err != nil {
		a.createErr = fmt.Errorf("start gossip on %s:%d: %w", a.opts.BindAddr, a.opts.GossipPort, err)
		a.createTries++
		a.log.Error("memberlist failed to start", "err", a.createErr, "attempt", a.createTries)
		a.after("create", backoff(a.tm.joinBase, a.tm.joinMax, a.createTries))
		a.reportHealth(ctx)
		return
	}
	a.ml, a.createErr, a.createTries = ml, nil, 0
	a.mlAddr = ml.LocalNode().Address() // nothing else holds the lock yet
	a.log.Info("gossip started", "addr", a.mlAddr, "peer_id", a.self)
	a.joined = len(a.opts.Join) == 0
	a.startJoin()
	a.reportHealth(ctx)
}

func backoff(base, max time.Duration, attempt int) time.Duration {
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// startJoin runs one join attempt in a goroutine: resolving names and
// memberlist's push/pull both block on the network.
func (a *meshActor) startJoin() {
	if a.ml == nil || a.joined || a.joining || len(a.opts.Join) == 0 {
		return
	}
	a.joining = true
	ml, owner, ctx, join, lookup, self := a.ml, a, a.stopCtx, a.opts.Join, a.opts.LookupHost, a.mlAddr
	sys, pid := a.system, a.pid
	go func() {
		addrs, err := resolveJoin(ctx, join, self, lookup)
		n := 0
		if err == nil {
			n, err = ml.Join(addrs)
		}
		sys.Root.Send(pid, &joinDone{owner: owner, n: n, err: err})
	}()
}

func (a *meshActor) onJoinDone(ctx actor.Context, m *joinDone) {
	a.joining = false
	if a.ml == nil {
		return
	}
	a.opts.Metrics.join(m.n > 0)
	if m.n > 0 {
		a.joined, a.joinTries, a.lastJoinErr = true, 0, nil
		a.log.Info("joined cluster", "contacted", m.n)
		a.reportHealth(ctx)
		return
	}
	a.joinTries++
	a.lastJoinErr = m.err
	wait := backoff(a.tm.joinBase, a.tm.joinMax, a.joinTries)
	a.log.Warn("join failed; retrying", "attempt", a.joinTries, "retry_in", wait, "err", m.err)
	a.after("join", wait)
	a.reportHealth(ctx)
}

func (a *meshActor) onGossip(ctx actor.Context, ev *gossipEvent) {
	if ev.name == a.self {
		return
	}
	now := a.opts.Now()
	if ev.kind == memberGone {
		a.table.MemberGone(ev.name, now)
		a.undial(ctx, ev.name, "membership: gone")
		return
	}
	meta, err := DecodeMeta(ev.meta)
	if err != nil { // NotifyAlive already refused bad metadata; be safe
		return
	}
	a.table.MemberAlive(ev.name, ev.addr, meta, now)
	a.router.SetDialable(ev.name, a.opts.Transport != nil && meta.MeshPort != 0)
	a.dial(ctx, ev.name)
}

// dial asks the transport to keep a connection to a member. Only the side
// with the smaller peer ID dials, so two members never race two
// connections to each other.
func (a *meshActor) dial(ctx actor.Context, peer string) {
	addr := a.table.MeshAddr(peer)
	if a.opts.Transport == nil || addr == "" || a.self > peer || a.dialed[peer] == addr {
		return
	}
	a.dialed[peer] = addr
	ctx.Send(a.opts.Transport, &messages.ConnectPeer{Peer: peer, Addr: addr, Transport: messages.TransportTCP})
}

func (a *meshActor) undial(ctx actor.Context, peer, reason string) {
	a.router.SetDialable(peer, false)
	if _, ok := a.dialed[peer]; !ok || a.opts.Transport == nil {
		return
	}
	delete(a.dialed, peer)
	ctx.Send(a.opts.Transport, &messages.DisconnectPeer{Peer: peer, Reason: reason})
}

// refresh reconciles the table with memberlist's member list (a member
// that is gone without a leave event is marked gone), marks quiet members
// suspect, and updates metrics.
func (a *meshActor) refresh(ctx actor.Context, snap *memberSnapshot) {
	now := a.opts.Now()
	if a.ml != nil {
		live := map[string]bool{a.self: true}
		for _, name := range snap.names {
			live[name] = true
		}
		for _, id := range a.table.Members() {
			if !live[id] {
				a.onGossip(ctx, &gossipEvent{owner: a, kind: memberGone, name: id})
			}
		}
		a.members = len(live)
		if a.joined && len(a.opts.Join) > 0 && a.members <= 1 {
			a.log.Warn("alone in the cluster; joining again")
			a.joined = false
			a.startJoin()
			a.reportHealth(ctx)
		}
	}
	// Memberlist probes members round-robin, one per probe interval, so a
	// healthy member is acked about once per round of members intervals;
	// three silent rounds (plus slack) is "suspect". Memberlist exposes no
	// suspicion callback, so this is the mesh's own, conservative reading.
	a.table.Refresh(now, a.tm.probe*time.Duration(3*a.members+5))
	a.opts.Metrics.setPeers(a.table.Counts(), snap.score)
	ev := a.router.DedupEvictions()
	a.opts.Metrics.evicted(ev - a.lastEvicted)
	a.lastEvicted = ev
}

// health is the mesh's honest view of itself.
func (a *meshActor) health() messages.ServiceHealth {
	h := messages.ServiceHealth{Service: ServiceName, Status: messages.Healthy}
	switch {
	case !a.opts.Gossip:
		h.Reason = "gossip off (mobile mode): peers come only from transport connections"
	case a.ml == nil:
		h.Status = messages.Critical
		h.Reason = fmt.Sprintf("gossip not running: %v", a.createErr)
	case !a.joined && a.lastJoinErr != nil:
		h.Status = messages.Degraded
		h.Reason = fmt.Sprintf("not joined to %v after %d attempts: %v", a.opts.Join, a.joinTries, a.lastJoinErr)
	case !a.joined:
		h.Status = messages.Degraded
		h.Reason = fmt.Sprintf("joining %v", a.opts.Join)
	default:
		h.Reason = "gossip on " + a.mlAddr
	}
	return h
}

func (a *meshActor) reportHealth(ctx actor.Context) {
	h := a.health()
	if a.reported != nil && a.reported.Status == h.Status && a.reported.Reason == h.Reason {
		return
	}
	a.reported = &h
	if a.parent != nil {
		ctx.Send(a.parent, &h)
	}
}

// shutdown leaves the cluster gracefully: first it re-advertises its
// metadata with the leaving flag (so the others record "left", not "dead"),
// then Leave, each bounded by the leave timeout, then Shutdown regardless.
// This is the one place the actor waits: at most twice the leave timeout,
// only while stopping, and it frees the gossip port before a restart.
func (a *meshActor) shutdown() {
	for _, t := range a.timers {
		t.Stop()
	}
	if a.stop != nil {
		a.stop()
	}
	if a.ml == nil {
		return
	}
	ml := a.ml
	a.ml = nil
	if !a.opts.skipLeave {
		timeout := a.opts.LeaveTimeout
		if timeout <= 0 {
			timeout = a.tm.leave
		}
		meta := NodeMeta{PublicKey: a.opts.Identity.PublicKey, PoWNonce: a.opts.Identity.Nonce,
			MeshPort: uint16(a.opts.MeshPort), HTTPPort: uint16(a.opts.HTTPPort), Leaving: true}
		a.dlg.setMeta(meta.Encode())
		if err := ml.UpdateNode(timeout); err != nil {
			a.log.Warn("leave announcement not confirmed", "err", err)
		}
		if err := ml.Leave(timeout); err != nil {
			a.log.Warn("leave not confirmed", "err", err)
		}
	}
	if err := ml.Shutdown(); err != nil {
		a.log.Warn("memberlist shutdown", "err", err)
	}
	a.table.forgetMembership(a.opts.Now())
}
