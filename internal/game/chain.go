package game

import (
	"fmt"
	"slices"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// Chain follows one table's certified history from its genesis and checks
// every step of it, trusting no one: each certificate must be the next
// round, build on the state the chain reached, be signed by a quorum of the
// table's seats of that round, and replay to its certified state hash; each
// unseating must be proved by the votes of every remaining seat. Only then
// does it yield the round's Settlement.
//
// It is what a node that does not sit at a table keeps to accept that
// table's settlements into its ledger (a Settle op is applied only as the
// chain derived it), and what Verify runs over an export.
type Chain struct {
	app      *App
	seats    []bft.PublicKey // the seats of round next
	excluded []bft.PublicKey // every player unseated so far, sorted
	prev     bft.Hash        // the state round next builds on
	next     uint64
}

// NewChain starts a chain at the table's genesis.
func NewChain(g Genesis) (*Chain, error) {
	app, err := NewApp(g)
	if err != nil {
		return nil, err
	}
	return &Chain{app: app, seats: g.Players(), prev: app.GenesisHash(), next: 1}, nil
}

// Table is the table's ID.
func (c *Chain) Table() string { return c.app.table }

// Next is the round the chain expects a certificate for.
func (c *Chain) Next() uint64 { return c.next }

// StateHash is the state reached (the genesis hash before round 1).
func (c *Chain) StateHash() bft.Hash { return c.prev }

// View is the table at the state the chain reached (the genesis before
// round 1): what a node that does not sit at the table shows of it.
func (c *Chain) View() (View, error) { return c.app.View(c.prev) }

// Ended reports that a certified round dissolved the table (a dissolve
// payload): Next will never come, and Dissolution is what it pays.
func (c *Chain) Ended() bool { return c.app.Ended(c.prev) }

// Seats are the seats of round Next.
func (c *Chain) Seats() []bft.PublicKey { return slices.Clone(c.seats) }

// Unseat applies an unseating at round Next (see unseat.go).
func (c *Chain) Unseat(u *Unseating) error {
	switch {
	case u.Round != c.next:
		return fmt.Errorf("unseating at round %d where round %d is next: %w", u.Round, c.next, ErrOutOfOrder)
	case u.Prev != c.prev:
		return fmt.Errorf("unseating at round %d builds on state %s, the chain is at %s: %w", u.Round, u.Prev, c.prev, ErrBadUnseating)
	}
	if err := u.Verify(c.app.table, c.seats); err != nil {
		return err
	}
	c.excluded = SortedKeys(append(c.excluded, u.Excluded...))
	c.seats = SeatsWithout(c.seats, u.Excluded)
	return nil
}

// Certify checks cert as round Next and, if it checks out, moves the chain
// past it and returns the round's settlement. A refused certificate
// changes nothing.
func (c *Chain) Certify(cert *bft.Certificate) (Settlement, error) {
	switch {
	case cert.TableID != c.app.table:
		return Settlement{}, fmt.Errorf("certificate of table %q at table %q: %w", cert.TableID, c.app.table, ErrStateMismatch)
	case cert.Round != c.next:
		return Settlement{}, fmt.Errorf("certificate of round %d where round %d is next (a round is missing or out of order): %w", cert.Round, c.next, ErrOutOfOrder)
	case cert.Body.Prev != c.prev:
		return Settlement{}, fmt.Errorf("round %d: previous state hash %s, but the rounds before reached %s: %w", cert.Round, cert.Body.Prev, c.prev, ErrStateMismatch)
	}
	if err := bft.VerifyCertificate(c.seats, cert); err != nil {
		return Settlement{}, fmt.Errorf("round %d: %w", cert.Round, err)
	}
	s, err := c.app.Replay(cert)
	if err != nil {
		return Settlement{}, err
	}
	seats, err := c.app.Seats(s.StateHash)
	if err != nil {
		return Settlement{}, fmt.Errorf("seats after round %d: %w", cert.Round, err)
	}
	c.seats = SeatsWithout(seats, c.excluded)
	c.prev = s.StateHash
	c.next++
	return s, nil
}
