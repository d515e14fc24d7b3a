package table

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// ledgerTimeout bounds one request to the ledger: an op waits for one
// group commit (milliseconds); ten seconds means the ledger is stuck.
const ledgerTimeout = 10 * time.Second

// signOp asks the manager to sign one of the local player's ops and apply
// it. The manager signs them one at a time, each with the ledger's next
// sequence number, so the player never signs two ops for one sequence
// number (which the ledger punishes as equivocation) and never leaves a gap.
type signOp struct {
	// build returns the op for seq (Kind, Table, Amount); the manager
	// fills in Owner, Seq and Signature.
	build func(seq uint64) ledger.Op
	// done runs in the manager's context with the applied op or why not.
	done func(ctx actor.Context, op ledger.Op, err error)
}

// opSigned tells a table actor how its signOp went.
type opSigned struct {
	op  ledger.Op
	err error
	tag string
}

// signFor is a signOp whose result goes to a table actor as *opSigned.
func signFor(to *actor.PID, tag string, build func(seq uint64) ledger.Op) *signOp {
	return &signOp{build: build, done: func(ctx actor.Context, op ledger.Op, err error) {
		ctx.Send(to, &opSigned{op: op, err: err, tag: tag})
	}}
}

// ops signs and applies the local player's ops in order (see signOp).
type ops struct {
	id    *identity.Identity
	queue []*signOp
	busy  bool
}

func (o *ops) add(ctx actor.Context, m *Manager, req *signOp) {
	o.queue = append(o.queue, req)
	o.next(ctx, m)
}

func (o *ops) next(ctx actor.Context, m *Manager) {
	if o.busy || len(o.queue) == 0 {
		return
	}
	req := o.queue[0]
	o.queue = o.queue[1:]
	o.busy = true
	me := o.id.PeerID()
	f := ctx.RequestFuture(m.opts.Ledger, &messages.LedgerNextSeqRequest{Peer: me}, ledgerTimeout)
	ctx.ReenterAfter(f, func(res any, err error) {
		seq, err := nextSeqOf(res, err)
		if err != nil {
			o.finish(ctx, m, req, ledger.Op{}, err)
			return
		}
		op := req.build(seq)
		op.Owner, op.Seq = me, seq
		op.Sign(o.id.PrivateKey)
		m.applyOwn(ctx, op, func(err error) { o.finish(ctx, m, req, op, err) })
	})
}

func (o *ops) finish(ctx actor.Context, m *Manager, req *signOp, op ledger.Op, err error) {
	o.busy = false
	req.done(ctx, op, err)
	o.next(ctx, m)
}

func nextSeqOf(res any, err error) (uint64, error) {
	if err != nil {
		return 0, fmt.Errorf("ask the ledger for the next sequence number: %w", err)
	}
	r, ok := res.(*messages.LedgerNextSeq)
	if !ok {
		return 0, fmt.Errorf("ledger answered %T to a sequence request", res)
	}
	return r.Seq, r.Err
}

// errUnanswered marks a request the ledger did not answer (a timeout, a
// ledger restarting): worth trying again.
var errUnanswered = errors.New("no answer")

func appliedOf(res any, err error) (ledger.Applied, error) {
	if err != nil {
		return ledger.Applied{}, fmt.Errorf("ledger: %w: %w", errUnanswered, err)
	}
	r, ok := res.(*messages.LedgerApplied)
	if !ok {
		return ledger.Applied{}, fmt.Errorf("ledger answered %T to an op", res)
	}
	return r.Applied, r.Err
}

// applyOwn applies an op this node signed and, once it is durable here,
// broadcasts it so that every ledger converges.
func (m *Manager) applyOwn(ctx actor.Context, op ledger.Op, done func(error)) {
	f := ctx.RequestFuture(m.opts.Ledger, &messages.LedgerApply{Op: op}, ledgerTimeout)
	ctx.ReenterAfter(f, func(res any, err error) {
		_, err = appliedOf(res, err)
		if err == nil {
			m.seen.add(op.ID())
			if werr := m.wire.op(op); werr != nil {
				m.log.Warn("ledger op not broadcast", "kind", op.Kind.String(), "err", werr)
			}
		}
		done(err)
	})
}

// retryable: the op may apply later, once ops it depends on arrive (the
// owner's earlier ops, its grant, the table's funding or its buy-ins).
func retryable(err error) bool {
	return errors.Is(err, ledger.ErrSequenceGap) || errors.Is(err, ledger.ErrUnknownTable) ||
		errors.Is(err, ledger.ErrUnknownAccount) || errors.Is(err, ledger.ErrInsufficientFunds) ||
		errors.Is(err, ledger.ErrBusy) || errors.Is(err, ledger.ErrClosed) || errors.Is(err, errUnanswered)
}

// seenOps remembers applied op IDs, so gossip repeats cost no ledger work.
// Bounded: when full it starts over, which only costs a duplicate apply.
type seenOps map[ledger.OpID]struct{}

const maxSeenOps = 1 << 16

func (s seenOps) add(id ledger.OpID) {
	if len(s) >= maxSeenOps {
		clear(s)
	}
	s[id] = struct{}{}
}

func (s seenOps) has(id ledger.OpID) bool {
	_, ok := s[id]
	return ok
}
