package table

import (
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// A dissolved table (internal/lifecycle: paused past the seat grace) is paid
// out by the ledger's Dissolve op, derived here from the instance's
// game.Dissolution exactly as every other node derives it: chips and open
// wagers (at their exact value) to their owners' wallets, the bank to the
// host. It waits until every round before it is settled, so the ledger pays
// from the same state the game valued.

func (t *tableActor) onDissolved(ctx actor.Context, m *messages.ConsensusDissolved) {
	d := m.Dissolution
	if t.dissolution != nil && t.dissolution.Round >= d.Round {
		return
	}
	t.dissolution = &d
	t.log.Warn("table dissolved; paying out chips, wagers and bank", "round", d.Round, "players", len(d.Payouts), "bank", d.BankPayout)
	t.emit(ctx, messages.EventLifecycle, map[string]any{"mode": "dissolved", "round": d.Round, "payouts": d.Payouts, "bank": d.BankPayout})
	t.payDissolution(ctx)
}

// dissolveOpOf is the ledger's Dissolve op of a dissolution.
func dissolveOpOf(d *game.Dissolution) ledger.Op {
	op := ledger.Op{Kind: ledger.KindDissolve, Table: d.TableID, Round: d.Round, Amount: d.BankPayout}
	for _, p := range d.Payouts {
		op.Outcomes = append(op.Outcomes, ledger.Outcome{Player: identity.PeerID(p.Player), Delta: p.Amount})
	}
	return op
}

// payDissolution applies the dissolution once the rounds before it are
// settled; a later one replaces an earlier one in the ledger.
func (t *tableActor) payDissolution(ctx actor.Context) {
	d := t.dissolution
	if d == nil || t.dissolving || (t.dissolvePaid && t.dissolvedAt >= d.Round) || t.settling || t.settledTo < d.Round {
		return
	}
	t.dissolving = true
	op := dissolveOpOf(d)
	ask(ctx, t.opts.Ledger, &messages.LedgerApply{Op: op}, appliedErr, func(_ *messages.LedgerApplied, err error) {
		t.dissolving = false
		switch {
		case err == nil, errors.Is(err, ledger.ErrSuperseded):
			t.dissolvedAt, t.dissolvePaid = max(t.dissolvedAt, d.Round), true
			t.left = true
		case retryable(err):
			after(ctx, t.opts.RetryEvery, &settleRetry{owner: t})
			return
		default:
			t.opts.Metrics.ledgerRefused(op.Kind.String())
			t.problem = fmt.Sprintf("the ledger refused the dissolution at round %d: %v", d.Round, err)
			t.log.Error("dissolution refused", "round", d.Round, "err", err)
		}
		t.changed(ctx)
	})
}
