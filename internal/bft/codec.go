package bft

import "fmt"

// Wire and disk form of every message, in the canonical encoding
// (encoding.go). A marshaled Message is u8(type) ‖ key(to) ‖ payload.

func encodeBet(e *encoder, b *Bet) {
	e.key(b.Bettor)
	e.u64(b.Round)
	e.u64(b.Seq)
	e.bytes(b.Payload)
	e.bytes(b.Sig)
}

func decodeBet(d *decoder) Bet {
	return Bet{Bettor: d.key(), Round: d.u64(), Seq: d.u64(), Payload: d.bytes(maxPayloadBytes), Sig: d.bytes(maxSigBytes)}
}

func encodeCommitment(e *encoder, c *Commitment) {
	e.key(c.Player)
	e.u64(c.Round)
	e.hash(c.Hash)
	e.bytes(c.Sig)
}

func decodeCommitment(d *decoder) Commitment {
	return Commitment{Player: d.key(), Round: d.u64(), Hash: d.hash(), Sig: d.bytes(maxSigBytes)}
}

func encodeReveal(e *encoder, r *Reveal) {
	e.key(r.Player)
	e.u64(r.Round)
	e.hash(r.Secret)
	e.bytes(r.Sig)
}

func decodeReveal(d *decoder) Reveal {
	return Reveal{Player: d.key(), Round: d.u64(), Secret: d.hash(), Sig: d.bytes(maxSigBytes)}
}

func encodeList[T any](e *encoder, xs []T, f func(*encoder, *T)) {
	e.count(len(xs))
	for i := range xs {
		f(e, &xs[i])
	}
}

func decodeList[T any](d *decoder, max int, f func(*decoder) T) []T {
	n := d.count(max)
	if n == 0 {
		return nil
	}
	xs := make([]T, n)
	for i := range xs {
		xs[i] = f(d)
	}
	return xs
}

func encodeReveals(e *encoder, rs []Reveal) { encodeList(e, rs, encodeReveal) }
func decodeReveals(d *decoder) []Reveal     { return decodeList(d, maxSeats, decodeReveal) }

func encodeVote(e *encoder, v *Vote) {
	e.u8(uint8(v.Kind))
	e.key(v.Voter)
	e.u64(v.Round)
	e.u64(v.View)
	e.hash(v.Body)
	e.hash(v.State)
	e.bytes(v.Sig)
}

func decodeVote(d *decoder) Vote {
	v := Vote{Kind: VoteKind(d.u8()), Voter: d.key(), Round: d.u64(), View: d.u64(), Body: d.hash(), State: d.hash(), Sig: d.bytes(maxSigBytes)}
	if v.Kind != VoteCommit && v.Kind != VoteConfirm {
		d.fail("vote kind %d", v.Kind)
	}
	return v
}

func encodeVotes(e *encoder, vs []Vote) { encodeList(e, vs, encodeVote) }
func decodeVotes(d *decoder) []Vote     { return decodeList(d, maxSeats, decodeVote) }

func encodeBody(e *encoder, b *Body) {
	e.u8(uint8(b.Kind))
	e.keys(b.Seats)
	e.hash(b.Prev)
	encodeList(e, b.Bets, encodeBet)
	encodeList(e, b.Commitments, encodeCommitment)
	e.keys(b.Withholders)
}

func decodeBody(d *decoder) Body {
	b := Body{Kind: BodyKind(d.u8()), Seats: d.keys(maxSeats), Prev: d.hash()}
	if b.Kind != BodyRoll && b.Kind != BodyVoid {
		d.fail("body kind %d", b.Kind)
	}
	b.Bets = decodeList(d, maxWireBets, decodeBet)
	b.Commitments = decodeList(d, maxSeats, decodeCommitment)
	b.Withholders = d.keys(maxSeats)
	return b
}

func encodeLock(e *encoder, l *LockCert) {
	e.flag(l != nil)
	if l == nil {
		return
	}
	e.u64(l.Round)
	e.u64(l.View)
	encodeBody(e, &l.Body)
	encodeVotes(e, l.Commits)
}

func decodeLock(d *decoder) *LockCert {
	if !d.flag() {
		return nil
	}
	return &LockCert{Round: d.u64(), View: d.u64(), Body: decodeBody(d), Commits: decodeVotes(d)}
}

func encodeViewChange(e *encoder, vc *ViewChange) {
	e.key(vc.Player)
	e.u64(vc.Round)
	e.u64(vc.View)
	encodeLock(e, vc.Lock)
	encodeReveals(e, vc.Reveals)
	e.bytes(vc.Sig)
}

func decodeViewChange(d *decoder) ViewChange {
	return ViewChange{Player: d.key(), Round: d.u64(), View: d.u64(), Lock: decodeLock(d), Reveals: decodeReveals(d), Sig: d.bytes(maxSigBytes)}
}

func encodeProposal(e *encoder, p *Proposal) {
	e.key(p.Leader)
	e.u64(p.Round)
	e.u64(p.View)
	encodeBody(e, &p.Body)
	encodeList(e, p.Justification, encodeViewChange)
	encodeReveals(e, p.Reveals)
	e.bytes(p.Sig)
}

func decodeProposal(d *decoder) Proposal {
	p := Proposal{Leader: d.key(), Round: d.u64(), View: d.u64(), Body: decodeBody(d)}
	p.Justification = decodeList(d, maxViewChanges, decodeViewChange)
	p.Reveals = decodeReveals(d)
	p.Sig = d.bytes(maxSigBytes)
	return p
}

func encodeCertificate(e *encoder, c *Certificate) {
	e.str(c.TableID)
	e.u64(c.Round)
	e.u64(c.View)
	encodeBody(e, &c.Body)
	encodeReveals(e, c.Reveals)
	e.hash(c.Seed)
	e.hash(c.StateHash)
	encodeVotes(e, c.Confirms)
}

func decodeCertificate(d *decoder) Certificate {
	return Certificate{TableID: d.str(maxTableIDBytes), Round: d.u64(), View: d.u64(), Body: decodeBody(d),
		Reveals: decodeReveals(d), Seed: d.hash(), StateHash: d.hash(), Confirms: decodeVotes(d)}
}

func encodeMessage(e *encoder, m *Message) error {
	t := m.Type()
	if t == 0 {
		return fmt.Errorf("marshal message: %w: want exactly one payload", ErrMalformed)
	}
	e.u8(uint8(t))
	e.key(m.To)
	switch t {
	case MsgBet:
		encodeBet(e, m.Bet)
	case MsgCommitment:
		encodeCommitment(e, m.Commitment)
	case MsgProposal:
		encodeProposal(e, m.Proposal)
	case MsgVote:
		encodeVote(e, m.Vote)
	case MsgReveal:
		encodeReveal(e, m.Reveal)
	case MsgViewChange:
		encodeViewChange(e, m.ViewChange)
	case MsgCertificate:
		encodeCertificate(e, m.Certificate)
	case MsgLock:
		encodeLock(e, m.Lock)
	}
	return nil
}

func decodeMessage(d *decoder) Message {
	t := MsgType(d.u8())
	m := Message{To: d.key()}
	switch t {
	case MsgBet:
		b := decodeBet(d)
		m.Bet = &b
	case MsgCommitment:
		c := decodeCommitment(d)
		m.Commitment = &c
	case MsgProposal:
		p := decodeProposal(d)
		m.Proposal = &p
	case MsgVote:
		v := decodeVote(d)
		m.Vote = &v
	case MsgReveal:
		r := decodeReveal(d)
		m.Reveal = &r
	case MsgViewChange:
		vc := decodeViewChange(d)
		m.ViewChange = &vc
	case MsgCertificate:
		c := decodeCertificate(d)
		m.Certificate = &c
	case MsgLock:
		if m.Lock = decodeLock(d); m.Lock == nil {
			d.fail("lock message without a lock")
		}
	default:
		d.fail("message type %d", t)
	}
	return m
}

// MarshalBinary is the message's canonical wire form.
func (m Message) MarshalBinary() ([]byte, error) {
	e := &encoder{buf: make([]byte, 0, 1024)}
	if err := encodeMessage(e, &m); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// UnmarshalMessage reads a message written by MarshalBinary. It checks form
// only; signatures are checked by Node.Step.
func UnmarshalMessage(b []byte) (Message, error) {
	d := &decoder{buf: b, what: "message"}
	m := decodeMessage(d)
	if err := d.finish(); err != nil {
		return Message{}, err
	}
	return m, nil
}

// MarshalBinary is the certificate's canonical form (for the ledger and for
// export files).
func (c *Certificate) MarshalBinary() ([]byte, error) {
	e := &encoder{}
	encodeCertificate(e, c)
	return e.buf, nil
}

// UnmarshalCertificate reads a certificate written by MarshalBinary. It
// checks form only; VerifyCertificate checks what it proves.
func UnmarshalCertificate(b []byte) (Certificate, error) {
	d := &decoder{buf: b, what: "certificate"}
	c := decodeCertificate(d)
	if err := d.finish(); err != nil {
		return Certificate{}, err
	}
	return c, nil
}
