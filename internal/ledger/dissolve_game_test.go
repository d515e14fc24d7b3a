package ledger

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/identity"
)

// gameTable drives a game.App for a ledger table as a table actor does:
// each certified round becomes a Settle op, a dissolution a Dissolve op.
type gameTable struct {
	t    *testing.T
	id   string
	app  *game.App
	h    bft.Hash
	next uint64
}

func newGameTable(t *testing.T, id string, bank int64, seats ...player) *gameTable {
	g := game.Genesis{TableID: id, Rules: craps.DefaultRules(), Bank: bank}
	for _, p := range seats {
		k, err := bft.PublicKeyFrom(p.priv.Public().(ed25519.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		g.Seats = append(g.Seats, game.SeatChips{Player: k, Chips: 100 * crap})
	}
	app, err := game.NewApp(g)
	if err != nil {
		t.Fatal(err)
	}
	return &gameTable{t: t, id: id, app: app, h: app.GenesisHash(), next: 1}
}

type gameBet struct {
	p      player
	typ    string
	number int
	amount int64
}

// round plays the next round with the bets and dice totalling total, and
// returns its Settle op.
func (g *gameTable) round(total int, bets ...gameBet) Op {
	g.t.Helper()
	var bs []bft.Bet
	seqs := map[identity.PeerID]uint64{}
	for _, b := range bets {
		payload, err := game.EncodeBet(b.typ, b.number, b.amount)
		if err != nil {
			g.t.Fatal(err)
		}
		k, _ := bft.PublicKeyFrom(b.p.priv.Public().(ed25519.PublicKey))
		seqs[b.p.id]++
		bs = append(bs, bft.Bet{Bettor: k, Round: g.next, Seq: seqs[b.p.id], Payload: payload})
	}
	seed := seedRolling(g.t, total)
	next, err := g.app.Apply(g.h, bs, seed)
	if err != nil {
		g.t.Fatalf("round %d: %v", g.next, err)
	}
	cert := &bft.Certificate{TableID: g.id, Round: g.next, Seed: seed, StateHash: next,
		Body: bft.Body{Kind: bft.BodyRoll, Prev: g.h, Bets: bs}}
	s, err := g.app.Settlement(cert)
	if err != nil {
		g.t.Fatalf("round %d: %v", g.next, err)
	}
	g.h, g.next = next, g.next+1
	op := settleOp(s.TableID, s.Round)
	for _, o := range s.Outcomes {
		op.Outcomes = append(op.Outcomes, Outcome{Player: identity.PeerID(o.Player), Delta: o.Delta})
	}
	return op
}

// dissolution is the Dissolve op of the table's current state, as the
// lead's table actor builds it from a game.Dissolution.
func (g *gameTable) dissolution() (game.Dissolution, Op) {
	g.t.Helper()
	d, err := g.app.Dissolution(g.h)
	if err != nil {
		g.t.Fatal(err)
	}
	op := Op{Kind: KindDissolve, Table: d.TableID, Round: d.Round, Amount: d.BankPayout}
	for _, p := range d.Payouts {
		op.Outcomes = append(op.Outcomes, Outcome{Player: identity.PeerID(p.Player), Delta: p.Amount})
	}
	return d, op
}

func seedRolling(t *testing.T, total int) bft.Hash {
	t.Helper()
	for i := 0; i < 1<<16; i++ {
		s := bft.Hash{byte(i), byte(i >> 8), 'd'}
		if craps.DiceFromSeed(s).Total() == total {
			return s
		}
	}
	t.Fatalf("no seed rolls %d", total)
	return bft.Hash{}
}

func payoutOf(d game.Dissolution, p player) int64 {
	for _, o := range d.Payouts {
		if o.Player == string(p.id) {
			return o.Amount
		}
	}
	return -1
}

// TestGameDissolutionAppliesToTheLedger plays a table through the game
// core and the real ledger: the settled rounds leave the ledger holding
// exactly what each payout replaces, so the dissolution is accepted and
// empties the table; a later round's dissolution replaces it; Verify
// replays it all.
func TestGameDissolutionAppliesToTheLedger(t *testing.T) {
	l, host, alice, bob := table(t)
	g := newGameTable(t, "t1", 5_000*crap, alice, bob)
	mustApply(t, l, g.round(4, gameBet{alice, "pass", 0, 10 * crap}, gameBet{bob, "dont_pass", 0, 20 * crap}, gameBet{bob, "field", 0, 5 * crap}))
	mustApply(t, l, g.round(9, gameBet{alice, "pass_odds", 0, 20 * crap}, gameBet{bob, "place", 6, 12 * crap}, gameBet{alice, "come", 0, 10 * crap}))
	d2, at2 := g.dissolution()
	if len(d2.Wagers) != 5 {
		t.Fatalf("%d open wagers, want 5: %+v", len(d2.Wagers), d2.Wagers)
	}
	mustApply(t, l, at2)
	wantBalance(t, l, WalletOf(alice.id), 900*crap+payoutOf(d2, alice))
	wantBalance(t, l, WalletOf(bob.id), 900*crap+payoutOf(d2, bob))
	wantBalance(t, l, WalletOf(host.id), 5_000*crap+d2.BankPayout)
	for _, a := range []Account{ChipsOf("t1", alice.id), ChipsOf("t1", bob.id), BankOf("t1")} {
		wantBalance(t, l, a, 0)
	}
	verifyOK(t, l)

	// Round 3's confirms were out: a 7 sevens out the line bets. The
	// ledger refuses its settlement, and its dissolution replaces round 2's.
	settle3 := g.round(7)
	if _, err := apply(t, l, settle3); !errors.Is(err, ErrTableDissolved) {
		t.Fatalf("settling round 3 of a dissolved table: %v, want ErrTableDissolved", err)
	}
	d3, at3 := g.dissolution()
	mustApply(t, l, at3)
	wantBalance(t, l, WalletOf(alice.id), 900*crap+payoutOf(d3, alice))
	wantBalance(t, l, WalletOf(bob.id), 900*crap+payoutOf(d3, bob))
	wantBalance(t, l, WalletOf(host.id), 5_000*crap+d3.BankPayout)
	if len(d3.Wagers) != 0 || payoutOf(d3, alice) == payoutOf(d2, alice) {
		t.Fatalf("round 3 should resolve every wager and change alice's payout: %+v", d3)
	}
	rep := verifyOK(t, l)
	if rep.ReplayStateHash != rep.StateHash {
		t.Fatalf("replay %s, store %s", rep.ReplayStateHash, rep.StateHash)
	}
}
