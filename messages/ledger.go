package messages

import (
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// Requests to the ledger actor. Send each with ctx.Request or RequestFuture:
// the answer goes to the sender, and a request sent without a sender
// (ctx.Send) is applied but answered to no one. Err fields carry the
// ledger's sentinel errors (match them with errors.Is); a ledger that found
// its invariant broken answers writes with ledger.ErrHalted.

// LedgerApply applies one op. Answer: *LedgerApplied, once the op is
// synced to disk (or refused).
type LedgerApply struct {
	Op ledger.Op
}

// LedgerGrantGenesis gives an identity the grant the money policy derives
// on every node alike (ledger.Money.GenesisGrant): the play-money grant the
// first time the identity is seen, a no-op afterwards, and nothing at all
// under a treasury (answered with an empty LedgerApplied). Answer:
// *LedgerApplied.
type LedgerGrantGenesis struct {
	Peer identity.PeerID
}

// LedgerApplied answers LedgerApply and LedgerGrantGenesis.
// Applied.Duplicate is true when the op had been applied before.
type LedgerApplied struct {
	Applied ledger.Applied
	Err     error
}

// LedgerHoldingsRequest asks for an identity's wallet and chips (the body
// of GET /api/v1/balance). Answer: *LedgerHoldings.
type LedgerHoldingsRequest struct {
	Peer identity.PeerID
}

// LedgerHoldings answers LedgerHoldingsRequest.
type LedgerHoldings struct {
	Holdings ledger.Holdings
	Err      error
}

// LedgerBalanceRequest asks for one account's balance. Answer:
// *LedgerBalance.
type LedgerBalanceRequest struct {
	Account ledger.Account
}

// LedgerBalance answers LedgerBalanceRequest.
type LedgerBalance struct {
	Account ledger.Account
	Balance int64
	Err     error
}

// LedgerNextSeqRequest asks for the sequence number an identity's next
// signed op must carry. Answer: *LedgerNextSeq.
type LedgerNextSeqRequest struct {
	Peer identity.PeerID
}

// LedgerNextSeq answers LedgerNextSeqRequest.
type LedgerNextSeq struct {
	Seq uint64
	Err error
}

// LedgerTableRequest asks for the ledger's view of a table (host, bank,
// closed, last settled round). Answer: *LedgerTable.
type LedgerTableRequest struct {
	Table string
}

// LedgerTable answers LedgerTableRequest; Found is false for a table whose
// bank was never funded.
type LedgerTable struct {
	Info  ledger.TableInfo
	Found bool
	Err   error
}

// LedgerVerifyRequest runs the full invariant check (the body of
// GET /api/v1/ledger/verify). A failed check also halts the ledger and
// reports it Critical. Answer: *LedgerVerifyResult.
type LedgerVerifyRequest struct{}

// LedgerVerifyResult answers LedgerVerifyRequest. Err means the check could
// not run; a failed check is Report.OK == false.
type LedgerVerifyResult struct {
	Report ledger.Report
	Err    error
}

// LedgerStateHashRequest asks for the ledger state hash. Answer:
// *LedgerStateHash.
type LedgerStateHashRequest struct{}

// LedgerStateHash answers LedgerStateHashRequest.
type LedgerStateHash struct {
	Hash string
	Err  error
}

// LedgerEvidenceRequest asks for all equivocation evidence. Answer:
// *LedgerEvidence.
type LedgerEvidenceRequest struct{}

// LedgerEvidence answers LedgerEvidenceRequest.
type LedgerEvidence struct {
	Evidence []ledger.Evidence
	Err      error
}

// LedgerTreasuryGrantsRequest asks for up to Limit of the treasury grants
// applied here (what a node hands a peer that connects). Answer:
// *LedgerTreasuryGrants.
type LedgerTreasuryGrantsRequest struct {
	Limit int
}

// LedgerTreasuryGrants answers LedgerTreasuryGrantsRequest.
type LedgerTreasuryGrants struct {
	Grants []ledger.Op
	Err    error
}

// LedgerReaderRequest asks for a read handle on the ledger, for callers
// that read often (HTTP handlers): its methods query pebble directly from
// the caller's goroutine. After the ledger actor restarts the handle answers
// ledger.ErrClosed; ask again. Answer: *LedgerReader.
type LedgerReaderRequest struct{}

// LedgerReader answers LedgerReaderRequest.
type LedgerReader struct {
	Reader ledger.Reader
	Err    error
}

// LedgerSnapshotRequest takes a snapshot now (besides the periodic ones).
// Answer: *LedgerSnapshotTaken.
type LedgerSnapshotRequest struct{}

// LedgerSnapshotTaken answers LedgerSnapshotRequest.
type LedgerSnapshotTaken struct {
	Info ledger.SnapshotInfo
	Err  error
}
