package table

import (
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// The host's side: joins are decided one at a time, in arrival order, so
// that two joins never race for the last seat.

func (t *tableActor) hostNext(ctx actor.Context) {
	if t.hostBusy || len(t.hostQ) == 0 {
		return
	}
	j := t.hostQ[0]
	t.hostQ = t.hostQ[1:]
	op := j.c.Op
	if code, reason := t.refusal(j); reason != "" {
		if code == "" { // already seated: the player missed our record
			t.sendControl(j.from, control{Kind: ctlTable, Record: t.rec})
		} else {
			t.sendControl(j.from, control{Kind: ctlRefuse, Code: code, Reason: reason})
		}
		t.hostNext(ctx)
		return
	}
	t.hostBusy = true
	// The player's buy-in goes into our ledger first (after its owner's
	// genesis grant): a seat is only given for chips we can see.
	ctx.Request(t.opts.Ledger, &messages.LedgerGrantGenesis{Peer: op.Owner})
	owner, self := t, t.self
	ask(ctx, t.opts.Ledger, &messages.LedgerApply{Op: *op}, appliedErr, func(_ *messages.LedgerApplied, err error) {
		ctx.Send(self, &hostApplied{owner: owner, join: j, err: err})
	})
}

// refusal says why a join cannot be granted: a code and a reason, or an
// empty code with a reason when the player is already seated.
func (t *tableActor) refusal(j *controlIn) (code, reason string) {
	op := j.c.Op
	switch {
	case op == nil || op.Kind != ledger.KindBuyIn || op.Table != t.rec.ID || string(op.Owner) != j.from || op.Amount <= 0:
		return messages.CodeBadRequest, "a join carries the joiner's own buy-in for this table"
	case t.rec.seated(j.from):
		return "", "already seated"
	}
	return t.seatRefusal()
}

func (t *tableActor) onHostApplied(ctx actor.Context, m *hostApplied) {
	t.hostBusy = false
	defer t.hostNext(ctx)
	if m.err != nil {
		code := messages.CodeBadRequest
		if errors.Is(m.err, ledger.ErrInsufficientFunds) {
			code = messages.CodeInsufficientBalance
		}
		t.sendControl(m.join.from, control{Kind: ctlRefuse, Code: code, Reason: "the host's ledger refused the buy-in: " + m.err.Error()})
		return
	}
	// Re-check: the table may have filled or started while the op applied.
	if code, reason := t.refusal(m.join); reason != "" && code != "" {
		t.sendControl(m.join.from, control{Kind: ctlRefuse, Code: code, Reason: reason})
		return
	}
	t.seat(ctx, *m.join.c.Op)
}

// seat adds a player whose buy-in is applied, starts play once enough
// players sit, and sends the new record to every seated player.
func (t *tableActor) seat(ctx actor.Context, op ledger.Op) {
	t.rec.Seats = append(t.rec.Seats, seat{Player: string(op.Owner), Chips: op.Amount})
	t.rec.Ops = append(t.rec.Ops, op)
	t.rec.Version++
	t.emit(ctx, messages.EventSeat, map[string]any{"player": op.Owner, "seated": true, "chips": op.Amount})
	if len(t.rec.Seats) >= t.rec.Settings.MinPlayers && t.rec.Status == statusWaiting {
		g, err := genesisOf(t.rec)
		if err != nil {
			t.problem = "cannot start: " + err.Error()
			t.log.Error("table cannot start", "err", err)
		} else {
			t.rec.Genesis, t.rec.Status = g, statusPlaying
		}
	}
	t.save(ctx)
	t.publish()
	t.maybePlay(ctx)
	t.seatedAnswer(ctx)
	t.changed(ctx)
}

// publish sends the record to every seated player but the host.
func (t *tableActor) publish() {
	for _, s := range t.rec.Seats {
		if s.Player != t.me {
			t.sendControl(s.Player, control{Kind: ctlTable, Record: t.rec})
		}
	}
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
