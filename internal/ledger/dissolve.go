package ledger

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// Dissolving a table (DESIGN.md "Table lifecycle", Dissolved). Each node
// derives the Dissolve op itself from the table's last certified state
// (game.Dissolution): Outcomes pay each listed player, Amount pays the
// host. Applying it moves each listed player's chips at the table to its
// wallet as its payout, and the bank to the host's wallet, and closes the
// table for good. The payouts must add up to exactly the money they
// replace — the listed players' chips plus the bank — or the op is refused
// (ErrNotConserved): a dissolution redistributes a table's money, it never
// creates or destroys any. Chips of players the op does not name (a
// leaver whose cash-out has not arrived yet) stay where they are, for
// their owner's own CashOut.
//
// A node may dissolve at round r and then learn the certificate of round
// r+1, whose confirms were already out. It then derives the dissolution at
// r+1, and that op replaces the one at r: each wallet moves by the
// difference between the two payouts (the host's by the difference of the
// bank's payouts), refused whole if any wallet would go negative. A player
// only the new one names is paid from its chips; one only the old one
// named keeps what it was paid. The payouts must again add up to what they
// replace (the old payouts of the players both name, the chips of the
// others, the old bank payout). A dissolution for a lower round than the
// standing one, or than the last round settled, is refused
// (ErrSuperseded); the same op again is a duplicate, as every op is;
// another op for the same round is a conflict. Rounds certified but not
// yet settled are subsumed: the payouts are absolute, and the settlements
// of the players they name only move money among them and the bank.
//
// A dissolved table takes no more settlements or bank ops
// (ErrTableDissolved): a node holding a later certificate re-derives the
// dissolution from it instead. A buy-in that crossed the dissolution is
// taken, as at a closed table (knownTable: replicas may see the two in
// either order); its player, and any whose chips the dissolution did not
// pay, may only cash them out.

func dissolve(t *txn, op Op) error {
	s, found, err := t.table(op.Table)
	switch {
	case err != nil:
		return err
	case !found:
		return fmt.Errorf("%w: %q", ErrUnknownTable, op.Table)
	}
	prev, dissolved, err := t.dissolution(op.Table)
	switch {
	case err != nil:
		return err
	case dissolved && op.Round < prev.Round:
		return fmt.Errorf("%w: table %q is dissolved at round %d; the dissolution at round %d does not replace it",
			ErrSuperseded, op.Table, prev.Round, op.Round)
	case dissolved && op.Round == prev.Round:
		return fmt.Errorf("%w: table %q is already dissolved at round %d by op %s, with other payouts",
			ErrConflictingOp, op.Table, op.Round, prev.ID())
	case !dissolved && s.Closed:
		return fmt.Errorf("%w: %q (its bank was closed)", ErrTableClosed, op.Table)
	case op.Round < s.LastRound:
		return fmt.Errorf("%w: table %q is settled through round %d; a dissolution at round %d would undo it",
			ErrSuperseded, op.Table, s.LastRound, op.Round)
	}
	wallets := walletMoves{}
	held, err := dissolvePlayers(t, op, prev, dissolved, wallets)
	if err != nil {
		return err
	}
	bankHeld := prev.Amount
	if !dissolved {
		if bankHeld, _, err = t.balance(BankOf(op.Table)); err != nil {
			return err
		}
		if err := t.move(BankOf(op.Table), -bankHeld, op); err != nil {
			return err
		}
	}
	paid := op.Amount
	for _, o := range op.Outcomes {
		paid += o.Delta // each ≤ MaxAmount, at most MaxOutcomes of them: no overflow
	}
	if held+bankHeld != paid {
		return fmt.Errorf("%w: table %q: the dissolution at round %d pays %d micro-CRAP (players %d, bank %d), but replaces %d (players %d, bank %d)",
			ErrNotConserved, op.Table, op.Round, paid, paid-op.Amount, op.Amount, held+bankHeld, held, bankHeld)
	}
	wallets.add(s.Host, op.Amount-prev.Amount)
	if err := wallets.apply(t, op); err != nil {
		if dissolved {
			return fmt.Errorf("replacing the dissolution of table %q at round %d by round %d: %w", op.Table, prev.Round, op.Round, err)
		}
		return err
	}
	s.Closed = true
	t.setTable(op.Table, s)
	return nil
}

// dissolvePlayers stages the players' side: what each listed player held
// before (its old payout if the standing dissolution prev named it, else
// its chips, which go to zero) and the move of its wallet. It returns the
// sum of what they held.
func dissolvePlayers(t *txn, op, prev Op, dissolved bool, wallets walletMoves) (int64, error) {
	paidBefore := make(map[identity.PeerID]int64, len(prev.Outcomes)) // lookups only
	if dissolved {
		for _, o := range prev.Outcomes {
			paidBefore[o.Player] = o.Delta
		}
	}
	var held int64
	for _, o := range op.Outcomes {
		if before, ok := paidBefore[o.Player]; ok {
			held += before
			wallets.add(o.Player, o.Delta-before)
			continue
		}
		chips := ChipsOf(op.Table, o.Player)
		bal, found, err := t.balance(chips)
		if err != nil || !found {
			if err == nil {
				err = fmt.Errorf("%w: %s never bought in", ErrUnknownAccount, chips)
			}
			return 0, err
		}
		if err := t.move(chips, -bal, op); err != nil {
			return 0, err
		}
		held += bal
		wallets.add(o.Player, o.Delta)
	}
	return held, nil
}

// walletMoves sums what each wallet gets before any moves, so that a host
// that also sits at its table is checked once on its net change.
type walletMoves map[identity.PeerID]int64 // lookups; applied in sorted order

func (w walletMoves) add(owner identity.PeerID, delta int64) { w[owner] += delta }

// apply moves each wallet, in owner order (money first, refusals named
// deterministically).
func (w walletMoves) apply(t *txn, op Op) error {
	owners := make([]identity.PeerID, 0, len(w))
	for o := range w {
		owners = append(owners, o)
	}
	slices.SortFunc(owners, func(a, b identity.PeerID) int { return cmp.Compare(a, b) })
	for _, o := range owners {
		if w[o] == 0 {
			continue
		}
		if err := t.move(WalletOf(o), w[o], op); err != nil {
			return err
		}
	}
	return nil
}

// dissolution is the table's standing Dissolve op, if it was dissolved.
func (t *txn) dissolution(table string) (Op, bool, error) {
	id, found, err := t.slotHolder(dissolutionKey(table))
	if err != nil || !found {
		return Op{}, false, err
	}
	op, err := t.opByID(id)
	return op, true, err
}

// closedError says why a closed table refuses an op: dissolved, or its
// bank closed by its host.
func (t *txn) closedError(table string) error {
	prev, dissolved, err := t.dissolution(table)
	switch {
	case err != nil:
		return err
	case dissolved:
		return fmt.Errorf("%w: %q at round %d", ErrTableDissolved, table, prev.Round)
	}
	return fmt.Errorf("%w: %q", ErrTableClosed, table)
}
