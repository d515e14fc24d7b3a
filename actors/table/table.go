package table

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// joinResendEvery: a join (or the host's answer) lost on the way is asked
// again after a second; the host answers a repeat with its record.
const joinResendEvery = time.Second

// intent is why the manager spawned a table actor.
type intent struct {
	kind  intentKind
	buyIn int64
	reply *actor.PID // answered with *messages.TableReply
}

type intentKind int

const (
	// intentRestore: rebuild from the stored or received record.
	intentRestore intentKind = iota
	// intentCreate: the bank is funded; seat the host if it buys in.
	intentCreate
	// intentJoin: buy in and ask the host for a seat.
	intentJoin
)

// controlIn is a control message from another node's table actor.
type controlIn struct {
	from string
	c    *control
}

// Table-actor timers and ledger results; owner ties them to one
// incarnation.
type (
	joinTimeout struct{ owner *tableActor }
	joinResend  struct{ owner *tableActor }
	reattach    struct{ owner *tableActor }
	playRetry   struct {
		owner *tableActor
		read  bool // read the ledger first
	}
	settleRetry struct{ owner *tableActor }
	hostApplied struct {
		owner *tableActor
		join  *controlIn
		err   error
	}
)

// tableActor is one table on this node: the host's authority over seats
// and start, or a player's copy of it; the bridge between the API, the
// table's consensus instance and the ledger.
type tableActor struct {
	opts *Options
	w    wire
	rec  *record
	in   intent
	me   string
	log  *slog.Logger

	self, manager *actor.PID

	status    messages.ConsensusStatus
	last      *messages.CertifiedRound // the latest certified round
	settledTo uint64                   // rounds settled in the local ledger
	settleQ   []*messages.CertifiedRound
	settling  bool
	resyncing bool // asked the instance for missing rounds
	// settleKnown: settledTo was read from the ledger; settling waits.
	settleKnown bool
	consensus   bool // ConsensusStart sent
	ready       bool // the consensus instance runs: bets can go in
	left        bool
	leaving     bool // a leave was submitted and has not taken effect
	problem     string
	evidence    int
	bets        waitingBets             // the player's bets not on the layout (waiting.go)
	history     eventLog                // recent events for new subscribers (eventlog.go)
	outcomes    map[uint64][]game.Event // recent rounds' per-bet results (roundinfo.go)

	subs        map[string]*actor.PID
	joinWaiters []*actor.PID
	joinOp      *ledger.Op // our buy-in, while the host has not seated us
	hostQ       []*controlIn
	hostBusy    bool
	joining     map[string]ledger.Op // mid-game joins in a round, by joiner (host.go)
	// dissolution waits for the rounds before it to be settled, then goes
	// to the ledger (dissolve.go); dissolvedAt is the round it was paid at.
	dissolution  *game.Dissolution
	dissolving   bool
	dissolvePaid bool
	dissolvedAt  uint64

	// Leaving a waiting table (leaving.go) and closing (closing.go).
	buying       bool // a buy-in of ours is being signed
	reclaiming   bool // a cash-out of a freed seat is being signed
	leaveWaiters []*actor.PID
	leaveTry     int
	closing      bool // the host's CloseBank is being signed
	closeReason  string
	closeWaiters []*actor.PID
}

func newTableActor(opts *Options, w wire, rec *record, in intent) *tableActor {
	me := string(opts.Identity.PeerID())
	return &tableActor{opts: opts, w: w, rec: rec, in: in, me: me, subs: map[string]*actor.PID{}, joining: map[string]ledger.Op{},
		log: opts.Logger.With("table", rec.ID)}
}

// Receive implements actor.Actor.
func (t *tableActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		t.start(ctx)
	case *actor.Terminated:
		delete(t.subs, m.Who.String())
	case *controlIn:
		t.onControl(ctx, m)
	case *opSigned:
		t.onOpSigned(ctx, m)
	case *hostApplied:
		if m.owner == t {
			t.onHostApplied(ctx, m)
		}
	case *joinTimeout:
		if m.owner == t {
			t.onJoinTimeout(ctx)
		}
	case *joinResend:
		if m.owner == t && t.joinOp != nil && len(t.joinWaiters) > 0 {
			t.sendControl(t.rec.Host, control{Kind: ctlJoin, Op: t.joinOp})
			after(ctx, joinResendEvery, &joinResend{owner: t})
		}
	case *reattach:
		if m.owner == t && !t.left {
			ctx.Request(t.opts.Consensus, t.startMessage())
			after(ctx, reattachEvery, &reattach{owner: t})
		}
	case *playRetry:
		if m.owner == t && m.read {
			t.readSettled(ctx)
		} else if m.owner == t {
			t.startConsensus(ctx)
		}
	case *cancelIn, *waitExpiry:
		t.onClosing(ctx, m)
	case *leaveResend, *leaveTimeout:
		t.onLeaving(ctx, m)
	case *settleRetry:
		if m.owner == t {
			t.settling, t.resyncing = false, false
			t.pumpSettle(ctx)
			t.payDissolution(ctx)
		}
	case *messages.ConsensusStatus:
		t.onStatus(ctx, m)
	case *messages.ConsensusDissolved:
		t.onDissolved(ctx, m)
	case *messages.CertifiedRound:
		t.onCertified(ctx, m)
	case *messages.ConsensusEvidence:
		t.onEvidence(ctx, m)
	case *messages.ConsensusBetCarried:
		t.onBetCarried(ctx, m)
	default:
		t.onRequest(ctx, m)
	}
}

func (t *tableActor) start(ctx actor.Context) {
	t.self, t.manager = ctx.Self(), ctx.Parent()
	switch t.in.kind {
	case intentCreate:
		t.save(ctx)
		if t.in.buyIn > 0 {
			t.joinWaiters, t.buying = append(t.joinWaiters, t.in.reply), true
			ctx.Send(t.manager, signFor(t.self, "host-buyin", t.buyIn(t.in.buyIn)))
		} else {
			t.replyView(ctx, t.in.reply, nil)
		}
	case intentJoin:
		t.joinWaiters, t.buying = append(t.joinWaiters, t.in.reply), true
		ctx.Send(t.manager, signFor(t.self, "buyin", t.buyIn(t.in.buyIn)))
	case intentRestore:
		t.save(ctx)
		t.maybePlay(ctx)
		if t.rec.Status == statusClosed {
			t.reclaim(ctx) // stopped between the closed record and its cash-out
		}
	}
	t.armExpiry(ctx)
	t.changed(ctx)
}

func (t *tableActor) buyIn(amount int64) func(uint64) ledger.Op {
	id := t.rec.ID
	return func(uint64) ledger.Op { return ledger.Op{Kind: ledger.KindBuyIn, Table: id, Amount: amount} }
}

func (t *tableActor) onOpSigned(ctx actor.Context, m *opSigned) {
	switch m.tag {
	case "host-buyin":
		t.onHostBuyIn(ctx, m)
	case "buyin":
		t.buying = false
		if m.err != nil {
			t.answerJoin(ctx, userLedgerError(m.err, "buy in at table "+t.rec.ID, m.op.Amount))
			ctx.Stop(t.self)
			return
		}
		op := m.op
		t.joinOp = &op
		t.sendControl(t.rec.Host, control{Kind: ctlJoin, Op: &op})
		after(ctx, t.joinWait(), &joinTimeout{owner: t})
		after(ctx, joinResendEvery, &joinResend{owner: t})
	case "close":
		t.onBankClosed(ctx, m)
	case "reclaim":
		t.onReclaimed(ctx, m)
	case "refund":
		t.reclaiming = false
		if m.err != nil {
			t.problem = fmt.Sprintf("taking the buy-in back failed: %v", m.err)
			t.changed(ctx)
			return
		}
		ctx.Stop(t.self) // never seated: nothing else to keep
	case "cashout":
		if m.err != nil {
			t.log.Error("cash-out failed; the chips stay at the table", "amount", m.op.Amount, "err", m.err)
			t.problem = fmt.Sprintf("cash-out of %d micro-CRAP failed: %v", m.op.Amount, m.err)
		}
		t.changed(ctx)
	}
}

// save stores this node's copy of the record, so that a restarted manager
// finds the table again.
func (t *tableActor) save(ctx actor.Context) {
	raw, err := json.Marshal(t.rec)
	if err != nil {
		t.log.Error("table record unmarshalable", "err", err)
		return
	}
	ctx.Request(t.opts.Consensus, &messages.ConsensusSaveTable{TableID: t.rec.ID, Record: raw})
}

func (t *tableActor) sendControl(to string, c control) {
	if err := t.w.control(t.rec.ID, to, c); err != nil {
		t.log.Warn("table control not sent", "kind", c.Kind, "to", to, "err", err)
	}
}

// changed tells the manager (list cache, announcements) and subscribers.
func (t *tableActor) changed(ctx actor.Context) {
	v := t.view()
	ctx.Send(t.manager, &tableUpdate{rec: t.rec.clone(), view: v})
	if !watchedHere(t.rec, v) {
		t.emit(ctx, messages.EventTable, v) // else the manager's follower sends the table
	}
}

func (t *tableActor) onControl(ctx actor.Context, m *controlIn) {
	switch m.c.Kind {
	case ctlJoin:
		if t.rec.Host == t.me {
			t.hostQ = append(t.hostQ, m)
			t.hostNext(ctx)
		}
	case ctlTable:
		t.onRecord(ctx, m)
	case ctlRefuse:
		if m.from == t.rec.Host && t.joinOp != nil {
			t.answerJoin(ctx, messages.Errorf(orCode(m.c.Code, messages.CodeBadRequest), "the host refused the join: %s", m.c.Reason))
			t.refund(ctx)
		}
	case ctlLeave:
		if t.rec.Host == t.me {
			t.onLeaveAsked(ctx, m.from)
		}
	case ctlLeaveRefused:
		if m.from == t.rec.Host {
			t.answerLeave(ctx, messages.Errorf(orCode(m.c.Code, messages.CodeBadRequest), "the host refused the leave: %s", m.c.Reason))
		}
	case ctlCashedOut:
		if t.rec.Host == t.me {
			t.onCashedOut(ctx, m)
		}
	}
}

func orCode(code, fallback string) string {
	if code == "" {
		return fallback
	}
	return code
}

// refund cashes out a buy-in the host did not seat.
func (t *tableActor) refund(ctx actor.Context) {
	op := t.joinOp
	t.joinOp, t.reclaiming = nil, true // no reclaim of the same chips meanwhile
	id := t.rec.ID
	ctx.Send(t.manager, signFor(t.self, "refund", func(uint64) ledger.Op {
		return ledger.Op{Kind: ledger.KindCashOut, Table: id, Amount: op.Amount}
	}))
}

// onRecord adopts a newer record from the host.
func (t *tableActor) onRecord(ctx actor.Context, m *controlIn) {
	r := m.c.Record
	if r == nil || m.from != t.rec.Host || r.Host != t.rec.Host || r.ID != t.rec.ID || r.Version <= t.rec.Version {
		return
	}
	wasSeated := t.rec.seated(t.me)
	t.rec = r
	t.save(ctx)
	if !wasSeated && r.seated(t.me) {
		t.joinOp = nil
		t.emit(ctx, messages.EventSeat, map[string]any{"player": t.me, "seated": true})
	}
	t.maybePlay(ctx)
	t.seatedAnswer(ctx)
	t.adopted(ctx, wasSeated)
	t.changed(ctx)
}

// seatedAnswer answers the joins (and the create) waiting for a seat once
// the local player is seated and, if play has started, its consensus runs.
func (t *tableActor) seatedAnswer(ctx actor.Context) {
	if t.rec.seated(t.me) && (t.rec.Status == statusWaiting || t.ready) {
		t.answerJoin(ctx, nil)
	}
}

func (t *tableActor) answerJoin(ctx actor.Context, err error) {
	for _, w := range t.joinWaiters {
		t.replyView(ctx, w, err)
	}
	t.joinWaiters = nil
}

func (t *tableActor) onJoinTimeout(ctx actor.Context) {
	if len(t.joinWaiters) == 0 {
		return
	}
	t.answerJoin(ctx, messages.Errorf(messages.CodeHostUnreachable,
		"the host %s has not seated you within %s; your buy-in waits at the table (leave to take it back)", short(t.rec.Host), t.joinWait()))
}

// joinWait bounds a join: the host's answer, plus, at a table in play, the
// round that seats the joiner, which may take the whole bet window (it
// opens with the join itself when nobody else bets).
func (t *tableActor) joinWait() time.Duration {
	return t.opts.JoinTimeout + t.rec.Settings.BetWindow
}

func short(peer string) string {
	if len(peer) > 8 {
		return peer[:8]
	}
	return peer
}

func (t *tableActor) replyView(ctx actor.Context, to *actor.PID, err error) {
	if to == nil {
		return
	}
	if err != nil {
		ctx.Send(to, &messages.TableReply{Err: err})
		return
	}
	v := t.view()
	ctx.Send(to, &messages.TableReply{Table: &v})
}

// maybePlay starts (or re-attaches) the table's consensus instance once
// play has started with this node seated. It first applies every op of the
// record to the local ledger (each after its owner's genesis grant), so the
// settlements to come find every player's chips, then reads the last round
// the ledger settled, from which the instance delivers again.
func (t *tableActor) maybePlay(ctx actor.Context) {
	if t.consensus || t.left || t.rec.Status != statusPlaying || t.rec.Genesis == nil || !t.rec.seated(t.me) {
		return
	}
	t.consensus = true
	t.applyRecordOps(ctx)
	t.readSettled(ctx)
}

// applyRecordOps applies every op of the record to the local ledger, in
// order, each after its owner's genesis grant; ops applied before are
// no-ops, and one that cannot apply yet comes again by gossip.
func (t *tableActor) applyRecordOps(ctx actor.Context) {
	for _, op := range t.rec.Ops {
		if op.Owner != identity.PeerID(t.me) {
			ctx.Request(t.opts.Ledger, &messages.LedgerGrantGenesis{Peer: op.Owner})
		}
		ctx.Request(t.opts.Ledger, &messages.LedgerApply{Op: op})
	}
}

// readSettled learns the ledger's last settled round, then starts the
// instance; both are retried until they answer.
func (t *tableActor) readSettled(ctx actor.Context) {
	ask(ctx, t.opts.Ledger, &messages.LedgerTableRequest{Table: t.rec.ID}, ledgerTableErr, func(r *messages.LedgerTable, err error) {
		if err != nil {
			t.log.Warn("cannot read the last settled round; trying again", "err", err)
			after(ctx, t.opts.RetryEvery, &playRetry{owner: t, read: true})
			return
		}
		t.settledTo = max(t.settledTo, r.Info.LastRound)
		t.settleKnown = true
		t.startConsensus(ctx)
	})
}

// reattachEvery: how often a playing table attaches to its instance again,
// so that an instance restarted on its own (which forgets its table) finds
// it within two seconds; each attach costs one local message.
const reattachEvery = 2 * time.Second

func (t *tableActor) startMessage() *messages.ConsensusStart {
	return &messages.ConsensusStart{
		Genesis: *t.rec.Genesis, BetWindowTicks: betWindowTicks(t.rec.Settings.BetWindow, t.opts.TickInterval),
		Table: t.self, FromRound: t.settledTo + 1, MinPlayers: t.rec.Settings.MinPlayers, Host: t.rec.Host,
	}
}

func (t *tableActor) startConsensus(ctx actor.Context) {
	ask(ctx, t.opts.Consensus, t.startMessage(), ackErr, func(_ *messages.ConsensusAck, err error) {
		if err != nil {
			t.problem = fmt.Sprintf("consensus did not start: %v", err)
			t.log.Warn("consensus did not start; trying again", "err", err)
			after(ctx, t.opts.RetryEvery, &playRetry{owner: t})
		} else {
			t.problem = ""
			if !t.ready {
				after(ctx, reattachEvery, &reattach{owner: t})
			}
			t.ready = true
			t.seatedAnswer(ctx)
			t.pumpSettle(ctx)
		}
		t.changed(ctx)
	})
}
