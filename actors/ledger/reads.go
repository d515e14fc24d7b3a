package ledgeractor

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// read serves a read request on a goroutine, so that a Verify over a big
// ledger never holds up the mailbox, and reads never wait behind writes
// (which are themselves asynchronous).
func (a *ledgerActor) read(ctx actor.Context, msg any) {
	serve, ok := a.reader(msg)
	if !ok {
		return // system messages and strangers
	}
	sender := ctx.Sender()
	if a.l == nil {
		a.respond(sender, serve(errReader{ledger.ErrClosed}))
		return
	}
	select {
	case a.reads <- struct{}{}:
	default:
		a.respond(sender, serve(errReader{fmt.Errorf("%w: %d reads in flight", ledger.ErrBusy, cap(a.reads))}))
		return
	}
	l, reads, owner, system, self := a.l, a.reads, a, a.system, a.self
	go func() {
		defer func() { <-reads }()
		answer := serve(l)
		if v, ok := answer.(*messages.LedgerVerifyResult); ok && v.Err == nil && !v.Report.OK {
			system.Root.Send(self, &haltNow{owner: owner, reason: verifyFailure(v.Report, nil)})
		}
		a.respond(sender, answer)
	}()
}

// reader maps a request to the function that answers it from a Reader.
func (a *ledgerActor) reader(msg any) (func(ledger.Reader) any, bool) {
	switch m := msg.(type) {
	case *messages.LedgerHoldingsRequest:
		return func(r ledger.Reader) any {
			h, err := r.Holdings(m.Peer)
			return &messages.LedgerHoldings{Holdings: h, Err: err}
		}, true
	case *messages.LedgerBalanceRequest:
		return func(r ledger.Reader) any {
			b, err := r.Balance(m.Account)
			return &messages.LedgerBalance{Account: m.Account, Balance: b, Err: err}
		}, true
	case *messages.LedgerNextSeqRequest:
		return func(r ledger.Reader) any {
			s, err := r.NextSeq(m.Peer)
			return &messages.LedgerNextSeq{Seq: s, Err: err}
		}, true
	case *messages.LedgerTableRequest:
		return func(r ledger.Reader) any {
			info, found, err := r.Table(m.Table)
			return &messages.LedgerTable{Info: info, Found: found, Err: err}
		}, true
	case *messages.LedgerVerifyRequest:
		return func(r ledger.Reader) any {
			rep, err := r.Verify()
			return &messages.LedgerVerifyResult{Report: rep, Err: err}
		}, true
	case *messages.LedgerStateHashRequest:
		return func(r ledger.Reader) any {
			h, err := r.StateHash()
			return &messages.LedgerStateHash{Hash: h, Err: err}
		}, true
	case *messages.LedgerTreasuryGrantsRequest:
		return func(r ledger.Reader) any {
			g, err := r.TreasuryGrants(m.Limit)
			return &messages.LedgerTreasuryGrants{Grants: g, Err: err}
		}, true
	case *messages.LedgerEvidenceRequest:
		return func(r ledger.Reader) any {
			ev, err := r.Evidence()
			return &messages.LedgerEvidence{Evidence: ev, Err: err}
		}, true
	}
	return nil, false
}

// errReader answers every read with one error: the store is closed, or too
// many reads are in flight.
type errReader struct{ err error }

func (e errReader) Balance(ledger.Account) (int64, error) { return 0, e.err }
func (e errReader) Holdings(identity.PeerID) (ledger.Holdings, error) {
	return ledger.Holdings{}, e.err
}
func (e errReader) NextSeq(identity.PeerID) (uint64, error) { return 0, e.err }
func (e errReader) Frozen(identity.PeerID) (bool, error)    { return false, e.err }
func (e errReader) Table(string) (ledger.TableInfo, bool, error) {
	return ledger.TableInfo{}, false, e.err
}
func (e errReader) Op(ledger.OpID) (ledger.Applied, bool, error) {
	return ledger.Applied{}, false, e.err
}
func (e errReader) Evidence() ([]ledger.Evidence, error)    { return nil, e.err }
func (e errReader) TreasuryGrants(int) ([]ledger.Op, error) { return nil, e.err }
func (e errReader) StateHash() (string, error)              { return "", e.err }
func (e errReader) Verify() (ledger.Report, error)          { return ledger.Report{}, e.err }

func (a *ledgerActor) respondReader(ctx actor.Context) {
	if a.l == nil {
		ctx.Respond(&messages.LedgerReader{Err: ledger.ErrClosed})
		return
	}
	ctx.Respond(&messages.LedgerReader{Reader: a.l})
}
