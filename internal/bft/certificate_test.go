package bft

import (
	"errors"
	"testing"
)

// certificates returns a roll and a void certificate with real signatures.
func certificates(t *testing.T) (roll, void *Certificate, seats []PublicKey) {
	s := scenario(t, 4, map[int]byzKind{3: byzWithhold})
	s.opt.betP = 0.3
	s.runUntil(t, "a void round", func() bool {
		for _, c := range s.certList {
			if c.Void() {
				return true
			}
		}
		return false
	}, 3000)
	for _, c := range s.certList {
		if c.Void() {
			void = c
		}
	}
	h := scenario(t, 4, nil)
	h.opt.betP = 0.5
	h.runUntil(t, "round 3", h.reached(3), 1000)
	for _, c := range h.certList {
		if len(c.Body.Bets) > 0 {
			roll = c
		}
	}
	if roll == nil || !sameKeys(h.players, s.players) {
		t.Fatalf("no roll certificate with bets, or different players")
	}
	return roll, void, s.players
}

func TestVerifyCertificate(t *testing.T) {
	roll, void, seats := certificates(t)
	for _, c := range []*Certificate{roll, void} {
		if err := VerifyCertificate(seats, c); err != nil {
			t.Fatalf("round %d (%s): %v", c.Round, c.Body.Kind, err)
		}
	}
	if next := NextSeats(void); len(next) != 3 || containsKey(next, void.Body.Withholders[0]) {
		t.Errorf("NextSeats after the void: %v", next)
	}
	tamper := map[string]func(c *Certificate) []PublicKey{
		"seats in another order": func(c *Certificate) []PublicKey {
			return []PublicKey{seats[1], seats[0], seats[2], seats[3]}
		},
		"too few confirms":   func(c *Certificate) []PublicKey { c.Confirms = c.Confirms[:Quorum(4)-1]; return seats },
		"confirm twice":      func(c *Certificate) []PublicKey { c.Confirms = append(c.Confirms[:2:2], c.Confirms[0]); return seats },
		"other state hash":   func(c *Certificate) []PublicKey { c.StateHash[0] ^= 1; return seats },
		"other seed":         func(c *Certificate) []PublicKey { c.Seed[0] ^= 1; return seats },
		"other table":        func(c *Certificate) []PublicKey { c.TableID += "x"; return seats },
		"other round":        func(c *Certificate) []PublicKey { c.Round++; return seats },
		"other view":         func(c *Certificate) []PublicKey { c.View++; return seats },
		"a bet changed":      func(c *Certificate) []PublicKey { c.Body.Bets[0].Payload[0] ^= 1; return seats },
		"a bet dropped":      func(c *Certificate) []PublicKey { c.Body.Bets = c.Body.Bets[1:]; return seats },
		"a reveal changed":   func(c *Certificate) []PublicKey { c.Reveals[0].Secret[0] ^= 1; return seats },
		"a reveal dropped":   func(c *Certificate) []PublicKey { c.Reveals = c.Reveals[1:]; return seats },
		"a signature broken": func(c *Certificate) []PublicKey { c.Confirms[0].Sig[0] ^= 1; return seats },
		"made void":          func(c *Certificate) []PublicKey { c.Body.Kind = BodyVoid; return seats },
		"unknown player":     func(c *Certificate) []PublicKey { return []PublicKey{seats[0], seats[1], seats[2], {7}} },
	}
	for name, f := range tamper {
		c := cloneCert(roll)
		players := f(c)
		if err := VerifyCertificate(players, c); !errors.Is(err, ErrInvalidCertificate) && !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrInvalidCertificate", name, err)
		}
	}
	c := cloneCert(void)
	c.Body.Withholders = nil
	if err := VerifyCertificate(seats, c); !errors.Is(err, ErrInvalidCertificate) {
		t.Errorf("void without withholders: %v", err)
	}
}

func TestVerifyChain(t *testing.T) {
	s := scenario(t, 4, map[int]byzKind{3: byzWithhold})
	s.runUntil(t, "6 rounds after the void", func() bool {
		return len(s.currentSeats()) == 3 && s.allReached(uint64(len(s.certList))+1) && len(s.certList) >= 6
	}, 5000)
	var chain []Certificate
	for r := uint64(1); r <= uint64(len(s.certList)); r++ {
		chain = append(chain, *s.certList[r])
	}
	if err := VerifyChain(s.players, s.genesis, chain); err != nil {
		t.Fatalf("the honest chain: %v", err)
	}
	skipped := append(append([]Certificate(nil), chain[:2]...), chain[3:]...)
	if err := VerifyChain(s.players, s.genesis, skipped); !errors.Is(err, ErrInvalidCertificate) {
		t.Errorf("a chain with a round missing: %v", err)
	}
	if err := VerifyChain(s.players, Hash{1}, chain); !errors.Is(err, ErrInvalidCertificate) {
		t.Errorf("a chain from another genesis: %v", err)
	}
}

func cloneCert(c *Certificate) *Certificate {
	b, _ := c.MarshalBinary()
	out, err := UnmarshalCertificate(b)
	if err != nil {
		panic(err)
	}
	return &out
}
