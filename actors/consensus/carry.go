package consensus

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// Bets that miss their round. A bet is signed for one round and goes to
// that round's shooter; if the shooter rolled before it arrived, the round
// is certified without it. The player was given a bet ID, so the bet must
// not vanish: the instance places it again in the next round (a new
// signature, a new ID) and tells the table actor, or, if the next round
// refuses it (the phase moved on, the chips are gone), tells why. A join
// the host submitted is carried the same way. Leaves and unseatings are not
// carried: the table actor and the lifecycle repeat those on their own
// terms.

// maxOwnBets bounds the bets tracked: bft takes at most a few dozen bets
// per player and round.
const maxOwnBets = 256

// ownBet is one of the local player's bets in a round not yet certified.
type ownBet struct {
	round, seq uint64
	payload    []byte
}

func betID(b bft.Bet) string { return fmt.Sprintf("%d-%s-%d", b.Round, b.Bettor.Short(), b.Seq) }

// track remembers a bet of ours until its round is certified.
func (in *instance) track(b bft.Bet) {
	p, err := game.DecodePayload(b.Payload)
	if err != nil || (p.Kind != game.KindBet && p.Kind != game.KindTakeDown && p.Kind != game.KindJoin) || len(in.own) >= maxOwnBets {
		return
	}
	in.own = append(in.own, ownBet{round: b.Round, seq: b.Seq, payload: b.Payload})
}

// carry runs after round c is certified (and the node rebuilt if the
// seating changed): our bets of that round that it does not hold go into
// the next one, and so do bets of earlier rounds that waited while this
// node caught up.
func (in *instance) carry(ctx actor.Context, c *bft.Certificate) {
	var keep []ownBet
	for _, o := range in.own {
		switch {
		case o.round > c.Round:
			keep = append(keep, o)
		case o.round == c.Round && in.included(c, o):
		case !in.playing():
			// Catching up (or paused): a bet placed now would be signed for
			// a stale round. It goes in once this node plays again.
			if o.round == c.Round {
				in.log.Info("a bet missed its round while this node does not play; it goes in once it plays again",
					"bet", betID(bft.Bet{Round: o.round, Bettor: in.me, Seq: o.seq}), "round", c.Round)
			}
			keep = append(keep, o)
		default:
			if next := in.carryOne(ctx, o); next != nil {
				keep = append(keep, *next)
			}
		}
	}
	in.own = keep
}

func (in *instance) included(c *bft.Certificate, o ownBet) bool {
	for _, b := range c.Body.Bets {
		if b.Bettor == in.me && b.Round == o.round && b.Seq == o.seq {
			return true
		}
	}
	return false
}

func (in *instance) carryOne(ctx actor.Context, o ownBet) *ownBet {
	old := betID(bft.Bet{Round: o.round, Bettor: in.me, Seq: o.seq})
	report := &messages.ConsensusBetCarried{TableID: in.table, BetID: old}
	var next *ownBet
	if in.node == nil {
		report.Err = in.notPlaying()
	} else if b, err := in.node.SubmitBet(o.payload); err != nil && b.Sig == nil {
		report.Err = err
	} else {
		in.pending[pendingBet{b.Bettor, b.Seq}] = struct{}{}
		report.NewBetID, report.Round = betID(b), b.Round
		next = &ownBet{round: b.Round, seq: b.Seq, payload: o.payload}
	}
	in.opts.Metrics.carriedBet(report.Err)
	if report.Err != nil {
		in.log.Info("a bet that missed its round was refused by the next one", "bet", old, "err", report.Err)
	} else {
		in.log.Info("a bet that missed its round was placed again", "bet", old, "new_bet", report.NewBetID)
	}
	if in.tablePID != nil {
		ctx.Send(in.tablePID, report)
	}
	return next
}
