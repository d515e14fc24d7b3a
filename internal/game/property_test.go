package game

import (
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// seedsFromEnv returns the seeds a seeded test runs: GAME_SEED=<seed>
// replays one; otherwise seeds 1..count (count from GAME_SEEDS if set).
func seedsFromEnv(t *testing.T, count uint64) []uint64 {
	t.Helper()
	if s := os.Getenv("GAME_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("GAME_SEED=%q: %v", s, err)
		}
		return []uint64{seed}
	}
	if s := os.Getenv("GAME_SEEDS"); s != "" {
		c, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("GAME_SEEDS=%q: %v", s, err)
		}
		count = c
	}
	seeds := make([]uint64, count)
	for i := range seeds {
		seeds[i] = uint64(i) + 1
	}
	return seeds
}

// randomPayloads proposes a round's payloads for the players seated at
// prev, at random (see randomPayload), 0 to 3 per player.
func randomPayloads(t testing.TB, rng *rand.Rand, a *App, prev bft.Hash) []candidate {
	v, err := a.View(prev)
	if err != nil {
		t.Fatal(err)
	}
	var out []candidate
	for _, p := range v.Players {
		var k bft.PublicKey
		if err := k.UnmarshalText([]byte(p.PeerID)); err != nil {
			t.Fatal(err)
		}
		for i := rng.IntN(4); i > 0; i-- {
			if enc, ok := randomPayload(rng, p, 20); ok {
				out = append(out, candidate{bettor: k, payload: enc})
			}
		}
	}
	return out
}

// randomPayload is one payload a player might send: bets of every kind
// (many of them illegal right now), take-downs of its open wagers, and one
// time in leaveOdds a leave. ok is false when the draw does not encode.
func randomPayload(rng *rand.Rand, p PlayerView, leaveOdds int) ([]byte, bool) {
	var pl Payload
	switch x := rng.IntN(20); {
	case rng.IntN(leaveOdds) == 0:
		pl = Payload{Kind: KindLeave}
	case x < 2 && len(p.Bets) > 0:
		b := p.Bets[rng.IntN(len(p.Bets))]
		pl = Payload{Kind: KindTakeDown, BetType: b.Type, Number: b.Number}
	default:
		all := craps.AllBets()
		b := all[rng.IntN(len(all))]
		if x < 8 { // the line bets and their odds, to get points and contracts going
			b = craps.Bet{Kind: craps.BetKind(1 + rng.IntN(8))}
			if b.Kind == craps.KindComeOdds || b.Kind == craps.KindDontComeOdds {
				b.Number = []uint8{4, 5, 6, 8, 9, 10}[rng.IntN(6)]
			}
		}
		pl = Payload{Kind: KindBet, BetType: b.Kind.ID(), Number: int(b.Number), Amount: crap/2 + rng.Int64N(40*crap)}
	}
	enc, err := EncodePayload(pl)
	return enc, err == nil // a take-down of a travelled bet under its kind id may not encode
}

type candidate struct {
	bettor  bft.PublicKey
	payload []byte
}

// chooseBets keeps, in order, each candidate the application accepts on
// top of the ones kept (as the bft leader does), numbering each player's.
func chooseBets(a *App, prev bft.Hash, round uint64, cands []candidate) []bft.Bet {
	var chosen []bft.Bet
	seq := make(map[bft.PublicKey]uint64)
	for _, c := range cands {
		b := bft.Bet{Bettor: c.bettor, Round: round, Seq: seq[c.bettor] + 1, Payload: c.payload}
		if a.ValidateBets(prev, append(chosen, b)) == nil {
			chosen = append(chosen, b)
			seq[c.bettor]++
		}
	}
	return chosen
}

// TestRandomRoundsConserveMoney plays seeded random rounds (rolls and
// voids) and checks after each: Σ deltas + bank delta = 0; the table's
// money (bank, chips, stakes) plus what leavers took is constant; the
// ledger model, settled round by round, keeps its invariant and matches the
// table; the seats shrink exactly by the leavers; and a second application
// replaying the certificates reaches the same state hashes.
func TestRandomRoundsConserveMoney(t *testing.T) {
	count := uint64(100)
	if testing.Short() {
		count = 50
	}
	for _, seed := range seedsFromEnv(t, count) {
		if !randomRounds(t, seed, 40) {
			t.Fatalf("seed %d failed; replay: GAME_SEED=%d go test -race -run TestRandomRoundsConserveMoney ./internal/game/", seed, seed)
		}
	}
}

func randomRounds(t *testing.T, seed uint64, rounds int) bool {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x67616d65))
	g := testGenesis(1+rng.IntN(6), 50*crap+rng.Int64N(500*crap), 200*crap+rng.Int64N(20000*crap))
	a, h := newTestApp(t, g)
	replica, _ := newTestApp(t, g)
	ledger := newLedgerModel(g)
	ok := true
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("seed %d: "+format, append([]any{seed}, args...)...)
		ok = false
	}
	for r := uint64(1); r <= uint64(rounds) && ok; r++ {
		seats, err := a.Seats(h)
		if err != nil || len(seats) == 0 {
			return err == nil
		}
		bets := chooseBets(a, h, r, randomPayloads(t, rng, a, h))
		var next, seedHash bft.Hash
		var withholders []bft.PublicKey
		if rng.IntN(10) == 0 {
			withholders = []bft.PublicKey{seats[rng.IntN(len(seats))]}
			next, err = a.Void(h, bets, withholders)
		} else {
			seedHash = bft.Hash{byte(seed), byte(r), byte(rng.Uint32()), byte(rng.Uint32())}
			next, err = a.Apply(h, bets, seedHash)
		}
		if err != nil {
			fail("round %d: %v", r, err)
			break
		}
		cert := certOf(r, h, bets, seedHash, next, withholders...)
		s, err := a.Settlement(cert)
		if err != nil {
			fail("round %d settlement: %v", r, err)
			break
		}
		checkSettlement(t, a, h, next, s, seats, fail)
		if err := ledger.settle(s); err != nil {
			fail("round %d ledger: %v", r, err)
		}
		if err := ledger.check(); err != nil {
			fail("round %d ledger invariant: %v", r, err)
		}
		if err := ledger.matches(a, next); err != nil {
			fail("round %d ledger vs table: %v", r, err)
		}
		if rs, err := replica.Replay(cert); err != nil || rs.StateHash != next {
			fail("round %d: replica replay %v", r, err)
		}
		if r%10 == 0 {
			checkDissolution(t, a, replica, next, ledger.clone(), fail)
		}
		h = next
	}
	return ok
}

// checkDissolution dissolves the table at h (on a copy of the ledger, the
// table plays on): the ledger model takes it
// (every payout for exactly the chips the ledger holds, Σ payouts + bank
// share = Σ chips + bank) and keeps its invariant with nothing left at the
// table, and a replica derives the identical dissolution.
func checkDissolution(t *testing.T, a, replica *App, h bft.Hash, ledger *ledgerModel, fail func(string, ...any)) {
	t.Helper()
	d, err := a.Dissolution(h)
	if err != nil {
		fail("dissolution: %v", err)
		return
	}
	t.Logf("DISS %d %d", len(d.Wagers), len(d.Payouts))
	t.Logf("DISS %d %d", len(d.Wagers), len(d.Payouts))
	t.Logf("DISS %d %d", len(d.Wagers), len(d.Payouts))
	if err := ledger.dissolve(d); err != nil {
		fail("ledger dissolve: %v", err)
	}
	if err := ledger.check(); err != nil {
		fail("ledger invariant after the dissolution: %v", err)
	}
	for p, v := range ledger.chips {
		if v != 0 {
			fail("%s still holds %d chips after the dissolution", p[:8], v)
		}
	}
	if again, err := replica.Dissolution(h); err != nil || !reflect.DeepEqual(again, d) {
		fail("replica's dissolution %+v (%v), want %+v", again, err, d)
	}
}

func checkSettlement(t *testing.T, a *App, prev, next bft.Hash, s Settlement, seats []bft.PublicKey, fail func(string, ...any)) {
	t.Helper()
	var sum, left int64
	for _, o := range s.Outcomes {
		sum += o.Delta
	}
	if sum+s.BankDelta != 0 {
		fail("round %d: Σ deltas %d + bank %d ≠ 0", s.Round, sum, s.BankDelta)
	}
	if len(s.Outcomes) != len(seats) {
		fail("round %d: %d outcomes for %d seats", s.Round, len(s.Outcomes), len(seats))
	}
	want := slices.Clone(seats)
	for _, l := range s.Leavers {
		left += l.Chips
		want = slices.DeleteFunc(want, func(k bft.PublicKey) bool { return k.String() == l.Player })
	}
	if before, after := tableMoney(t, a, prev), tableMoney(t, a, next)+left; before != after {
		fail("round %d: money %d before, %d after (with %d taken by leavers)", s.Round, before, after, left)
	}
	if got, _ := a.Seats(next); !slices.Equal(got, want) {
		fail("round %d: seats %v, want %v", s.Round, got, want)
	}
}
