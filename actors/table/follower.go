package table

import (
	"errors"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Following the tables this node does not sit at. Every ledger must
// converge, so a node settles the rounds of every table it knows, but it
// trusts nobody's word for a round's money: it keeps a game.Chain per
// table, from the genesis its host announced, and feeds it certificates
// and unseatings. The chain checks each against the table's seats of that
// round and replays it; the Settle op is then derived here, exactly as the
// players derive theirs. The same chain is what this node shows of the
// table (watch.go): the certified state it reached, the rounds it checked,
// and how current it is. A Settle op gossiped by another node is never
// applied: a quorum of keys that are not the table's seats, or outcomes
// that are not the game's, would otherwise move a bank's money.
//
// Certificates arrive two ways: the shooter of the certifying view
// broadcasts each round once it is settled (push), and a follower that
// finds a gap, or has heard nothing for a while, asks a player of the
// table for its history from the chain's next round (pull, which also
// carries the unseatings a push does not).
const (
	// maxFollowed bounds the tables followed at once: ten times the games a
	// server node plays, and one chain costs a few table states.
	maxFollowed = 1024
	// maxAhead bounds the certificates kept past a gap.
	maxAhead = 64
	// historyBatch is how many certificates one history answer carries:
	// a 7-seat certificate is under 16 KiB of JSON, so a batch stays far
	// below the 1 MiB frame limit.
	historyBatch = 16
	// followQuietAfter: a followed table that sent nothing for this long
	// is asked for its history (a lost push, or a table that went idle).
	followQuietAfter = 5 * time.Second
	// followStaleAfter: three history requests in a row went unanswered
	// (an idle table's players answer each one), so the view may be behind
	// by rounds this node has not heard of.
	followStaleAfter = 3 * followQuietAfter
	// keptRounds bounds the checked rounds a follower keeps to list
	// (GET .../rounds): the web page shows the newest 12, a certificate is
	// a few KiB, and the table's players hold the whole history (export).
	keptRounds = 64
)

// errSettleGossip: a Settle op that came by gossip, which is never applied.
var errSettleGossip = errors.New("settlements are derived from a table's certificates, not taken from gossip")

// follower is one followed table.
type follower struct {
	chain   *game.Chain
	rec     *record  // the table's newest record known here: settings, status
	players []string // who to ask for history: the genesis seats
	ahead   map[uint64]bft.Certificate
	unseat  map[uint64][]game.Unseating
	behind  bool // a round past the chain's next is known to exist
	// settle holds the derived Settle ops not yet in the ledger, applied
	// strictly in round order so that the ledger's last settled round
	// means every earlier one is settled too.
	settle   []followedSettle
	settling bool
	asks     int
	askedAt  time.Time
	heardAt  time.Time // the last certified round taken
	// followedAt is when following began: a table's progress is counted
	// from there until its first certified round (follow.go).
	followedAt time.Time
	// answeredAt: the last time a player gave this node a round it
	// checked, or said it had nothing newer (followedAt stands in before
	// that): how current this node's view of the table is (watch.go).
	answeredAt time.Time
	// newest is the newest certified round this node has heard of: one
	// the chain checked, one whose certificate verifies against the
	// chain's seats (a forger cannot make this node say it is behind), or
	// the last one this node played before it left.
	newest  uint64
	rounds  []messages.RoundView // the newest keptRounds rounds checked
	history eventLog             // recent events for new subscribers (eventlog.go)
	// Dissolution (follow_dissolve.go).
	dissolveClaims map[string]uint64
	dissolvedAt    uint64
	dissolved      bool
	dissolving     bool
}

// followedSettle is a derived Settle op and the state it certifies.
type followedSettle struct {
	op    ledger.Op
	state bft.Hash
}

// certified is the last round the chain checked.
func (f *follower) certified() uint64 { return f.chain.Next() - 1 }

// sync says how current the follower is at now.
func (f *follower) sync(now time.Time) (string, uint64) {
	heard := f.answeredAt
	if heard.IsZero() {
		heard = f.followedAt
	}
	return syncOf(f.certified(), f.newest, now.Sub(heard), !f.answeredAt.IsZero())
}

// syncOf is how current a followed table's view is: stale when no player
// answered within followStaleAfter, catching up while rounds it heard of
// are unchecked (or before any player answered), else live. It returns
// how many rounds it is behind the newest heard of.
func syncOf(certified, newest uint64, quiet time.Duration, heard bool) (string, uint64) {
	behind := uint64(0)
	if newest > certified {
		behind = newest - certified
	}
	switch {
	case quiet >= followStaleAfter:
		return messages.SyncStale, behind
	case behind > 0 || !heard:
		return messages.SyncCatchingUp, behind
	}
	return messages.SyncLive, 0
}

// hear notes the newest round a history message shows to exist: past the
// chain's next, only once its certificate verifies against the chain's
// seats (one check per message, of its newest certificate).
func (f *follower) hear(c *control) {
	var top *bft.Certificate
	for i := range c.Certificates {
		if cert := &c.Certificates[i]; cert.Round > f.newest && (top == nil || cert.Round > top.Round) {
			top = cert
		}
	}
	switch {
	case top == nil:
	case top.Round <= f.chain.Next():
		// The chain checks it now; advance counts it once checked.
	case bft.VerifyCertificate(f.chain.Seats(), top) == nil:
		f.newest = top.Round
	}
}

// player reports whether peer sits at the table, or sat at its start.
func (f *follower) player(peer string) bool {
	return slices.Contains(f.players, peer) || slices.ContainsFunc(f.chain.Seats(), func(k bft.PublicKey) bool { return k.String() == peer })
}

// keep adds a checked round to the list shown.
func (f *follower) keep(cert *bft.Certificate, outcomes []game.Event) {
	f.rounds = append(f.rounds, roundView(cert, outcomes))
	if over := len(f.rounds) - keptRounds; over > 0 {
		f.rounds = slices.Delete(f.rounds, 0, over)
	}
}

// active: a local table actor settles this table's rounds itself.
func (m *Manager) active(id string) bool {
	return m.tables[id] != nil && m.views[id].Seated
}

// follow starts following rec's table if it is playing and not active.
func (m *Manager) follow(ctx actor.Context, rec *record) {
	if f := m.followers[rec.ID]; f != nil && rec.Version > f.rec.Version {
		f.rec = rec.clone()
	}
	if rec.Genesis == nil || m.active(rec.ID) || m.followers[rec.ID] != nil {
		return
	}
	if len(m.followers) >= maxFollowed && !m.evictStalledFollower(time.Now()) {
		return
	}
	chain, err := game.NewChain(*rec.Genesis)
	if err != nil {
		m.log.Warn("announced genesis unusable; table not followed", "table", rec.ID, "err", err)
		return
	}
	f := &follower{chain: chain, rec: rec.clone(), ahead: map[uint64]bft.Certificate{}, unseat: map[uint64][]game.Unseating{},
		behind: true, followedAt: time.Now()}
	for _, k := range rec.Genesis.Players() {
		if p := k.String(); p != m.me {
			f.players = append(f.players, p)
		}
	}
	m.followers[rec.ID] = f
	m.readLocalHistory(ctx, rec.ID, f)
	m.askHistory(ctx, rec.ID, f)
}

// onHistory takes certificates and unseatings for a followed table, sent
// by from.
func (m *Manager) onHistory(ctx actor.Context, table, from string, c *control) {
	f := m.followers[table]
	if f == nil {
		if rec := m.directory[table]; rec != nil {
			m.follow(ctx, rec)
			f = m.followers[table]
		}
		if f == nil {
			return
		}
	}
	next := f.chain.Next()
	f.hear(c)
	for _, u := range c.Unseatings {
		held := f.unseat[u.Round]
		known := slices.ContainsFunc(held, func(h game.Unseating) bool {
			return h.Prev == u.Prev && slices.Equal(h.Excluded, u.Excluded)
		})
		if u.Round >= next && u.Round < next+maxAhead && len(held) < 4 && !known {
			f.unseat[u.Round] = append(held, u)
		}
	}
	for _, cert := range c.Certificates {
		// The first one held for a round stays until the chain refused
		// it: a forger cannot keep replacing the real one.
		if _, held := f.ahead[cert.Round]; !held && cert.Round >= next && cert.Round < next+maxAhead {
			f.ahead[cert.Round] = cert
		}
		f.behind = f.behind || cert.Round > next
	}
	if len(c.Certificates) == 0 && c.From >= next {
		f.behind = false // that player has nothing newer
		if f.player(from) {
			f.answeredAt = time.Now() // only a player's word keeps the view live
		}
	}
	if c.Dissolved {
		f.claimDissolved(from, c.DissolvedAt)
	}
	m.advance(ctx, table, f)
}

// advance feeds the chain every certificate it can take, in order, and
// settles each into the ledger. Subscribers get the events of a round
// that is the newest heard of (not of the rounds replayed to catch up),
// and the table once the chain moved.
func (m *Manager) advance(ctx actor.Context, table string, f *follower) {
	from := f.chain.Next()
	for {
		next := f.chain.Next()
		cert, ok := f.ahead[next]
		if !ok {
			break
		}
		delete(f.ahead, next)
		for _, u := range f.unseat[next] {
			err := f.chain.Unseat(&u)
			m.opts.Metrics.follow("unseating", err)
			if err != nil && !errors.Is(err, game.ErrOutOfOrder) {
				m.log.Warn("unseating refused", "table", table, "round", u.Round, "err", err)
			}
		}
		delete(f.unseat, next)
		// The chain's own state is always readable (it is the newest its
		// App holds); if it ever is not, the round goes without events.
		live, before := cert.Round >= f.newest, game.View{}
		if live {
			var err error
			before, err = f.chain.View()
			live = err == nil
		}
		s, err := f.chain.Certify(&cert)
		m.opts.Metrics.follow("certificate", err)
		if err != nil {
			m.log.Warn("certificate refused", "table", table, "round", cert.Round, "err", err)
			f.behind = true // ask again: an unseating may be missing
			break
		}
		f.heardAt, f.answeredAt = time.Now(), time.Now()
		f.newest = max(f.newest, cert.Round)
		f.keep(&cert, s.Events)
		if after, err := f.chain.View(); live && err == nil {
			for _, e := range roundEvents(&s, &after, before.Phase) {
				m.emitWatched(ctx, table, e.kind, e.data)
			}
		}
		op, err := settleOpOf(table, &cert, &s)
		if err != nil {
			m.log.Error("settlement of a followed round", "table", table, "round", cert.Round, "err", err)
			continue
		}
		f.settle = append(f.settle, followedSettle{op: op, state: cert.StateHash})
	}
	if f.chain.Next() != from {
		m.tableChanged(ctx, table)
	}
	m.settleFollowed(ctx, table, f)
	m.dissolveFollowed(ctx, table, f)
	f.behind = f.behind || len(f.ahead) > 0
	if f.behind {
		m.askHistory(ctx, table, f)
	}
}

// settleFollowed applies the follower's next Settle op; a refusal that may
// pass later (the table's funding or buy-ins not here yet, a busy ledger)
// is retried on the next retry tick.
func (m *Manager) settleFollowed(ctx actor.Context, table string, f *follower) {
	if f.settling || len(f.settle) == 0 {
		return
	}
	f.settling = true
	op, state := f.settle[0].op, f.settle[0].state
	ask(ctx, m.opts.Ledger, &messages.LedgerApply{Op: op}, appliedErr, func(_ *messages.LedgerApplied, err error) {
		f.settling = false
		switch {
		case err == nil:
			m.opts.Metrics.roundSettled(time.Time{}) // a followed table: not certified here
			if op.Round >= f.certified() {
				m.emitWatched(ctx, table, messages.EventSettled, map[string]any{"round": op.Round, "state_hash": state})
			}
		case retryable(err):
			return
		default:
			m.opts.Metrics.ledgerRefused(op.Kind.String())
			m.log.Error("the ledger refused a followed round's settlement", "table", table, "round", op.Round, "err", err)
		}
		f.settle = f.settle[1:]
		m.settleFollowed(ctx, table, f)
	})
}

// askHistory asks one of the table's players, in turn, for the rounds from
// the chain's next one, at most once per retry interval.
func (m *Manager) askHistory(ctx actor.Context, table string, f *follower) {
	if len(f.players) == 0 || time.Since(f.askedAt) < m.opts.RetryEvery {
		return
	}
	to := f.players[f.asks%len(f.players)]
	if !m.historyAsks.allow(to, time.Now()) {
		m.opts.Metrics.follow("history_ask", errHistoryRateLimited)
		f.asks++ // the next poll asks the next seat
		return
	}
	f.askedAt = time.Now()
	f.asks++
	if err := m.wire.control(table, to, control{Kind: ctlHistoryAsk, From: f.chain.Next()}); err != nil {
		m.log.Debug("history request not sent", "table", table, "to", to, "err", err)
	}
}

// pollFollowed runs on every retry tick: followers that are behind, or
// have heard nothing for a while, ask again; followers of tables that
// became active here are dropped; the metrics say how current the rest are.
func (m *Manager) pollFollowed(ctx actor.Context) {
	now, bySync, behind := time.Now(), map[string]int{}, uint64(0)
	for id, f := range m.followers {
		if m.active(id) {
			delete(m.followers, id)
			continue
		}
		sync, n := f.sync(now)
		bySync[sync]++
		behind = max(behind, n)
		m.settleFollowed(ctx, id, f)
		m.dissolveFollowed(ctx, id, f)
		quiet := time.Since(f.heardAt) >= followQuietAfter && time.Since(f.askedAt) >= followQuietAfter
		if f.behind || quiet {
			m.askHistory(ctx, id, f)
		}
	}
	m.opts.Metrics.watching(bySync, behind)
}

// answerHistory answers a follower's request with the certificates and
// unseatings this node's consensus store holds from c.From on.
func (m *Manager) answerHistory(ctx actor.Context, table, from string, c *control) {
	if !m.historyBudget.Allow() {
		return
	}
	req := &messages.ConsensusRounds{TableID: table, From: c.From, Limit: historyBatch}
	ask(ctx, m.opts.Consensus, req, roundListErr, func(list *messages.ConsensusRoundList, err error) {
		if err != nil {
			m.log.Debug("history not read", "table", table, "err", err)
			return
		}
		reply := control{Kind: ctlHistory, From: c.From, Certificates: list.Certificates, Unseatings: list.Unseatings}
		if v, ok := m.views[table]; ok && v.Lifecycle == "dissolved" {
			reply.Dissolved, reply.DissolvedAt = true, v.Round
		}
		if err := m.wire.control(table, from, reply); err != nil {
			m.log.Debug("history not sent", "table", table, "to", from, "err", err)
		}
	})
}
