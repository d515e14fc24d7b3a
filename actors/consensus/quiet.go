package consensus

import (
	"errors"
	"fmt"
	"time"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
)

// Unseating a dead player from the game. At a table of 4 or more seats a
// quorum plays on without it, so nothing need stall (and exclude.go may
// never fire), but every round it should shoot costs a view change; and a
// player excluded by vote still sits in the game. Each player that has not heard from a
// seat for SilentAfter (DeadAfter when the mesh reports it dead) submits an
// unseat payload naming it (game.KindUnseat); once a round carrying one is
// certified, the game has unseated the player and the next round is a new
// seating, exactly as after a leave.
//
// Safety does not rest on the payload being true: a player commits to a
// proposal that unseats someone only if it has not heard from that seat for
// as long itself (judgedApp), so a quorum of commits means at least one
// honest player found the seat quiet, not just the one who asked.

// ErrNotQuiet: a proposal unseats a player this node still hears from.
var ErrNotQuiet = errors.New("consensus: the player to unseat is not quiet here")

// judgedApp is the game as this node commits to it: the rules, plus its own
// judgement of who is quiet. Settling and replaying use the plain App:
// what was certified stands.
type judgedApp struct {
	*game.App
	quiet func(bft.PublicKey) bool
}

// ValidateBets implements bft.Application.
func (a judgedApp) ValidateBets(prev bft.Hash, bets []bft.Bet) error {
	for i := range bets {
		p, err := game.DecodePayload(bets[i].Payload)
		if err == nil && p.Kind == game.KindUnseat && !a.quiet(p.Target) {
			return fmt.Errorf("bet %d unseats %s: %w", i, p.Target.Short(), ErrNotQuiet)
		}
	}
	return a.App.ValidateBets(prev, bets)
}

// quiet: seat k has not spoken to us for long. Progress does not reset this
// clock (a table plays on without a dead player); it starts when the
// instance does.
func (in *instance) quiet(k bft.PublicKey) bool {
	since, ok := in.spoke[k]
	if !ok {
		since = in.startedAt
	}
	q := time.Since(since)
	return q >= in.opts.SilentAfter || (in.dead[k] && q >= in.opts.DeadAfter)
}

// unseatQuiet asks the table to unseat every quiet player of the game,
// once per player and round, when the seats that are not quiet can certify
// it on their own (a quorum). That includes players already excluded by
// vote (exclude.go): they left the consensus seats but still sit in the
// game, where this ends their seat and lists their chips to cash out.
func (in *instance) unseatQuiet() {
	st := in.node.Status()
	if !st.Seated {
		return
	}
	players, err := in.app.Seats(st.PrevStateHash)
	if err != nil {
		return
	}
	var quiet []bft.PublicKey
	for _, k := range players {
		if k != in.me && in.unseatAsked[k] != st.Round && in.quiet(k) {
			quiet = append(quiet, k)
		}
	}
	if len(quiet) == 0 || len(game.SeatsWithout(st.Seats, quiet)) < bft.Quorum(len(st.Seats)) {
		return
	}
	for _, k := range quiet {
		in.unseatAsked[k] = st.Round
		if _, err := in.node.SubmitBet(game.EncodeUnseat(k)); err != nil {
			in.log.Debug("unseat of a quiet player not submitted", "player", k.Short(), "round", st.Round, "err", err)
			continue
		}
		in.log.Warn("asking the table to unseat a quiet player", "player", k.Short(), "round", st.Round)
	}
}
