package ledger

import "errors"

// Refusals: the op was not applied and nothing changed (except for
// ErrEquivocation, which stores its evidence and freezes the owner).
var (
	// ErrInvalidOp means an op is malformed; the message names the field.
	ErrInvalidOp = errors.New("ledger: invalid op")
	// ErrBadSignature means an owner-signed op does not verify under the
	// owner's key.
	ErrBadSignature = errors.New("ledger: bad signature")
	// ErrBadCertificate means the CertificateVerifier rejected a settlement.
	ErrBadCertificate = errors.New("ledger: bad certificate")
	// ErrInsufficientFunds means an op would make a balance negative.
	ErrInsufficientFunds = errors.New("ledger: insufficient funds")
	// ErrFrozen means the owner is frozen by equivocation evidence.
	ErrFrozen = errors.New("ledger: account frozen")
	// ErrEquivocation means the op and an applied op carry one owner and one
	// sequence number but differ: the owner is now frozen, evidence stored.
	ErrEquivocation = errors.New("ledger: equivocation")
	// ErrConflictingOp means an op's id (or its slot: one genesis grant per
	// identity, one settlement per table round) is taken by different
	// content.
	ErrConflictingOp = errors.New("ledger: conflicting op")
	// ErrSequenceGap means an owner-signed op skips sequence numbers.
	ErrSequenceGap = errors.New("ledger: sequence gap")
	// ErrUnknownTable means the op names a table whose bank was never funded.
	ErrUnknownTable = errors.New("ledger: unknown table")
	// ErrTableClosed means the table's bank is closed.
	ErrTableClosed = errors.New("ledger: table closed")
	// ErrNotHost means a bank op is signed by someone other than the host.
	ErrNotHost = errors.New("ledger: not the table host")
	// ErrUnknownAccount means a settlement names a player with no chips
	// account at the table (never bought in).
	ErrUnknownAccount = errors.New("ledger: unknown account")
	// ErrOverflow means an amount would exceed the ledger's range.
	ErrOverflow = errors.New("ledger: amount overflow")
	// ErrTableDissolved means the table was dissolved: it takes no more
	// settlements, buy-ins or bank ops. A node that learns a later
	// certificate derives the dissolution at that round instead (a
	// Dissolve op replaces an earlier one).
	ErrTableDissolved = errors.New("ledger: table dissolved")
	// ErrSuperseded means a Dissolve op is for a round below the one the
	// table is already dissolved at, or below its last settled round: the
	// later state stands.
	ErrSuperseded = errors.New("ledger: dissolution superseded")
	// ErrNotConserved means a Dissolve op pays out another sum than the
	// table holds (chips of the listed players + bank, or the payouts of
	// the dissolution it replaces).
	ErrNotConserved = errors.New("ledger: payouts do not match the table's money")
)

// Conditions of the ledger itself rather than of one op.
var (
	// ErrHalted means the ledger stopped accepting writes after a failure
	// it cannot vouch for (a failed sync, corrupt stored state, a broken
	// invariant). Reads still work, so the damage can be inspected.
	ErrHalted = errors.New("ledger: halted")
	// ErrCorrupt means stored data is not what the ledger wrote.
	ErrCorrupt = errors.New("ledger: corrupt store")
	// ErrClosed means the ledger was closed.
	ErrClosed = errors.New("ledger: closed")
	// ErrBusy means the write queue is full; try again later.
	ErrBusy = errors.New("ledger: busy")
	// ErrReadOnly means a write was sent to a ledger opened read-only.
	ErrReadOnly = errors.New("ledger: read-only")
	// ErrDataDirInUse means another process (a running node) holds the store.
	ErrDataDirInUse = errors.New("ledger: data dir in use")
	// ErrRestoreIncomplete means a snapshot restore was interrupted; run it
	// again before opening the store.
	ErrRestoreIncomplete = errors.New("ledger: snapshot restore incomplete")
	// ErrSnapshotNotFound means no snapshot has the given name.
	ErrSnapshotNotFound = errors.New("ledger: snapshot not found")
	// ErrSnapshotInvalid means a snapshot fails verification.
	ErrSnapshotInvalid = errors.New("ledger: snapshot invalid")
)

// internalError marks a failure of the ledger (I/O, corruption, a broken
// invariant) as opposed to a refusal of one op: the committer halts on it.
type internalError struct{ err error }

func (e internalError) Error() string { return e.err.Error() }
func (e internalError) Unwrap() error { return e.err }

func isInternal(err error) bool {
	var ie internalError
	return errors.As(err, &ie)
}
