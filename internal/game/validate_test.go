package game

import (
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// pointOn6 plays round 1 (p0 and p1 on the pass line, 10 CRAP each) with a
// roll of 6, so round 2 starts with the point on 6.
func pointOn6(t *testing.T, g Genesis) (*App, bft.Hash) {
	t.Helper()
	a, h := newTestApp(t, g)
	p0, p1 := g.Seats[0].Player, g.Seats[1].Player
	bets := newBets(1).bet(t, p0, "pass", 0, 10*crap).bet(t, p1, "pass", 0, 10*crap).bets
	return a, mustApply(t, a, h, bets, seedFor(t, 6))
}

// Each refusal of ValidateBets, with the sentinel it wraps and a piece of
// the message that names the problem.
func TestValidateBetsRefusals(t *testing.T) {
	g := testGenesis(3, 1000*crap, 1_000_000*crap)
	g.Seats[2].Chips = 100 * crap
	p0, p1, p2 := g.Seats[0].Player, g.Seats[1].Player, g.Seats[2].Player
	stranger, _ := testKey(9, 9)
	app, genesis := newTestApp(t, g)
	pointApp, point := pointOn6(t, g)

	small := testGenesis(2, 1000*crap, 15*crap)
	smallApp, smallGenesis := newTestApp(t, small)

	cases := []struct {
		name   string
		app    *App
		prev   bft.Hash
		bets   []bft.Bet
		target error
		says   string
	}{
		{"unknown state", app, bft.Hash{1}, nil, ErrUnknownState, "state 0100"},
		{"bad payload", app, genesis, newBets(1).bet(t, p0, "pass", 0, crap).raw(p1, []byte{1, 9}).bets, ErrBadPayload, "bet 1 ("},
		{"wrong round", app, genesis, newBets(2).bet(t, p0, "pass", 0, crap).bets, ErrWrongRound, "for round 2"},
		{"not seated", app, genesis, newBets(1).bet(t, stranger, "pass", 0, crap).bets, ErrNotSeated, stranger.Short()},
		{"bet and leave", app, genesis, newBets(1).bet(t, p0, "field", 0, crap).leave(p0).bets, ErrLeaving, "bet 0"},
		{"two leaves", app, genesis, newBets(1).leave(p0).leave(p0).bets, ErrLeaving, "leaves"},
		{"leave with a contract", pointApp, point, newBets(2).leave(p0).bets, ErrCannotLeave, "Pass Line on 6"},
		{"nothing to take down", app, genesis, newBets(1).takeDown(t, p0, "place", 6).bets, ErrNothingToTakeDown, "place_6"},
		{"take down a contract", pointApp, point, newBets(2).takeDown(t, p0, "pass", 0).bets, craps.ErrContractBet, "contract"},
		{"phase", app, genesis, newBets(1).bet(t, p0, "come", 0, crap).bets, craps.ErrNotAllowedInPhase, "come-out phase"},
		{"phase point", pointApp, point, newBets(2).bet(t, p2, "pass", 0, crap).bets, craps.ErrNotAllowedInPhase, "point phase (point 6)"},
		{"below minimum", app, genesis, newBets(1).bet(t, p0, "pass", 0, crap/2).bets, craps.ErrBelowMinimum, "below the minimum"},
		{"above maximum", app, genesis, newBets(1).bet(t, p0, "field", 0, 600*crap).bet(t, p0, "field", 0, 600*crap).bets, craps.ErrAboveMaximum, "bet 1"},
		{"odds too high", pointApp, point, newBets(2).bet(t, p0, "pass_odds", 0, 50*crap+1).bets, craps.ErrOddsTooHigh, "odds"},
		{"odds without a line bet", pointApp, point, newBets(2).bet(t, p2, "pass_odds", 0, crap).bets, craps.ErrOddsWithoutLineBet, "needs your pass"},
		{"insufficient chips", app, genesis, newBets(1).bet(t, p2, "pass", 0, 60*crap).bet(t, p2, "field", 0, 60*crap).bets, craps.ErrInsufficientChips, "bet 1"},
		{"bank cannot cover", smallApp, smallGenesis, newBets(1).bet(t, small.Seats[0].Player, "pass", 0, 10*crap).bet(t, small.Seats[1].Player, "pass", 0, 10*crap).bets, craps.ErrBankCannotCover, "bet 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.app.ValidateBets(c.prev, c.bets)
			wantErr(t, err, c.target)
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
			// Apply and Void refuse the same bets for the same reason.
			if _, err := c.app.Apply(c.prev, c.bets, bft.Hash{}); err == nil {
				t.Errorf("Apply accepted bets ValidateBets refused")
			}
			if len(c.bets) > 0 {
				if _, err := c.app.Void(c.prev, c.bets, []bft.PublicKey{p0}); err == nil {
					t.Errorf("Void accepted bets ValidateBets refused")
				}
			}
		})
	}
}

func TestValidateBetsAccepts(t *testing.T) {
	g := testGenesis(3, 1000*crap, 1_000_000*crap)
	p0, p1, p2 := g.Seats[0].Player, g.Seats[1].Player, g.Seats[2].Player
	a, point := pointOn6(t, g)
	bets := newBets(2).
		bet(t, p0, "pass_odds", 0, 50*crap). // 5x on the 6
		bet(t, p0, "place", 8, 12*crap).
		takeDown(t, p0, "place", 8).
		bet(t, p1, "come", 0, 10*crap).
		bet(t, p1, "hard", 6, crap).
		leave(p2). // no wagers: may leave
		bets
	if err := a.ValidateBets(point, bets); err != nil {
		t.Fatalf("ValidateBets: %v", err)
	}
	if err := a.ValidateBets(point, nil); err != nil {
		t.Fatalf("ValidateBets of no bets: %v", err)
	}
}
