package bft

import "fmt"

// checkBody checks a body's form against the round's seats: everything that
// needs no application state. Lists must be in canonical order (seat order,
// then bet sequence) so that one set of bets and commitments has exactly one
// body hash.
func checkBody(table string, round uint64, seats []PublicKey, b *Body, check sigCheck, lim bodyLimits) error {
	if b.Kind != BodyRoll && b.Kind != BodyVoid {
		return fmt.Errorf("body kind %d: %w", b.Kind, ErrMalformed)
	}
	if !sameKeys(b.Seats, seats) {
		return fmt.Errorf("body seats differ from the table's seats for round %d: %w", round, ErrMalformed)
	}
	seat := seatIndex(seats)
	if err := checkCommitments(table, round, seat, b.Commitments, check); err != nil {
		return err
	}
	if err := checkBets(table, round, seat, b.Bets, check, lim); err != nil {
		return err
	}
	return checkWithholders(seat, b)
}

func seatIndex(seats []PublicKey) map[PublicKey]int {
	m := make(map[PublicKey]int, len(seats))
	for i, k := range seats {
		m[k] = i
	}
	return m
}

func checkCommitments(table string, round uint64, seat map[PublicKey]int, cs []Commitment, check sigCheck) error {
	if q := Quorum(len(seat)); len(cs) < q {
		return fmt.Errorf("%d commitments, quorum is %d: %w", len(cs), q, ErrMalformed)
	}
	last := -1
	for i := range cs {
		c := &cs[i]
		idx, ok := seat[c.Player]
		switch {
		case !ok:
			return fmt.Errorf("commitment %d by %s: %w", i, c.Player.Short(), ErrNotSeated)
		case idx <= last:
			return fmt.Errorf("commitment %d by %s out of seat order: %w", i, c.Player.Short(), ErrMalformed)
		case c.Round != round:
			return fmt.Errorf("commitment %d is for round %d, not %d: %w", i, c.Round, round, ErrMalformed)
		case !check(c.Player, c.signedBytes(table), c.Sig):
			return fmt.Errorf("commitment by %s: %w", c.Player.Short(), ErrBadSignature)
		}
		last = idx
	}
	return nil
}

func checkBets(table string, round uint64, seat map[PublicKey]int, bets []Bet, check sigCheck, lim bodyLimits) error {
	if len(bets) > lim.maxBets {
		return fmt.Errorf("%d bets, limit %d: %w", len(bets), lim.maxBets, ErrLimit)
	}
	lastSeat, lastSeq := -1, uint64(0)
	for i := range bets {
		b := &bets[i]
		idx, ok := seat[b.Bettor]
		switch {
		case !ok:
			return fmt.Errorf("bet %d by %s: %w", i, b.Bettor.Short(), ErrNotSeated)
		case idx < lastSeat || (idx == lastSeat && b.Seq <= lastSeq):
			return fmt.Errorf("bet %d by %s out of order: %w", i, b.Bettor.Short(), ErrMalformed)
		case b.Round != round:
			return fmt.Errorf("bet %d is for round %d, not %d: %w", i, b.Round, round, ErrMalformed)
		case len(b.Payload) > lim.maxPayload:
			return fmt.Errorf("bet %d payload of %d bytes, limit %d: %w", i, len(b.Payload), lim.maxPayload, ErrLimit)
		case !check(b.Bettor, b.signedBytes(table), b.Sig):
			return fmt.Errorf("bet by %s: %w", b.Bettor.Short(), ErrBadSignature)
		}
		lastSeat, lastSeq = idx, b.Seq
	}
	return nil
}

func checkWithholders(seat map[PublicKey]int, b *Body) error {
	if b.Kind == BodyRoll {
		if len(b.Withholders) != 0 {
			return fmt.Errorf("a roll body names withholders: %w", ErrMalformed)
		}
		return nil
	}
	if len(b.Withholders) == 0 {
		return fmt.Errorf("a void body names no withholder: %w", ErrMalformed)
	}
	committed := b.Committed()
	last := -1
	for _, w := range b.Withholders {
		idx := seat[w]
		if !containsKey(committed, w) || idx <= last {
			return fmt.Errorf("withholder %s is not a committed player in seat order: %w", w.Short(), ErrMalformed)
		}
		last = idx
	}
	return nil
}

// voidOf is the void body for a locked roll body with the given withholders.
func voidOf(roll *Body, withholders []PublicKey) Body {
	v := *roll
	v.Kind = BodyVoid
	v.Withholders = withholders
	return v
}
