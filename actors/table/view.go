package table

import (
	"encoding/json"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// view is the table as GET /api/v1/tables/{id} shows it from this node.
func (t *tableActor) view() messages.TableView {
	v := viewOf(t.rec, t.last, &t.status, t.me)
	v.Seated = v.Seated && !t.left
	v.Evidence = t.evidence
	if t.problem != "" {
		v.Problem = t.problem
	}
	return v
}

// viewOf builds a view from a record, the latest certified round (nil
// before the first) and the consensus status (nil when not playing here).
func viewOf(rec *record, last *messages.CertifiedRound, st *messages.ConsensusStatus, me string) messages.TableView {
	s := rec.Settings
	v := messages.TableView{
		ID: rec.ID, Host: rec.Host, Status: rec.Status, ClosedReason: rec.ClosedReason, Phase: "come_out", Bank: s.Bankroll,
		MinPlayers: s.MinPlayers, MaxPlayers: s.MaxPlayers, MinBet: s.MinBet, MaxBet: s.MaxBet,
		Seated: rec.seated(me), Players: []messages.PlayerView{},
	}
	if last == nil {
		for _, st := range rec.Seats {
			v.Players = append(v.Players, messages.PlayerView{PeerID: st.Player, Chips: st.Chips, Bets: []messages.BetView{}})
		}
	} else {
		gv := &last.View
		v.Phase, v.Point, v.Round, v.Bank, v.LastDice, v.StateHash = gv.Phase, gv.Point, gv.Round, gv.Bank, gv.LastDice, gv.StateHash.String()
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
		v.Shooter, v.PendingBets = st.Shooter, st.PendingBets
		v.Lifecycle, v.PausedReason, v.Absent, v.Behind = st.Lifecycle, st.PausedReason, st.Absent, st.Behind
		if st.Failure != "" {
			v.Problem = st.Failure
		}
	}
	return v
}

// emit sends one event to every subscriber.
func (t *tableActor) emit(ctx actor.Context, kind string, data any) {
	if len(t.subs) == 0 {
		return
	}
	raw, err := json.Marshal(data)
	if err != nil {
		t.log.Error("event unmarshalable", "kind", kind, "err", err)
		return
	}
	ev := &messages.TableEvent{TableID: t.rec.ID, Type: kind, Data: raw}
	for _, s := range t.subs {
		ctx.Send(s, ev)
	}
}
