package table

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/lifecycle"
	"github.com/bitcraps/bitcraps/messages"
)

// view is the table as GET /api/v1/tables/{id} shows it from this node.
func (t *tableActor) view() messages.TableView {
	var gv *game.View
	if t.last != nil {
		gv = &t.last.View
	}
	v := viewOf(t.rec, gv, &t.status, t.me)
	v.Seated = v.Seated && !t.left
	v.Role, v.Joinable = roleOf(v.Seated), v.Joinable && !t.left
	switch {
	case v.Seated && v.Lifecycle == lifecycle.CatchingUp.String():
		v.Sync = messages.SyncCatchingUp // Behind says how far, from the instance
	case v.Seated && t.ready:
		v.Sync = messages.SyncLive
	}
	v.Evidence = t.evidence
	if v.Seated {
		v.WaitingBets = slices.Clone(t.bets.waiting)
		v.RefusedBets = slices.Clone(t.bets.refused)
	}
	if t.problem != "" {
		v.Problem = t.problem
	}
	return v
}

// viewOf builds a view from a record, the certified state to show (nil
// before the first round) and the consensus status (nil when not playing
// here).
func viewOf(rec *record, gv *game.View, st *messages.ConsensusStatus, me string) messages.TableView {
	s := rec.Settings
	v := messages.TableView{
		ID: rec.ID, Host: rec.Host, Status: rec.Status, ClosedReason: rec.ClosedReason, Phase: "come_out", Bank: s.Bankroll,
		MinPlayers: s.MinPlayers, MaxPlayers: s.MaxPlayers, MinBet: s.MinBet, MaxBet: s.MaxBet,
		Seated: rec.seated(me), Players: []messages.PlayerView{},
	}
	v.Role = roleOf(v.Seated)
	// As Manager.joinable decides: a waiting or playing table (a joiner
	// sits from the round after its buy-in) with a free seat.
	v.Joinable = !v.Seated && (rec.Status == statusWaiting || rec.Status == statusPlaying) && len(rec.Seats) < s.MaxPlayers
	if gv == nil {
		for _, st := range rec.Seats {
			v.Players = append(v.Players, messages.PlayerView{PeerID: st.Player, Chips: st.Chips, Bets: []messages.BetView{}})
		}
	} else {
		v.Phase, v.Point, v.Round, v.Bank, v.LastDice, v.StateHash = gv.Phase, gv.Point, gv.Round, gv.Bank, gv.LastDice, gv.StateHash.String()
		v.Shooter, v.NextShooter = gv.Shooter, gv.NextShooter
		for _, p := range gv.Players {
			pv := messages.PlayerView{PeerID: p.PeerID, Chips: p.Chips, Bets: []messages.BetView{}}
			for _, b := range p.Bets {
				pv.Bets = append(pv.Bets, messages.BetView{ID: b.ID, Type: b.Type, Number: b.Number, Amount: b.Amount})
			}
			v.Players = append(v.Players, pv)
		}
	}
	if rec.Status == statusClosed {
		v.Bank = 0 // back in the host's wallet
	}
	if st != nil && st.TableID != "" {
		v.PendingBets = st.PendingBets
		if st.Shooter != "" {
			v.Shooter, v.NextShooter = st.Shooter, st.NextShooter
		}
		v.Lifecycle, v.PausedReason, v.Absent, v.Behind = st.Lifecycle, st.PausedReason, st.Absent, st.Behind
		if st.Failure != "" {
			v.Problem = st.Failure
		}
	}
	return v
}

func roleOf(seated bool) string {
	if seated {
		return messages.RoleSeated
	}
	return messages.RoleWatching
}

// watchedHere: the manager's follower, not this actor, shows the table
// (watch.go) — this node's player does not sit at a table that plays. A
// table this node dissolved is shown by its actor: it says so.
func watchedHere(rec *record, v messages.TableView) bool {
	return !v.Seated && rec.Genesis != nil && !dissolvedHere(v)
}

// dissolvedHere: this node dissolved the table (internal/lifecycle).
func dissolvedHere(v messages.TableView) bool {
	return v.Lifecycle == lifecycle.Dissolved.String()
}

// event is one table event before it is encoded.
type event struct {
	kind string
	data any
}

// roundEvents are the events of one certified round, for subscribers:
// seated nodes emit them from their instance's rounds, watching nodes from
// their chain's. prevPhase is the phase before the round.
func roundEvents(s *game.Settlement, v *game.View, prevPhase string) []event {
	var out []event
	if !s.Void {
		out = append(out, event{messages.EventRoll, map[string]any{"round": s.Round, "dice": s.Dice, "phase": v.Phase, "point": v.Point}})
	}
	out = append(out, event{messages.EventSettlement, map[string]any{"round": s.Round, "void": s.Void, "outcomes": s.Events,
		"deltas": s.Outcomes, "bank_delta": s.BankDelta, "state_hash": s.StateHash}})
	if v.Phase != prevPhase {
		out = append(out, event{messages.EventPhase, map[string]any{"phase": v.Phase, "point": v.Point}})
	}
	for _, l := range s.Leavers {
		out = append(out, event{messages.EventSeat, map[string]any{"player": l.Player, "seated": false, "chips": l.Chips, "reason": l.Reason}})
	}
	return out
}

// tableEvent encodes one event of table.
func tableEvent(table, kind string, data any) (*messages.TableEvent, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("event %s of table %s: %w", kind, table, err)
	}
	return &messages.TableEvent{TableID: table, Type: kind, Data: raw, At: time.Now().UnixMilli()}, nil
}

// emit sends one event to every subscriber and keeps it for later ones.
func (t *tableActor) emit(ctx actor.Context, kind string, data any) {
	ev, err := tableEvent(t.rec.ID, kind, data)
	if err != nil {
		t.log.Error("event unmarshalable", "kind", kind, "err", err)
		return
	}
	t.relay(ctx, ev)
}

// relay sends an event to every subscriber: this actor's own, or the
// manager's follower's once this node's player left the table.
func (t *tableActor) relay(ctx actor.Context, ev *messages.TableEvent) {
	t.history.add(ev)
	for _, s := range t.subs {
		ctx.Send(s, ev)
	}
}
