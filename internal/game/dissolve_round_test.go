package game

import (
	"errors"
	"reflect"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// A round with a dissolve payload ends the table at the state it builds on:
// the round's other payloads are refunded, no dice are rolled, nothing
// moves, and nothing more applies; the dissolution of the ended state pays
// what the dissolution of the state before would have.
func TestADissolvingRoundEndsTheTableAtItsState(t *testing.T) {
	g := testGenesis(4, 1000*crap, 100_000*crap)
	p0, p1, p2 := g.Seats[0].Player, g.Seats[1].Player, g.Seats[2].Player
	a, genesis := newTestApp(t, g)
	bets1 := newBets(1).bet(t, p0, "pass", 0, 10*crap).bets
	seed1 := seedFor(t, 4)
	h1 := mustApply(t, a, genesis, bets1, seed1)

	bets2 := newBets(2).bet(t, p1, "field", 0, 5*crap).raw(p0, EncodeDissolve()).raw(p2, EncodeDissolve()).bets
	if err := a.ValidateBets(h1, bets2); err != nil {
		t.Fatalf("a dissolve payload beside a bet: %v", err)
	}
	h2 := mustApply(t, a, h1, bets2, seedFor(t, 7))
	if !a.Ended(h2) || a.Ended(h1) {
		t.Fatalf("ended: after the dissolving round %v, before it %v", a.Ended(h2), a.Ended(h1))
	}
	if h2 == h1 || tableMoney(t, a, h2) != tableMoney(t, a, h1) {
		t.Fatalf("the dissolving round's state %s (before %s) holds %d, before %d", h2, h1, tableMoney(t, a, h2), tableMoney(t, a, h1))
	}
	replica, _ := newTestApp(t, g)
	for _, c := range []*bft.Certificate{certOf(1, genesis, bets1, seed1, h1), certOf(2, h1, bets2, seedFor(t, 7), h2)} {
		if _, err := replica.Replay(c); err != nil {
			t.Fatal(err)
		}
	}
	s, err := replica.Settlement(certOf(2, h1, bets2, seedFor(t, 7), h2))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Dissolved || s.Dice != [2]int{} || s.BankDelta != 0 || len(s.Events) != 1 || s.Events[0].Result != ResultRefunded {
		t.Fatalf("settlement of the dissolving round: %+v", s)
	}
	for _, o := range s.Outcomes {
		if o.Delta != 0 {
			t.Fatalf("the dissolving round moved %d for %s", o.Delta, o.Player)
		}
	}
	before, after := mustDissolve(t, a, h1), mustDissolve(t, a, h2)
	if !reflect.DeepEqual(before.Payouts, after.Payouts) || before.BankPayout != after.BankPayout {
		t.Fatalf("dissolution at the ended state %+v, at the state it ended %+v", after, before)
	}
	// Nothing applies to an ended table, not even another dissolution.
	wantErr(t, a.ValidateBets(h2, newBets(3).raw(p0, EncodeDissolve()).bets), ErrTableEnded)
	wantErr(t, a.ValidateBets(h2, nil), ErrTableEnded)
}

// A node's own judgement gates what it commits to: a dissolving body only
// while it is dissolving, any other body only while it plays, an
// unseating only of a player absent past the grace.
func TestJudgedCommitsOnlyToWhatTheLifecycleAllows(t *testing.T) {
	g := testGenesis(4, 1000*crap, 100_000*crap)
	p0, p1 := g.Seats[0].Player, g.Seats[1].Player
	a, genesis := newTestApp(t, g)
	dissolve := newBets(1).raw(p0, EncodeDissolve()).bets
	roll := newBets(1).bet(t, p0, "pass", 0, 10*crap).bets
	unseat := newBets(1).raw(p0, EncodeUnseat(p1)).bets
	for _, c := range []struct {
		judge                  fixedJudge
		dissolve, roll, unseat error
	}{
		{fixedJudge{play: true}, ErrNotDissolving, nil, ErrNotAbsent},
		{fixedJudge{play: true, unseat: true}, ErrNotDissolving, nil, nil},
		{fixedJudge{dissolve: true}, nil, ErrNotPlaying, ErrNotAbsent},
		{fixedJudge{}, ErrNotDissolving, ErrNotPlaying, ErrNotAbsent},
	} {
		j := Judged{App: a, Judge: c.judge}
		for _, b := range []struct {
			bets []bft.Bet
			want error
		}{{dissolve, c.dissolve}, {roll, c.roll}, {unseat, c.unseat}, {nil, c.roll}} {
			if err := j.ValidateBets(genesis, b.bets); (b.want == nil) != (err == nil) || (b.want != nil && !errors.Is(err, b.want)) {
				t.Errorf("judge %+v, bets %v: %v, want %v", c.judge, b.bets, err, b.want)
			}
		}
	}
}

type fixedJudge struct{ play, unseat, dissolve bool }

func (j fixedJudge) MayPlay() bool                { return j.play }
func (j fixedJudge) MayUnseat(bft.PublicKey) bool { return j.unseat }
func (j fixedJudge) MayDissolve() bool            { return j.dissolve }
