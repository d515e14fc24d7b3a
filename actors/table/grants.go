package table

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/ledger"
	"github.com/bitcraps/bitcraps/messages"
)

// Treasury grants reach every node two ways, as the ops of tables do: a
// grant this node accepts is broadcast at once (the mesh floods it through
// connected peers, with no guarantee), and every peer that connects gets
// all the grants this node holds (so one that was away, partitioned or not
// yet started ends with them too). Grants depend on nothing, apply in any
// order and are idempotent (ledger.Money), so the two paths may overlap
// freely. Which grants count is the ledger's money policy, never decided
// here.

// Limits on handing grants to a connecting peer.
const (
	// grantSyncMax bounds the grants handed to one peer: far more than a
	// deployment grants (one per player, and top-ups), at 16,384 × about
	// 330 bytes = 5 MiB of JSON per new connection at worst.
	grantSyncMax = 16_384
	// grantSyncChunk grants go in one envelope: about 85 KB, well under
	// messages.MaxPayloadSize, and 64 envelopes for grantSyncMax stay far
	// under the mesh's consensus-class burst of 1,000.
	grantSyncChunk = 256
)

// submitGrant applies a grant handed to this node (the API) and, when the
// ledger took it, broadcasts it.
func (m *Manager) submitGrant(ctx actor.Context, r *messages.SubmitGrant) {
	if r.Op.Kind != ledger.KindGrant {
		ctx.Respond(&messages.GrantReply{Err: messages.Errorf(messages.CodeBadRequest,
			"kind %q: only grants are submitted here", r.Op.Kind)})
		return
	}
	sender, op := ctx.Sender(), r.Op
	ask(ctx, m.opts.Ledger, &messages.LedgerApply{Op: op}, appliedErr, func(a *messages.LedgerApplied, err error) {
		if err != nil {
			err = grantError(err)
			m.count("grant", err)
			ctx.Send(sender, &messages.GrantReply{Err: err})
			return
		}
		m.count("grant", nil)
		m.seen.add(op.ID())
		// A grant handed in again is broadcast again: the repeat may reach
		// a node the first broadcast missed.
		if werr := m.wire.op(op); werr != nil {
			m.log.Warn("grant not broadcast", "grant", op.ID(), "err", werr)
		}
		ctx.Send(sender, &messages.GrantReply{Applied: a.Applied})
	})
}

// grantError is the user's answer for a grant the ledger did not apply.
func grantError(err error) error {
	switch {
	case ledger.GrantRefusal(err) == "invalid" && errors.Is(err, ledger.ErrInvalidOp):
		return messages.Errorf(messages.CodeBadRequest, "grant: %v", err)
	case ledger.GrantRefusal(err) != "invalid":
		return messages.Errorf(messages.CodeGrantRefused, "grant refused: %v", err)
	}
	return err
}

// sendGrants hands every treasury grant held here to peer, a node that
// just connected.
func (m *Manager) sendGrants(ctx actor.Context, peer string) {
	ask(ctx, m.opts.Ledger, &messages.LedgerTreasuryGrantsRequest{Limit: grantSyncMax}, treasuryGrantsErr,
		func(r *messages.LedgerTreasuryGrants, err error) {
			if err != nil {
				m.log.Warn("grants not handed to a new peer", "peer", peer, "err", err)
				return
			}
			if len(r.Grants) == grantSyncMax {
				// Counted and logged: past the limit a peer learns the
				// rest only from their broadcasts.
				m.opts.Metrics.request("grant_sync", "truncated")
				m.log.Warn("more grants than one peer is handed; the rest reach it by broadcast only", "peer", peer, "limit", grantSyncMax)
			}
			for start := 0; start < len(r.Grants); start += grantSyncChunk {
				chunk := r.Grants[start:min(start+grantSyncChunk, len(r.Grants))]
				if err := m.wire.grants(peer, chunk); err != nil {
					m.log.Warn("grants not handed to a new peer", "peer", peer, "err", err)
					return
				}
			}
		})
}

func treasuryGrantsErr(r *messages.LedgerTreasuryGrants) error { return r.Err }

// decodeLedgerOps reads a ledger-op payload: one op (a broadcast) or a
// list of grants (handed to a connecting peer).
func decodeLedgerOps(payload []byte) ([]ledger.Op, error) {
	if len(payload) > 0 && payload[0] == '[' {
		var grants []ledger.Op
		if err := json.Unmarshal(payload, &grants); err != nil {
			return nil, err
		}
		if len(grants) > grantSyncChunk {
			// Each grant costs a signature check: a peer hands at most a
			// chunk per envelope, and the mesh rate-limits envelopes.
			return nil, fmt.Errorf("%w: %d grants in one envelope, at most %d", errNotGrant, len(grants), grantSyncChunk)
		}
		for _, g := range grants {
			if g.Kind != ledger.KindGrant {
				return nil, fmt.Errorf("%w: a %s op in a list of grants", errNotGrant, g.Kind)
			}
		}
		return grants, nil
	}
	var op ledger.Op
	err := json.Unmarshal(payload, &op)
	return []ledger.Op{op}, err
}

// errNotGrant: a list of ledger ops that is not a chunk of grants.
var errNotGrant = errors.New("not a chunk of grants")

// grants sends a list of grants to one peer.
func (w wire) grants(to string, grants []ledger.Op) error {
	b, err := json.Marshal(grants)
	if err != nil {
		return err
	}
	return w.send(messages.MessageType_MESSAGE_TYPE_LEDGER_OP, to, b)
}
