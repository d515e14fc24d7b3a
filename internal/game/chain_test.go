package game

import (
	"crypto/ed25519"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// certifyRoundOne plays round 1 of g among the seats listed (indexes into
// g.Seats) on a lossless in-memory network and returns the certificate.
func certifyRoundOne(t *testing.T, g Genesis, players []int) bft.Certificate {
	t.Helper()
	var seats []bft.PublicKey
	for _, i := range players {
		seats = append(seats, g.Seats[i].Player)
	}
	nodes := map[bft.PublicKey]*bft.Node{}
	for _, i := range players {
		key, priv := testKey(byte(i), 0)
		app, prev := newTestApp(t, g)
		node, err := bft.NewNode(bft.Config{TableID: g.TableID, Self: key, Signer: edSigner{priv}, Players: seats,
			App: app, GenesisStateHash: prev, Entropy: rand.NewChaCha8([32]byte{byte(i), 7})})
		if err != nil {
			t.Fatal(err)
		}
		nodes[key] = node
	}
	if err := nodes[bft.Leader(seats, 1, 0)].Propose(); err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 1000; step++ {
		progressed := false
		for _, from := range seats {
			n := nodes[from]
			if !n.HasReady() {
				continue
			}
			progressed = true
			rd := n.Ready()
			n.Advance(rd)
			if len(rd.Certified) > 0 {
				return rd.Certified[0]
			}
			for _, m := range rd.Messages {
				for _, to := range seats {
					if to != from && (m.To == (bft.PublicKey{}) || m.To == to) {
						_ = nodes[to].Step(m)
					}
				}
			}
		}
		if !progressed {
			break
		}
	}
	t.Fatal("round 1 was not certified")
	return bft.Certificate{}
}

// unseatingOf signs an unseating of excluded by every other seat of g.
func unseatingOf(g Genesis, round uint64, prev bft.Hash, excluded ...int) Unseating {
	var ex []bft.PublicKey
	for _, i := range excluded {
		ex = append(ex, g.Seats[i].Player)
	}
	u := Unseating{Round: round, Prev: prev, Excluded: SortedKeys(ex)}
	for i, s := range g.Seats {
		if slices.Contains(excluded, i) {
			continue
		}
		_, priv := testKey(byte(i), 0)
		v := NewUnseatVote(g.TableID, round, prev, ex, s.Player)
		v.Sig = ed25519.Sign(priv, v.SignedBytes())
		u.Votes = append(u.Votes, v)
	}
	return u
}

// A table of three where player 2 went silent: the other two unseat it and
// certify round 1 on their own. The chain takes that round only after the
// unseating, and refuses every forged or incomplete one.
func TestChainTakesARoundOnlyAfterAProvedUnseating(t *testing.T) {
	g := testGenesis(3, 100*crap, 1000*crap)
	genesis, _ := GenesisHash(g)
	cert := certifyRoundOne(t, g, []int{0, 1})

	chain, err := NewChain(g)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chain.Certify(&cert); !errors.Is(err, bft.ErrInvalidCertificate) {
		t.Fatalf("round 1 of two seats before the unseating: %v, want an invalid certificate", err)
	}
	forged := func(edit func(*Unseating)) Unseating {
		u := unseatingOf(g, 1, genesis, 2)
		edit(&u)
		return u
	}
	bad := map[string]Unseating{
		"a vote missing":         forged(func(u *Unseating) { u.Votes = u.Votes[:1] }),
		"a vote signed twice":    forged(func(u *Unseating) { u.Votes[1] = u.Votes[0] }),
		"a bad signature":        forged(func(u *Unseating) { u.Votes[0].Sig[3] ^= 1 }),
		"another boundary":       unseatingOf(g, 1, bft.Hash{1}, 2),
		"another round":          unseatingOf(g, 2, genesis, 2),
		"nobody unseated":        forged(func(u *Unseating) { u.Excluded = nil }),
		"the votes name another": forged(func(u *Unseating) { u.Excluded = []bft.PublicKey{g.Seats[1].Player} }),
		"a stranger unseated": forged(func(u *Unseating) {
			k, _ := testKey(9, 9)
			u.Excluded = []bft.PublicKey{k}
		}),
	}
	for name, u := range bad {
		if err := chain.Unseat(&u); err == nil {
			t.Errorf("%s: unseating accepted", name)
		}
	}
	if chain.Next() != 1 || len(chain.Seats()) != 3 {
		t.Fatalf("a refused unseating changed the chain: next %d, seats %d", chain.Next(), len(chain.Seats()))
	}
	u := unseatingOf(g, 1, genesis, 2)
	if err := chain.Unseat(&u); err != nil {
		t.Fatal(err)
	}
	s, err := chain.Certify(&cert)
	if err != nil {
		t.Fatal(err)
	}
	if s.StateHash != cert.StateHash || chain.Next() != 2 || len(chain.Seats()) != 2 {
		t.Fatalf("after round 1: settlement %s, next %d, seats %d", s.StateHash, chain.Next(), len(chain.Seats()))
	}
	if _, err := chain.Certify(&cert); !errors.Is(err, ErrOutOfOrder) {
		t.Fatalf("round 1 again: %v, want out of order", err)
	}
}

// Verify replays the unseatings of an export; without them, or with one
// tampered, it names the round.
func TestVerifyReplaysUnseatings(t *testing.T) {
	g := testGenesis(3, 100*crap, 1000*crap)
	genesis, _ := GenesisHash(g)
	cert := certifyRoundOne(t, g, []int{0, 1})
	e := Export{Version: ExportVersion, Genesis: g, Certificates: []bft.Certificate{cert},
		Unseatings: []Unseating{unseatingOf(g, 1, genesis, 2)}}
	if rep := Verify(e); !rep.OK || rep.Rounds != 1 || rep.Checks[0].Seats != 2 {
		t.Fatalf("honest export: %+v", rep)
	}
	cases := map[string]func(*Export){
		"no unseating":        func(e *Export) { e.Unseatings = nil },
		"a vote dropped":      func(e *Export) { e.Unseatings[0].Votes = e.Unseatings[0].Votes[1:] },
		"unseating too late":  func(e *Export) { e.Unseatings = []Unseating{unseatingOf(g, 2, cert.StateHash, 2)} },
		"unseating past end":  func(e *Export) { e.Unseatings = append(e.Unseatings, unseatingOf(g, 3, cert.StateHash, 1)) },
		"a signature flipped": func(e *Export) { e.Unseatings[0].Votes[0].Sig[0] ^= 1 },
	}
	for name, edit := range cases {
		c := clone(t, e)
		edit(&c)
		rep := Verify(c)
		if rep.OK || rep.FirstBad == nil {
			t.Errorf("%s: verified: %+v", name, rep)
			continue
		}
		if want := map[string]uint64{"unseating past end": 3, "unseating too late": 1}[name]; want != 0 && rep.FirstBad.Round != want {
			t.Errorf("%s: first bad round %d, want %d (%s)", name, rep.FirstBad.Round, want, rep.FirstBad.Reason)
		}
	}
}

// Only a majority may unseat the others (two seats excepted): the lone
// side of a partition of three cannot go on by itself.
func TestMayUnseat(t *testing.T) {
	for _, c := range []struct {
		seats, remaining int
		ok               bool
	}{
		{2, 1, true}, {2, 0, false}, {2, 2, false},
		{3, 2, true}, {3, 1, false},
		{4, 3, true}, {4, 2, false},
		{7, 4, true}, {7, 3, false}, {1, 0, false},
	} {
		if got := MayUnseat(c.seats, c.remaining); got != c.ok {
			t.Errorf("MayUnseat(%d, %d) = %v, want %v", c.seats, c.remaining, got, c.ok)
		}
	}
	g := testGenesis(3, 100*crap, 1000*crap)
	genesis, _ := GenesisHash(g)
	u := unseatingOf(g, 1, genesis, 1, 2)
	if err := u.Verify(g.TableID, g.Players()); !errors.Is(err, ErrBadUnseating) {
		t.Fatalf("one of three unseats two: %v", err)
	}
}

// A chain's View is the certified state it reached: the genesis seats and
// bank before round 1, the round's dice, chips and bank after it — the
// same View the players' App shows of that state hash.
func TestChainViewIsTheCertifiedState(t *testing.T) {
	g := testGenesis(2, 100*crap, 1000*crap)
	chain, err := NewChain(g)
	if err != nil {
		t.Fatal(err)
	}
	v, err := chain.View()
	if err != nil {
		t.Fatal(err)
	}
	if v.Round != 0 || v.Bank != 1000*crap || len(v.Players) != 2 || v.Players[0].Chips != 100*crap ||
		v.LastDice != [2]int{} || v.StateHash != chain.StateHash() {
		t.Fatalf("view at genesis %+v, want round 0, bank 1000 CRAP, two seats of 100 CRAP", v)
	}
	cert := certifyRoundOne(t, g, []int{0, 1})
	s, err := chain.Certify(&cert)
	if err != nil {
		t.Fatal(err)
	}
	v, err = chain.View()
	if err != nil {
		t.Fatal(err)
	}
	app, _ := newTestApp(t, g)
	if _, err := app.Replay(&cert); err != nil {
		t.Fatal(err)
	}
	want, err := app.View(cert.StateHash)
	if err != nil {
		t.Fatal(err)
	}
	if v.Round != 1 || v.StateHash != cert.StateHash || v.LastDice != s.Dice || v.Bank != want.Bank ||
		v.Phase != want.Phase || v.Point != want.Point || len(v.Players) != len(want.Players) {
		t.Fatalf("view after round 1 %+v, want %+v (dice %v)", v, want, s.Dice)
	}
	for i := range v.Players {
		if v.Players[i].PeerID != want.Players[i].PeerID || v.Players[i].Chips != want.Players[i].Chips {
			t.Fatalf("player %d: %+v, want %+v", i, v.Players[i], want.Players[i])
		}
	}
}
