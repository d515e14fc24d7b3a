package consensus

import (
	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/time/rate"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/messages"
)

// Catch-up answers. A node that restarted, resumed or healed asks a player
// of the table for the certified rounds it lacks (internal/lifecycle,
// Ready.AskRounds); the service answers from its store, at most
// messages.MaxRoundsPerAnswer rounds per answer, off the mailbox. Any node
// may ask (certificates prove themselves and are the table's public
// history), so answers are rate-limited for the whole node.

// roundsBudget: 50 answers a second, bursts of 100 — a restarted node
// catches up 800 rounds a second from one peer, while a flood of asks costs
// a serving node at most that many small store reads.
func newRoundsBudget() *rate.Limiter { return rate.NewLimiter(50, 100) }

func (s *Service) answerRounds(ctx actor.Context, table string, asker []byte, body []byte) {
	from, err := messages.DecodeRound(body)
	if err != nil {
		s.opts.Metrics.droppedFrame("bad_rounds_ask")
		return
	}
	to, err := bft.PublicKeyFrom(asker)
	if err != nil || s.store == nil {
		return
	}
	if !s.roundsBudget.Allow() {
		s.opts.Metrics.droppedFrame("rounds_ask_over_budget")
		return
	}
	store, sys, mesh, id := s.store, ctx.ActorSystem(), s.mesh, s.opts.Identity
	go func() {
		certs, err := store.Certificates(table, max(from, 1), messages.MaxRoundsPerAnswer)
		if err != nil {
			s.log.Debug("rounds not read for an ask", "table", table, "err", err)
			return
		}
		answer, err := messages.EncodeRounds(from, certs)
		if err == nil {
			err = routeFrame(sys, mesh, id, to, messages.FrameRounds, table, answer)
		}
		if err != nil {
			s.log.Debug("rounds not sent", "table", table, "to", to.Short(), "err", err)
		}
	}()
}
