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

// askTimeout bounds one request to a sibling service: the ledger answers an
// op after one group commit, the consensus instance from memory, both in
// milliseconds; ten seconds means the service is stuck or restarting.
const askTimeout = 10 * time.Second

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
	ask(ctx, m.opts.Ledger, &messages.LedgerNextSeqRequest{Peer: me}, nextSeqErr, func(r *messages.LedgerNextSeq, err error) {
		if err != nil {
			o.finish(ctx, m, req, ledger.Op{}, fmt.Errorf("ask the ledger for the next sequence number: %w", err))
			return
		}
		seq := r.Seq
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

// errUnanswered marks a request a service did not answer (a timeout, a
// service restarting): worth trying again.
var errUnanswered = errors.New("no answer")

// ask sends req to pid and runs then in the actor's context with the reply
// of type R and its error: errOf's, or errUnanswered when no reply of that
// type came. Replies to the actor never wait on each other: the actor keeps
// taking messages meanwhile.
func ask[R any](ctx actor.Context, pid *actor.PID, req any, errOf func(R) error, then func(R, error)) {
	f := ctx.RequestFuture(pid, req, askTimeout)
	ctx.ReenterAfter(f, func(res any, err error) {
		r, ok := res.(R)
		switch {
		case err != nil:
			err = fmt.Errorf("%T: %w: %w", req, errUnanswered, err)
		case !ok:
			err = fmt.Errorf("%T answered with %T: %w", req, res, errUnanswered)
		default:
			err = errOf(r)
		}
		then(r, err)
	})
}

// The errors of the replies ask unpacks.
func appliedErr(r *messages.LedgerApplied) error        { return r.Err }
func nextSeqErr(r *messages.LedgerNextSeq) error        { return r.Err }
func holdingsErr(r *messages.LedgerHoldings) error      { return r.Err }
func ledgerTableErr(r *messages.LedgerTable) error      { return r.Err }
func ackErr(r *messages.ConsensusAck) error             { return r.Err }
func betReplyErr(r *messages.ConsensusBetReply) error   { return r.Err }
func roundListErr(r *messages.ConsensusRoundList) error { return r.Err }
func tablesErr(r *messages.ConsensusTables) error       { return r.Err }
func noErr[R any](R) error                              { return nil }

// applyOwn applies an op this node signed and, once it is durable here,
// broadcasts it so that every ledger converges.
func (m *Manager) applyOwn(ctx actor.Context, op ledger.Op, done func(error)) {
	ask(ctx, m.opts.Ledger, &messages.LedgerApply{Op: op}, appliedErr, func(_ *messages.LedgerApplied, err error) {
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
