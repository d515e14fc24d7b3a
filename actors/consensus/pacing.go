package consensus

import (
	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
)

// Pacing: when a round rolls (issue 11). A table of people must not roll
// by itself while nobody bets, nor faster than a person types a bet:
//
//   - A round nobody has bet in is idle and never rolls: this node does not
//     tick the bft core for it, so neither the leader's bet window nor any
//     view timeout runs (the lifecycle still ticks: presence, pauses).
//   - The first bet of the round (any payload: a bet, a take-down, a leave,
//     a join, an unseating, the shooter's roll request) or any message of
//     the round past the commitments puts it in play: from then on the core
//     ticks, and its bet window (the table's bet_window) runs from there.
//     When the window closes the leader rolls, as before.
//   - The shooter (internal/game: the dice stay with one player until a
//     seven-out, whatever bft's leader rotation) asks for the roll with a
//     signed roll payload; the leader rolls at once when every present
//     seat has bet (game.App.ToBet: a payload in the round, or a wager
//     riding on the layout), else when the window closes. An absent
//     shooter does not hold the table up: while it is absent (until it is
//     unseated and the dice pass on), the round rolls as soon as every
//     present seat has bet, as if it had asked.
//   - An absent leader is replaced (LeaderAbsent) only once the round is
//     due, so its replacement does not roll before the others could bet.
//
// pacing is the pure part: it is fed the round, the messages seen and the
// ticks, and says whether the core ticks and whether the round is due.

// paceAhead bounds the rounds ahead of ours whose messages are remembered
// (a node one round behind learns the next round is in play).
const paceAhead = 2

type pacing struct {
	round  uint64
	window uint64 // ticks, as the bft core's BetWindowTicks
	rounds map[uint64]*paceRound
}

// paceRound is what this node saw of one round.
type paceRound struct {
	inPlay bool
	ticks  uint64 // ticks in play
	acted  map[bft.PublicKey]bool
	asked  map[bft.PublicKey]bool // roll requests, by signer
	// hurried: Propose was called for the shooter's request.
	hurried bool
}

func newPacing(window uint64) pacing {
	return pacing{window: window, rounds: map[uint64]*paceRound{}}
}

// at moves to round r, forgetting older rounds.
func (p *pacing) at(r uint64) {
	if r == p.round {
		return
	}
	p.round = r
	for k := range p.rounds {
		if k < r {
			delete(p.rounds, k)
		}
	}
}

func (p *pacing) get(r uint64) *paceRound {
	if r < p.round || r > p.round+paceAhead {
		return nil
	}
	if p.rounds == nil {
		p.rounds = map[uint64]*paceRound{}
	}
	pr := p.rounds[r]
	if pr == nil {
		pr = &paceRound{acted: map[bft.PublicKey]bool{}, asked: map[bft.PublicKey]bool{}}
		p.rounds[r] = pr
	}
	return pr
}

// saw notes a message of the table (received, or our own): every message
// but a commitment puts its round in play. Any message of a later round
// puts ours in play too: the others certified it, and this node must
// tick (resend, time out) for one of them to hand it the certificate.
func (p *pacing) saw(m *bft.Message) {
	if m.Certificate != nil {
		return
	}
	if m.Round() > p.round {
		p.get(p.round).inPlay = true
	}
	if m.Commitment != nil {
		return
	}
	pr := p.get(m.Round())
	if pr == nil {
		return
	}
	pr.inPlay = true
	if b := m.Bet; b != nil {
		pr.acted[b.Bettor] = true
		if isRollRequest(b) {
			pr.asked[b.Bettor] = true
		}
	}
}

// isRollRequest: b is the roll payload (game.KindRoll).
func isRollRequest(b *bft.Bet) bool {
	p, err := game.DecodePayload(b.Payload)
	return err == nil && p.Kind == game.KindRoll
}

// tick counts a tick; it says whether the core ticks (the round is in play).
func (p *pacing) tick() bool {
	pr := p.rounds[p.round]
	if pr == nil || !pr.inPlay {
		return false
	}
	pr.ticks++
	return true
}

// inPlay: the current round had a bet or more.
func (p *pacing) inPlay() bool {
	pr := p.rounds[p.round]
	return pr != nil && pr.inPlay
}

// asked: shooter asked for the roll in the current round.
func (p *pacing) asked(shooter bft.PublicKey) bool {
	pr := p.rounds[p.round]
	return pr != nil && pr.asked[shooter]
}

// acted: k sent a payload in the current round.
func (p *pacing) acted(k bft.PublicKey) bool {
	pr := p.rounds[p.round]
	return pr != nil && pr.acted[k]
}

// windowOver: the current round's bet window has closed.
func (p *pacing) windowOver() bool {
	pr := p.rounds[p.round]
	return pr != nil && pr.inPlay && pr.ticks >= p.window
}

// rollNow is the rule for the shooter's request: asked (or the shooter is
// absent), and none of the seats still to bet is present.
func rollNow(asked bool, shooter bft.PublicKey, toBet []bft.PublicKey, absent func(bft.PublicKey) bool) bool {
	if !asked && !absent(shooter) {
		return false
	}
	for _, k := range toBet {
		if !absent(k) {
			return false
		}
	}
	return true
}
