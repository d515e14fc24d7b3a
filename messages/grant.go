package messages

import "github.com/bitcraps/bitcraps/internal/ledger"

// SubmitGrant asks the games service to apply a treasury-signed grant
// (POST /api/v1/ledger/grants, `bitcraps treasury grant --node`) and, once
// this node's ledger took it, to carry it to every node. The ledger's money
// policy decides; the games service only relays. Answer: *GrantReply.
type SubmitGrant struct {
	Op ledger.Op
}

// GrantReply answers SubmitGrant. Applied.Duplicate is true for a grant
// this node held already (nothing changed). Err is a *UserError:
// CodeGrantRefused for a grant the policy refuses, CodeBadRequest for a
// malformed one.
type GrantReply struct {
	Applied ledger.Applied
	Err     error
}

// CodeGrantRefused: the money policy refused a grant — not signed by the
// deployment's treasury, a bad signature, or a treasury grant at a
// play-money node (403).
const CodeGrantRefused = "grant_refused"
