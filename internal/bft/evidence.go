package bft

// EvidenceKind says what a piece of evidence shows.
type EvidenceKind uint8

const (
	// EvidenceEquivocation: Offender signed two different messages for one
	// slot (two proposals for one round and view, two votes, two reveals,
	// two commitments...). First and Second are the two messages; together
	// they prove it to anyone.
	EvidenceEquivocation EvidenceKind = 1
	// EvidenceRevealMismatch: Offender's signed reveal does not open its
	// signed commitment. First is the reveal, Second the commitment.
	EvidenceRevealMismatch EvidenceKind = 2
	// EvidenceBadSignature: a message whose signature does not verify for
	// the player it names. It proves nothing against that player (anyone can
	// forge the claim); it is kept because it shows someone is forging.
	EvidenceBadSignature EvidenceKind = 3
	// EvidenceWrongStateHash: Offender confirmed the certified body with a
	// state hash other than the certified one. First is its confirm.
	EvidenceWrongStateHash EvidenceKind = 4
	// EvidenceConflictingCertificate: two valid certificates for one round.
	// Only possible with more than f Byzantine players. First and Second are
	// the certificates.
	EvidenceConflictingCertificate EvidenceKind = 5
)

func (k EvidenceKind) String() string {
	switch k {
	case EvidenceEquivocation:
		return "equivocation"
	case EvidenceRevealMismatch:
		return "reveal_mismatch"
	case EvidenceBadSignature:
		return "bad_signature"
	case EvidenceWrongStateHash:
		return "wrong_state_hash"
	case EvidenceConflictingCertificate:
		return "conflicting_certificate"
	}
	return "unknown"
}

// Evidence is a Byzantine act seen by this node, with the signed messages
// that prove it.
type Evidence struct {
	Kind     EvidenceKind `json:"kind"`
	Offender PublicKey    `json:"offender"`
	Round    uint64       `json:"round"`
	View     uint64       `json:"view"`
	First    Message      `json:"first"`
	Second   *Message     `json:"second,omitempty"`
}

type evidenceKey struct {
	kind     EvidenceKind
	offender PublicKey
	slot     slot
}

// addEvidence queues e once per (kind, offender, slot), bounded by
// MaxEvidence so a flood of forgeries cannot grow memory.
func (n *Node) addEvidence(e Evidence, s slot) {
	k := evidenceKey{e.Kind, e.Offender, s}
	if n.rs.evidenceSeen[k] {
		return
	}
	if len(n.rs.evidenceSeen) >= 4*n.cfg.MaxEvidence || len(n.ready.Evidence) >= n.cfg.MaxEvidence {
		n.stats.EvidenceDropped++
		return
	}
	n.rs.evidenceSeen[k] = true
	n.ready.Evidence = append(n.ready.Evidence, e)
	n.stats.Evidence++
}

func (n *Node) equivocation(offender PublicKey, s slot, first, second Message) {
	n.addEvidence(Evidence{Kind: EvidenceEquivocation, Offender: offender, Round: s.round, View: s.view,
		First: first, Second: &second}, s)
}

func (n *Node) badSignature(m Message, s slot) {
	n.stats.BadSignatures++
	n.addEvidence(Evidence{Kind: EvidenceBadSignature, Offender: m.From(), Round: s.round, View: s.view, First: m}, s)
}
