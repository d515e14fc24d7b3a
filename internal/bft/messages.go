package bft

// Every message of "A table round" is one of the structs below. Each carries
// its own signer and Ed25519 signature over its canonical signed bytes
// (signing.go), so a message can be relayed by anyone and still proves who
// said it. Message is only an envelope: which struct, and to whom.

// Bet is a player's signed wager for one round (step 1). Payload is opaque to
// consensus: the Application decodes and validates it. Seq numbers a player's
// bets within a round; (Bettor, Round, Seq) identifies a bet.
type Bet struct {
	Bettor  PublicKey `json:"bettor"`
	Round   uint64    `json:"round"`
	Seq     uint64    `json:"seq"`
	Payload []byte    `json:"payload"`
	Sig     []byte    `json:"sig"`
}

// Commitment is a player's signed H(secret ‖ round ‖ player) for a round. It
// is sent when the round opens, before any proposal, so that the proposal
// itself fixes who the committed players are (see doc.go, step 3).
type Commitment struct {
	Player PublicKey `json:"player"`
	Round  uint64    `json:"round"`
	Hash   Hash      `json:"hash"`
	Sig    []byte    `json:"sig"`
}

// Reveal opens a player's commitment for a round (step 4).
type Reveal struct {
	Player PublicKey `json:"player"`
	Round  uint64    `json:"round"`
	Secret Hash      `json:"secret"`
	Sig    []byte    `json:"sig"`
}

// VoteKind says which vote a Vote is.
type VoteKind uint8

const (
	// VoteCommit accepts a proposal in a view (step 3); q of them lock it.
	VoteCommit VoteKind = 1
	// VoteConfirm signs the state hash after applying the round (step 5); q
	// of them in one view certify it.
	VoteConfirm VoteKind = 2
)

func (k VoteKind) String() string {
	switch k {
	case VoteCommit:
		return "commit"
	case VoteConfirm:
		return "confirm"
	}
	return "unknown-vote"
}

// Vote is a signed commit or confirm. State is zero in a commit.
type Vote struct {
	Kind  VoteKind  `json:"kind"`
	Voter PublicKey `json:"voter"`
	Round uint64    `json:"round"`
	View  uint64    `json:"view"`
	Body  Hash      `json:"body"`
	State Hash      `json:"state"`
	Sig   []byte    `json:"sig"`
}

// BodyKind says what a proposal asks the table to do.
type BodyKind uint8

const (
	// BodyRoll: place the bets and roll the dice from the reveals.
	BodyRoll BodyKind = 1
	// BodyVoid: the round is void because Withholders did not reveal.
	BodyVoid BodyKind = 2
)

func (k BodyKind) String() string {
	switch k {
	case BodyRoll:
		return "roll"
	case BodyVoid:
		return "void"
	}
	return "unknown-body"
}

// Body is what a proposal proposes (step 2): the seats and previous state it
// builds on, the bets in seat-then-sequence order, and the commitments of the
// committed players in seat order. A void body repeats the locked roll body
// it voids, with Kind = BodyVoid and the withholders named.
type Body struct {
	Kind        BodyKind     `json:"kind"`
	Seats       []PublicKey  `json:"seats"`
	Prev        Hash         `json:"prev_state_hash"`
	Bets        []Bet        `json:"bets"`
	Commitments []Commitment `json:"commitments"`
	Withholders []PublicKey  `json:"withholders,omitempty"`
}

// LockCert proves a body was locked in a view: q commits for its hash. It
// travels on its own too (Message.Lock), so a player that missed the commits
// still learns of the lock and reveals in time.
type LockCert struct {
	Round   uint64 `json:"round"`
	View    uint64 `json:"view"`
	Body    Body   `json:"body"`
	Commits []Vote `json:"commits"`
}

// ViewChange asks to move to View (step 6). It carries the sender's highest
// lock and the reveals it holds, so the next leader's choice is forced and
// checkable by everyone.
type ViewChange struct {
	Player  PublicKey `json:"player"`
	Round   uint64    `json:"round"`
	View    uint64    `json:"view"`
	Lock    *LockCert `json:"lock,omitempty"`
	Reveals []Reveal  `json:"reveals,omitempty"`
	Sig     []byte    `json:"sig"`
}

// Proposal is the leader's signed body for (Round, View) (step 2). In a view
// above 0 it carries Justification: q view changes for that view, from which
// the body is forced (see viewchange.go). Reveals are extra reveals the leader
// holds, which can only stop a void, never cause one.
type Proposal struct {
	Leader        PublicKey    `json:"leader"`
	Round         uint64       `json:"round"`
	View          uint64       `json:"view"`
	Body          Body         `json:"body"`
	Justification []ViewChange `json:"justification,omitempty"`
	Reveals       []Reveal     `json:"reveals,omitempty"`
	Sig           []byte       `json:"sig"`
}

// Message is the envelope the core takes in Step and hands out in Ready.
// Exactly one payload is set. To is the recipient; the zero key means every
// other seated player.
type Message struct {
	To          PublicKey    `json:"to"`
	Bet         *Bet         `json:"bet,omitempty"`
	Commitment  *Commitment  `json:"commitment,omitempty"`
	Proposal    *Proposal    `json:"proposal,omitempty"`
	Vote        *Vote        `json:"vote,omitempty"`
	Reveal      *Reveal      `json:"reveal,omitempty"`
	ViewChange  *ViewChange  `json:"view_change,omitempty"`
	Certificate *Certificate `json:"certificate,omitempty"`
	Lock        *LockCert    `json:"lock,omitempty"`
}

// MsgType names a Message's payload, for logs, metrics and the wire tag.
type MsgType uint8

// Message types, also the first byte of a marshaled Message.
const (
	MsgBet         MsgType = 1
	MsgCommitment  MsgType = 2
	MsgProposal    MsgType = 3
	MsgVote        MsgType = 4
	MsgReveal      MsgType = 5
	MsgViewChange  MsgType = 6
	MsgCertificate MsgType = 7
	MsgLock        MsgType = 8
)

var msgTypeNames = [...]string{"invalid", "bet", "commitment", "proposal", "vote", "reveal", "view_change", "certificate", "lock"}

func (t MsgType) String() string {
	if int(t) < len(msgTypeNames) {
		return msgTypeNames[t]
	}
	return "invalid"
}

// Type is the payload's type, or 0 if not exactly one payload is set.
func (m Message) Type() MsgType {
	var t MsgType
	set := 0
	for i, p := range []bool{m.Bet != nil, m.Commitment != nil, m.Proposal != nil, m.Vote != nil,
		m.Reveal != nil, m.ViewChange != nil, m.Certificate != nil, m.Lock != nil} {
		if p {
			set++
			t = MsgType(i + 1)
		}
	}
	if set != 1 {
		return 0
	}
	return t
}

// Round is the round the payload belongs to.
func (m Message) Round() uint64 {
	switch m.Type() {
	case MsgBet:
		return m.Bet.Round
	case MsgCommitment:
		return m.Commitment.Round
	case MsgProposal:
		return m.Proposal.Round
	case MsgVote:
		return m.Vote.Round
	case MsgReveal:
		return m.Reveal.Round
	case MsgViewChange:
		return m.ViewChange.Round
	case MsgCertificate:
		return m.Certificate.Round
	case MsgLock:
		return m.Lock.Round
	}
	return 0
}

// From is the player who signed the payload (zero for a certificate or a
// lock, which a quorum signed).
func (m Message) From() PublicKey {
	if p := m.signed(); p != nil {
		return p.signer()
	}
	return PublicKey{}
}

// Revealers lists, in order, the players whose reveals vc carries.
func (vc *ViewChange) Revealers() []PublicKey {
	ks := make([]PublicKey, len(vc.Reveals))
	for i, r := range vc.Reveals {
		ks[i] = r.Player
	}
	return ks
}

// Committed lists the players whose commitments the body carries, in seat
// order: the committed players of step 3.
func (b *Body) Committed() []PublicKey {
	ks := make([]PublicKey, len(b.Commitments))
	for i, c := range b.Commitments {
		ks[i] = c.Player
	}
	return ks
}
