package table

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// The host's side: joins are decided one at a time, in arrival order, so
// that two joins never race for the last seat. Before play starts a join
// is a seat in the record; once the table plays, the host puts the
// joiner's buy-in into a round as a join payload, and the joiner sits from
// the round after the one that certifies it (game.KindJoin), on every node.

func (t *tableActor) hostNext(ctx actor.Context) {
	if t.hostBusy || len(t.hostQ) == 0 {
		return
	}
	j := t.hostQ[0]
	t.hostQ = t.hostQ[1:]
	op := j.c.Op
	if _, under := t.joining[j.from]; under {
		t.hostNext(ctx) // a resend of a join already in a round
		return
	}
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
	case t.rec.Status == statusPlaying && (!t.rec.seated(t.me) || t.left):
		return messages.CodeTableInPlay, "the host does not sit at its table, so it cannot seat anyone while the table plays"
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
	if t.rec.Status == statusPlaying {
		t.submitJoin(ctx, m.join.from, *m.join.c.Op)
		return
	}
	t.seat(ctx, *m.join.c.Op)
}

// submitJoin puts a joiner's applied buy-in into the round being played.
// The joiner is seated when that round is certified (seatJoiners); a
// refusal (the table paused, say) goes back to the joiner, who takes its
// buy-in back.
func (t *tableActor) submitJoin(ctx actor.Context, from string, op ledger.Op) {
	k, err := keyOfPeer(from)
	if err != nil {
		t.sendControl(from, control{Kind: ctlRefuse, Code: messages.CodeBadRequest, Reason: "the joiner's peer ID is not a key"})
		return
	}
	t.joining[from] = op
	bet := &messages.ConsensusBet{TableID: t.rec.ID, Payload: game.EncodeJoin(k, op.Amount)}
	ask(ctx, t.opts.Consensus, bet, betReplyErr, func(_ *messages.ConsensusBetReply, err error) {
		if err == nil {
			t.log.Info("a player joins mid-game", "player", short(from), "chips", op.Amount)
			return
		}
		delete(t.joining, from)
		t.sendControl(from, control{Kind: ctlRefuse, Code: messages.CodeTableInPlay,
			Reason: fmt.Sprintf("the table could not take the join now: %v", err)})
	})
}

// seatJoiners adds the players a certified round seated to the record; the
// host publishes it, with their buy-ins, so each joiner starts playing.
func (t *tableActor) seatJoiners(ctx actor.Context, js []game.SeatChips) {
	for _, j := range js {
		p := j.Player.String()
		if t.rec.seated(p) {
			continue
		}
		t.rec.Seats = append(t.rec.Seats, seat{Player: p, Chips: j.Chips})
		t.emit(ctx, messages.EventSeat, map[string]any{"player": p, "seated": true, "chips": j.Chips})
		if t.rec.Host != t.me {
			continue
		}
		if op, ok := t.joining[p]; ok {
			t.rec.Ops = append(t.rec.Ops, op)
			delete(t.joining, p)
		}
		t.rec.Version++
	}
	t.save(ctx)
	if t.rec.Host == t.me {
		t.publish()
	}
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

// keyOfPeer reads a peer ID as a player key.
func keyOfPeer(peer string) (bft.PublicKey, error) {
	b, err := hex.DecodeString(peer)
	if err != nil {
		return bft.PublicKey{}, fmt.Errorf("peer ID %q: %w", short(peer), err)
	}
	return bft.PublicKeyFrom(b)
}

// onHostBuyIn seats the host once its buy-in is applied, unless the table
// filled, started or closed meanwhile: then the buy-in goes back.
func (t *tableActor) onHostBuyIn(ctx actor.Context, m *opSigned) {
	t.buying = false
	if m.err != nil {
		t.answerJoin(ctx, userLedgerError(m.err, "buy in at table "+t.rec.ID, m.op.Amount))
		return
	}
	code, reason := t.seatRefusal()
	if reason == "" && t.rec.Status == statusPlaying {
		// A joiner's buy-in rides in a round submitted by a seated player;
		// a host that does not sit has nobody to submit its own.
		code, reason = messages.CodeTableInPlay, "the table started before you sat: join from another seat's round is not possible for the host"
	}
	if reason != "" {
		t.answerJoin(ctx, messages.Errorf(code, "table %s: %s; your buy-in goes back to your wallet", t.rec.ID, reason))
		t.reclaim(ctx)
		return
	}
	t.seat(ctx, m.op)
}

// seatRefusal says why nobody can be seated now, with its code. A playing
// table still seats joiners, through a round (submitJoin).
func (t *tableActor) seatRefusal() (code, reason string) {
	switch {
	case t.closing || t.rec.Status == statusClosed:
		return messages.CodeTableClosed, "the table is closed"
	case len(t.rec.Seats)+len(t.joining) >= t.rec.Settings.MaxPlayers:
		return messages.CodeTableFull, "the table is full"
	case t.rec.Status != statusWaiting && t.rec.Status != statusPlaying:
		return messages.CodeTableInPlay, "the table is " + t.rec.Status
	case len(t.rec.Ops) >= maxRecordOps:
		return messages.CodeTableFull, fmt.Sprintf("the table has seen %d buy-ins and cash-outs, the most one table records", len(t.rec.Ops))
	}
	return "", ""
}
