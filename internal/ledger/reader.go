package ledger

import "github.com/bitcraps/bitcraps/internal/identity"

// Reader is the read side of a Ledger: what the ledger actor hands out so
// that readers (HTTP handlers, tables) query pebble directly instead of
// queueing in the actor's mailbox behind writes. Every method is safe from
// any goroutine; after the ledger closes (the actor stopped or restarted)
// they answer ErrClosed, and the caller asks the actor for a fresh Reader.
type Reader interface {
	Balance(a Account) (int64, error)
	Holdings(owner identity.PeerID) (Holdings, error)
	NextSeq(owner identity.PeerID) (uint64, error)
	Frozen(owner identity.PeerID) (bool, error)
	Table(id string) (info TableInfo, found bool, err error)
	Op(id OpID) (a Applied, found bool, err error)
	Evidence() ([]Evidence, error)
	TreasuryGrants(limit int) ([]Op, error)
	StateHash() (string, error)
	Verify() (Report, error)
}

var _ Reader = (*Ledger)(nil)

// AuditDetail is an applied op as the audit trail records it: what moved,
// without the signature and certificate bytes (the op log keeps those, and
// an audit entry must stay small).
type AuditDetail struct {
	ID      OpID            `json:"id"`
	Index   uint64          `json:"index"`
	Kind    Kind            `json:"kind"`
	Owner   identity.PeerID `json:"owner,omitempty"`
	Table   string          `json:"table,omitempty"`
	Seq     uint64          `json:"seq,omitempty"`
	Round   uint64          `json:"round,omitempty"`
	Changes []Change        `json:"changes"`
}

// AuditDetail summarises an applied op for the audit trail.
func (a Applied) AuditDetail() AuditDetail {
	return AuditDetail{
		ID: a.ID, Index: a.Index, Kind: a.Op.Kind, Owner: a.Op.Owner, Table: a.Op.Table,
		Seq: a.Op.Seq, Round: a.Op.Round, Changes: a.Changes,
	}
}
