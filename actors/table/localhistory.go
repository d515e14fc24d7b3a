package table

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/messages"
)

// readLocalHistory feeds a follower the certified rounds this node's own
// consensus store holds for the table, from the chain's next round on. A
// node that sat at a table keeps its certificates; after a restart it
// follows the table again from the genesis, and a closed table has nobody
// left to ask, so without its own store it would show round 0 for ever.
// The certificates go through the same checks as a player's answer.
func (m *Manager) readLocalHistory(ctx actor.Context, table string, f *follower) {
	from := f.chain.Next()
	req := &messages.ConsensusRounds{TableID: table, From: from, Limit: historyBatch}
	ask(ctx, m.opts.Consensus, req, roundListErr, func(list *messages.ConsensusRoundList, err error) {
		if err != nil || len(list.Certificates) == 0 || m.followers[table] != f {
			return // never sat here, or the follower was dropped meanwhile
		}
		m.onHistory(ctx, table, m.me, &control{Kind: ctlHistory, From: from, Certificates: list.Certificates, Unseatings: list.Unseatings})
		if len(list.Certificates) == historyBatch && f.chain.Next() > from {
			m.readLocalHistory(ctx, table, f)
		}
	})
}
