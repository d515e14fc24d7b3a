package table

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/time/rate"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// NewProps checks opts once and returns the factory the supervisor's
// ChildSpec wants: fresh props (and a fresh Manager) on every call.
func NewProps(opts Options) (func() *actor.Props, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return func() *actor.Props {
		return actor.PropsFromProducer(func() actor.Actor { return newManager(o) })
	}, nil
}

// Manager is the "games" child of the root supervisor: the parent of one
// actor per table this node hosts or sits at, the directory of tables
// announced by peers, the single signer of the local player's ledger ops,
// and the gossip of ledger ops between nodes.
type Manager struct {
	opts Options
	log  *slog.Logger
	wire wire
	me   string

	tables    map[string]*actor.PID
	views     map[string]messages.TableView
	hosted    map[string]*record
	directory map[string]*record

	ops     ops
	seen    seenOps
	granted map[identity.PeerID]bool
	retry   []pendingOp
	limiter *rate.Limiter
	loaded  bool

	// followers: tables this node settles without sitting at them.
	followers     map[string]*follower
	historyBudget *rate.Limiter
	historyAsks   historyTargets // historylimit.go
	// watchers: subscribers of tables with no local actor (watch.go).
	watchers map[string]map[string]*actor.PID

	announceBudget *rate.Limiter
	announceDue    bool
	announceHeld   bool // a held-back announcement is scheduled
	// peers the mesh connected us to: a new one gets our tables at once.
	peers map[string]bool
}

func newManager(o Options) *Manager {
	return &Manager{opts: o, log: o.Logger, me: string(o.Identity.PeerID()),
		tables: map[string]*actor.PID{}, views: map[string]messages.TableView{},
		hosted: map[string]*record{}, directory: map[string]*record{},
		ops: ops{id: o.Identity}, seen: seenOps{}, granted: map[identity.PeerID]bool{},
		limiter:   rate.NewLimiter(o.RequestRate, o.RequestBurst),
		followers: map[string]*follower{},
		// History answers read the consensus store: 50 a second serve
		// a hundred followers catching up, and bound what askers cost us.
		historyBudget: rate.NewLimiter(50, 100),
		// The mesh lets one node send 5 announcements a minute (burst 5)
		// and cuts a peer that keeps exceeding it: stay just under.
		announceBudget: rate.NewLimiter(rate.Every(15*time.Second), 4),
	}
}

// Manager timers; owner ties them to one incarnation.
type (
	resubscribeTick struct{ owner *Manager }
	retryTick       struct{ owner *Manager }
	peersTick       struct{ owner *Manager }
	announceTick    struct {
		owner    *Manager
		periodic bool // re-arms itself; a held-back announcement does not
	}
	tablesLoaded struct {
		owner   *Manager
		records map[string][]byte
		err     error
	}
	// tableUpdate is sent by a table actor after every change.
	tableUpdate struct {
		rec  *record
		view messages.TableView
	}
)

// Receive implements actor.Actor.
func (m *Manager) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		m.start(ctx)
	case *actor.Terminated:
		m.forget(msg.Who)
		m.unwatch(ctx, "", msg.Who)
	case *tablesLoaded:
		if msg.owner == m {
			m.onTablesLoaded(ctx, msg)
		}
	case *resubscribeTick:
		if msg.owner == m {
			m.subscribe(ctx)
		}
	case *peersTick:
		if msg.owner == m {
			m.checkPeers(ctx)
			after(ctx, peersEvery, &peersTick{owner: m})
		}
	case *retryTick:
		if msg.owner == m {
			m.retryOps(ctx)
			m.pollFollowed(ctx)
			m.closeEmpty(ctx)
			after(ctx, m.opts.RetryEvery, &retryTick{owner: m})
		}
	case *announceTick:
		if msg.owner == m {
			m.announceDue = m.announceDue || msg.periodic
			m.announceHeld = m.announceHeld && msg.periodic
			m.announce(ctx)
			if msg.periodic {
				after(ctx, m.opts.AnnounceEvery, &announceTick{owner: m, periodic: true})
			}
		}
	case *messages.MeshDelivery:
		m.onDelivery(ctx, msg)
	case *signOp:
		m.ops.add(ctx, m, msg)
	case *tableUpdate:
		m.onTableUpdate(ctx, msg)
	default:
		m.onRequest(ctx, msg)
	}
}

func (m *Manager) start(ctx actor.Context) {
	m.opts.pids(ctx.ActorSystem())
	m.wire = wire{sys: ctx.ActorSystem(), mesh: m.opts.Mesh, id: m.opts.Identity}
	ask(ctx, m.opts.Consensus, &messages.ConsensusLoadTables{}, tablesErr, func(r *messages.ConsensusTables, err error) {
		msg := &tablesLoaded{owner: m, err: err}
		if err == nil {
			msg.records = r.Records
		}
		m.onTablesLoaded(ctx, msg)
	})
	m.subscribe(ctx)
	after(ctx, m.opts.RetryEvery, &retryTick{owner: m})
	after(ctx, m.opts.AnnounceEvery, &announceTick{owner: m, periodic: true})
	after(ctx, peersEvery, &peersTick{owner: m})
}

// peersEvery: how often the manager looks for newly connected peers, which
// get its tables' announcement at once instead of at the next periodic one.
const peersEvery = time.Second

func (m *Manager) checkPeers(ctx actor.Context) {
	ask(ctx, m.opts.Mesh, &messages.ListPeers{}, noErr[*messages.Peers], func(peers *messages.Peers, err error) {
		if err != nil {
			return
		}
		now := map[string]bool{}
		fresh := false
		for _, p := range peers.Items {
			if p.State == messages.PeerAlive && p.Transport != "gossip" && p.Transport != "" {
				now[p.PeerID] = true
				if !m.peers[p.PeerID] {
					fresh = true
					// Every node holds the same grants for the same
					// identities (DESIGN.md, Money), also of peers that never
					// sent an op: the play-money grant the policy derives
					// alike everywhere (none under a treasury), and the
					// treasury's grants held here, which the new peer may
					// have missed (grants.go).
					ctx.Request(m.opts.Ledger, &messages.LedgerGrantGenesis{Peer: identity.PeerID(p.PeerID)})
					m.sendGrants(ctx, p.PeerID)
				}
			}
		}
		m.peers = now
		if fresh {
			m.announceDue = true
			m.announce(ctx)
		}
	})
}

// onTablesLoaded restarts a table actor for every table this node stored:
// each rebuilds itself from the record, the consensus store and the ledger.
func (m *Manager) onTablesLoaded(ctx actor.Context, msg *tablesLoaded) {
	if m.loaded {
		return
	}
	m.loaded = true
	// Healthy only now: a Running node can take table requests at once.
	health := &messages.ServiceHealth{Service: ServiceName, Status: messages.Healthy, Reason: "hosting and joining tables"}
	defer ctx.Send(ctx.Parent(), health)
	if msg.err != nil {
		health.Status, health.Reason = messages.Degraded, fmt.Sprintf("this node's earlier tables are not loaded: %v", msg.err)
		m.log.Error("cannot load this node's tables from the consensus store", "err", msg.err)
		return
	}
	for id, raw := range msg.records {
		var rec record
		if err := json.Unmarshal(raw, &rec); err != nil || rec.ID != id {
			m.log.Error("stored table record unreadable", "table", id, "err", err)
			continue
		}
		if _, ok := m.tables[id]; !ok {
			m.spawn(ctx, &rec, intent{kind: intentRestore})
		}
	}
}

// after sends msg to the actor after d. A timer that fires after a
// restart carries the old owner and is ignored; after a stop it goes to
// dead letters.
func after(ctx actor.Context, d time.Duration, msg any) {
	sys, pid := ctx.ActorSystem(), ctx.Self()
	time.AfterFunc(d, func() { sys.Root.Send(pid, msg) })
}

func (m *Manager) subscribe(ctx actor.Context) {
	ctx.Send(m.opts.Mesh, &messages.SubscribeMesh{Subscriber: ctx.Self(), Types: []messages.MessageType{
		messages.MessageType_MESSAGE_TYPE_CONSENSUS, messages.MessageType_MESSAGE_TYPE_LEDGER_OP,
		messages.MessageType_MESSAGE_TYPE_TABLE_ANNOUNCE,
	}})
	after(ctx, m.opts.Resubscribe, &resubscribeTick{owner: m})
}

func (m *Manager) spawn(ctx actor.Context, rec *record, in intent) *actor.PID {
	t := newTableActor(&m.opts, m.wire, rec, in)
	pid, err := ctx.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return t }), "table/"+rec.ID)
	if err != nil {
		m.log.Error("spawn table actor", "table", rec.ID, "err", err)
		return nil
	}
	m.tables[rec.ID] = pid
	m.opts.Metrics.setTables(len(m.tables))
	m.handOver(ctx, rec.ID, pid)
	return pid
}

func (m *Manager) forget(pid *actor.PID) {
	for id, p := range m.tables {
		if p.Equal(pid) {
			delete(m.tables, id)
			delete(m.views, id)
		}
	}
	m.opts.Metrics.setTables(len(m.tables))
}

func (m *Manager) onTableUpdate(ctx actor.Context, u *tableUpdate) {
	m.views[u.rec.ID] = u.view
	if !u.view.Seated {
		m.follow(ctx, u.rec) // left: the table's later rounds still settle here
		if f := m.followers[u.rec.ID]; f != nil {
			f.newest = max(f.newest, u.view.Round) // the rounds it played are no news to replay
		}
		if watchedHere(u.rec, u.view) {
			m.tableChanged(ctx, u.rec.ID)
		}
	}
	if u.rec.Host != m.me {
		return
	}
	if old := m.hosted[u.rec.ID]; old != nil && old.Version == u.rec.Version {
		return
	}
	m.hosted[u.rec.ID] = u.rec
	m.announceDue = true
	m.announce(ctx)
}

// announce sends every hosted table in one envelope when something changed,
// within the mesh's announcement budget; what the budget holds back goes
// out as soon as it allows.
func (m *Manager) announce(ctx actor.Context) {
	if !m.announceDue || m.announceHeld || len(m.hosted) == 0 {
		return
	}
	r := m.announceBudget.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		m.announceHeld = true
		after(ctx, d, &announceTick{owner: m})
		return
	}
	m.announceDue = false
	a := announcement{}
	for _, rec := range m.hosted {
		a.Tables = append(a.Tables, rec)
	}
	sort.Slice(a.Tables, func(i, j int) bool { return a.Tables[i].ID < a.Tables[j].ID })
	if err := m.wire.announce(a); err != nil {
		m.log.Warn("announcement not sent", "err", err)
		return
	}
	m.opts.Metrics.announcement()
}

func (m *Manager) onDelivery(ctx actor.Context, d *messages.MeshDelivery) {
	env := d.Envelope
	switch env.GetType() {
	case messages.MessageType_MESSAGE_TYPE_TABLE_ANNOUNCE:
		m.onAnnouncement(ctx, env)
	case messages.MessageType_MESSAGE_TYPE_LEDGER_OP:
		ops, err := decodeLedgerOps(env.GetPayload()) // grants.go
		if err != nil {
			m.log.Debug("undecodable ledger op", "from", env.SenderID(), "err", err)
			return
		}
		for _, op := range ops {
			if op.Kind.Derived() {
				// Settlements and dissolutions are derived by each node from a
				// table's chain, never taken from gossip (follower.go).
				m.opts.Metrics.follow("settle_gossip", errSettleGossip)
				continue
			}
			m.applyForeign(ctx, op)
		}
	case messages.MessageType_MESSAGE_TYPE_CONSENSUS:
		kind, table, body, err := messages.DecodeFrame(env.GetPayload())
		if err != nil || kind != messages.FrameTable {
			return
		}
		var c control
		if err := json.Unmarshal(body, &c); err != nil {
			m.log.Debug("undecodable table control", "from", env.SenderID(), "err", err)
			return
		}
		m.onControl(ctx, table, env.SenderID(), &c)
	}
}

func (m *Manager) onAnnouncement(ctx actor.Context, env *messages.Envelope) {
	var a announcement
	if err := json.Unmarshal(env.GetPayload(), &a); err != nil {
		m.log.Debug("undecodable announcement", "from", env.SenderID(), "err", err)
		return
	}
	for _, rec := range a.Tables {
		if rec == nil || rec.Host != env.SenderID() || rec.ID == "" {
			continue // only a host speaks for its table
		}
		if old := m.directory[rec.ID]; old != nil && old.Version >= rec.Version {
			continue
		}
		if m.admitAnnounced(rec) != nil {
			continue
		}
		m.directory[rec.ID] = rec
		if pid := m.tables[rec.ID]; pid != nil {
			// A record sent to us directly may have been lost; the
			// announcement carries it too.
			ctx.Send(pid, &controlIn{from: rec.Host, c: &control{Kind: ctlTable, Record: rec}})
			continue
		}
		for _, op := range rec.Ops {
			m.applyForeign(ctx, op)
		}
		m.follow(ctx, rec)
		m.tableChanged(ctx, rec.ID)
	}
}

// onControl hands a control message to its table actor. A host's table
// record naming this node starts the table actor if it is missing (this
// node restarted without its store, or the record raced the join reply).
func (m *Manager) onControl(ctx actor.Context, table, from string, c *control) {
	switch c.Kind {
	case ctlHistoryAsk:
		m.answerHistory(ctx, table, from, c)
		return
	case ctlHistory:
		m.onHistory(ctx, table, from, c)
		return
	}
	pid := m.tables[table]
	if pid == nil && c.Kind == ctlTable && c.Record != nil && c.Record.ID == table &&
		c.Record.Host == from && c.Record.seated(m.me) {
		pid = m.spawn(ctx, c.Record, intent{kind: intentRestore})
	}
	if pid != nil {
		ctx.Send(pid, &controlIn{from: from, c: c})
	}
}

// pendingOp is a foreign op waiting for the ops it depends on.
type pendingOp struct {
	op    ledger.Op
	tries int
}

// applyForeign applies an op signed elsewhere (or the settlement of a
// followed round) after the genesis grant of its owner, which every node
// gives every identity.
func (m *Manager) applyForeign(ctx actor.Context, op ledger.Op) { m.applyForeignTry(ctx, op, 0) }

func (m *Manager) applyForeignTry(ctx actor.Context, op ledger.Op, tries int) {
	id := op.ID()
	if m.seen.has(id) {
		return
	}
	if op.Owner != "" && !m.granted[op.Owner] {
		ctx.Request(m.opts.Ledger, &messages.LedgerGrantGenesis{Peer: op.Owner})
		m.granted[op.Owner] = true
	}
	ask(ctx, m.opts.Ledger, &messages.LedgerApply{Op: op}, appliedErr, func(_ *messages.LedgerApplied, err error) {
		switch {
		case err == nil:
			m.seen.add(id)
		case retryable(err) && len(m.retry) < maxRetry && tries < maxTries:
			m.retry = append(m.retry, pendingOp{op: op, tries: tries + 1})
		default:
			m.opts.Metrics.ledgerRefused(op.Kind.String())
			m.log.Debug("foreign ledger op refused", "kind", op.Kind.String(), "owner", op.Owner, "table", op.Table, "err", err)
		}
	})
}

// maxRetry bounds the ops waiting for the ops they depend on; maxTries
// bounds how long one waits (at the default retry interval, a minute):
// gossip repeats what matters (announcements carry a table's ops).
const (
	maxRetry = 1024
	maxTries = 120
)

func (m *Manager) retryOps(ctx actor.Context) {
	ops := m.retry
	m.retry = nil
	for _, p := range ops {
		m.applyForeignTry(ctx, p.op, p.tries)
	}
}

// gate refuses a changing request when the node is not Running, its tables
// are not loaded yet, or the request rate is exceeded.
func (m *Manager) gate(kind string) error {
	switch {
	case !m.opts.Running() || !m.loaded:
		return messages.Errorf(messages.CodeNotInitialized, "the node is not running yet; try again in a moment")
	case !m.limiter.Allow():
		return messages.Errorf(messages.CodeRateLimited, "too many requests: at most %v %s requests a second (burst %d)",
			m.opts.RequestRate, kind, m.opts.RequestBurst)
	}
	return nil
}

// unknown is the answer for a table this node does not know; while the
// manager is still loading its tables (just after a restart) it cannot
// know yet.
func (m *Manager) unknown(id string) error {
	if !m.loaded {
		return messages.Errorf(messages.CodeNotInitialized, "the node is loading its tables; try again in a moment")
	}
	return messages.Errorf(messages.CodeUnknownTable, "unknown table %q", id)
}

func (m *Manager) count(kind string, err error) {
	code := "ok"
	if ue, ok := err.(*messages.UserError); ok {
		code = ue.Code
	} else if err != nil {
		code = "internal"
	}
	m.opts.Metrics.request(kind, code)
}

func (m *Manager) onRequest(ctx actor.Context, msg any) {
	switch r := msg.(type) {
	case *messages.CreateTable:
		m.create(ctx, r)
	case *messages.JoinTable:
		m.join(ctx, r)
	case *messages.ListTables:
		ctx.Respond(&messages.TableList{Items: m.list()})
	case *messages.GetTable:
		m.get(ctx, r.TableID)
	case *messages.PlaceBet:
		m.toTable(ctx, "bet", r.TableID, &messages.BetReply{}, true)
	case *messages.RollDice:
		m.toTable(ctx, "roll", r.TableID, &messages.Ack{}, true)
	case *messages.LeaveTable:
		m.toTable(ctx, "leave", r.TableID, &messages.Ack{}, true)
	case *messages.CancelTable:
		m.cancel(ctx, r)
	case *messages.SubmitGrant:
		m.submitGrant(ctx, r) // grants.go
	case *messages.ListRounds:
		if !m.watchRounds(ctx, r.TableID) {
			m.toTable(ctx, "rounds", r.TableID, &messages.RoundList{Items: []messages.RoundView{}}, false)
		}
	case *messages.SubscribeTable:
		if !m.watchSubscribe(ctx, r) {
			m.toTable(ctx, "subscribe", r.TableID, &messages.Ack{}, false)
		}
	case *messages.ExportTable:
		m.toTable(ctx, "export", r.TableID, &messages.TableExport{}, false)
	case *messages.UnsubscribeTable:
		if r.Subscriber != nil {
			m.unwatch(ctx, r.TableID, r.Subscriber)
		}
		if pid := m.tables[r.TableID]; pid != nil {
			ctx.Forward(pid)
		}
	}
}

// toTable forwards a request to the local table actor. For a table only
// known from its announcement it answers with reply: empty for reads,
// not_seated for changes.
func (m *Manager) toTable(ctx actor.Context, kind, id string, reply any, changes bool) {
	var err error
	if changes {
		err = m.gate(kind)
	}
	if err == nil {
		if pid := m.tables[id]; pid != nil {
			ctx.Forward(pid)
			return
		}
		switch {
		case m.directory[id] == nil:
			err = m.unknown(id)
		case changes:
			err = messages.Errorf(messages.CodeNotSeated, "you do not sit at table %s: join it first", id)
		}
	}
	m.count(kind, err)
	setErr(reply, err)
	ctx.Respond(reply)
}

func setErr(reply any, err error) {
	switch r := reply.(type) {
	case *messages.BetReply:
		r.Err = err
	case *messages.Ack:
		r.Err = err
	case *messages.RoundList:
		r.Err = err
	case *messages.TableReply:
		r.Err = err
	case *messages.TableExport:
		if err == nil {
			err = messages.Errorf(messages.CodeNotSeated, "this node did not sit at the table: it holds no certificates to export")
		}
		r.Err = err
	}
}

// get answers GetTable: from the follower of a table this node watches
// (watch.go), else from the local actor, else from the announcement.
func (m *Manager) get(ctx actor.Context, id string) {
	if pid := m.tables[id]; pid != nil && m.watching(id) == nil {
		ctx.Forward(pid)
		return
	}
	if v, ok := m.viewFor(id); ok {
		ctx.Respond(&messages.TableReply{Table: &v})
		return
	}
	ctx.Respond(&messages.TableReply{Err: m.unknown(id)})
}

func (m *Manager) list() []messages.TableView {
	out := []messages.TableView{}
	for id := range m.views {
		if v, ok := m.viewFor(id); ok {
			out = append(out, v)
		}
	}
	for id := range m.directory {
		if _, local := m.views[id]; !local {
			if v, ok := m.viewFor(id); ok {
				out = append(out, v)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (m *Manager) tooMany() error {
	if n := m.openTables(); n >= m.opts.MaxGames {
		return messages.Errorf(messages.CodeTooManyGames, "this node already has %d tables (--max-games %d)", n, m.opts.MaxGames)
	}
	return nil
}

func (m *Manager) create(ctx actor.Context, r *messages.CreateTable) {
	err := m.gate("create")
	var s settings
	if err == nil {
		if s, err = settingsOf(r, m.opts.DefaultBetWindow); err != nil {
			err = messages.Errorf(messages.CodeBadRequest, "create table: %v", err)
		}
	}
	if err == nil {
		err = m.tooMany()
	}
	if err != nil {
		m.count("create", err)
		ctx.Respond(&messages.TableReply{Err: err})
		return
	}
	sender, buyIn := ctx.Sender(), r.BuyIn
	// No overflow: settingsOf bounds both by ledger.MaxAmount (issue 12).
	m.checkWallet(ctx, s.Bankroll+buyIn, "fund the bank"+plusBuyIn(buyIn), func(err error) {
		if err != nil {
			m.count("create", err)
			ctx.Send(sender, &messages.TableReply{Err: err})
			return
		}
		m.ops.add(ctx, m, &signOp{
			build: func(seq uint64) ledger.Op {
				return ledger.Op{Kind: ledger.KindFundBank, Table: tableID(identity.PeerID(m.me), seq), Amount: s.Bankroll}
			},
			done: func(ctx actor.Context, op ledger.Op, err error) {
				if err != nil {
					err = userLedgerError(err, "fund the bank", op.Amount)
					m.count("create", err)
					ctx.Send(sender, &messages.TableReply{Err: err})
					return
				}
				m.count("create", nil)
				rec := &record{ID: op.Table, Host: m.me, Settings: s, Status: statusWaiting, Ops: []ledger.Op{op}, Version: 1,
					CreatedAt: time.Now()}
				m.spawn(ctx, rec, intent{kind: intentCreate, buyIn: buyIn, reply: sender})
			},
		})
	})
}

func plusBuyIn(buyIn int64) string {
	if buyIn > 0 {
		return " and buy in"
	}
	return ""
}

// checkWallet answers insufficient_balance (with the balance and the
// amount) when the local wallet holds less than amount.
func (m *Manager) checkWallet(ctx actor.Context, amount int64, what string, then func(error)) {
	ask(ctx, m.opts.Ledger, &messages.LedgerHoldingsRequest{Peer: identity.PeerID(m.me)}, holdingsErr, func(h *messages.LedgerHoldings, err error) {
		switch {
		case err != nil:
			then(fmt.Errorf("read the wallet: %w", err))
		case h.Holdings.Wallet < amount:
			ue := messages.Errorf(messages.CodeInsufficientBalance,
				"insufficient balance to %s: the wallet holds %s, %s needed", what, inCRAP(h.Holdings.Wallet), inCRAP(amount))
			ue.Detail = &messages.ErrorDetail{Amount: &amount, Held: &h.Holdings.Wallet}
			then(ue)
		default:
			then(nil)
		}
	})
}

func (m *Manager) join(ctx actor.Context, r *messages.JoinTable) {
	err := m.gate("join")
	if err == nil {
		if pid := m.tables[r.TableID]; pid != nil {
			ctx.Forward(pid)
			return
		}
		err = m.joinable(r)
	}
	if err != nil {
		m.count("join", err)
		ctx.Respond(&messages.TableReply{Err: err})
		return
	}
	sender, rec := ctx.Sender(), m.directory[r.TableID].clone()
	m.checkWallet(ctx, r.BuyIn, "buy in at table "+r.TableID, func(err error) {
		if err == nil && m.tables[r.TableID] != nil {
			err = messages.Errorf(messages.CodeBadRequest, "a join of table %s is already under way", r.TableID)
		}
		if err != nil {
			m.count("join", err)
			ctx.Send(sender, &messages.TableReply{Err: err})
			return
		}
		m.count("join", nil)
		m.spawn(ctx, rec, intent{kind: intentJoin, buyIn: r.BuyIn, reply: sender})
	})
}

func (m *Manager) joinable(r *messages.JoinTable) error {
	rec := m.directory[r.TableID]
	switch {
	case rec == nil:
		return m.unknown(r.TableID)
	case r.BuyIn <= 0:
		return messages.Errorf(messages.CodeBadRequest, "buy_in %d: want a positive amount of micro-CRAP", r.BuyIn)
	case len(rec.Seats) >= rec.Settings.MaxPlayers:
		return messages.Errorf(messages.CodeTableFull, "table %s is full (%d of %d seats)", r.TableID, len(rec.Seats), rec.Settings.MaxPlayers)
	case rec.Status == statusClosed:
		return messages.Errorf(messages.CodeTableClosed, "table %s is closed (%s)", r.TableID, rec.ClosedReason)
	case rec.Status != statusWaiting && rec.Status != statusPlaying:
		return messages.Errorf(messages.CodeTableInPlay, "table %s is %s: nobody joins it any more", r.TableID, rec.Status)
	}
	return m.tooMany()
}
