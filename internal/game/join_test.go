package game

import (
	"reflect"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// A join payload seats a new player before the dice: it is in the next
// round's seats, the settlement lists it without moving money (its BuyIn
// op already did), and the money at the table grows by exactly its chips.
func TestJoinMidGame(t *testing.T) {
	g := testGenesis(2, 1000*crap, 1_000_000*crap)
	p0, p1 := g.Seats[0].Player, g.Seats[1].Player
	joiner, _ := testKey(9, 9)
	a, h0 := newTestApp(t, g)
	before := tableMoney(t, a, h0)
	r1 := newBets(1).raw(p0, EncodeJoin(joiner, 100*crap)).bet(t, p1, "field", 0, 5*crap).bets
	seed := seedFor(t, 3) // field wins on 3
	h1 := mustApply(t, a, h0, r1, seed)
	s, err := a.Settlement(certOf(1, h0, r1, seed, h1))
	if err != nil {
		t.Fatal(err)
	}
	if want := []SeatChips{{Player: joiner, Chips: 100 * crap}}; !reflect.DeepEqual(s.Joiners, want) {
		t.Errorf("joiners %+v, want %+v", s.Joiners, want)
	}
	for _, o := range s.Outcomes {
		if o.Player == joiner.String() {
			t.Errorf("the joiner has an outcome %+v: its buy-in moved the money, and it sat no roll of this round", o)
		}
	}
	seats, err := a.Seats(h1)
	if err != nil || !reflect.DeepEqual(seats, []bft.PublicKey{p0, p1, joiner}) {
		t.Errorf("seats after the join %v (%v), want p0 p1 joiner", seats, err)
	}
	if got := tableMoney(t, a, h1); got != before+100*crap {
		t.Errorf("money %d after the join, want %d + the joiner's 100 CRAP", got, before)
	}
	// From the next round on the joiner bets like anyone.
	if err := a.ValidateBets(h1, newBets(2).bet(t, joiner, "field", 0, crap).bets); err != nil {
		t.Errorf("the joiner's bet in the next round: %v", err)
	}
}

func TestJoinRefusals(t *testing.T) {
	g := testGenesis(2, 1000*crap, 1_000_000*crap)
	p0, p1 := g.Seats[0].Player, g.Seats[1].Player
	joiner, _ := testKey(9, 9)
	a, h0 := newTestApp(t, g)
	cases := map[string][]bft.Bet{
		"a seated player joins": newBets(1).raw(p0, EncodeJoin(p1, crap)).bets,
		"one player joins twice": newBets(1).raw(p0, EncodeJoin(joiner, crap)).
			raw(p1, EncodeJoin(joiner, crap)).bets,
		"the joiner bets in its join round": newBets(1).raw(p0, EncodeJoin(joiner, crap)).
			bet(t, joiner, "field", 0, crap).bets,
	}
	for name, bets := range cases {
		if err := a.ValidateBets(h0, bets); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	full := testGenesis(2, 1000*crap, 1_000_000*crap)
	full.Rules.MaxPlayers = 2
	af, hf := newTestApp(t, full)
	if err := af.ValidateBets(hf, newBets(1).raw(full.Seats[0].Player, EncodeJoin(joiner, crap)).bets); err == nil {
		t.Errorf("a join at a full table was accepted")
	} else {
		wantErr(t, err, craps.ErrTableFull)
	}
	for _, chips := range []int64{0, -1, MaxJoinChips + 1} {
		if _, err := EncodePayload(Payload{Kind: KindJoin, Target: joiner, Amount: chips}); err == nil {
			t.Errorf("a join with %d chips encoded", chips)
		}
	}
	p, err := DecodePayload(EncodeJoin(joiner, 7*crap))
	if err != nil || p != (Payload{Kind: KindJoin, Target: joiner, Amount: 7 * crap}) {
		t.Errorf("join round trip: %+v %v", p, err)
	}
}
