package table

import (
	"errors"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/internal/lifecycle"
	"github.com/bitcraps/bitcraps/messages"
)

// Dissolving a followed table. At 4+ seats a certified round dissolves it:
// the chain says so (Chain.Ended) and that is proof enough. At 2–3 seats
// its players dissolve it each on their own (internal/lifecycle); a node
// that does not sit at it cannot see the pause,
// so it learns of the dissolution from the players' history answers, and
// derives what it pays itself, from its own checked chain: f+1 of the
// table's players (one at 2–3 seats) must say so, so that one Byzantine
// player cannot end a table in the followers' ledgers. It dissolves at the
// chain's last certified round, at or after the one claimed, and again at a
// later one if a later certificate comes: every ledger converges.

// maxDissolveClaims bounds the claims kept per table: one per player.
const maxDissolveClaims = 64

func (f *follower) claimDissolved(from string, round uint64) {
	if f.dissolveClaims == nil {
		f.dissolveClaims = map[string]uint64{}
	}
	if _, ok := f.dissolveClaims[from]; ok || len(f.dissolveClaims) < maxDissolveClaims {
		f.dissolveClaims[from] = round
	}
}

// dissolvedRound is the round a certified round dissolved the table at, or
// the one the table's players say it was dissolved at, by the lifecycle's
// rule (f+1 of the chain's seats), if they do.
func (f *follower) dissolvedRound() (uint64, bool) {
	if f.chain.Ended() {
		return f.chain.Next() - 1, true
	}
	claims := make(map[bft.PublicKey]uint64, len(f.dissolveClaims))
	for from, r := range f.dissolveClaims {
		if k, err := keyOfPeer(from); err == nil {
			claims[k] = r
		}
	}
	return lifecycle.EndedAt(f.chain.Seats(), claims)
}

// dissolveFollowed applies the chain's dissolution once the claims are in,
// the chain has reached the claimed round, and every round before is in
// the ledger; again when the chain moved past an earlier dissolution.
func (m *Manager) dissolveFollowed(ctx actor.Context, table string, f *follower) {
	claimed, ok := f.dissolvedRound()
	last := f.chain.Next() - 1
	if !ok || f.dissolving || f.settling || len(f.settle) > 0 || last < claimed || (f.dissolved && f.dissolvedAt >= last) {
		return
	}
	d, err := f.chain.Dissolution()
	if err != nil {
		m.log.Error("dissolution of a followed table not derived", "table", table, "round", last, "err", err)
		return
	}
	f.dissolving = true
	op := dissolveOpOf(&d)
	ask(ctx, m.opts.Ledger, &messages.LedgerApply{Op: op}, appliedErr, func(_ *messages.LedgerApplied, err error) {
		f.dissolving = false
		switch {
		case err == nil, errors.Is(err, ledger.ErrSuperseded):
			f.dissolved, f.dissolvedAt = true, max(f.dissolvedAt, d.Round)
			m.log.Info("followed table dissolved", "table", table, "round", d.Round)
			m.tableChanged(ctx, table)
		case retryable(err):
		default:
			m.opts.Metrics.ledgerRefused(op.Kind.String())
			m.log.Error("the ledger refused a followed table's dissolution", "table", table, "round", d.Round, "err", err)
		}
	})
}
