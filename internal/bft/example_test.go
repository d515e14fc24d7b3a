package bft_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// counter is the smallest Application: its state is the number of rounds
// played, its hash the SHA-256 of that number. Bets are ignored.
type counter struct{ states map[bft.Hash]int }

func (c *counter) hash(n int) bft.Hash {
	h := bft.Hash(sha256.Sum256([]byte(fmt.Sprint(n))))
	c.states[h] = n
	return h
}
func (c *counter) ValidateBets(bft.Hash, []bft.Bet) error { return nil }
func (c *counter) Apply(prev bft.Hash, _ []bft.Bet, _ bft.Hash) (bft.Hash, error) {
	return c.hash(c.states[prev] + 1), nil
}
func (c *counter) Void(prev bft.Hash, _ []bft.Bet, _ []bft.PublicKey) (bft.Hash, error) {
	return c.hash(c.states[prev] + 1), nil
}

type signer ed25519.PrivateKey

func (s signer) Sign(msg []byte) []byte { return ed25519.Sign(ed25519.PrivateKey(s), msg) }

// A table of one: the actor's loop is the same at any size — after every
// input, persist, send, hand on, Advance.
func Example() {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	me, _ := bft.PublicKeyFrom(priv.Public().(ed25519.PublicKey))
	app := &counter{states: map[bft.Hash]int{}}
	node, err := bft.NewNode(bft.Config{
		TableID: "table-1", Self: me, Signer: signer(priv), Players: []bft.PublicKey{me},
		App: app, GenesisStateHash: app.hash(0),
		Entropy: strings.NewReader(strings.Repeat("not random, only an example ", 10)),
	})
	if err != nil {
		panic(err)
	}
	if _, err := node.SubmitBet([]byte("pass line 5")); err != nil {
		panic(err)
	}
	if err := node.Propose(); err != nil { // the shooter rolls
		panic(err)
	}
	for node.HasReady() {
		rd := node.Ready()
		// 1. persist rd.Persist (synced); 2. send rd.Messages; 3. then:
		for _, c := range rd.Certified {
			fmt.Printf("round %d certified by %d confirm(s), %d bet(s), void=%v\n", c.Round, len(c.Confirms), len(c.Body.Bets), c.Void())
			fmt.Println("verifies:", bft.VerifyCertificate(c.Body.Seats, &c) == nil)
		}
		node.Advance(rd)
	}
	fmt.Println("now at round", node.Status().Round)
	// Output:
	// round 1 certified by 1 confirm(s), 1 bet(s), void=false
	// verifies: true
	// now at round 2
}
