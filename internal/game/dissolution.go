package game

import (
	"fmt"
	"slices"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/craps"
)

// Dissolving a table (DESIGN.md "Table lifecycle", Dissolved): a table
// that cannot play on is ended at its last certified state by every node
// on its own, so the rule must be a pure function of that state. Each
// player gets its chips in hand plus the value of each of its open wagers
// (craps.ExpectedReturn: what the wager returns on average if played out,
// rounded down); the bank gets the rest, its balance plus every stake
// minus every value, and goes to its host. Paying each wager its exact
// expected value leaves nobody better off for causing the dissolution: a
// player cannot refund a losing contract by going quiet, nor a host escape
// a winning one. The rounding, under a micro-unit per wager, favours the
// bank, so no money is created: the payouts and the bank's share add up to
// exactly the money at the table, chips in hand + stakes + bank, which is
// what the ledger holds for the table (its chips are chips in hand plus
// stakes, doc.go).

// Dissolution is what a dissolved table pays, derived from the certified
// state StateHash (reached by round Round). The ledger's Dissolve op
// applies it; `bitcraps verify` re-derives it.
type Dissolution struct {
	TableID   string   `json:"table_id"`
	Round     uint64   `json:"round"`
	StateHash bft.Hash `json:"state_hash"`
	// Payouts has one entry per seated player, in seat order, then one per
	// other player with open wagers, sorted by player; zero amounts
	// included.
	Payouts []Payout `json:"payouts"`
	// Bank is the bank's balance at the state (not counting stakes).
	Bank int64 `json:"bank"`
	// BankPayout goes to the host's wallet: Bank + Σ (stake − value) over
	// every open wager.
	BankPayout int64 `json:"bank_payout"`
	// Wagers are the open wagers with their values, in the order they
	// were placed.
	Wagers []ValuedWager `json:"wagers"`
}

// Payout is one player's share of a dissolution.
type Payout struct {
	Player string `json:"player"` // peer ID (lowercase hex)
	// Chips is what the ledger holds for the player at the table: chips
	// in hand + stakes on open wagers (micro-CRAP).
	Chips int64 `json:"chips"`
	// Amount goes to the player's wallet: chips in hand + Σ value of its
	// open wagers (micro-CRAP).
	Amount int64 `json:"amount"`
}

// ValuedWager is one open wager and the value it is settled at.
type ValuedWager struct {
	Wager  uint64 `json:"wager"` // craps wager sequence
	Player string `json:"player"`
	Bet    string `json:"bet"` // craps bet id where the wager stands: "come_8"
	Stake  int64  `json:"stake"`
	Value  int64  `json:"value"` // craps.ExpectedReturn
}

// Dissolution is the dissolution of the table at state h, which the
// application must hold (Replay the certified log to rebuild it).
func (a *App) Dissolution(h bft.Hash) (Dissolution, error) {
	st, err := a.state(h)
	if err != nil {
		return Dissolution{}, err
	}
	d, err := dissolve(st)
	if err != nil {
		return Dissolution{}, fmt.Errorf("dissolve table %s at round %d: %w", a.table, st.round, err)
	}
	d.StateHash = h
	return d, nil
}

// Dissolution is the dissolution of the table at the state the chain has
// reached (StateHash).
func (c *Chain) Dissolution() (Dissolution, error) { return c.app.Dissolution(c.prev) }

func dissolve(st state) (Dissolution, error) {
	cs := st.craps
	values, err := craps.ExpectedReturns(cs)
	if err != nil {
		return Dissolution{}, err
	}
	d := Dissolution{TableID: st.table, Round: st.round, Bank: cs.Bank(), BankPayout: cs.Bank()}
	payouts := map[string]*Payout{} // lookups only; the order is dissolutionOrder's
	for _, p := range cs.Players() {
		payouts[p.ID] = &Payout{Player: p.ID, Chips: p.Chips, Amount: p.Chips}
	}
	for i, w := range cs.Wagers() {
		p := payouts[w.Player]
		if p == nil {
			p = &Payout{Player: w.Player}
			payouts[w.Player] = p
		}
		p.Chips += w.Stake
		p.Amount += values[i]
		d.BankPayout += w.Stake - values[i]
		d.Wagers = append(d.Wagers, ValuedWager{Wager: w.Seq, Player: w.Player, Bet: w.Bet.ID(), Stake: w.Stake, Value: values[i]})
	}
	for _, id := range dissolutionOrder(cs, payouts) {
		d.Payouts = append(d.Payouts, *payouts[id])
	}
	if err := d.checkConserved(total(cs)); err != nil {
		return Dissolution{}, err
	}
	return d, nil
}

// dissolutionOrder is the seat order, then every other player sorted.
func dissolutionOrder(cs craps.State, payouts map[string]*Payout) []string {
	var order, others []string
	for _, p := range cs.Players() {
		order = append(order, p.ID)
	}
	for id := range payouts {
		if !slices.Contains(order, id) {
			others = append(others, id)
		}
	}
	slices.Sort(others)
	return append(order, others...)
}

// checkConserved is the invariant: Σ payouts + the bank's payout is the
// money at the table (chips in hand + stakes + bank), nothing negative. A
// breach is a bug, never bad input.
func (d Dissolution) checkConserved(money int64) error {
	paid, held := d.BankPayout, d.Bank
	for _, p := range d.Payouts {
		if p.Amount < 0 || p.Chips < 0 {
			return fmt.Errorf("%s: payout %d for chips %d: %w", p.Player, p.Amount, p.Chips, ErrInvariant)
		}
		paid += p.Amount
		held += p.Chips
	}
	if d.BankPayout < 0 || paid != money || held != money {
		return fmt.Errorf("payouts %d (bank %d) and holdings %d for %d at the table: %w", paid, d.BankPayout, held, money, ErrInvariant)
	}
	return nil
}
