package table

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Leaving a table that has not started, and ending a table nobody plays at
// (DESIGN.md, "Table lifecycle", Waiting): no money stays locked at a table.
//
// The host's record stays the one authority over seats. A player at a
// waiting table asks the host to free its seat and cashes out only once the
// host's record shows the seat gone, so a table never starts with chips
// that have left it. The host cancels by closing the bank first (CloseBank)
// and then publishing the closed record without seats. Only an owner signs
// its cash-out, so every player whose seat was freed takes its own chips
// back when it sees that record (reclaim), and hands the signed op to the
// host, whose record carries it, with the table's other ops, to every node.

// Closing messages and timers; owner ties a timer to one incarnation.
type (
	// cancelIn is a CancelTable as the manager forwards it, with what only
	// the manager knows: the seats of the table's chain when this node
	// follows it (a host that does not play learns leavers only there).
	cancelIn struct {
		following bool
		followed  []string
		auto      bool // the manager saw the last player go: nobody waits for an answer
	}
	waitExpiry   struct{ owner *tableActor }
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

func (t *tableActor) onClosing(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *cancelIn:
		t.onCancel(ctx, m)
	case *waitExpiry:
		if m.owner == t {
			t.onWaitExpiry(ctx)
		}
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

// onCancel ends the table for its host: a waiting table at once, a playing
// one only when nobody is left to play.
func (t *tableActor) onCancel(ctx actor.Context, m *cancelIn) {
	if m.auto {
		if t.rec.Status == statusPlaying && t.cancellable(m) == nil {
			t.close(ctx, "no players left")
		}
		return
	}
	if err := t.cancellable(m); err != nil {
		ctx.Respond(&messages.TableReply{Err: err})
		return
	}
	if t.rec.Status == statusClosed {
		v := t.view()
		ctx.Respond(&messages.TableReply{Table: &v})
		return
	}
	t.closeWaiters = append(t.closeWaiters, ctx.Sender())
	reason := "cancelled by the host"
	if t.rec.Status == statusPlaying {
		reason = "closed by the host: no players left"
	}
	t.close(ctx, reason)
}

func (t *tableActor) cancellable(m *cancelIn) error {
	id := t.rec.ID
	if t.rec.Host != t.me {
		return messages.Errorf(messages.CodeNotHost, "only the host %s may cancel table %s", short(t.rec.Host), id)
	}
	if t.rec.Status != statusPlaying {
		return nil
	}
	players, known := t.playersLeft(m)
	switch {
	case !known:
		return messages.Errorf(messages.CodeTableInPlay,
			"table %s is playing and this node has not followed it to its last round yet: try again in a moment", id)
	case len(players) > 0:
		return messages.Errorf(messages.CodeTableInPlay,
			"table %s is playing with %d players (%s): it can be closed once they have all left", id, len(players), shortList(players))
	}
	return nil
}

// playersLeft are the seats of a playing table: the host's record while
// the host plays there (its table actor unseats every leaver), else the
// seats of the chain this node follows.
func (t *tableActor) playersLeft(m *cancelIn) ([]string, bool) {
	if t.rec.seated(t.me) && !t.left {
		return seatPlayers(t.rec.Seats), true
	}
	return m.followed, m.following
}

// close returns the bank to the host; the record closes once the ledger
// took it (onBankClosed). Joins and leaves are refused meanwhile.
func (t *tableActor) close(ctx actor.Context, reason string) {
	if t.closing {
		return
	}
	t.closing, t.closeReason = true, reason
	id := t.rec.ID
	ctx.Send(t.manager, signFor(t.self, "close", func(uint64) ledger.Op {
		return ledger.Op{Kind: ledger.KindCloseBank, Table: id}
	}))
}

// onBankClosed closes the record: no seats, status closed. A bank the
// ledger finds closed already was closed by an earlier incarnation that
// stopped before saving the record.
func (t *tableActor) onBankClosed(ctx actor.Context, m *opSigned) {
	t.closing = false
	if m.err != nil && !errors.Is(m.err, ledger.ErrTableClosed) {
		t.problem = fmt.Sprintf("closing the bank failed: %v", m.err)
		t.log.Error("close bank failed", "err", m.err)
		t.answerClose(ctx, fmt.Errorf("close the bank of table %s: %w", t.rec.ID, m.err))
		if t.rec.Status == statusWaiting {
			after(ctx, t.opts.RetryEvery, &waitExpiry{owner: t})
		}
		t.changed(ctx)
		return
	}
	if m.err == nil {
		t.rec.Ops = append(t.rec.Ops, m.op)
	}
	freed := seatPlayers(t.rec.Seats)
	for _, s := range t.rec.Seats {
		t.emit(ctx, messages.EventSeat, map[string]any{"player": s.Player, "seated": false, "chips": s.Chips, "reason": "closed"})
	}
	t.rec.Seats = nil
	t.rec.Status, t.rec.ClosedReason = statusClosed, t.closeReason
	t.rec.Version++
	t.problem = ""
	t.log.Info("table closed", "reason", t.closeReason, "seats_freed", len(freed))
	t.save(ctx)
	t.publishTo(freed)
	t.changed(ctx) // before the answer: the manager counts this table closed
	t.answerClose(ctx, nil)
	t.reclaim(ctx)
}

func (t *tableActor) answerClose(ctx actor.Context, err error) {
	for _, w := range t.closeWaiters {
		t.replyView(ctx, w, err)
	}
	t.closeWaiters = nil
}

// armExpiry starts the wait timer of a hosted waiting table. A record
// written before tables had a wait timeout starts waiting now.
func (t *tableActor) armExpiry(ctx actor.Context) {
	if t.rec.Host != t.me || t.rec.Status != statusWaiting {
		return
	}
	now := time.Now()
	if t.rec.CreatedAt.IsZero() {
		t.rec.CreatedAt = now
		t.rec.Version++
		t.save(ctx)
	}
	after(ctx, waitLeft(t.rec.CreatedAt, now, t.opts.WaitTimeout), &waitExpiry{owner: t})
}

func (t *tableActor) onWaitExpiry(ctx actor.Context) {
	if t.rec.Status != statusWaiting || t.closing {
		return
	}
	if !waitExpired(t.rec.CreatedAt, time.Now(), t.opts.WaitTimeout) {
		t.armExpiry(ctx)
		return
	}
	t.close(ctx, fmt.Sprintf("not filled within %s (%d of %d players seated)",
		t.opts.WaitTimeout, len(t.rec.Seats), t.rec.Settings.MinPlayers))
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

// onHostBuyIn seats the host once its buy-in is applied, unless the table
// filled, started or closed meanwhile: then the buy-in goes back.
func (t *tableActor) onHostBuyIn(ctx actor.Context, m *opSigned) {
	t.buying = false
	if m.err != nil {
		t.answerJoin(ctx, userLedgerError(m.err, "buy in", m.op.Amount))
		return
	}
	if code, reason := t.seatRefusal(); reason != "" {
		t.answerJoin(ctx, messages.Errorf(code, "table %s: %s; your buy-in goes back to your wallet", t.rec.ID, reason))
		t.reclaim(ctx)
		return
	}
	t.seat(ctx, m.op)
}

// seatRefusal says why nobody can be seated now, with its code.
func (t *tableActor) seatRefusal() (code, reason string) {
	switch {
	case t.closing || t.rec.Status == statusClosed:
		return messages.CodeTableClosed, "the table is closed"
	case len(t.rec.Seats) >= t.rec.Settings.MaxPlayers:
		return messages.CodeTableFull, "the table is full"
	case t.rec.Status != statusWaiting:
		return messages.CodeTableInPlay, "the table is " + t.rec.Status + ": players join before play starts"
	case len(t.rec.Ops) >= maxRecordOps:
		return messages.CodeTableFull, fmt.Sprintf("the table has seen %d buy-ins and cash-outs, the most one table records", len(t.rec.Ops))
	}
	return "", ""
}

func seatPlayers(seats []seat) []string {
	out := make([]string, 0, len(seats))
	for _, s := range seats {
		out = append(out, s.Player)
	}
	return out
}

func shortList(peers []string) string {
	out := make([]string, 0, len(peers))
	for _, p := range peers {
		out = append(out, short(p))
	}
	return strings.Join(out, ", ")
}

// publishTo sends the record to players who may no longer be seated.
func (t *tableActor) publishTo(players []string) {
	for _, p := range players {
		if p != t.me {
			t.sendControl(p, control{Kind: ctlTable, Record: t.rec})
		}
	}
}

// cancel hands a CancelTable to the host's table actor with the seats of
// the table's chain when this node follows it; only the host may cancel.
func (m *Manager) cancel(ctx actor.Context, r *messages.CancelTable) {
	err := m.gate("cancel")
	if err == nil {
		if pid := m.tables[r.TableID]; pid != nil {
			in := &cancelIn{}
			if f := m.followers[r.TableID]; f != nil {
				in.following = true
				for _, k := range f.chain.Seats() {
					in.followed = append(in.followed, k.String())
				}
			}
			ctx.RequestWithCustomSender(pid, in, ctx.Sender())
			return
		}
		if rec := m.directory[r.TableID]; rec != nil {
			err = messages.Errorf(messages.CodeNotHost, "only the host %s may cancel table %s", short(rec.Host), r.TableID)
		} else {
			err = m.unknown(r.TableID)
		}
	}
	m.count("cancel", err)
	ctx.Respond(&messages.TableReply{Err: err})
}

// closeEmpty closes the hosted playing tables whose chain, followed here,
// has no seat left: a host that does not play at its table learns of the
// last leave only from that chain (one that plays closes on its own).
func (m *Manager) closeEmpty(ctx actor.Context) {
	for id, f := range m.followers {
		rec, pid := m.hosted[id], m.tables[id]
		if rec == nil || pid == nil || rec.Status != statusPlaying || len(f.chain.Seats()) > 0 {
			continue
		}
		ctx.Send(pid, &cancelIn{following: true, auto: true})
	}
}

// openTables counts the table actors of tables not closed: a closed table
// keeps its actor (its view, its events) but takes no seat of --max-games.
func (m *Manager) openTables() int {
	n := 0
	for id := range m.tables {
		if m.views[id].Status != statusClosed {
			n++
		}
	}
	return n
}
