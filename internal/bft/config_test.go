package bft

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
)

type badReader struct{}

func (badReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestConfigIsChecked(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	self, _ := PublicKeyFrom(priv.Public().(ed25519.PublicKey))
	app, genesis := newToyApp([]PublicKey{self}, 100, 100)
	good := Config{TableID: "t", Self: self, Signer: ed25519Signer(priv), Players: []PublicKey{self}, App: app,
		Entropy: strings.NewReader(strings.Repeat("x", 64)), GenesisStateHash: genesis}
	if _, err := NewNode(good); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for field, mutate := range map[string]func(*Config){
		"TableID":             func(c *Config) { c.TableID = "" },
		"Signer":              func(c *Config) { c.Signer = nil },
		"App":                 func(c *Config) { c.App = nil },
		"Entropy":             func(c *Config) { c.Entropy = nil },
		"Players":             func(c *Config) { c.Players = []PublicKey{self, self} },
		"ticks":               func(c *Config) { c.ViewTimeoutTicks = -1 },
		"MaxBetsPerRound":     func(c *Config) { c.MaxBetsPerRound = maxWireBets + 1 },
		"MaxTimeoutDoublings": func(c *Config) { c.MaxTimeoutDoublings = 40 },
	} {
		c := good
		mutate(&c)
		_, err := NewNode(c)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), field) {
			t.Errorf("bad %s: %v, want ErrConfig naming it", field, err)
		}
	}
	c := good
	c.Entropy = badReader{}
	n, err := NewNode(c)
	if err != nil {
		t.Fatalf("entropy failure must not fail construction: %v", err)
	}
	if n.haveSecret {
		t.Errorf("a secret without entropy")
	}
}

type ed25519Signer ed25519.PrivateKey

func (s ed25519Signer) Sign(msg []byte) []byte { return ed25519.Sign(ed25519.PrivateKey(s), msg) }

// One player: a whole round happens inside Propose, and bets the game
// refuses are refused by SubmitBet with the game's reason.
func TestSinglePlayerRoundAndBetChecks(t *testing.T) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	self, _ := PublicKeyFrom(priv.Public().(ed25519.PublicKey))
	app, genesis := newToyApp([]PublicKey{self}, 1000, 1000)
	n, err := NewNode(Config{TableID: "t", Self: self, Signer: ed25519Signer(priv), Players: []PublicKey{self}, App: app,
		Entropy: strings.NewReader(strings.Repeat("y", 320)), GenesisStateHash: genesis, BetWindowTicks: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.SubmitBet(toyBet(5000, true)); !errors.Is(err, ErrApplication) {
		t.Errorf("bet over the chips: %v, want ErrApplication", err)
	}
	if _, err := n.SubmitBet(toyBet(100, true)); err != nil {
		t.Fatalf("bet: %v", err)
	}
	if err := n.Propose(); err != nil {
		t.Fatalf("propose: %v", err)
	}
	rd := n.Ready()
	if len(rd.Certified) != 1 || len(rd.Certified[0].Body.Bets) != 1 {
		t.Fatalf("certified %d rounds, want 1 with the bet", len(rd.Certified))
	}
	if err := VerifyCertificate([]PublicKey{self}, &rd.Certified[0]); err != nil {
		t.Fatal(err)
	}
	n.Advance(rd)
	if n.HasReady() || n.Status().Round != 2 {
		t.Errorf("after Advance: ready=%v round=%d", n.HasReady(), n.Status().Round)
	}
}
