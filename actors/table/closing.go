package table

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Ending a table nobody plays at (DESIGN.md, "Table lifecycle", Waiting):
// no money stays locked at a table. The host cancels a waiting table, or
// closes a playing one no player is left at; a waiting table that does not
// fill within the wait timeout is cancelled the same way. The host closes
// the bank first (CloseBank), then publishes the closed record without
// seats; every player whose seat that frees takes its own buy-in back
// (leaving.go: only an owner signs its cash-out).

// Closing messages; owner ties a timer to one incarnation.
type (
	// cancelIn is a CancelTable as the manager forwards it, with what only
	// the manager knows: the seats of the table's chain when this node
	// follows it (a host that does not play learns leavers only there).
	cancelIn struct {
		following bool
		followed  []string
		auto      bool // the manager saw the last player go: nobody waits for an answer
	}
	waitExpiry struct{ owner *tableActor }
)

func (t *tableActor) onClosing(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *cancelIn:
		t.onCancel(ctx, m)
	case *waitExpiry:
		if m.owner == t {
			t.onWaitExpiry(ctx)
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

// publishTo sends the record to players who may no longer be seated.
func (t *tableActor) publishTo(players []string) {
	for _, p := range players {
		if p != t.me {
			t.sendControl(p, control{Kind: ctlTable, Record: t.rec})
		}
	}
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
