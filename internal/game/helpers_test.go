package game

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

const (
	crap      = craps.MicrosPerCRAP
	testTable = "test-table"
)

// testKey is a deterministic player key: seed i, j.
func testKey(i, j byte) (bft.PublicKey, ed25519.PrivateKey) {
	var seed [32]byte
	seed[0], seed[1] = i, j
	priv := ed25519.NewKeyFromSeed(seed[:])
	pub, _ := bft.PublicKeyFrom(priv.Public().(ed25519.PublicKey))
	return pub, priv
}

// testGenesis seats n players with chips each at a table with the default
// rules and the given bank.
func testGenesis(n int, chips, bank int64) Genesis {
	g := Genesis{TableID: testTable, Rules: craps.DefaultRules(), Bank: bank}
	for i := 0; i < n; i++ {
		k, _ := testKey(byte(i), 0)
		g.Seats = append(g.Seats, SeatChips{Player: k, Chips: chips})
	}
	return g
}

// newTestApp is NewApp that fails the test on error.
func newTestApp(t testing.TB, g Genesis) (*App, bft.Hash) {
	t.Helper()
	a, err := NewApp(g)
	if err != nil {
		t.Fatalf("NewApp: %v", err)
	}
	return a, a.GenesisHash()
}

// betMaker builds a round's unsigned bets (the App never checks signatures;
// bft does) in the order given, with increasing sequence numbers per player.
type betMaker struct {
	round uint64
	seq   map[bft.PublicKey]uint64
	bets  []bft.Bet
}

func newBets(round uint64) *betMaker {
	return &betMaker{round: round, seq: make(map[bft.PublicKey]uint64)}
}

func (m *betMaker) raw(k bft.PublicKey, payload []byte) *betMaker {
	m.seq[k]++
	m.bets = append(m.bets, bft.Bet{Bettor: k, Round: m.round, Seq: m.seq[k], Payload: payload})
	return m
}

func (m *betMaker) bet(t testing.TB, k bft.PublicKey, typ string, number int, amount int64) *betMaker {
	t.Helper()
	p, err := EncodeBet(typ, number, amount)
	if err != nil {
		t.Fatalf("EncodeBet(%q, %d, %d): %v", typ, number, amount, err)
	}
	return m.raw(k, p)
}

func (m *betMaker) takeDown(t testing.TB, k bft.PublicKey, typ string, number int) *betMaker {
	t.Helper()
	p, err := EncodeTakeDown(typ, number)
	if err != nil {
		t.Fatalf("EncodeTakeDown(%q, %d): %v", typ, number, err)
	}
	return m.raw(k, p)
}

func (m *betMaker) leave(k bft.PublicKey) *betMaker { return m.raw(k, EncodeLeave()) }

// seedFor finds a seed whose dice total is one of totals (deterministic:
// the search always starts from the same seed).
func seedFor(t testing.TB, totals ...int) bft.Hash {
	t.Helper()
	for i := 0; i < 100000; i++ {
		var s bft.Hash
		s[0], s[1], s[2] = byte(i), byte(i>>8), byte(i>>16)
		tot := craps.DiceFromSeed(s).Total()
		for _, want := range totals {
			if tot == want {
				return s
			}
		}
	}
	t.Fatalf("no seed rolls %v", totals)
	return bft.Hash{}
}

// mustApply is Apply that fails the test on error.
func mustApply(t testing.TB, a *App, prev bft.Hash, bets []bft.Bet, seed bft.Hash) bft.Hash {
	t.Helper()
	h, err := a.Apply(prev, bets, seed)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return h
}

// tableMoney is everything at the table in state h: bank, chips in hand
// and stakes.
func tableMoney(t testing.TB, a *App, h bft.Hash) int64 {
	t.Helper()
	st, err := a.state(h)
	if err != nil {
		t.Fatal(err)
	}
	return total(st.craps)
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want one wrapping %v", err, target)
	}
}
