package game

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

func mustDissolve(t *testing.T, a *App, h bft.Hash) Dissolution {
	t.Helper()
	d, err := a.Dissolution(h)
	if err != nil {
		t.Fatalf("Dissolution: %v", err)
	}
	return d
}

func TestDissolutionAtGenesisPaysBackTheBuyInsAndTheBank(t *testing.T) {
	g := testGenesis(3, 250*crap, 40_000*crap)
	g.Seats[1].Chips = 75 * crap
	a, genesis := newTestApp(t, g)
	d := mustDissolve(t, a, genesis)
	if d.TableID != testTable || d.Round != 0 || d.StateHash != genesis || len(d.Wagers) != 0 {
		t.Fatalf("dissolution %+v", d)
	}
	if d.Bank != g.Bank || d.BankPayout != g.Bank {
		t.Fatalf("bank %d, payout %d, want both %d", d.Bank, d.BankPayout, g.Bank)
	}
	if len(d.Payouts) != len(g.Seats) {
		t.Fatalf("%d payouts for %d seats", len(d.Payouts), len(g.Seats))
	}
	for i, s := range g.Seats {
		if p := d.Payouts[i]; p.Player != s.Player.String() || p.Chips != s.Chips || p.Amount != s.Chips {
			t.Errorf("payout %d %+v, want %s back %d", i, p, s.Player.Short(), s.Chips)
		}
	}
}

// TestDissolutionValuesEveryOpenWager plays two rounds: line bets and a
// Field bet (one roll, so resolved by the round's own dice: a certified
// state never holds one) on a come-out 4, then odds, a Place bet and a
// Come bet on a 9. The dissolution pays each player its chips in hand plus
// the value of each wager, by hand: Pass on 4 is worth 2/3 of its stake,
// Don't Pass on 4 4/3, odds exactly their stake, a Come bet on 9 4/5; and
// the bank gets the rest.
func TestDissolutionValuesEveryOpenWager(t *testing.T) {
	g := testGenesis(3, 1000*crap, 100_000*crap)
	p0, p1, p2 := g.Seats[0].Player, g.Seats[1].Player, g.Seats[2].Player
	a, genesis := newTestApp(t, g)
	replica, _ := newTestApp(t, g)
	bets1 := newBets(1).bet(t, p0, "pass", 0, 10*crap).bet(t, p1, "dont_pass", 0, 20*crap).bet(t, p2, "field", 0, 5*crap).bets
	seed1 := seedFor(t, 4)
	h1 := mustApply(t, a, genesis, bets1, seed1)
	bets2 := newBets(2).bet(t, p0, "pass_odds", 0, 20*crap).bet(t, p1, "place", 6, 12*crap).bet(t, p2, "come", 0, 10*crap).bets
	seed2 := seedFor(t, 9)
	h2 := mustApply(t, a, h1, bets2, seed2)
	for _, c := range []*bft.Certificate{certOf(1, genesis, bets1, seed1, h1), certOf(2, h1, bets2, seed2, h2)} {
		if _, err := replica.Replay(c); err != nil {
			t.Fatal(err)
		}
	}

	d := mustDissolve(t, a, h2)
	st, _ := a.state(h2)
	place6 := st.craps.WagersOf(p1.String())[1]
	placeValue, err := craps.ExpectedReturn(st.craps, place6)
	if err != nil || place6.Bet != (craps.Bet{Kind: craps.KindPlace, Number: 6}) {
		t.Fatalf("place 6 %+v: value %d, %v", place6, placeValue, err)
	}
	const twoThirdsOf10, fourThirdsOf20 = 6_666_666, 26_666_666
	want := []Payout{
		{Player: p0.String(), Chips: 1000 * crap, Amount: 970*crap + twoThirdsOf10 + 20*crap},
		{Player: p1.String(), Chips: 1000 * crap, Amount: 968*crap + fourThirdsOf20 + placeValue},
		// p2 won the Field on 4 (1:1) and has 10 on Come 9.
		{Player: p2.String(), Chips: 1005 * crap, Amount: 995*crap + 8*crap},
	}
	if !reflect.DeepEqual(d.Payouts, want) {
		t.Fatalf("payouts %+v\nwant     %+v", d.Payouts, want)
	}
	if len(d.Wagers) != 5 {
		t.Fatalf("%d valued wagers, want 5 (the Field resolved in its round): %+v", len(d.Wagers), d.Wagers)
	}
	var stakes, values int64
	for _, w := range d.Wagers {
		stakes += w.Stake
		values += w.Value
	}
	if d.Bank != st.craps.Bank() || d.BankPayout != d.Bank+stakes-values || d.Round != 2 || d.StateHash != h2 {
		t.Fatalf("bank %d payout %d, stakes %d values %d, round %d", d.Bank, d.BankPayout, stakes, values, d.Round)
	}
	paid := d.BankPayout
	for _, p := range d.Payouts {
		paid += p.Amount
	}
	if money := tableMoney(t, a, h2); paid != money {
		t.Fatalf("paid %d of the %d at the table", paid, money)
	}
	// Determinism: a replica that replayed the certificates derives the
	// same dissolution, to the byte of its JSON.
	again := mustDissolve(t, replica, h2)
	j1, _ := json.Marshal(d)
	j2, _ := json.Marshal(again)
	if string(j1) != string(j2) {
		t.Fatalf("replica's dissolution differs:\n%s\n%s", j1, j2)
	}
	var back Dissolution
	if err := json.Unmarshal(j1, &back); err != nil || !reflect.DeepEqual(back, d) {
		t.Fatalf("JSON round trip: %v\n%+v\n%+v", err, back, d)
	}
}

func TestDissolutionOfAnUnknownStateIsRefused(t *testing.T) {
	a, _ := newTestApp(t, testGenesis(2, crap, crap))
	_, err := a.Dissolution(bft.Hash{1})
	wantErr(t, err, ErrUnknownState)
}

// TestChainDissolvesAtItsState: a follower's chain dissolves at the state
// it reached, as the players' applications do.
func TestChainDissolvesAtItsState(t *testing.T) {
	g := testGenesis(2, 100*crap, 10_000*crap)
	c, err := NewChain(g)
	if err != nil {
		t.Fatal(err)
	}
	at0, err := c.Dissolution()
	if err != nil || at0.Round != 0 || at0.StateHash != c.StateHash() {
		t.Fatalf("dissolution at genesis %+v, %v", at0, err)
	}
	cert := certifyRoundOne(t, g, []int{0, 1})
	if _, err := c.Certify(&cert); err != nil {
		t.Fatal(err)
	}
	d, err := c.Dissolution()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := newTestApp(t, g)
	if _, err := a.Replay(&cert); err != nil {
		t.Fatal(err)
	}
	if want := mustDissolve(t, a, cert.StateHash); d.Round != 1 || !reflect.DeepEqual(d, want) {
		t.Fatalf("chain's dissolution %+v, the application's %+v", d, want)
	}
}
