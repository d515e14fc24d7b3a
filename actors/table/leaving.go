package table

import (
	"errors"
	"fmt"
	"slices"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Leaving a table that has not started (DESIGN.md, "Table lifecycle",
// Waiting). The host's record stays the one authority over seats: a player
// asks the host to free its seat and cashes out only once the host's
// record shows the seat gone, so a table never starts with chips that have
// left it. Only an owner signs its cash-out, so a player whose seat was
// freed (it left, or the table was closed) takes its chips back itself
// (reclaim) and hands the signed op to the host, whose record carries it,
// with the table's other ops, to every node.

// Leaving timers; owner ties them to one incarnation.
type (
	leaveResend  struct{ owner *tableActor }
	leaveTimeout struct {
		owner *tableActor
		try   int
	}
)

// maxRecordOps bounds a record's ops (a bank, buy-ins, cash-outs): joins
// and leaves at a waiting table add two each, and the record travels in
// every announcement. 256 ops are under 100 KiB of JSON.
const maxRecordOps = 256

func (t *tableActor) onLeaving(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *leaveResend:
		if m.owner == t && len(t.leaveWaiters) > 0 && t.rec.seated(t.me) && t.rec.Status == statusWaiting {
			t.askLeave(ctx)
		}
	case *leaveTimeout:
		if m.owner == t && m.try == t.leaveTry {
			t.answerLeave(ctx, messages.Errorf(messages.CodeHostUnreachable,
				"the host %s has not freed your seat at table %s within %s; your chips stay at the table (leave again to retry)",
				short(t.rec.Host), t.rec.ID, t.opts.JoinTimeout))
		}
	}
}

// leaveWaiting frees the local player's seat at a waiting table: the host
// frees its own; a player asks the host and is answered once the host's
// record shows the seat free (onRecord), the host refuses, or the join
// timeout passes.
func (t *tableActor) leaveWaiting(ctx actor.Context) {
	if t.rec.Host == t.me {
		ctx.Respond(&messages.Ack{Err: t.freeSeat(ctx, t.me)})
		return
	}
	t.leaveWaiters = append(t.leaveWaiters, ctx.Sender())
	if len(t.leaveWaiters) > 1 {
		return // asked already
	}
	t.leaveTry++
	t.askLeave(ctx)
	after(ctx, t.opts.JoinTimeout, &leaveTimeout{owner: t, try: t.leaveTry})
}

func (t *tableActor) askLeave(ctx actor.Context) {
	t.sendControl(t.rec.Host, control{Kind: ctlLeave})
	after(ctx, joinResendEvery, &leaveResend{owner: t})
}

func (t *tableActor) answerLeave(ctx actor.Context, err error) {
	for _, w := range t.leaveWaiters {
		ctx.Send(w, &messages.Ack{Err: err})
	}
	t.leaveWaiters = nil
}

// onLeaveAsked is the host's answer to a player's leave: the record
// without its seat, or why not.
func (t *tableActor) onLeaveAsked(ctx actor.Context, from string) {
	if err := t.freeSeat(ctx, from); err != nil {
		var ue *messages.UserError
		code := messages.CodeBadRequest
		if errors.As(err, &ue) {
			code = ue.Code
		}
		t.sendControl(from, control{Kind: ctlLeaveRefused, Code: code, Reason: err.Error()})
		return
	}
	t.sendControl(from, control{Kind: ctlTable, Record: t.rec})
}

// freeSeat is the host's decision on a leave from a waiting table. A
// player not seated (a repeated leave) is answered with the record; one at
// a table being closed is freed by the closed record.
func (t *tableActor) freeSeat(ctx actor.Context, player string) error {
	i := slices.IndexFunc(t.rec.Seats, func(s seat) bool { return s.Player == player })
	switch {
	case i < 0 || t.closing:
		return nil
	case t.rec.Status != statusWaiting:
		return messages.Errorf(messages.CodeTableInPlay,
			"table %s started before the leave reached its host: leave again to cash out at the next round boundary", t.rec.ID)
	}
	s := t.rec.Seats[i]
	t.rec.Seats = slices.Delete(t.rec.Seats, i, i+1)
	t.rec.Version++
	t.emit(ctx, messages.EventSeat, map[string]any{"player": s.Player, "seated": false, "chips": s.Chips, "reason": "leave"})
	t.save(ctx)
	t.publish()
	t.changed(ctx)
	if player == t.me {
		t.reclaim(ctx)
	}
	return nil
}

// reclaim cashes out the local player's chips at a table that never
// played and where it no longer sits (it left, or the table was closed):
// the chips the ledger holds there are exactly its buy-ins. It does
// nothing while a buy-in or a refund of ours is under way; callers make
// sure the host will not seat us (it freed our seat, or closed the table).
func (t *tableActor) reclaim(ctx actor.Context) {
	if t.reclaiming || t.buying || t.joinOp != nil || t.rec.seated(t.me) || t.rec.Genesis != nil {
		return
	}
	t.reclaiming = true
	id := t.rec.ID
	ask(ctx, t.opts.Ledger, &messages.LedgerHoldingsRequest{Peer: identity.PeerID(t.me)}, holdingsErr, func(h *messages.LedgerHoldings, err error) {
		if err != nil {
			t.reclaiming = false
			t.log.Warn("cannot read the chips to take back", "err", err)
			return
		}
		chips := h.Holdings.Chips[id]
		if chips <= 0 || t.buying || t.joinOp != nil || t.rec.seated(t.me) {
			t.reclaiming = false
			return
		}
		ctx.Send(t.manager, signFor(t.self, "reclaim", func(uint64) ledger.Op {
			return ledger.Op{Kind: ledger.KindCashOut, Table: id, Amount: chips}
		}))
	})
}

// onReclaimed records a reclaim's cash-out: the host in its own record,
// a player by handing it to the host.
func (t *tableActor) onReclaimed(ctx actor.Context, m *opSigned) {
	t.reclaiming = false
	if m.err != nil {
		t.problem = fmt.Sprintf("cash-out of %d micro-CRAP failed: %v", m.op.Amount, m.err)
		t.log.Error("cash-out failed; the chips stay at the table", "amount", m.op.Amount, "err", m.err)
	} else if t.rec.Host == t.me {
		t.addOp(ctx, m.op)
	} else {
		op := m.op
		t.sendControl(t.rec.Host, control{Kind: ctlCashedOut, Op: &op})
	}
	t.changed(ctx)
}

// onCashedOut is the host taking a freed player's cash-out into the
// record, once its own ledger applied it.
func (t *tableActor) onCashedOut(ctx actor.Context, m *controlIn) {
	op := m.c.Op
	if op == nil || op.Kind != ledger.KindCashOut || op.Table != t.rec.ID || string(op.Owner) != m.from ||
		t.rec.seated(m.from) || t.hasOp(op.ID()) || len(t.rec.Ops) >= maxRecordOps {
		return
	}
	ask(ctx, t.opts.Ledger, &messages.LedgerApply{Op: *op}, appliedErr, func(_ *messages.LedgerApplied, err error) {
		if err != nil {
			t.log.Debug("a freed player's cash-out is not applied here yet", "player", m.from, "err", err)
			return
		}
		t.addOp(ctx, *op)
	})
}

func (t *tableActor) addOp(ctx actor.Context, op ledger.Op) {
	if t.hasOp(op.ID()) {
		return
	}
	t.rec.Ops = append(t.rec.Ops, op)
	t.rec.Version++
	t.save(ctx)
	t.changed(ctx)
}

func (t *tableActor) hasOp(id ledger.OpID) bool {
	return slices.ContainsFunc(t.rec.Ops, func(op ledger.Op) bool { return op.ID() == id })
}

// adopted runs after a player adopted the host's newer record: a seat
// freed at a table that never played answers the leave and is cashed out;
// a table closed under a join in flight gives the buy-in back. The
// record's ops (other players' cash-outs, the bank's closing) are applied
// here too, in case their gossip was lost: a table that never plays has no
// other moment that does it.
func (t *tableActor) adopted(ctx actor.Context, wasSeated bool) {
	r := t.rec
	if r.Genesis == nil {
		t.applyRecordOps(ctx)
	}
	if wasSeated && !r.seated(t.me) && r.Genesis == nil {
		reason := "leave"
		if r.Status == statusClosed {
			reason = "closed"
		}
		t.emit(ctx, messages.EventSeat, map[string]any{"player": t.me, "seated": false, "reason": reason})
		t.answerLeave(ctx, nil)
	}
	if r.Status == statusClosed && t.joinOp != nil && !r.seated(t.me) {
		t.answerJoin(ctx, messages.Errorf(messages.CodeTableClosed, "table %s was closed (%s) before the host seated you", r.ID, r.ClosedReason))
		t.refund(ctx)
		return
	}
	// Only a seat the host freed, or a closed table, is certain to stay
	// without us: a buy-in sent before a restart may still be seated.
	if (wasSeated && !r.seated(t.me)) || r.Status == statusClosed {
		t.reclaim(ctx)
	}
}
