package table

import (
	"encoding/json"
	"slices"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/messages"
)

// A certified round as GET .../rounds lists it: the certificate, and what
// it says in words a player reads (issue 11, item 9) — who bet what, from
// the certificate's own payloads, and each bet's outcome, from the
// settlement this node derived when the round was certified.

// keptOutcomes bounds the rounds whose outcomes a table actor keeps: the
// web page lists the newest 12 rounds. Older rounds, and rounds certified
// before this actor (re)started, are listed without outcomes.
const keptOutcomes = 64

// roundView is one certified round; outcomes may be nil (not kept here).
func roundView(c *bft.Certificate, outcomes []game.Event) messages.RoundView {
	rv := messages.RoundView{Round: c.Round, Void: c.Void(), StateHash: c.StateHash.String(), Bets: roundBets(c), Outcomes: outcomes}
	dissolves := slices.ContainsFunc(rv.Bets, func(b messages.RoundBet) bool { return b.Kind == string(game.KindDissolve) })
	if !c.Void() && !dissolves { // a round that dissolves the table rolls nothing
		d := craps.DiceFromSeed(c.Seed)
		rv.Dice = [2]int{int(d.D1), int(d.D2)}
	}
	rv.Certificate, _ = json.Marshal(c)
	return rv
}

// roundBets decodes the payloads of a certificate; one that does not
// decode (a certificate never holds one: the game checked it) is listed
// with its kind empty rather than hidden.
func roundBets(c *bft.Certificate) []messages.RoundBet {
	out := make([]messages.RoundBet, 0, len(c.Body.Bets))
	for _, b := range c.Body.Bets {
		rb := messages.RoundBet{Player: b.Bettor.String()}
		if p, err := game.DecodePayload(b.Payload); err == nil {
			rb.Kind, rb.Type, rb.Number, rb.Amount = string(p.Kind), p.BetType, p.Number, p.Amount
			if p.Kind == game.KindJoin || p.Kind == game.KindUnseat {
				rb.Target = p.Target.String()
			}
		}
		out = append(out, rb)
	}
	return out
}

// keepOutcomes remembers a certified round's per-bet results.
func (t *tableActor) keepOutcomes(round uint64, events []game.Event) {
	if t.outcomes == nil {
		t.outcomes = map[uint64][]game.Event{}
	}
	if events == nil {
		events = []game.Event{}
	}
	t.outcomes[round] = events
	for r := range t.outcomes {
		if r+keptOutcomes <= round {
			delete(t.outcomes, r)
		}
	}
}
