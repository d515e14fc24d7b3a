package game

import (
	"fmt"
	"maps"
	"sort"
)

// ledgerModel is the ledger of one table as internal/ledger keeps it
// (chips per player, the bank, wallets), driven the way the table actor
// drives the real one: a Settle op per certified round (chips ⇄ bank by
// the settlement's deltas, idempotent by round), then a CashOut per
// leaver. It refuses what the real ledger refuses (a negative balance, a
// Settle op without outcomes, a delta for a player that never bought in),
// and check() is DESIGN.md's invariant: Σ wallets + Σ chips + bank = Σ
// grants, nothing negative.
type ledgerModel struct {
	grants  int64
	wallet  map[string]int64
	chips   map[string]int64
	bank    int64
	settled map[uint64]Settlement
}

// newLedgerModel grants every seat its chips and the host the bank, and
// applies the buy-ins and the bank funding.
func newLedgerModel(g Genesis) *ledgerModel {
	l := &ledgerModel{wallet: make(map[string]int64), chips: make(map[string]int64), settled: make(map[uint64]Settlement)}
	for _, s := range g.Seats {
		l.grants += s.Chips
		l.chips[s.Player.String()] = s.Chips
	}
	l.grants += g.Bank
	l.bank = g.Bank
	return l
}

// settle applies a round's Settle op, then the leavers' cash-outs. A
// second settlement of a round must be identical (op ids are idempotent).
func (l *ledgerModel) settle(s Settlement) error {
	if prev, ok := l.settled[s.Round]; ok {
		if fmt.Sprint(prev.Outcomes, prev.BankDelta) != fmt.Sprint(s.Outcomes, s.BankDelta) {
			return fmt.Errorf("round %d settled twice, differently: %v then %v", s.Round, prev.Outcomes, s.Outcomes)
		}
		return nil
	}
	if len(s.Outcomes) == 0 || len(s.Outcomes) > 64 {
		return fmt.Errorf("round %d: %d outcomes, the ledger takes 1..64", s.Round, len(s.Outcomes))
	}
	var net int64
	next := make(map[string]int64)
	for _, o := range s.Outcomes {
		bal, ok := l.chips[o.Player]
		if !ok {
			return fmt.Errorf("round %d: %s never bought in", s.Round, o.Player[:8])
		}
		if _, dup := next[o.Player]; dup || bal+o.Delta < 0 {
			return fmt.Errorf("round %d: %s has %d chips, delta %d (or listed twice)", s.Round, o.Player[:8], bal, o.Delta)
		}
		next[o.Player] = bal + o.Delta
		net += o.Delta
	}
	if net+s.BankDelta != 0 || l.bank-net < 0 {
		return fmt.Errorf("round %d: players %+d, bank %+d from %d", s.Round, net, s.BankDelta, l.bank)
	}
	for p, v := range next {
		l.chips[p] = v
	}
	l.bank -= net
	l.settled[s.Round] = s
	for _, lv := range s.Leavers {
		if err := l.cashOut(lv.Player, lv.Chips); err != nil {
			return fmt.Errorf("round %d: %w", s.Round, err)
		}
	}
	return nil
}

func (l *ledgerModel) cashOut(p string, amount int64) error {
	if l.chips[p] != amount {
		return fmt.Errorf("%s cashes out %d but holds %d chips", p[:8], amount, l.chips[p])
	}
	l.chips[p] -= amount
	l.wallet[p] += amount
	return nil
}

// clone is a copy to dissolve while the original plays on.
func (l *ledgerModel) clone() *ledgerModel {
	c := *l
	c.wallet, c.chips = maps.Clone(l.wallet), maps.Clone(l.chips)
	return &c
}

// dissolve applies a Dissolve op as internal/ledger does: every payout's
// player must hold exactly its Chips, the payouts and the bank's share
// must add up to the chips and the bank they replace, and then each
// player's chips go to its wallet as its payout and the bank to the host.
func (l *ledgerModel) dissolve(d Dissolution) error {
	held, paid := l.bank, d.BankPayout
	for _, p := range d.Payouts {
		if l.chips[p.Player] != p.Chips {
			return fmt.Errorf("%s: payout for %d chips, the ledger holds %d", p.Player[:8], p.Chips, l.chips[p.Player])
		}
		held += p.Chips
		paid += p.Amount
	}
	if held != paid || l.bank != d.Bank {
		return fmt.Errorf("dissolution pays %d for %d held (bank %d, the ledger's %d)", paid, held, d.Bank, l.bank)
	}
	for _, p := range d.Payouts {
		l.chips[p.Player] = 0
		l.wallet[p.Player] += p.Amount
	}
	l.bank = 0
	l.wallet["host"] += d.BankPayout
	return nil
}

func (l *ledgerModel) check() error {
	sum := l.bank
	if l.bank < 0 {
		return fmt.Errorf("bank %d", l.bank)
	}
	for _, m := range []map[string]int64{l.wallet, l.chips} {
		for p, v := range m {
			if v < 0 {
				return fmt.Errorf("%s has %d", p[:8], v)
			}
			sum += v
		}
	}
	if sum != l.grants {
		return fmt.Errorf("Σ wallets + chips + bank = %d, Σ grants = %d", sum, l.grants)
	}
	return nil
}

// matches checks the ledger against the table state h: each seated
// player's ledger chips are its chips in hand plus its stakes, and the bank
// is the table's bank.
func (l *ledgerModel) matches(a *App, h [32]byte) error {
	st, err := a.state(h)
	if err != nil {
		return err
	}
	cs := st.craps
	if l.bank != cs.Bank() {
		return fmt.Errorf("ledger bank %d, table bank %d", l.bank, cs.Bank())
	}
	seated := make(map[string]bool)
	for _, p := range cs.Players() {
		held := p.Chips
		for _, w := range cs.WagersOf(p.ID) {
			held += w.Stake
		}
		if l.chips[p.ID] != held {
			return fmt.Errorf("%s: ledger chips %d, table %d in hand + stakes = %d", p.ID[:8], l.chips[p.ID], p.Chips, held)
		}
		seated[p.ID] = true
	}
	var gone []string
	for p, v := range l.chips {
		if !seated[p] && v != 0 {
			gone = append(gone, fmt.Sprintf("%s:%d", p[:8], v))
		}
	}
	if len(gone) > 0 {
		sort.Strings(gone)
		return fmt.Errorf("players no longer seated still hold chips: %v", gone)
	}
	return nil
}
