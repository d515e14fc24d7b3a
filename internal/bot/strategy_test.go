package bot

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bitcraps/bitcraps/messages"
)

const crap = 1_000_000

func seat(phase string, point int, chips int64, bets ...messages.BetView) Seat {
	return Seat{Phase: phase, Point: point, Chips: chips, Bets: bets, MinBet: crap, MaxBet: 20 * crap}
}

func TestStrategiesBetWhatTheyName(t *testing.T) {
	pass := messages.BetView{Type: "pass", Amount: 2 * crap}
	const six = 2*crap - 2 // the unit down to a multiple of six: 7:6 pays exactly
	cases := []struct {
		strategy string
		seat     Seat
		want     []Bet
	}{
		{PassOdds, seat("come_out", 0, 50*crap), []Bet{{Type: "pass", Amount: 2 * crap}}},
		{PassOdds, seat("point", 5, 50*crap, pass), []Bet{{Type: "pass_odds", Amount: 2 * crap}}},
		{PassOdds, seat("point", 5, 50*crap, pass, messages.BetView{Type: "pass_odds"}), nil},
		{PassOdds, seat("point", 5, 50*crap), nil}, // no line bet to back
		{PassOdds, seat("come_out", 0, crap), nil}, // cannot afford the unit
		{DontPass, seat("come_out", 0, 50*crap), []Bet{{Type: "dont_pass", Amount: 2 * crap}}},
		{DontPass, seat("point", 4, 50*crap), nil},
		{Place68, seat("come_out", 0, 50*crap), nil},
		{Place68, seat("point", 4, 50*crap), []Bet{{Type: "place", Number: 6, Amount: six}, {Type: "place", Number: 8, Amount: six}}},
		{Place68, seat("point", 6, 50*crap), []Bet{{Type: "place", Number: 8, Amount: six}}},
		{Place68, seat("point", 9, 50*crap, messages.BetView{Type: "place", Number: 8}), []Bet{{Type: "place", Number: 6, Amount: six}}},
	}
	for _, c := range cases {
		s, err := NewStrategy(c.strategy, 2*crap, 10*crap)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Next(c.seat); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s at %+v: %+v, want %+v", c.strategy, c.seat, got, c.want)
		}
	}
}

func TestPlaceStakesAreMultiplesOfSix(t *testing.T) {
	s, _ := NewStrategy(Place68, crap+5, 0)
	for _, b := range s.Next(seat("point", 4, 50*crap)) {
		if b.Amount%6 != 0 || b.Amount > crap+5 {
			t.Fatalf("place stake %d: want a multiple of six at most the unit", b.Amount)
		}
	}
}

func TestMartingaleDoublesAfterALossAndStopsAtItsLoss(t *testing.T) {
	m, err := NewStrategy(Martingale, crap, 5*crap)
	if err != nil {
		t.Fatal(err)
	}
	stakes := []int64{}
	for _, chips := range []int64{100, 99, 97, 101, 100, 98, 94} { // lose, lose, win, lose, lose, lose
		bets := m.Next(seat("come_out", 0, chips*crap))
		if len(bets) == 1 {
			stakes = append(stakes, bets[0].Amount/crap)
		}
	}
	if want := []int64{1, 2, 4, 1, 2, 4}; !reflect.DeepEqual(stakes, want) {
		t.Fatalf("stakes %v, want %v", stakes, want)
	}
	if m.Stopped() == "" {
		t.Fatal("down 6 CRAP with a 5 CRAP stop-loss, the martingale still plays")
	}
	if bets := m.Next(seat("come_out", 0, 200*crap)); bets != nil {
		t.Fatalf("a stopped martingale bet %+v", bets)
	}
}

// Under any run of wins and losses the martingale never stakes more than
// it has or the table allows, and never plays on past its stop-loss.
func TestMartingaleNeverOverreaches(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0))
		stopLoss := (1 + rng.Int64N(50)) * crap
		m, _ := NewStrategy(Martingale, crap, stopLoss)
		chips, first := int64(100*crap), int64(100*crap)
		for range 100 {
			bets := m.Next(seat("come_out", 0, chips))
			if len(bets) == 0 {
				break
			}
			stake := bets[0].Amount
			if stake > chips || stake > 20*crap || first-chips >= stopLoss {
				t.Fatalf("seed %d: stake %d with %d chips, %d down of a %d stop-loss", seed, stake, chips, first-chips, stopLoss)
			}
			if rng.IntN(2) == 0 {
				chips += stake
			} else {
				chips -= stake
			}
		}
	}
}

func TestUnknownStrategyIsNamed(t *testing.T) {
	for _, c := range []struct {
		name     string
		stopLoss int64
	}{{"hedge", 0}, {Martingale, 0}} {
		if _, err := NewStrategy(c.name, crap, c.stopLoss); !errors.Is(err, ErrStrategy) {
			t.Errorf("%s stop-loss %d: %v, want ErrStrategy", c.name, c.stopLoss, err)
		}
	}
}
