package game

import (
	"reflect"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// certOf is an unsigned certificate of a round, enough for Settlement and
// Replay (which do not check signatures).
func certOf(round uint64, prev bft.Hash, bets []bft.Bet, seed, state bft.Hash, withholders ...bft.PublicKey) *bft.Certificate {
	c := &bft.Certificate{TableID: testTable, Round: round, Seed: seed, StateHash: state,
		Body: bft.Body{Kind: bft.BodyRoll, Prev: prev, Bets: bets}}
	if len(withholders) > 0 {
		c.Body.Kind, c.Body.Withholders, c.Seed = bft.BodyVoid, withholders, bft.Hash{}
	}
	return c
}

func deltaOf(s Settlement, p bft.PublicKey) int64 {
	for _, o := range s.Outcomes {
		if o.Player == p.String() {
			return o.Delta
		}
	}
	return -1 << 62
}

func TestApplySettlesTheRoll(t *testing.T) {
	g := testGenesis(3, 1000*crap, 1_000_000*crap)
	p0, p1, p2 := g.Seats[0].Player, g.Seats[1].Player, g.Seats[2].Player
	a, genesis := newTestApp(t, g)
	bets := newBets(1).bet(t, p0, "pass", 0, 10*crap).bet(t, p1, "dont_pass", 0, 20*crap).bet(t, p1, "any_7", 0, 2*crap).bets
	seed := seedFor(t, 7)
	h := mustApply(t, a, genesis, bets, seed)

	s, err := a.Settlement(certOf(1, genesis, bets, seed, h))
	if err != nil {
		t.Fatalf("Settlement: %v", err)
	}
	// A come-out 7: pass wins 10, don't pass loses 20, any 7 wins 4:1.
	if d := deltaOf(s, p0); d != 10*crap {
		t.Errorf("p0 delta %d, want %d", d, 10*crap)
	}
	if d := deltaOf(s, p1); d != -20*crap+8*crap {
		t.Errorf("p1 delta %d, want %d", d, -12*crap)
	}
	if d := deltaOf(s, p2); d != 0 {
		t.Errorf("p2 (no bets) delta %d, want 0 (listed, so the Settle op has every seat)", d)
	}
	if s.BankDelta != 2*crap || len(s.Outcomes) != 3 || s.Void || s.Dice[0]+s.Dice[1] != 7 || s.Round != 1 {
		t.Errorf("settlement %+v", s)
	}
	if s.Prev != genesis || s.StateHash != h {
		t.Errorf("settlement hashes %s → %s, want %s → %s", s.Prev, s.StateHash, genesis, h)
	}
	if n := len(s.Events); n != 6 { // 3 placed + 3 results
		t.Errorf("%d events, want 6: %+v", n, s.Events)
	}
	v, err := a.View(h)
	if err != nil {
		t.Fatal(err)
	}
	if v.Phase != "come_out" || v.Point != 0 || v.Round != 1 || v.Bank != g.Bank+2*crap || v.LastDice != s.Dice {
		t.Errorf("view %+v", v)
	}
	if v.Players[0].Chips != 1010*crap || len(v.Players[0].Bets) != 0 {
		t.Errorf("p0 view %+v", v.Players[0])
	}
}

func TestSettlementRefusesWhatDoesNotReplay(t *testing.T) {
	g := testGenesis(2, 1000*crap, 1_000_000*crap)
	p0 := g.Seats[0].Player
	a, genesis := newTestApp(t, g)
	bets := newBets(1).bet(t, p0, "field", 0, 10*crap).bets
	seed := seedFor(t, 2)
	h := mustApply(t, a, genesis, bets, seed)

	_, err := a.Settlement(certOf(1, genesis, bets, seedFor(t, 7), h))
	wantErr(t, err, ErrStateMismatch) // another seed: another state
	_, err = a.Settlement(certOf(2, genesis, bets, seed, h))
	wantErr(t, err, ErrStateMismatch) // round 2 cannot build on genesis
	_, err = a.Settlement(certOf(1, bft.Hash{7}, bets, seed, h))
	wantErr(t, err, ErrUnknownState)
	c := certOf(1, genesis, bets, seed, h)
	c.TableID = "another"
	_, err = a.Settlement(c)
	wantErr(t, err, ErrStateMismatch)
}

// Leaving returns every open wager, unseats the player before the dice and
// moves no money; the next round's seats lack the leaver.
func TestLeave(t *testing.T) {
	g := testGenesis(3, 1000*crap, 1_000_000*crap)
	p0, p1, p2 := g.Seats[0].Player, g.Seats[1].Player, g.Seats[2].Player
	a, point := pointOn6(t, g)
	before := tableMoney(t, a, point)
	r2 := newBets(2).bet(t, p2, "place", 8, 12*crap).bet(t, p2, "field", 0, 5*crap).bets
	h2 := mustApply(t, a, point, r2, seedFor(t, 5))
	r3 := newBets(3).leave(p2).bets
	seed := seedFor(t, 8) // place 8 would win: the leaver is gone before the dice
	h3 := mustApply(t, a, h2, r3, seed)
	s, err := a.Settlement(certOf(3, h2, r3, seed, h3))
	if err != nil {
		t.Fatal(err)
	}
	want := []Leaver{{Player: p2.String(), Chips: 1000*crap - 5*crap, Reason: LeftTable}} // the field lost on 5
	if !reflect.DeepEqual(s.Leavers, want) {
		t.Errorf("leavers %+v, want %+v", s.Leavers, want)
	}
	if d := deltaOf(s, p2); d != 0 {
		t.Errorf("leaver delta %d, want 0", d)
	}
	seats, err := a.Seats(h3)
	if err != nil || !reflect.DeepEqual(seats, []bft.PublicKey{p0, p1}) {
		t.Errorf("seats after the leave %v (%v), want p0 p1", seats, err)
	}
	if got := tableMoney(t, a, h3) + s.Leavers[0].Chips; got != before {
		t.Errorf("money %d after the leave (leaver's chips included), want %d", got, before)
	}
	if err := a.ValidateBets(h3, newBets(4).bet(t, p2, "field", 0, crap).bets); err == nil {
		t.Errorf("a bet by the leaver was accepted")
	}
}

// A void round: the withholder's bets of the round go to the bank, its
// contract wager is forfeited, its other wagers returned, it is unseated;
// everyone else's payloads are refunded; no dice.
func TestVoid(t *testing.T) {
	g := testGenesis(3, 1000*crap, 1_000_000*crap)
	p0, p1, p2 := g.Seats[0].Player, g.Seats[1].Player, g.Seats[2].Player
	a, point := pointOn6(t, g)
	r2 := newBets(2).bet(t, p0, "place", 8, 12*crap).bets
	h2 := mustApply(t, a, point, r2, seedFor(t, 3)) // nothing resolves on 3 but the field, which nobody has
	before := tableMoney(t, a, h2)
	r3 := newBets(3).bet(t, p0, "field", 0, 5*crap).takeDown(t, p0, "place", 8).bet(t, p1, "field", 0, 7*crap).bets
	h3, err := a.Void(h2, r3, []bft.PublicKey{p0})
	if err != nil {
		t.Fatalf("Void: %v", err)
	}
	s, err := a.Settlement(certOf(3, h2, r3, bft.Hash{}, h3, p0))
	if err != nil {
		t.Fatalf("Settlement: %v", err)
	}
	if !s.Void || s.Dice != [2]int{} {
		t.Errorf("void settlement %+v", s)
	}
	// p0 loses the 5 field bet and its 10 pass line on the point.
	if d := deltaOf(s, p0); d != -15*crap {
		t.Errorf("withholder delta %d, want %d", d, -15*crap)
	}
	if d := deltaOf(s, p1); d != 0 {
		t.Errorf("p1 delta %d, want 0 (refunded)", d)
	}
	if s.BankDelta != 15*crap {
		t.Errorf("bank delta %d, want %d", s.BankDelta, 15*crap)
	}
	want := []Leaver{{Player: p0.String(), Chips: 1000*crap - 15*crap, Reason: Withheld}}
	if !reflect.DeepEqual(s.Leavers, want) {
		t.Errorf("leavers %+v, want %+v", s.Leavers, want)
	}
	if got := tableMoney(t, a, h3) + s.Leavers[0].Chips; got != before {
		t.Errorf("money %d after the void (leaver's chips included), want %d", got, before)
	}
	seats, _ := a.Seats(h3)
	if !reflect.DeepEqual(seats, []bft.PublicKey{p1, p2}) {
		t.Errorf("seats after the void %v, want p1 p2 (bft.NextSeats)", seats)
	}
	v2, _ := a.View(h2)
	v3, _ := a.View(h3)
	if v3.Round != 3 || v3.LastDice != v2.LastDice || v3.Phase != "point" || v3.Point != 6 {
		t.Errorf("view after the void %+v: the table must not move", v3)
	}
	if v3.Players[0].Chips != v2.Players[1].Chips || len(v3.Players[0].Bets) != 1 {
		t.Errorf("p1 after the void %+v, before %+v: refunded means unchanged", v3.Players[0], v2.Players[1])
	}
}

// A void with no bets still moves the round on: every round has its own
// state hash, so the previous-state chain never repeats.
func TestVoidWithoutBets(t *testing.T) {
	g := testGenesis(2, 1000*crap, 1_000_000*crap)
	a, genesis := newTestApp(t, g)
	h, err := a.Void(genesis, nil, []bft.PublicKey{g.Seats[1].Player})
	if err != nil {
		t.Fatal(err)
	}
	if h == genesis {
		t.Fatalf("void round kept the genesis hash")
	}
	_, err = a.Void(genesis, nil, nil)
	wantErr(t, err, ErrStateMismatch)
	stranger, _ := testKey(9, 9)
	_, err = a.Void(genesis, nil, []bft.PublicKey{stranger})
	wantErr(t, err, ErrNotSeated)
}

func TestPruneKeepsRecentRounds(t *testing.T) {
	g := testGenesis(1, 1000*crap, 1_000_000*crap)
	a, h := newTestApp(t, g)
	hashes := []bft.Hash{h}
	for r := uint64(1); r <= 3*KeepRounds; r++ {
		h = mustApply(t, a, h, nil, bft.Hash{byte(r)})
		hashes = append(hashes, h)
	}
	for r, h := range hashes {
		want := r >= len(hashes)-1-KeepRounds
		if a.Has(h) != want {
			t.Errorf("state of round %d kept=%v, want %v", r, a.Has(h), want)
		}
	}
	if len(a.states) > KeepRounds+1 {
		t.Errorf("%d states kept, want at most %d", len(a.states), KeepRounds+1)
	}
	if _, err := a.View(hashes[0]); err == nil {
		t.Errorf("View of a pruned state answered")
	}
}

func TestGenesisRefusals(t *testing.T) {
	good := testGenesis(2, 10*crap, 100*crap)
	bad := func(f func(*Genesis)) Genesis {
		g := good
		g.Seats = append([]SeatChips(nil), good.Seats...)
		f(&g)
		return g
	}
	for name, g := range map[string]Genesis{
		"no table":   bad(func(g *Genesis) { g.TableID = "" }),
		"no seats":   bad(func(g *Genesis) { g.Seats = nil }),
		"twice":      bad(func(g *Genesis) { g.Seats[1] = g.Seats[0] }),
		"no player":  bad(func(g *Genesis) { g.Seats[1].Player = bft.PublicKey{} }),
		"chips":      bad(func(g *Genesis) { g.Seats[1].Chips = -1 }),
		"bank":       bad(func(g *Genesis) { g.Bank = -1 }),
		"rules":      bad(func(g *Genesis) { g.Rules.MinBet = 0 }),
		"too many":   bad(func(g *Genesis) { g.Rules.MaxPlayers = 1 }),
		"rules zero": bad(func(g *Genesis) { g.Rules = craps.Rules{} }),
		"65 seats": func() Genesis {
			g := testGenesis(MaxSeats+1, crap, crap)
			g.Rules.MaxPlayers = 100
			return g
		}(),
	} {
		if _, err := NewApp(g); err == nil {
			t.Errorf("%s: NewApp accepted %+v", name, g)
		} else {
			wantErr(t, err, ErrBadGenesis)
		}
		if _, err := GenesisHash(g); err == nil {
			t.Errorf("%s: GenesisHash accepted it", name)
		}
	}
	h1, _ := GenesisHash(good)
	other := good
	other.TableID = "other"
	h2, _ := GenesisHash(other)
	if h1 == h2 {
		t.Errorf("two tables share a genesis hash")
	}
	if a, _ := NewApp(good); a.GenesisHash() != h1 {
		t.Errorf("App genesis %s, GenesisHash %s", a.GenesisHash(), h1)
	}
}

// An unseat payload unseats another player that went silent: like a leave,
// except that its contract wagers are forfeited (it cannot act on them any
// more), so it leaves with its chips in hand and its other wagers returned.
func TestUnseatASilentPlayer(t *testing.T) {
	g := testGenesis(4, 1000*crap, 1_000_000*crap)
	p0, p1, p2, p3 := g.Seats[0].Player, g.Seats[1].Player, g.Seats[2].Player, g.Seats[3].Player
	a, point := pointOn6(t, g)
	before := tableMoney(t, a, point)
	r2 := newBets(2).bet(t, p3, "place", 8, 12*crap).bet(t, p3, "come", 0, 10*crap).bets
	h2 := mustApply(t, a, point, r2, seedFor(t, 5)) // the come bet moves to 5: a contract

	refused := map[string][]bft.Bet{
		"unseat oneself":             newBets(3).raw(p1, EncodeUnseat(p1)).bets,
		"unseat a stranger":          newBets(3).raw(p1, EncodeUnseat(bft.PublicKey{9})).bets,
		"unseat twice":               newBets(3).raw(p1, EncodeUnseat(p3)).raw(p2, EncodeUnseat(p3)).bets,
		"the unseated player bets":   newBets(3).raw(p1, EncodeUnseat(p3)).bet(t, p3, "field", 0, crap).bets,
		"the unseated player leaves": newBets(3).raw(p1, EncodeUnseat(p3)).leave(p3).bets,
	}
	for name, bets := range refused {
		if err := a.ValidateBets(h2, bets); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	r3 := newBets(3).bet(t, p0, "field", 0, crap).raw(p1, EncodeUnseat(p3)).bets
	seed := seedFor(t, 8) // place 8 would win: the unseated player is gone before the dice
	h3 := mustApply(t, a, h2, r3, seed)
	s, err := a.Settlement(certOf(3, h2, r3, seed, h3))
	if err != nil {
		t.Fatal(err)
	}
	var forfeited int64
	for _, e := range s.Events {
		if e.Player == p3.String() && e.Result == ResultForfeited {
			forfeited -= e.Amount
		}
	}
	if forfeited != 10*crap {
		t.Errorf("forfeited %d, want the come bet on 5", forfeited)
	}
	if len(s.Leavers) != 1 || s.Leavers[0].Player != p3.String() || s.Leavers[0].Reason != Silent {
		t.Fatalf("leavers %+v, want p3 unseated as silent", s.Leavers)
	}
	if d := deltaOf(s, p3); d != -forfeited {
		t.Errorf("unseated player's delta %d, want minus its forfeited contracts %d", d, forfeited)
	}
	seats, err := a.Seats(h3)
	if err != nil || !reflect.DeepEqual(seats, []bft.PublicKey{p0, p1, p2}) {
		t.Errorf("seats after the unseating %v (%v), want p0 p1 p2", seats, err)
	}
	if got := tableMoney(t, a, h3) + s.Leavers[0].Chips; got != before {
		t.Errorf("money %d after the unseating (its chips included), want %d", got, before)
	}
}
