package table

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

func (t *tableActor) onRequest(ctx actor.Context, msg any) {
	switch r := msg.(type) {
	case *messages.GetTable:
		v := t.view()
		ctx.Respond(&messages.TableReply{Table: &v})
	case *messages.JoinTable:
		t.rejoin(ctx, r)
	case *messages.PlaceBet:
		t.placeBet(ctx, r)
	case *messages.RollDice:
		t.roll(ctx)
	case *messages.LeaveTable:
		t.leave(ctx)
	case *messages.ListRounds:
		t.rounds(ctx)
	case *messages.ExportTable:
		t.export(ctx)
	case *messages.SubscribeTable:
		if r.Subscriber != nil {
			t.subs[r.Subscriber.String()] = r.Subscriber
			ctx.Watch(r.Subscriber)
		}
		ctx.Respond(&messages.Ack{})
		if r.Subscriber != nil {
			t.history.replay(ctx, r.Subscriber)
		}
	case *messages.UnsubscribeTable:
		if r.Subscriber != nil {
			delete(t.subs, r.Subscriber.String())
			ctx.Unwatch(r.Subscriber)
		}
	case *messages.TableEvent:
		t.relay(ctx, r) // the follower's, once this node's player no longer sits here
	}
}

// rejoin answers a join of a table this node already has an actor for.
func (t *tableActor) rejoin(ctx actor.Context, r *messages.JoinTable) {
	switch {
	case t.rec.seated(t.me) && !t.left:
		v := t.view()
		ctx.Respond(&messages.TableReply{Table: &v})
	case t.joinOp != nil || t.buying:
		t.joinWaiters = append(t.joinWaiters, ctx.Sender())
	case t.rec.Status == statusWaiting && !t.left:
		t.sitAgain(ctx, r)
	case t.rec.Status == statusClosed:
		ctx.Respond(&messages.TableReply{Err: messages.Errorf(messages.CodeTableClosed,
			"table %s is closed (%s)", t.rec.ID, t.rec.ClosedReason)})
	default:
		ctx.Respond(&messages.TableReply{Err: messages.Errorf(messages.CodeTableInPlay,
			"table %s: you cannot sit here again (status %s)", t.rec.ID, t.rec.Status)})
	}
}

// sitAgain seats the local player at a waiting table it has an actor for:
// the host that created it without a buy-in, or a player that left it.
func (t *tableActor) sitAgain(ctx actor.Context, r *messages.JoinTable) {
	if r.BuyIn <= 0 {
		ctx.Respond(&messages.TableReply{Err: messages.Errorf(messages.CodeBadRequest, "buy_in %d: want a positive amount of micro-CRAP", r.BuyIn)})
		return
	}
	if code, reason := t.seatRefusal(); t.rec.Host == t.me && reason != "" {
		ctx.Respond(&messages.TableReply{Err: messages.Errorf(code, "table %s: %s", t.rec.ID, reason)})
		return
	}
	t.joinWaiters = append(t.joinWaiters, ctx.Sender())
	tag := "buyin"
	if t.rec.Host == t.me {
		tag = "host-buyin"
	}
	t.buying = true
	ctx.Send(t.manager, signFor(t.self, tag, t.buyIn(r.BuyIn)))
}

// playing is nil when the local player can act at the table now.
func (t *tableActor) playing(what string) error {
	switch {
	case !t.rec.seated(t.me) || t.left:
		return messages.Errorf(messages.CodeNotSeated, "you do not sit at table %s", t.rec.ID)
	case t.rec.Status == statusWaiting:
		return messages.Errorf(messages.CodeBetNotAllowed, "cannot %s now: table %s is waiting for players (%d of %d seated)",
			what, t.rec.ID, len(t.rec.Seats), t.rec.Settings.MinPlayers)
	case t.problem != "":
		return messages.Errorf(messages.CodeBetNotAllowed, "cannot %s now: %s", what, t.problem)
	case !t.ready:
		return messages.Errorf(messages.CodeBetNotAllowed, "cannot %s now: table %s is starting", what, t.rec.ID)
	}
	return nil
}

func (t *tableActor) placeBet(ctx actor.Context, r *messages.PlaceBet) {
	if err := t.playing("bet"); err != nil {
		ctx.Respond(&messages.BetReply{Err: err})
		return
	}
	encode := game.EncodeBet
	if r.TakeDown {
		encode = func(betType string, number int, _ int64) ([]byte, error) { return game.EncodeTakeDown(betType, number) }
	}
	payload, err := encode(r.Type, r.Number, r.Amount)
	if err != nil {
		ctx.Respond(&messages.BetReply{Err: messages.Errorf(messages.CodeBadRequest, "bet %q number %d amount %d: %v", r.Type, r.Number, r.Amount, err)})
		return
	}
	sender, bet := ctx.Sender(), *r
	ask(ctx, t.opts.Consensus, &messages.ConsensusBet{TableID: t.rec.ID, Payload: payload}, betReplyErr, func(reply *messages.ConsensusBetReply, err error) {
		if err != nil {
			ctx.Send(sender, &messages.BetReply{Err: t.betError(bet, err)})
			return
		}
		ctx.Send(sender, &messages.BetReply{BetID: reply.BetID})
		t.bets.placed(messages.WaitingBet{ID: reply.BetID, Type: bet.Type, Number: bet.Number, Amount: bet.Amount,
			TakeDown: bet.TakeDown, Round: reply.Round})
		t.emit(ctx, messages.EventBet, map[string]any{"player": t.me, "id": reply.BetID, "type": bet.Type,
			"number": bet.Number, "amount": bet.Amount, "round": reply.Round, "take_down": bet.TakeDown})
		t.changed(ctx)
	})
}

func (t *tableActor) roll(ctx actor.Context) {
	if err := t.playing("roll"); err != nil {
		ctx.Respond(&messages.Ack{Err: err})
		return
	}
	sender := ctx.Sender()
	ask(ctx, t.opts.Consensus, &messages.ConsensusRoll{TableID: t.rec.ID}, ackErr, func(_ *messages.ConsensusAck, err error) {
		ctx.Send(sender, &messages.Ack{Err: t.rollError(err)})
	})
}

// leave asks to be unseated: a "leave" payload in the round being played;
// once that round is certified the chips are cashed out.
func (t *tableActor) leave(ctx actor.Context) {
	if t.joinOp != nil && !t.rec.seated(t.me) {
		// The host never seated us: take the buy-in back.
		t.answerJoin(ctx, messages.Errorf(messages.CodeBadRequest, "join of table %s abandoned", t.rec.ID))
		t.refund(ctx)
		ctx.Respond(&messages.Ack{})
		return
	}
	if t.rec.Status == statusWaiting && t.rec.seated(t.me) {
		t.leaveWaiting(ctx)
		return
	}
	if err := t.playing("leave"); err != nil {
		ctx.Respond(&messages.Ack{Err: err})
		return
	}
	sender := ctx.Sender()
	leave := &messages.ConsensusBet{TableID: t.rec.ID, Payload: game.EncodeLeave()}
	ask(ctx, t.opts.Consensus, leave, betReplyErr, func(_ *messages.ConsensusBetReply, err error) {
		if err != nil {
			err = t.betError(messages.PlaceBet{Type: "leave"}, err)
		} else {
			t.leaving = true
		}
		ctx.Send(sender, &messages.Ack{Err: err})
	})
}

func (t *tableActor) rounds(ctx actor.Context) {
	sender := ctx.Sender()
	ask(ctx, t.opts.Consensus, &messages.ConsensusRounds{TableID: t.rec.ID, From: 1}, roundListErr, func(list *messages.ConsensusRoundList, err error) {
		if err != nil {
			ctx.Send(sender, &messages.RoundList{Err: fmt.Errorf("rounds of table %s: %w", t.rec.ID, err)})
			return
		}
		out := make([]messages.RoundView, 0, len(list.Certificates))
		for i := range list.Certificates {
			c := &list.Certificates[i]
			out = append(out, roundView(c, t.outcomes[c.Round]))
		}
		ctx.Send(sender, &messages.RoundList{Items: out})
	})
}

// export answers with the table's audit file: the genesis and every
// certificate the consensus store holds, with the record as free-form info.
func (t *tableActor) export(ctx actor.Context) {
	if t.rec.Genesis == nil {
		ctx.Respond(&messages.TableExport{Err: messages.Errorf(messages.CodeNotStarted, "table %s has not started: nothing to export", t.rec.ID)})
		return
	}
	sender, genesis := ctx.Sender(), *t.rec.Genesis
	info, _ := json.Marshal(map[string]any{"id": t.rec.ID, "host": t.rec.Host, "settings": t.rec.Settings})
	ask(ctx, t.opts.Consensus, &messages.ConsensusRounds{TableID: t.rec.ID, From: 1}, roundListErr, func(list *messages.ConsensusRoundList, err error) {
		if err != nil {
			ctx.Send(sender, &messages.TableExport{Err: fmt.Errorf("export table %s: %w", t.rec.ID, err)})
			return
		}
		e := game.Export{Version: game.ExportVersion, Info: info, Genesis: genesis, Certificates: list.Certificates, Unseatings: list.Unseatings}
		if d := t.dissolution; d != nil && t.dissolvePaid && d.Round == uint64(len(list.Certificates)) {
			e.Dissolution = d
		}
		ctx.Send(sender, &messages.TableExport{Export: e})
	})
}

func (t *tableActor) onStatus(ctx actor.Context, m *messages.ConsensusStatus) {
	prev := t.status
	t.status = *m
	if m.Failure != "" {
		t.problem = m.Failure
	}
	if prev.Lifecycle != m.Lifecycle || prev.PausedReason != m.PausedReason {
		t.log.Info("table lifecycle", "mode", m.Lifecycle, "reason", m.PausedReason, "absent", len(m.Absent))
		t.emit(ctx, messages.EventLifecycle, map[string]any{"mode": m.Lifecycle, "reason": m.PausedReason, "absent": m.Absent, "behind": m.Behind})
	}
	if prev.Round != m.Round || prev.Shooter != m.Shooter || prev.PendingBets != m.PendingBets || prev.Failure != m.Failure ||
		prev.Lifecycle != m.Lifecycle || prev.PausedReason != m.PausedReason || !slices.Equal(prev.Absent, m.Absent) || prev.Behind != m.Behind {
		t.changed(ctx)
	}
}

// onBetCarried tells the player what became of a bet that missed its round.
func (t *tableActor) onBetCarried(ctx actor.Context, m *messages.ConsensusBetCarried) {
	if m.Err != nil {
		t.log.Info("a late bet was refused by the next round", "bet", m.BetID, "err", m.Err)
		reason := fmt.Sprintf("it reached the shooter after the roll, and the next round refused it: %v", m.Err)
		var round uint64
		if t.last != nil {
			round = t.last.Certificate.Round + 1
		}
		b, _ := t.bets.dropped(m.BetID, reason, round)
		t.emit(ctx, messages.EventBetDropped, map[string]any{"player": t.me, "id": m.BetID, "type": b.Type,
			"number": b.Number, "amount": b.Amount, "take_down": b.TakeDown, "reason": reason})
		t.changed(ctx)
		return
	}
	t.bets.carried(m.BetID, m.NewBetID, m.Round)
	t.emit(ctx, messages.EventBetCarried, map[string]any{"player": t.me, "id": m.BetID, "new_id": m.NewBetID, "round": m.Round})
	t.changed(ctx)
}

func (t *tableActor) onEvidence(ctx actor.Context, m *messages.ConsensusEvidence) {
	t.evidence++
	t.log.Warn("byzantine behaviour seen", "kind", m.Evidence.Kind.String(), "offender", m.Evidence.Offender.Short(), "round", m.Evidence.Round)
	t.emit(ctx, messages.EventEvidence, map[string]any{"kind": m.Evidence.Kind.String(),
		"offender": m.Evidence.Offender.String(), "round": m.Evidence.Round, "view": m.Evidence.View})
}

// onCertified takes a certified round from the instance: the new view for
// the API, events for subscribers, and a Settle op for the ledger.
func (t *tableActor) onCertified(ctx actor.Context, m *messages.CertifiedRound) {
	round := m.Certificate.Round
	if t.last == nil || round > t.last.Certificate.Round {
		prevPhase := t.view().Phase
		t.last = m
		t.bets.certified(round)
		t.keepOutcomes(round, m.Settlement.Events)
		t.emitRound(ctx, m, prevPhase)
	}
	if round > t.settledTo && !slices.ContainsFunc(t.settleQ, func(q *messages.CertifiedRound) bool { return q.Certificate.Round == round }) {
		t.settleQ = append(t.settleQ, m)
		slices.SortFunc(t.settleQ, func(a, b *messages.CertifiedRound) int { return int(a.Certificate.Round) - int(b.Certificate.Round) })
	}
	t.pumpSettle(ctx)
	t.releave(ctx, m)
	t.changed(ctx)
}

// releave puts a leave that missed its round (the shooter rolled before it
// arrived) into the next round: a leave is kept until it takes effect.
func (t *tableActor) releave(ctx actor.Context, m *messages.CertifiedRound) {
	if !t.leaving || t.left {
		return
	}
	for _, l := range m.Settlement.Leavers {
		if l.Player == t.me {
			return
		}
	}
	ctx.Request(t.opts.Consensus, &messages.ConsensusBet{TableID: t.rec.ID, Payload: game.EncodeLeave()})
}

func (t *tableActor) emitRound(ctx actor.Context, m *messages.CertifiedRound, prevPhase string) {
	for _, e := range roundEvents(&m.Settlement, &m.View, prevPhase) {
		t.emit(ctx, e.kind, e.data)
	}
}

// pumpSettle applies the certified rounds' Settle ops to the local ledger
// strictly in round order, one at a time, so that the ledger's last settled
// round says every earlier one is settled too. A gap (a round the instance
// delivered while this actor was down) is asked for again; a refusal that
// may pass later (ops it depends on not here yet, a busy or restarting
// ledger) is retried; any other stops the table with the reason.
func (t *tableActor) pumpSettle(ctx actor.Context) {
	t.settleQ = slices.DeleteFunc(t.settleQ, func(q *messages.CertifiedRound) bool { return q.Certificate.Round <= t.settledTo })
	if t.settling || len(t.settleQ) == 0 || !t.settleKnown {
		return
	}
	cr := t.settleQ[0]
	if cr.Certificate.Round > t.settledTo+1 {
		t.resync(ctx)
		return
	}
	op, err := settleOpOf(cr.TableID, &cr.Certificate, &cr.Settlement)
	if err != nil {
		t.problem = err.Error()
		return
	}
	t.settling = true
	owner := t
	ask(ctx, t.opts.Ledger, &messages.LedgerApply{Op: op}, appliedErr, func(_ *messages.LedgerApplied, err error) {
		switch {
		case err == nil:
			t.settling = false
			t.settled(ctx, cr, op)
			t.pumpSettle(ctx)
		case retryable(err):
			after(ctx, t.opts.RetryEvery, &settleRetry{owner: owner})
		default:
			t.opts.Metrics.ledgerRefused(op.Kind.String())
			t.problem = fmt.Sprintf("the ledger refused the settlement of round %d: %v", op.Round, err)
			t.log.Error("settlement refused", "round", op.Round, "err", err)
			t.settling = false
			t.changed(ctx)
		}
	})
}

// resync asks the instance for the rounds after the last settled one, at
// most once per retry interval.
func (t *tableActor) resync(ctx actor.Context) {
	if t.resyncing || t.rec.Genesis == nil {
		return
	}
	t.resyncing = true
	ctx.Request(t.opts.Consensus, t.startMessage())
	after(ctx, t.opts.RetryEvery, &settleRetry{owner: t})
}

// settleOpOf is the ledger's Settle op of a certified round: every node
// derives the same one from the certificate and the game.
func settleOpOf(table string, cert *bft.Certificate, s *game.Settlement) (ledger.Op, error) {
	raw, err := cert.MarshalBinary()
	if err != nil {
		return ledger.Op{}, fmt.Errorf("certificate of round %d: %w", cert.Round, err)
	}
	op := ledger.Op{Kind: ledger.KindSettle, Table: table, Round: cert.Round, Certificate: raw}
	for _, o := range s.Outcomes {
		op.Outcomes = append(op.Outcomes, ledger.Outcome{Player: identity.PeerID(o.Player), Delta: o.Delta})
	}
	return op, nil
}

// settled runs once a round's Settle op is durable in the local ledger.
func (t *tableActor) settled(ctx actor.Context, cr *messages.CertifiedRound, op ledger.Op) {
	t.settledTo = max(t.settledTo, op.Round)
	t.opts.Metrics.roundSettled(cr.CertifiedAt)
	c := &cr.Certificate
	logRound(t.log, short(t.me), cr)
	// One participant sends the round to the nodes that follow the table
	// (follower.go): the shooter of the certifying view.
	if bft.Leader(c.Body.Seats, c.Round, c.View).String() == t.me {
		push := control{Kind: ctlHistory, From: c.Round, Certificates: []bft.Certificate{*c}}
		if err := t.w.control(t.rec.ID, "", push); err != nil {
			t.log.Warn("certified round not broadcast", "round", op.Round, "err", err)
		}
	}
	t.emit(ctx, messages.EventSettled, map[string]any{"round": op.Round, "state_hash": c.StateHash})
	if len(cr.Settlement.Joiners) > 0 {
		t.seatJoiners(ctx, cr.Settlement.Joiners)
	}
	t.payDissolution(ctx)
	for _, l := range cr.Settlement.Leavers {
		t.unseat(ctx, l)
	}
}

// unseat drops a leaver from the record; the leaver itself cashes out and
// stops its instance.
func (t *tableActor) unseat(ctx actor.Context, l game.Leaver) {
	t.rec.Seats = slices.DeleteFunc(t.rec.Seats, func(s seat) bool { return s.Player == l.Player })
	if t.rec.Host == t.me {
		t.rec.Version++
		if len(t.rec.Seats) == 0 {
			t.close(ctx, "no players left")
		}
	}
	t.save(ctx)
	if l.Player != t.me || t.left {
		return
	}
	t.left = true
	ctx.Request(t.opts.Consensus, &messages.ConsensusStop{TableID: t.rec.ID})
	if l.Chips > 0 {
		id, amount := t.rec.ID, l.Chips
		ctx.Send(t.manager, signFor(t.self, "cashout", func(uint64) ledger.Op {
			return ledger.Op{Kind: ledger.KindCashOut, Table: id, Amount: amount}
		}))
	}
}
