package craps

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// Properties over seeded random play: many players, random bets (legal or
// not), random take-downs, dice from a seeded stream. Every failure prints
// its seed; rerun with that seed to replay it.

var placementErrors = []error{
	ErrUnknownBet, ErrNotAllowedInPhase, ErrBelowMinimum, ErrAboveMaximum, ErrOddsTooHigh,
	ErrOddsWithoutLineBet, ErrBankCannotCover, ErrInsufficientChips, ErrTooManyWagers,
}

var takeDownErrors = []error{ErrContractBet, ErrOddsAttached}

func isOneOf(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

var lineKinds = map[BetKind]bool{KindPass: true, KindDontPass: true, KindCome: true, KindDontCome: true}

// playRandom plays rolls rounds from seed and checks every invariant after
// every operation. It returns the state hash after each roll.
func playRandom(t *testing.T, seed uint64, rolls int) [][32]byte {
	hashes, _ := playRandomCounting(t, seed, rolls)
	return hashes
}

// playCounts counts what a random game did, so tests can check it did enough.
type playCounts struct{ placed, resolved, takenDown int }

func playRandomCounting(t *testing.T, seed uint64, rolls int) ([][32]byte, playCounts) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x6269746372617073))
	var diceSeed [32]byte
	diceSeed[0], diceSeed[1] = byte(seed), byte(seed>>8)
	dice := NewDiceStream(diceSeed)
	rules := DefaultRules()
	rules.MaxWagersPerPlayer = 40
	s, players := fourPlayerTable(t, rules)
	money := totalMoney(s)
	bets := AllBets()
	resolved := map[uint64]bool{}
	var hashes [][32]byte
	var counts playCounts
	for round := 0; round < rolls; round++ {
		for k := rng.IntN(5); k > 0; k-- {
			b := bets[rng.IntN(len(bets))]
			stake := Micros(1+rng.IntN(60)) * crap / Micros(1+rng.IntN(3))
			ns, _, err := PlaceBet(s, players[rng.IntN(len(players))], b, stake)
			if err != nil && !isOneOf(err, placementErrors) {
				t.Fatalf("seed %d round %d: place %s %d: unexpected error %v", seed, round, b.ID(), stake, err)
			}
			if err == nil {
				counts.placed++
			}
			s = ns
			checkInvariants(t, seed, round, s, money)
		}
		if ws := s.Wagers(); len(ws) > 0 && rng.IntN(4) == 0 {
			w := ws[rng.IntN(len(ws))]
			ns, o, err := TakeDown(s, w.Player, w.Seq)
			switch {
			case err != nil && !isOneOf(err, takeDownErrors):
				t.Fatalf("seed %d round %d: take down %d: unexpected error %v", seed, round, w.Seq, err)
			case err == nil:
				resolved[o.Seq] = true
				counts.takenDown++
			}
			s = ns
			checkInvariants(t, seed, round, s, money)
		}
		before := s
		r := dice.Roll()
		var outs []Outcome
		s, outs = mustApply(t, s, r)
		checkRoll(t, seed, round, before, s, r, outs, resolved)
		checkInvariants(t, seed, round, s, money)
		hashes = append(hashes, s.Hash())
	}
	counts.resolved = len(resolved)
	return hashes, counts
}

func checkInvariants(t *testing.T, seed uint64, round int, s State, money Micros) {
	t.Helper()
	if got := totalMoney(s); got != money {
		t.Fatalf("seed %d round %d: money at the table %d, want %d (created %d)", seed, round, got, money, got-money)
	}
	if s.Bank() < Liability(s) {
		t.Fatalf("seed %d round %d: bank %d below liability %d", seed, round, s.Bank(), Liability(s))
	}
	for _, p := range s.Players() {
		if p.Chips < 0 {
			t.Fatalf("seed %d round %d: %s has %d chips", seed, round, p.ID, p.Chips)
		}
	}
	enc, _ := s.MarshalBinary()
	var dec State
	if err := dec.UnmarshalBinary(enc); err != nil {
		t.Fatalf("seed %d round %d: decode own encoding: %v", seed, round, err)
	}
	if dec.Hash() != s.Hash() {
		t.Fatalf("seed %d round %d: hash changed through encode/decode", seed, round)
	}
}

// checkRoll: one outcome per wager open before the roll, in order; no
// wager resolves twice; line bets never outlive a seven; outcome amounts
// explain the change in chips and bank.
func checkRoll(t *testing.T, seed uint64, round int, before, after State, r Roll, outs []Outcome, resolved map[uint64]bool) {
	t.Helper()
	open := before.Wagers()
	if len(outs) != len(open) {
		t.Fatalf("seed %d round %d: %d outcomes for %d wagers", seed, round, len(outs), len(open))
	}
	chips := map[string]Micros{}
	var bank Micros
	for i, o := range outs {
		if o.Seq != open[i].Seq || o.Player != open[i].Player || o.Stake != open[i].Stake {
			t.Fatalf("seed %d round %d: outcome %d is %+v for wager %+v", seed, round, i, o, open[i])
		}
		if resolved[o.Seq] {
			t.Fatalf("seed %d round %d: wager %d resolved twice", seed, round, o.Seq)
		}
		if o.Result.Resolved() {
			resolved[o.Seq] = true
		}
		if o.Win < 0 || (o.Result != Win && o.Win != 0) {
			t.Fatalf("seed %d round %d: outcome %+v", seed, round, o)
		}
		if r.Total() == 7 && lineKinds[o.Bet.Kind] && !o.Result.Resolved() {
			t.Fatalf("seed %d round %d: %s survived a seven", seed, round, o.Bet.ID())
		}
		chips[o.Player] += o.ChipsDelta()
		bank += o.BankDelta()
	}
	for _, p := range after.Players() {
		was, _ := before.Chips(p.ID)
		if p.Chips-was != chips[p.ID] {
			t.Fatalf("seed %d round %d: %s chips moved %d, outcomes say %d", seed, round, p.ID, p.Chips-was, chips[p.ID])
		}
	}
	if after.Bank()-before.Bank() != bank {
		t.Fatalf("seed %d round %d: bank moved %d, outcomes say %d", seed, round, after.Bank()-before.Bank(), bank)
	}
	for _, w := range after.Wagers() {
		if resolved[w.Seq] {
			t.Fatalf("seed %d round %d: resolved wager %d still open", seed, round, w.Seq)
		}
	}
}

func TestRandomPlayKeepsInvariants(t *testing.T) {
	var total playCounts
	for seed := uint64(1); seed <= 40; seed++ {
		_, c := playRandomCounting(t, seed, 300)
		total.placed += c.placed
		total.resolved += c.resolved
		total.takenDown += c.takenDown
	}
	t.Logf("placed %d wagers, resolved %d, took down %d", total.placed, total.resolved, total.takenDown)
	// The properties mean little if random play rarely gets a bet down.
	if total.placed < 10_000 || total.takenDown < 500 {
		t.Fatalf("random play too thin: %+v", total)
	}
}

// TestReplayGivesTheSameHashes: two replicas fed the same inputs agree on
// every state hash; a different seed disagrees.
func TestReplayGivesTheSameHashes(t *testing.T) {
	a := playRandom(t, 7, 200)
	b := playRandom(t, 7, 200)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 7: replay diverged at roll %d", i)
		}
	}
	if c := playRandom(t, 8, 200); c[len(c)-1] == a[len(a)-1] {
		t.Fatal("seeds 7 and 8 ended in the same state")
	}
}
