package consensus

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// Unseating silent players (the rule and its proof are game.Unseating).
// With 2 or 3 seats one silent player stalls the table, so the remaining
// players unseat it among themselves, at the round boundary, by unanimity:
//
//   - a player that has heard nothing from some seats while the round made
//     no progress for long enough (SilentAfter; DeadAfter for players the
//     mesh reports dead) signs a game.UnseatVote: table, round, previous
//     state hash, the players to unseat. It votes only while it holds no
//     lock in the round, so it has confirmed nothing in it; from then on it
//     plays no message of the old seating (frozen), and it persists the
//     vote first.
//   - once every remaining player's vote for the same (round, state,
//     players) is in, each remaining player starts the round again with the
//     remaining seats. The votes are kept with the table's history and go
//     into its export (game.Unseating).
//
// Safety: the old round could only still be certified with a confirm of
// some remaining player (a quorum of the old seats always includes one when
// at most f are unseated, and every one when n ≤ 3); all of them voted
// unlocked and then froze, so it cannot. A player that is merely partitioned
// comes back to a table that no longer seats it. Only a majority of the
// seats may unseat the rest (game.MayUnseat), so the two sides of a
// partition cannot both go on; at two seats neither side is a majority and
// either may unseat the other, which under a partition (rather than a
// crash) forks the table — two players cannot tell the two apart. The unseated player's
// chips stay at the table in the ledger; its open wagers stay in the game
// and settle as the dice fall, and it can cash out from its own node.

// voteIn is an exclusion vote from the mesh.
type voteIn struct{ body []byte }

// heard notes that a seated player spoke.
func (in *instance) heard(k bft.PublicKey) {
	if k != (bft.PublicKey{}) {
		in.lastHeard[k] = time.Now()
		in.spoke[k] = in.lastHeard[k]
	}
}

// progressed restarts the silence clocks: a round was certified or the
// table reseated.
func (in *instance) progressed() {
	now := time.Now()
	in.progressAt = now
	for k := range in.lastHeard {
		in.lastHeard[k] = now
	}
	if in.node != nil {
		for _, k := range in.node.Status().Seats {
			in.lastHeard[k] = now
		}
	}
}

// silentSeats lists the seats (not ours) that have been quiet for too long
// while the round stalled.
func (in *instance) silentSeats() []bft.PublicKey {
	if in.node == nil {
		return nil
	}
	now := time.Now()
	stalled := now.Sub(in.progressAt)
	var out []bft.PublicKey
	for _, k := range in.node.Status().Seats {
		if k == in.me {
			continue
		}
		quiet := now.Sub(in.lastHeard[k])
		if (stalled >= in.opts.SilentAfter && quiet >= in.opts.SilentAfter) ||
			(in.dead[k] && stalled >= in.opts.DeadAfter && quiet >= in.opts.DeadAfter) {
			out = append(out, k)
		}
	}
	return out
}

func (in *instance) onExcludeHint(m *messages.ConsensusExclude) {
	clear(in.dead)
	for _, p := range m.Dead {
		if k, err := keyOf(p); err == nil {
			in.dead[k] = true
		}
	}
}

func keyOf(peer string) (bft.PublicKey, error) {
	b, err := hex.DecodeString(peer)
	if err != nil {
		return bft.PublicKey{}, err
	}
	return bft.PublicKeyFrom(b)
}

// checkSilence runs on every tick: it votes when seats went silent, and
// repeats a pending vote, since the network may have lost it.
func (in *instance) checkSilence(ctx actor.Context) {
	if v := in.spec.Vote; v != nil {
		if time.Since(in.voteSent) >= time.Second {
			in.sendVote(v)
		}
		return
	}
	in.silent = in.silentSeats()
	if len(in.silent) > 0 {
		in.vote(ctx, in.silent)
		return
	}
	in.unseatQuiet()
}

// vote signs, persists and sends our vote to unseat excluded, and freezes
// the old seating.
func (in *instance) vote(ctx actor.Context, excluded []bft.PublicKey) {
	st := in.node.Status()
	remaining := game.SeatsWithout(st.Seats, excluded)
	if st.Locked || !game.MayUnseat(len(st.Seats), len(remaining)) || !slices.Contains(remaining, in.me) {
		return
	}
	vote := game.NewUnseatVote(in.table, st.Round, st.PrevStateHash, excluded, in.me)
	vote.Sig = in.opts.Identity.Sign(vote.SignedBytes())
	v := &vote
	sp := in.spec
	sp.Vote = v
	if err := in.saveSpec(sp); err != nil {
		in.log.Error("exclusion vote not persisted; not sent", "err", err)
		return
	}
	in.log.Warn("voting to unseat silent players", "round", v.Round, "players", shorts(v.Excluded))
	in.votes[in.me] = v
	in.sendVote(v)
	in.tryExclude(ctx)
}

func shorts(ks []bft.PublicKey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Short()
	}
	return out
}

func (in *instance) sendVote(v *game.UnseatVote) {
	in.voteSent = time.Now()
	body, err := json.Marshal(v)
	if err != nil {
		return
	}
	frame, err := messages.EncodeFrame(messages.FrameExclude, in.table, body)
	if err != nil {
		return
	}
	seats := in.node.Status().Seats
	for _, k := range game.SeatsWithout(seats, v.Excluded) {
		if k != in.me {
			if err := in.route(k, frame); err != nil {
				in.log.Warn("exclusion vote not sent", "to", k.Short(), "err", err)
			}
		}
	}
}

func (in *instance) onVote(ctx actor.Context, m *voteIn) {
	var v game.UnseatVote
	if in.node == nil || json.Unmarshal(m.body, &v) != nil {
		return
	}
	st := in.node.Status()
	switch {
	case v.Table != in.table || v.Round != st.Round || v.Prev != st.PrevStateHash:
		return // another table, or a boundary we are not at
	case !slices.Contains(st.Seats, v.Voter) || slices.Contains(v.Excluded, v.Voter):
		return
	case v.VerifySignature() != nil:
		in.opts.Metrics.droppedFrame("bad_exclusion_vote")
		return
	}
	in.heard(v.Voter)
	if len(in.votes) < 4*len(st.Seats) {
		in.votes[v.Voter] = &v
	}
	in.tryExclude(ctx)
}

// tryExclude applies our vote once every remaining player agreed with it.
func (in *instance) tryExclude(ctx actor.Context) {
	own := in.spec.Vote
	if own == nil || in.node == nil {
		return
	}
	remaining := game.SeatsWithout(in.node.Status().Seats, own.Excluded)
	ex := game.Unseating{Round: own.Round, Prev: own.Prev, Excluded: own.Excluded}
	for _, k := range remaining {
		v := in.votes[k]
		if v == nil || !v.Agrees(own) {
			return
		}
		ex.Votes = append(ex.Votes, *v)
	}
	sp := in.spec
	sp.Vote = nil
	sp.Excluded = game.SortedKeys(append(slices.Clone(sp.Excluded), own.Excluded...))
	sp.Exclusions = append(slices.Clone(sp.Exclusions), ex)
	if err := in.saveSpec(sp); err != nil {
		in.log.Error("exclusion not persisted; staying frozen", "err", err)
		return
	}
	in.log.Warn("silent players unseated", "round", own.Round, "players", shorts(own.Excluded))
	clear(in.votes)
	var last *bft.Certificate
	if n := len(in.settled); n > 0 {
		last = &in.settled[n-1].Certificate
	}
	if err := in.rebuild(last, in.live); err != nil {
		in.fail(ctx, err.Error())
	}
	in.progressed()
}

// onStepFrozen: while our vote is pending we play nothing of the old
// seating, but a certificate may still prove the round went on without us
// (then our vote is moot).
func (in *instance) onStepFrozen(msg bft.Message) {
	if msg.Certificate == nil {
		return
	}
	if err := in.node.Step(msg); err != nil {
		return
	}
	if v := in.spec.Vote; v != nil && in.node.Status().Round > v.Round {
		sp := in.spec
		sp.Vote = nil
		if err := in.saveSpec(sp); err == nil {
			clear(in.votes)
		}
	}
}

// saveSpec persists a new spec (synced) and adopts it.
func (in *instance) saveSpec(sp spec) error {
	b, err := json.Marshal(sp)
	if err != nil {
		return err
	}
	if err := in.store.PutSpec(in.table, b); err != nil {
		return err
	}
	in.spec = sp
	return nil
}
