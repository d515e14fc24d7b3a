package consensus

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/lifecycle"
	"github.com/bitcraps/bitcraps/messages"
)

// keepSettled is how many recent certified rounds an instance can deliver
// again to a table actor that restarted: far more than the few rounds a
// ledger can lag behind its consensus store.
const keepSettled = 256

// spec is what an instance is started from, stored in the consensus store.
type spec struct {
	Genesis        game.Genesis `json:"genesis"`
	BetWindowTicks int          `json:"bet_window_ticks,omitempty"`
	// Ended: the local player left; the instance is not restarted.
	Ended bool `json:"ended,omitempty"`
	// MinPlayers and Host feed the lifecycle's pause rules.
	MinPlayers int    `json:"min_players,omitempty"`
	Host       string `json:"host,omitempty"`
	// Dissolved: the table ended at this round; never sign for it again.
	Dissolved *lifecycle.Dissolve `json:"dissolved,omitempty"`
	// Excluded players were unseated by the unanimous votes of the others
	// (Exclusions), by nodes of an earlier version; kept so that their
	// tables replay. No new ones are made: absence pauses a table instead.
	Excluded   []bft.PublicKey  `json:"excluded,omitempty"`
	Exclusions []game.Unseating `json:"exclusions,omitempty"`
}

// instance is one table's consensus on this node: the bft core and the game
// application it certifies, driven by ticks, by frames from the mesh and by
// the table actor. It persists every Ready (synced) before its messages
// leave, in a goroutine, one Ready at a time.
type instance struct {
	opts  *Options
	store *Store
	mesh  *actor.PID
	log   *slog.Logger
	table string
	spec  spec

	system    *actor.ActorSystem
	self      *actor.PID
	tablePID  *actor.PID
	me        bft.PublicKey
	app       *game.App
	node      *bft.Node // nil once no seat is left
	inflight  bool
	live      []bft.Record // persisted records of rounds after the last certificate
	lastRound uint64       // last certified round
	settled   []*messages.CertifiedRound
	status    messages.ConsensusStatus
	pending   map[pendingBet]struct{}
	roundFrom time.Time
	clock     roundClock // when this node took each step of the round in play (metrics)
	failure   string
	timer     *time.Timer
	life      *lifecycle.Table // who is absent, pause, unseat, dissolve, catch up (lifecycle.go)
	seen      lifeSeen         // what the metrics last heard of life
	views     uint64           // the node's view changes counted so far
	// A bet is acknowledged only once the Ready holding its signed record
	// is durable: taken and done count Readys, acks wait for theirs.
	taken, done uint64
	acks        []betAck
	own         []ownBet // our bets whose round is not certified yet (carry.go)
	pace        pacing   // when the round rolls (pacing.go)
}

// betAck is a bet reply held until the Ready numbered after is durable.
type betAck struct {
	after uint64
	to    *actor.PID
	reply *messages.ConsensusBetReply
}

type pendingBet struct {
	bettor bft.PublicKey
	seq    uint64
}

// Internal messages; owner ties them to one incarnation.
type (
	tick      struct{ owner *instance }
	readyDone struct {
		owner *instance
		rd    bft.Ready
		err   error
	}
	// inbound is a frame from the mesh for this table.
	inbound struct {
		kind byte
		from string
		body []byte
	}
)

func newInstance(opts *Options, store *Store, mesh *actor.PID, table string, sp spec) *instance {
	return &instance{opts: opts, store: store, mesh: mesh, table: table, spec: sp,
		log: opts.Logger.With("table", table), pending: map[pendingBet]struct{}{}}
}

// Receive implements actor.Actor.
func (in *instance) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		in.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		if in.timer != nil {
			in.timer.Stop()
		}
		in.stopLife()
		ctx.Send(ctx.Parent(), &instanceReport{table: in.table}) // gone: no longer counts
	case *actor.Terminated:
		if in.tablePID != nil && in.tablePID.Equal(m.Who) {
			in.tablePID = nil
		}
	case *tick:
		if m.owner == in {
			in.onTick(ctx)
		}
	case *readyDone:
		if m.owner == in {
			in.onReadyDone(ctx, m)
		}
	case *inbound:
		switch m.kind {
		case messages.FramePresence:
			in.onPresence(ctx, m.from, m.body)
		case messages.FrameRounds:
			in.onRounds(ctx, m.from, m.body)
		default:
			in.onInbound(ctx, m)
		}
	case *messages.ConsensusStart:
		in.attach(ctx, m)
	case *messages.ConsensusBet:
		in.bet(ctx, m)
	case *messages.ConsensusRoll:
		in.roll(ctx)
	case *Tick:
		in.manualTick(ctx, m)
	case *messages.ConsensusStop:
		sp := in.spec
		sp.Ended = true
		err := in.saveSpec(sp)
		ctx.Respond(&messages.ConsensusAck{Err: err})
		if err == nil {
			ctx.Stop(ctx.Self())
		}
	}
}

func (in *instance) start(ctx actor.Context) {
	in.system, in.self = ctx.ActorSystem(), ctx.Self()
	in.me, _ = bft.PublicKeyFrom(in.opts.Identity.PublicKey)
	in.roundFrom = time.Now()
	if err := in.restore(); err != nil {
		in.fail(ctx, fmt.Sprintf("restore from the consensus store: %v", err))
		return
	}
	seats, err := in.nextSeats()
	if err == nil {
		err = in.startLife(in.lastRound+1, seats)
	}
	if err != nil {
		in.fail(ctx, err.Error())
		return
	}
	if in.spec.Dissolved != nil {
		in.node = nil // never sign for a dissolved table again
	}
	in.startPacing()
	in.reportHealth(ctx)
	in.armTick()
	in.afterInput(ctx)
}

// restore rebuilds the application by replaying every certified round of
// the store from genesis, then the bft node from the records of the round
// in progress (its secret, its signed messages, its lock).
func (in *instance) restore() error {
	app, err := game.NewApp(in.spec.Genesis)
	if err != nil {
		return err
	}
	in.app = app
	certs, err := in.store.Certificates(in.table, 1, 0)
	if err != nil {
		return err
	}
	for i := range certs {
		if err := in.settle(&certs[i]); err != nil {
			return err
		}
	}
	records, err := in.store.Records(in.table)
	if err != nil {
		return err
	}
	var last *bft.Certificate
	if len(certs) > 0 {
		last = &certs[len(certs)-1]
	}
	if err := in.rebuild(last, records); err != nil {
		return err
	}
	// Our bets signed in the round in progress were acknowledged: track
	// them again, so that one the round leaves out is carried (carry.go)
	// after a restart too.
	for _, r := range in.live {
		if m := r.Message; r.Kind == bft.RecordSigned && m != nil && m.Bet != nil && m.Bet.Bettor == in.me {
			in.track(*m.Bet)
		}
	}
	return nil
}

// rebuild makes a new bft node for the round after last (or round 1). Its
// seats are the game's (bft.NextSeats without the round's leavers); when
// they are bft's own, the certificate goes in too, so the node can still
// hand it to a lagging player.
func (in *instance) rebuild(last *bft.Certificate, records []bft.Record) error {
	first, prev, seats := uint64(1), in.app.GenesisHash(), in.spec.Genesis.Players()
	if last != nil {
		s, err := in.app.Seats(last.StateHash)
		if err != nil {
			return err
		}
		first, prev, seats = last.Round+1, last.StateHash, s
	}
	seats = game.SeatsWithout(seats, in.spec.Excluded)
	var keep []bft.Record
	for _, r := range records {
		switch {
		case r.Kind == bft.RecordCertificate:
			if last != nil && r.Round == last.Round && slices.Equal(seats, bft.NextSeats(last)) {
				keep = append(keep, r)
			}
		case r.Round >= first:
			keep = append(keep, r)
		}
	}
	in.live = nil
	for _, r := range keep {
		if r.Kind != bft.RecordCertificate {
			in.live = append(in.live, r)
		}
	}
	in.node = nil
	if len(seats) == 0 {
		return nil
	}
	node, err := bft.Restore(bft.Config{
		TableID: in.table, Self: in.me, Signer: in.opts.Identity, Players: seats, App: game.Judged{App: in.app, Judge: judge{in}},
		Entropy: in.opts.Entropy, FirstRound: first, GenesisStateHash: prev, BetWindowTicks: in.spec.BetWindowTicks,
		MayVoid:    in.mayVoid,                    // a player that crashed after committing is absent, not a withholder, within the grace
		Absent:     in.absent,                     // nor waited for
		MustCommit: game.MustCommit(in.hostKey()), // the bank's owner is a party to every roll
	}, keep)
	if err != nil {
		return fmt.Errorf("bft restore at round %d: %w", first, err)
	}
	in.node = node
	return nil
}

// settle derives a certified round's settlement and view and keeps them
// for delivery.
func (in *instance) settle(c *bft.Certificate) error {
	s, err := in.app.Settlement(c)
	if err != nil {
		return fmt.Errorf("settle round %d: %w", c.Round, err)
	}
	v, err := in.app.View(c.StateHash)
	if err != nil {
		return fmt.Errorf("view after round %d: %w", c.Round, err)
	}
	in.settled = append(in.settled, &messages.CertifiedRound{TableID: in.table, Certificate: *c, Settlement: s, View: v, CertifiedAt: time.Now(), Latency: in.clock.latency(c.Round, time.Now())})
	if len(in.settled) > keepSettled {
		in.settled = append([]*messages.CertifiedRound(nil), in.settled[len(in.settled)-keepSettled:]...)
	}
	in.lastRound = c.Round
	return nil
}

func (in *instance) fail(ctx actor.Context, reason string) {
	in.log.Error("consensus instance stopped working", "reason", reason)
	in.opts.Metrics.instanceFailed()
	in.failure = reason
	in.node = nil
	in.pushStatus(ctx)
	in.reportHealth(ctx)
}

func (in *instance) armTick() {
	if in.opts.ManualTicks {
		return // the test sends Tick
	}
	sys, pid, msg := in.system, in.self, &tick{owner: in}
	in.timer = time.AfterFunc(in.opts.TickInterval, func() { sys.Root.Send(pid, msg) })
}

func (in *instance) onTick(ctx actor.Context) {
	if in.life != nil {
		in.life.Tick()
	}
	if in.voting() && in.pacedTick() {
		in.node.Tick()
		if st := in.node.Status(); st.ViewActive && in.life.Absent(st.Leader) && in.rollDue(st) {
			in.node.LeaderAbsent() // an absent player does not hold the dice
		}
	}
	in.afterInput(ctx)
	in.armTick()
}

func (in *instance) onInbound(ctx actor.Context, m *inbound) {
	if in.node == nil && in.spec.Dissolved == nil {
		return
	}
	msg, err := bft.UnmarshalMessage(m.body)
	if err != nil {
		in.opts.Metrics.droppedFrame("undecodable")
		return
	}
	in.heard(m.from, msg.Round())
	if msg.Certificate != nil {
		in.stepCertificate(msg.Certificate)
		in.afterInput(ctx)
		return
	}
	if !in.voting() {
		in.afterInput(ctx) // paused or catching up: the sender resends
		return
	}
	if err := in.node.Step(msg); err != nil {
		in.opts.Metrics.refusedMessage()
		in.log.Debug("consensus message refused", "from", m.from, "type", msg.Type().String(), "err", err)
	} else {
		in.pace.saw(&msg)
		if msg.Bet != nil && !isRollRequest(msg.Bet) { // a request is no bet waiting
			in.pending[pendingBet{msg.Bet.Bettor, msg.Bet.Seq}] = struct{}{}
		}
	}
	in.afterInput(ctx)
}

// attach makes m.Table the receiver of deliveries. Table actors attach
// again periodically, so an instance restarted on its own finds its table;
// it never sends to a table actor that has not attached (one being spawned
// at that moment would race inside protoactor).
func (in *instance) attach(ctx actor.Context, m *messages.ConsensusStart) {
	if in.tablePID == nil || !in.tablePID.Equal(m.Table) {
		if in.tablePID != nil {
			ctx.Unwatch(in.tablePID)
		}
		ctx.Watch(m.Table)
	}
	in.tablePID = m.Table
	if ctx.Sender() != nil {
		ctx.Respond(&messages.ConsensusAck{})
	}
	// The rounds asked for, or at least the latest: a restarted table
	// actor learns the table's state from it.
	for i, r := range in.settled {
		if (m.FromRound > 0 && r.Certificate.Round >= m.FromRound) || i == len(in.settled)-1 {
			ctx.Send(in.tablePID, r)
		}
	}
	in.status = messages.ConsensusStatus{} // make the next push complete
	in.pushStatus(ctx)
	in.deliverDissolution(ctx)
}

func (in *instance) bet(ctx actor.Context, m *messages.ConsensusBet) {
	if !in.playing() {
		ctx.Respond(&messages.ConsensusBetReply{Err: in.notPlaying()})
		return
	}
	b, err := in.node.SubmitBet(m.Payload)
	if err != nil && b.Sig == nil {
		ctx.Respond(&messages.ConsensusBetReply{Err: err})
		in.afterInput(ctx)
		return
	}
	in.pending[pendingBet{b.Bettor, b.Seq}] = struct{}{}
	in.track(b)
	// The bet's signed record is in the next Ready taken: answer once that
	// is durable, so an acknowledged bet survives a crash.
	in.acks = append(in.acks, betAck{after: in.taken + 1, to: ctx.Sender(), reply: &messages.ConsensusBetReply{BetID: betID(b), Round: b.Round}})
	in.afterInput(ctx)
}

func (in *instance) notPlaying() error {
	switch {
	case in.failure != "":
		return fmt.Errorf("table %s: %w: %s", in.table, ErrInstanceFailed, in.failure)
	case in.spec.Dissolved != nil:
		return fmt.Errorf("table %s is dissolved at round %d: %w", in.table, in.spec.Dissolved.Round, messages.ErrTablePaused)
	case in.node != nil && in.life != nil && in.life.Mode() == lifecycle.Paused:
		return fmt.Errorf("table %s is paused (%s): %w", in.table, in.life.Status().Reason, messages.ErrTablePaused)
	case in.node != nil && in.life != nil && in.life.Mode() == lifecycle.Dissolving:
		return fmt.Errorf("table %s is being dissolved, paused past the seat grace (%s): %w", in.table, in.life.Status().Reason, messages.ErrTablePaused)
	case in.node != nil && in.life != nil && in.life.Mode() == lifecycle.CatchingUp:
		return fmt.Errorf("table %s: this node is catching up, %d rounds behind: %w", in.table, in.life.Status().Behind, messages.ErrTablePaused)
	}
	return fmt.Errorf("table %s: %w", in.table, bft.ErrNotSeated)
}

// afterInput starts persisting the next Ready unless one is in flight, and
// tells the table about a new round, view or shooter.
func (in *instance) afterInput(ctx actor.Context) {
	in.driveLife(ctx)
	in.observeLife()
	in.hurry()
	in.pushStatus(ctx)
	if in.node == nil || in.inflight || !in.node.HasReady() {
		return
	}
	in.countViewChanges()
	rd := in.node.Ready()
	in.clock.sawReady(&rd, time.Now())
	in.pacedReady(&rd)
	in.inflight = true
	in.taken++
	if len(rd.Messages) > 0 && in.life != nil {
		in.life.Spoke()
	}
	owner, sys, self, seats := in, in.system, in.self, in.node.Status().Seats
	go func() {
		err := owner.persistAndSend(rd, seats)
		sys.Root.Send(self, &readyDone{owner: owner, rd: rd, err: err})
	}()
}

// onReadyDone runs once a Ready's records are durable and its messages
// handed to the mesh: the node may forget them, and what became certified
// goes to the table.
func (in *instance) onReadyDone(ctx actor.Context, m *readyDone) {
	in.inflight = false
	if m.err != nil {
		if errors.Is(m.err, ErrStoreClosed) {
			return // the service is stopping
		}
		// Nothing of this Ready was sent. Restart from the store.
		panic(fmt.Sprintf("consensus table %s: persist: %v", in.table, m.err))
	}
	in.done++
	in.flushAcks(ctx)
	node := in.node
	if node == nil {
		return
	}
	node.Advance(m.rd)
	in.keepLive(m.rd.Persist)
	for i := range m.rd.Evidence {
		in.opts.Metrics.sawEvidence(m.rd.Evidence[i].Kind)
		if in.tablePID != nil {
			ctx.Send(in.tablePID, &messages.ConsensusEvidence{TableID: in.table, Evidence: m.rd.Evidence[i]})
		}
	}
	for i := range m.rd.Certified {
		in.onCertified(ctx, &m.rd.Certified[i])
		if in.node != node {
			break // reseated: the old node's later rounds are replayed by the new one
		}
	}
	in.afterInput(ctx)
}

func (in *instance) keepLive(recs []bft.Record) {
	for _, r := range recs {
		if r.Kind == bft.RecordCertificate {
			kept := in.live[:0]
			for _, l := range in.live {
				if l.Round > r.Round {
					kept = append(kept, l)
				}
			}
			in.live = kept
			continue
		}
		in.live = append(in.live, r)
	}
}

func (in *instance) onCertified(ctx actor.Context, c *bft.Certificate) {
	if c.Round <= in.lastRound {
		return
	}
	now := time.Now()
	in.opts.Metrics.certifiedRound(c, now.Sub(in.roundFrom), &in.clock, now)
	in.clock.traceRound(in.opts.Identity.PeerID().Short(), in.table, c.Round, now)
	in.roundFrom = now
	clear(in.pending)
	if err := in.settle(c); err != nil {
		in.fail(ctx, err.Error())
		return
	}
	if in.tablePID != nil {
		ctx.Send(in.tablePID, in.settled[len(in.settled)-1])
	}
	seats, err := in.app.Seats(c.StateHash)
	if err != nil {
		in.fail(ctx, err.Error())
		return
	}
	seats = game.SeatsWithout(seats, in.spec.Excluded)
	if !slices.Equal(seats, bft.NextSeats(c)) {
		// Someone left in this round: the next round is a new seating.
		if err := in.rebuild(c, in.live); err != nil {
			in.fail(ctx, err.Error())
			return
		}
	}
	if in.life != nil {
		in.certifiedLife(c, seats)
	}
	in.carry(ctx, c)
}

// flushAcks answers the bets whose records are durable.
func (in *instance) flushAcks(ctx actor.Context) {
	kept := in.acks[:0]
	for _, a := range in.acks {
		if in.done >= a.after {
			if a.to != nil {
				ctx.Send(a.to, a.reply)
			}
			continue
		}
		kept = append(kept, a)
	}
	in.acks = kept
}

// countViewChanges adds the node's new view changes to the metrics; a
// rebuilt node counts from zero again.
func (in *instance) countViewChanges() {
	n := in.node.Status().Stats.ViewChanges
	if n < in.views {
		in.views = 0
	}
	in.opts.Metrics.viewChanges(n - in.views)
	in.views = n
}

func (in *instance) pushStatus(ctx actor.Context) {
	if in.tablePID == nil {
		return
	}
	st := messages.ConsensusStatus{TableID: in.table, PendingBets: len(in.pending), Failure: in.failure, Round: in.lastRound + 1}
	if in.life != nil {
		ls := in.life.Status()
		st.Lifecycle, st.PausedReason, st.Behind = ls.Mode.String(), ls.Reason, ls.Behind
		for _, k := range ls.Absent {
			st.Absent = append(st.Absent, k.String())
		}
	}
	if in.node != nil {
		s := in.node.Status()
		st.Round, st.View, st.Seated = s.Round, s.View, s.Seated
		for _, k := range s.Seats {
			st.Seats = append(st.Seats, k.String())
		}
	}
	st.Shooter, st.NextShooter = in.shooters()
	if sameStatus(st, in.status) {
		return
	}
	in.status = st
	ctx.Send(in.tablePID, &st)
}

func sameStatus(a, b messages.ConsensusStatus) bool {
	if a.Round != b.Round || a.View != b.View || a.Shooter != b.Shooter || a.NextShooter != b.NextShooter || a.Seated != b.Seated ||
		a.PendingBets != b.PendingBets || a.Failure != b.Failure || len(a.Seats) != len(b.Seats) || a.TableID != b.TableID ||
		a.Lifecycle != b.Lifecycle || a.PausedReason != b.PausedReason || a.Behind != b.Behind || !slices.Equal(a.Absent, b.Absent) {
		return false
	}
	for i := range a.Seats {
		if a.Seats[i] != b.Seats[i] {
			return false
		}
	}
	return true
}
