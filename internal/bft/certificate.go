package bft

import (
	"fmt"
)

// Certificate is a certified round: everything an offline verifier needs to
// re-check it without trusting any node. Body is the locked proposal (seats,
// previous state hash, bets, the committed players' commitments, and for a
// void round the withholders); Reveals open every commitment (roll rounds);
// Seed = SeedOf(Reveals); StateHash is the state after the round; Confirms
// are q signed confirms of (Body hash, StateHash), all in View.
//
// The state hash itself can only be re-derived by replaying the game
// (bitcraps verify does it with internal/craps); VerifyCertificate checks all
// the rest.
type Certificate struct {
	TableID   string   `json:"table_id"`
	Round     uint64   `json:"round"`
	View      uint64   `json:"view"`
	Body      Body     `json:"body"`
	Reveals   []Reveal `json:"reveals,omitempty"`
	Seed      Hash     `json:"seed"`
	StateHash Hash     `json:"state_hash"`
	Confirms  []Vote   `json:"confirms"`
}

// Void reports whether the round was voided for withheld reveals.
func (c *Certificate) Void() bool { return c.Body.Kind == BodyVoid }

// BodyHash is the hash the confirms sign.
func (c *Certificate) BodyHash() Hash { return BodyHash(c.TableID, c.Round, &c.Body) }

// NextSeats is the seat order of the round after c: the same seats, minus the
// withholders of a void round (step 4: a withholder is unseated).
func NextSeats(c *Certificate) []PublicKey {
	out := make([]PublicKey, 0, len(c.Body.Seats))
	for _, k := range c.Body.Seats {
		if !containsKey(c.Body.Withholders, k) {
			out = append(out, k)
		}
	}
	return out
}

// VerifyCertificate checks that cert proves its round for the given seats
// (the seat order of that round: the table's initial seats, then NextSeats
// after each certificate). It verifies every signature, the quorum of
// confirms, the commitments, the reveals against them and the seed. It does
// not re-derive the state hash: that needs the game rules.
func VerifyCertificate(players []PublicKey, cert *Certificate) error {
	if err := verifyCertificate(players, cert, verifySig, certLimits()); err != nil {
		return fmt.Errorf("certificate for table %q round %d: %w", cert.TableID, cert.Round, err)
	}
	return nil
}

// VerifyChain checks a table's certified rounds in order, as an offline
// verifier does: each certificate verifies for the seats of its round (seats
// at the first one, then NextSeats), rounds follow one another, and each
// body builds on the previous state hash (genesis for the first). The error
// names the first round that does not check out. Replaying the game to
// re-derive each StateHash is left to the caller.
func VerifyChain(seats []PublicKey, genesis Hash, certs []Certificate) error {
	prev := genesis
	for i := range certs {
		c := &certs[i]
		if i > 0 && c.Round != certs[i-1].Round+1 {
			return fmt.Errorf("round %d follows round %d: %w", c.Round, certs[i-1].Round, ErrInvalidCertificate)
		}
		if c.Body.Prev != prev {
			return fmt.Errorf("round %d builds on state %s, the chain is at %s: %w", c.Round, c.Body.Prev, prev, ErrInvalidCertificate)
		}
		if err := VerifyCertificate(seats, c); err != nil {
			return err
		}
		seats, prev = NextSeats(c), c.StateHash
	}
	return nil
}

// sigCheck verifies one signature; the node passes a caching version.
type sigCheck func(signer PublicKey, msg, sig []byte) bool

// bodyLimits bounds the lists a body may carry.
type bodyLimits struct {
	maxBets    int
	maxPayload int
}

func certLimits() bodyLimits { return bodyLimits{maxBets: maxWireBets, maxPayload: maxPayloadBytes} }

func verifyCertificate(players []PublicKey, cert *Certificate, check sigCheck, lim bodyLimits) error {
	if err := checkSeats(players); err != nil {
		return err
	}
	if cert.TableID == "" {
		return fmt.Errorf("%w: empty table ID", ErrInvalidCertificate)
	}
	if err := checkBody(cert.TableID, cert.Round, players, &cert.Body, check, lim); err != nil {
		return fmt.Errorf("%w: body: %w", ErrInvalidCertificate, err)
	}
	bodyHash := cert.BodyHash()
	if err := checkConfirms(cert, players, bodyHash, check); err != nil {
		return err
	}
	return checkOpening(cert, check)
}

// checkConfirms: q distinct seated voters confirmed (body, state) in View.
func checkConfirms(cert *Certificate, players []PublicKey, bodyHash Hash, check sigCheck) error {
	seen := make(map[PublicKey]bool, len(cert.Confirms))
	for i := range cert.Confirms {
		v := &cert.Confirms[i]
		switch {
		case v.Kind != VoteConfirm || v.Round != cert.Round || v.View != cert.View:
			return fmt.Errorf("%w: confirm %d is not a confirm of round %d view %d", ErrInvalidCertificate, i, cert.Round, cert.View)
		case v.Body != bodyHash || v.State != cert.StateHash:
			return fmt.Errorf("%w: confirm %d by %s signs another outcome", ErrInvalidCertificate, i, v.Voter.Short())
		case !containsKey(players, v.Voter):
			return fmt.Errorf("%w: confirm %d by %s: %w", ErrInvalidCertificate, i, v.Voter.Short(), ErrNotSeated)
		case seen[v.Voter]:
			return fmt.Errorf("%w: two confirms by %s", ErrInvalidCertificate, v.Voter.Short())
		case !check(v.Voter, v.signedBytes(cert.TableID), v.Sig):
			return fmt.Errorf("%w: confirm by %s: %w", ErrInvalidCertificate, v.Voter.Short(), ErrBadSignature)
		}
		seen[v.Voter] = true
	}
	if q := Quorum(len(players)); len(seen) < q {
		return fmt.Errorf("%w: %d confirms, quorum is %d", ErrInvalidCertificate, len(seen), q)
	}
	return nil
}

// checkOpening: a roll opens every commitment and the seed is their hash; a
// void opens nothing.
func checkOpening(cert *Certificate, check sigCheck) error {
	if cert.Body.Kind == BodyVoid {
		if len(cert.Reveals) != 0 || cert.Seed != (Hash{}) {
			return fmt.Errorf("%w: a void round carries reveals or a seed", ErrInvalidCertificate)
		}
		return nil
	}
	if len(cert.Reveals) != len(cert.Body.Commitments) {
		return fmt.Errorf("%w: %d reveals for %d commitments", ErrInvalidCertificate, len(cert.Reveals), len(cert.Body.Commitments))
	}
	for i := range cert.Reveals {
		if err := checkReveal(cert.TableID, &cert.Body.Commitments[i], &cert.Reveals[i], check); err != nil {
			return fmt.Errorf("%w: reveal %d: %w", ErrInvalidCertificate, i, err)
		}
	}
	if seed := SeedOf(cert.TableID, cert.Round, cert.Reveals); seed != cert.Seed {
		return fmt.Errorf("%w: seed %s, reveals give %s", ErrInvalidCertificate, cert.Seed, seed)
	}
	return nil
}

// checkReveal: r is signed by the committed player and opens c.
func checkReveal(table string, c *Commitment, r *Reveal, check sigCheck) error {
	switch {
	case r.Player != c.Player || r.Round != c.Round:
		return fmt.Errorf("reveal by %s for round %d does not answer the commitment of %s: %w", r.Player.Short(), r.Round, c.Player.Short(), ErrMalformed)
	case CommitmentOf(table, r.Round, r.Player, r.Secret) != c.Hash:
		return fmt.Errorf("reveal by %s does not match its commitment: %w", r.Player.Short(), ErrMalformed)
	case !check(r.Player, r.signedBytes(table), r.Sig):
		return fmt.Errorf("reveal by %s: %w", r.Player.Short(), ErrBadSignature)
	}
	return nil
}

func checkSeats(players []PublicKey) error {
	if len(players) == 0 || len(players) > maxSeats {
		return fmt.Errorf("%d players, want 1..%d: %w", len(players), maxSeats, ErrConfig)
	}
	seen := make(map[PublicKey]bool, len(players))
	for _, k := range players {
		if seen[k] {
			return fmt.Errorf("player %s seated twice: %w", k.Short(), ErrConfig)
		}
		seen[k] = true
	}
	return nil
}

func containsKey(ks []PublicKey, k PublicKey) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func sameKeys(a, b []PublicKey) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
