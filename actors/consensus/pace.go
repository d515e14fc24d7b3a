package consensus

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// The instance's side of pacing.go: it feeds the pure pacing what the
// instance sees, ticks the core only while the round is in play, and hurries
// the leader when the shooter's request may be honoured.

// startPacing makes the pacing at start, with what this node had already
// signed in the round in progress (a restart mid-round stays in play).
func (in *instance) startPacing() {
	w := in.spec.BetWindowTicks
	if w <= 0 {
		w = bft.DefaultBetWindowTicks
	}
	in.pace = newPacing(uint64(w))
	in.pace.at(in.lastRound + 1)
	for i := range in.live {
		if r := in.live[i]; r.Kind == bft.RecordSigned && r.Message != nil {
			in.pace.saw(r.Message)
		}
	}
}

// pacedTick counts one tick; false while the round is idle (nobody bet):
// the core then does not tick, so nothing of the round times out.
func (in *instance) pacedTick() bool {
	in.pace.at(in.node.Status().Round)
	return in.pace.tick()
}

// pacedReady notes the messages of a Ready: our own bets, from wherever
// they were submitted (a bet, a carried bet, an unseating, a join).
func (in *instance) pacedReady(rd *bft.Ready) {
	for i := range rd.Messages {
		in.pace.saw(&rd.Messages[i])
	}
}

// rollDue: the round may roll now; an absent leader is replaced only then.
func (in *instance) rollDue(st bft.Status) bool {
	return st.View > 0 || in.pace.windowOver() || in.shooterMayRoll(st)
}

// shooterMayRoll: the round is in play, the shooter asked for the roll in
// it (or is absent), and every present seat has bet.
func (in *instance) shooterMayRoll(st bft.Status) bool {
	in.pace.at(st.Round)
	if !in.pace.inPlay() {
		return false
	}
	shooter, _, err := in.app.Shooter(st.PrevStateHash)
	if err != nil {
		return false
	}
	toBet, err := in.app.ToBet(st.PrevStateHash, in.pace.acted)
	return err == nil && rollNow(in.pace.asked(shooter), shooter, toBet, in.life.Absent)
}

// hurry has the leader propose at once when the shooter's request may be
// honoured (once per round: bft then proposes as soon as it holds a quorum
// of commitments).
func (in *instance) hurry() {
	if !in.playing() {
		return
	}
	st := in.node.Status()
	in.pace.at(st.Round)
	pr := in.pace.rounds[st.Round]
	if pr == nil || pr.hurried || st.View != 0 || st.Leader != in.me || !in.shooterMayRoll(st) {
		return
	}
	pr.hurried = true
	if err := in.node.Propose(); err != nil {
		in.log.Debug("propose at the shooter's request", "round", st.Round, "err", err)
	}
}

// roll is the local player's request to roll: a roll payload, which the
// game refuses unless this player is the shooter (game.ErrNotShooter).
// Asking twice in a round is asking once.
func (in *instance) roll(ctx actor.Context) {
	if !in.playing() {
		ctx.Respond(&messages.ConsensusAck{Err: in.notPlaying()})
		return
	}
	in.pace.at(in.node.Status().Round)
	if !in.pace.asked(in.me) {
		b, err := in.node.SubmitBet(game.EncodeRoll())
		if err != nil && b.Sig == nil {
			ctx.Respond(&messages.ConsensusAck{Err: err})
			in.afterInput(ctx)
			return
		}
		in.pace.saw(&bft.Message{Bet: &b})
	}
	ctx.Respond(&messages.ConsensusAck{})
	in.afterInput(ctx)
}

// shooters are the game's shooter and next shooter at the last certified
// state, as peer IDs.
func (in *instance) shooters() (shooter, next string) {
	if in.app == nil {
		return "", ""
	}
	h := in.app.GenesisHash()
	if n := len(in.settled); n > 0 {
		h = in.settled[n-1].Certificate.StateHash
	}
	s, nx, err := in.app.Shooter(h)
	if err != nil || s == (bft.PublicKey{}) {
		return "", ""
	}
	return s.String(), nx.String()
}

// Tick advances a table's clock by N ticks at once, for tests that drive
// time themselves (Options.ManualTicks); answered with *TickDone once the
// ticks are processed.
type Tick struct {
	TableID string
	N       int
}

// TickDone answers Tick: the round in play, the last certified round, and
// whether a Ready is still being persisted or waits (Busy: poll again
// before concluding that nothing happens).
type TickDone struct {
	Round, Certified uint64
	Busy             bool
	Err              error
}

func (in *instance) manualTick(ctx actor.Context, m *Tick) {
	if !in.opts.ManualTicks {
		ctx.Respond(&TickDone{Err: fmt.Errorf("table %s: %w: ticks are not manual", in.table, ErrOptions)})
		return
	}
	for range m.N {
		in.onTick(ctx)
	}
	in.afterInput(ctx)
	d := &TickDone{Certified: in.lastRound, Round: in.lastRound + 1, Busy: in.inflight}
	if in.node != nil {
		d.Round, d.Busy = in.node.Status().Round, d.Busy || in.node.HasReady()
	}
	ctx.Respond(d)
}
