package ledger

import (
	"bytes"
	"fmt"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// CertificateVerifier checks the certificate of a settlement. Consensus
// supplies it; a nil verifier accepts every certificate. It is called from
// several goroutines at once (certificates of one batch are checked in
// parallel), so it must be safe for concurrent use.
type CertificateVerifier interface {
	VerifyCertificate(op Op) error
}

// Change is one balance an op moved.
type Change struct {
	Account Account `json:"account"`
	Delta   int64   `json:"delta"`
	Balance int64   `json:"balance"`
}

// Applied is the outcome of an op the ledger accepted.
type Applied struct {
	ID OpID `json:"id"`
	// Index is the op's position in the op log.
	Index uint64 `json:"index"`
	// Duplicate: the op was applied before; nothing changed this time.
	Duplicate bool `json:"duplicate"`
	Op        Op   `json:"op"`
	// Changes lists the balances moved (empty for a duplicate).
	Changes []Change `json:"changes,omitempty"`
}

// Evidence is proof that an owner signed two different ops for one
// sequence number: First was applied, Second arrived later.
type Evidence struct {
	Owner identity.PeerID `json:"owner"`
	Seq   uint64          `json:"seq"`
	// Index is the evidence's position in the op log.
	Index  uint64 `json:"index"`
	First  Op     `json:"first"`
	Second Op     `json:"second"`
}

// rules carries what applying an op needs besides the store.
type rules struct {
	certs CertificateVerifier
	// money decides which grants create money (money.go).
	money Money
	// onEvidence is told of new evidence (nil in replay).
	onEvidence func(Evidence)
	// authorityChecked: the caller checked signatures and certificates
	// already, in parallel (the committer per batch, the replay per chunk).
	authorityChecked bool
}

// apply applies one op to base. On a refusal nothing is written, except
// that equivocation writes its evidence and the freeze.
func (r rules) apply(base kv, op Op) (Applied, error) {
	op = op.normalized()
	if err := op.validate(); err != nil {
		return Applied{}, err
	}
	if !r.authorityChecked {
		if err := r.checkAuthority(op); err != nil {
			return Applied{}, err
		}
	}
	id := op.ID()
	t := newTxn(base)
	if a, done, err := duplicate(t, op, id); done || err != nil {
		return a, err
	}
	if op.Kind.signed() {
		if err := r.checkSequence(t, op, id); err != nil {
			return Applied{}, err
		}
	}
	if err := effect(t, op); err != nil {
		return Applied{}, err
	}
	return commitOp(t, op, id)
}

func (r rules) checkAuthority(op Op) error {
	if op.Kind.signed() {
		return op.verifySignature()
	}
	if op.Kind == KindGrant {
		return r.money.admitGrant(op)
	}
	if op.Kind == KindSettle && r.certs != nil {
		if err := r.certs.VerifyCertificate(op); err != nil {
			return fmt.Errorf("%w: table %q round %d: %w", ErrBadCertificate, op.Table, op.Round, err)
		}
	}
	return nil
}

// duplicate answers an op whose id was applied before: the same bytes are a
// no-op, and so is a settlement of the same result under another valid
// certificate (two quorums of one round's confirms: both were checked
// before we get here); another signature on a signed op is a conflict.
func duplicate(t *txn, op Op, id OpID) (Applied, bool, error) {
	index, rec, found, err := t.appliedOp(id)
	if err != nil || !found {
		return Applied{}, false, err
	}
	if op.Kind != KindSettle && !bytes.Equal(rec, encodeRecord(op)) {
		return Applied{}, true, fmt.Errorf("%w: op %s was applied with a different signature or certificate", ErrConflictingOp, id)
	}
	return Applied{ID: id, Index: index, Duplicate: true, Op: op}, true, nil
}

// checkSequence enforces one signed op per (owner, seq), seqs without gaps,
// and turns a second op for a used slot into evidence.
func (r rules) checkSequence(t *txn, op Op, id OpID) error {
	frozen, err := t.frozen(op.Owner)
	if err != nil {
		return err
	}
	if frozen {
		return fmt.Errorf("%w: %s is frozen by equivocation evidence", ErrFrozen, op.Owner)
	}
	last, _, err := t.getU64(seqKey(op.Owner), "seq")
	if err != nil {
		return err
	}
	if op.Seq > last+1 {
		return fmt.Errorf("%w: %s: seq %d, want %d", ErrSequenceGap, op.Owner, op.Seq, last+1)
	}
	if op.Seq == last+1 {
		return nil
	}
	firstID, found, err := t.slotHolder(signedSlotKey(op.Owner, op.Seq))
	if err != nil {
		return err
	}
	if !found {
		return internalError{fmt.Errorf("%w: %s seq %d below %d has no op", ErrCorrupt, op.Owner, op.Seq, last)}
	}
	first, err := t.opByID(firstID)
	if err != nil {
		return err
	}
	ev, err := recordEvidence(t, first, op)
	if err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	if r.onEvidence != nil {
		r.onEvidence(ev)
	}
	return fmt.Errorf("%w: %s signed two different ops for seq %d (%s, then %s); account frozen, evidence stored at log index %d",
		ErrEquivocation, op.Owner, op.Seq, firstID, id, ev.Index)
}

func recordEvidence(t *txn, first, second Op) (Evidence, error) {
	index, err := t.appendLog(encodeEvidenceEntry(first, second))
	if err != nil {
		return Evidence{}, err
	}
	t.setU64(frozenKey(second.Owner), index)
	return Evidence{Owner: second.Owner, Seq: second.Seq, Index: index, First: first, Second: second}, nil
}

// effect stages an op's balance moves after checking the table and the
// owner's standing.
func effect(t *txn, op Op) error {
	switch op.Kind {
	case KindGrant:
		return grant(t, op)
	case KindBuyIn:
		if err := knownTable(t, op.Table); err != nil {
			return err
		}
		return moveBoth(t, op, WalletOf(op.Owner), ChipsOf(op.Table, op.Owner), op.Amount)
	case KindCashOut:
		return moveBoth(t, op, ChipsOf(op.Table, op.Owner), WalletOf(op.Owner), op.Amount)
	case KindFundBank:
		return fundBank(t, op)
	case KindCloseBank:
		return closeBank(t, op)
	case KindSettle:
		return settle(t, op)
	case KindDissolve:
		return dissolve(t, op)
	}
	return fmt.Errorf("%w: kind %d", ErrInvalidOp, op.Kind)
}

// knownTable refuses a buy-in at a table never funded, but not at a closed
// one: a player's buy-in and its host's CloseBank are signed by two owners,
// so replicas may apply them in either order, and refusing one order would
// leave the player's later ops behind a sequence gap on some replicas only.
// Chips at a closed table can only be cashed out.
func knownTable(t *txn, id string) error {
	_, found, err := t.table(id)
	if err == nil && !found {
		err = fmt.Errorf("%w: %q", ErrUnknownTable, id)
	}
	return err
}

func moveBoth(t *txn, op Op, from, to Account, amount int64) error {
	if err := t.move(from, -amount, op); err != nil {
		return err
	}
	return t.move(to, amount, op)
}

func grant(t *txn, op Op) error {
	// A treasury may grant one identity many times (each grant its own
	// id); a play-money grant is once per identity.
	if holder, found, err := t.slotHolder(slotKey(op)); !op.TreasuryGrantOp() && (err != nil || found) {
		if err == nil {
			err = fmt.Errorf("%w: %s already has its genesis grant (op %s)", ErrConflictingOp, op.Owner, holder)
		}
		return err
	}
	total, _, err := t.getU64([]byte(keyGrants), "total grants")
	if err != nil {
		return err
	}
	next, ok := addChecked(int64(total), op.Amount)
	if !ok {
		return fmt.Errorf("%w: total grants %d + %d", ErrOverflow, total, op.Amount)
	}
	t.setU64([]byte(keyGrants), uint64(next))
	return t.move(WalletOf(op.Owner), op.Amount, op)
}

func fundBank(t *txn, op Op) error {
	s, found, err := t.table(op.Table)
	switch {
	case err != nil:
		return err
	case !found:
		t.setTable(op.Table, tableState{Host: op.Owner})
	case s.Host != op.Owner:
		return fmt.Errorf("%w: table %q is hosted by %s, not %s", ErrNotHost, op.Table, s.Host, op.Owner)
	case s.Closed:
		return t.closedError(op.Table)
	}
	return moveBoth(t, op, WalletOf(op.Owner), BankOf(op.Table), op.Amount)
}

func closeBank(t *txn, op Op) error {
	s, err := t.openTable(op.Table)
	if err != nil {
		return err
	}
	if s.Host != op.Owner {
		return fmt.Errorf("%w: table %q is hosted by %s, not %s", ErrNotHost, op.Table, s.Host, op.Owner)
	}
	bank, _, err := t.balance(BankOf(op.Table))
	if err != nil {
		return err
	}
	s.Closed = true
	t.setTable(op.Table, s)
	return moveBoth(t, op, BankOf(op.Table), WalletOf(op.Owner), bank)
}

// settle moves each player's delta between its chips and the bank. The bank
// moves once by the net amount, so the order of outcomes cannot matter.
func settle(t *txn, op Op) error {
	s, err := t.openTable(op.Table)
	if err != nil {
		return err
	}
	if holder, found, err := t.slotHolder(slotKey(op)); err != nil || found {
		if err == nil {
			err = fmt.Errorf("%w: table %q round %d is already settled by op %s", ErrConflictingOp, op.Table, op.Round, holder)
		}
		return err
	}
	var net int64
	for _, o := range op.Outcomes {
		chips := ChipsOf(op.Table, o.Player)
		if _, found, err := t.balance(chips); err != nil || !found {
			if err == nil {
				err = fmt.Errorf("%w: %s never bought in", ErrUnknownAccount, chips)
			}
			return err
		}
		if err := t.move(chips, o.Delta, op); err != nil {
			return err
		}
		net += o.Delta // |delta| ≤ MaxAmount and ≤ MaxOutcomes of them: no overflow
	}
	if err := t.move(BankOf(op.Table), -net, op); err != nil {
		return err
	}
	s.LastRound = max(s.LastRound, op.Round)
	t.setTable(op.Table, s)
	return nil
}

// commitOp checks that the op conserved money, logs it, claims its slot and
// writes everything through.
func commitOp(t *txn, op Op, id OpID) (Applied, error) {
	var sum int64
	for _, c := range t.changes {
		sum += c.Delta
	}
	if want := grantAmount(op); sum != want {
		return Applied{}, internalError{fmt.Errorf("%w: %s op %s moves a net %d, want %d", ErrCorrupt, op.Kind, id, sum, want)}
	}
	index, err := t.appendLog(encodeOpEntry(op))
	if err != nil {
		return Applied{}, err
	}
	t.setU64(opKey(id), index)
	t.set(slotKey(op), id[:])
	if op.Kind.signed() {
		t.setU64(seqKey(op.Owner), op.Seq)
	}
	if err := t.flush(); err != nil {
		return Applied{}, err
	}
	return Applied{ID: id, Index: index, Op: op, Changes: t.changes}, nil
}

func grantAmount(op Op) int64 {
	if op.Kind == KindGrant {
		return op.Amount
	}
	return 0
}

// replayEvidence re-checks a logged evidence entry (signatures aside: the
// replay checks them) and applies its freeze.
func replayEvidence(base kv, first, second Op) error {
	for _, op := range []Op{first, second} {
		if err := op.validate(); err != nil {
			return err
		}
		if !op.Kind.signed() {
			return fmt.Errorf("%w: evidence holds an unsigned %s op", ErrCorrupt, op.Kind)
		}
	}
	if first.Owner != second.Owner || first.Seq != second.Seq || first.ID() == second.ID() {
		return fmt.Errorf("%w: evidence ops are not two different ops for one owner and seq", ErrCorrupt)
	}
	t := newTxn(base)
	holder, found, err := t.slotHolder(signedSlotKey(first.Owner, first.Seq))
	if err != nil {
		return err
	}
	if !found || holder != first.ID() {
		return fmt.Errorf("%w: evidence's first op %s is not the applied op for %s seq %d", ErrCorrupt, first.ID(), first.Owner, first.Seq)
	}
	if frozen, err := t.frozen(first.Owner); err != nil || frozen {
		if err == nil {
			err = fmt.Errorf("%w: %s frozen twice", ErrCorrupt, first.Owner)
		}
		return err
	}
	if _, err := recordEvidence(t, first, second); err != nil {
		return err
	}
	return t.flush()
}
