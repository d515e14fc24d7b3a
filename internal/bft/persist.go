package bft

import (
	"fmt"
	"sort"
)

// RecordKind says what a persisted record holds.
type RecordKind uint8

const (
	// RecordSigned is a message this node signed: the double-sign guard.
	// After a restart the node re-sends it instead of signing anew.
	RecordSigned RecordKind = 1
	// RecordSecret is the node's secret for a round, saved before its
	// commitment leaves, so a restarted node can still reveal.
	RecordSecret RecordKind = 2
	// RecordLock is the highest lock certificate the node holds, saved
	// before its reveal or confirm leaves: its view changes must show it.
	RecordLock RecordKind = 3
	// RecordReveal is another player's reveal that our confirm relied on.
	RecordReveal RecordKind = 4
	// RecordCertificate is a certified round.
	RecordCertificate RecordKind = 5
)

// Record is one thing the caller must persist (synced) before sending the
// messages of the same Ready. The actor may delete every record whose Round
// is at most that of the latest RecordCertificate, except that certificate
// itself: Restore needs the latest certificate and what follows it.
type Record struct {
	Kind        RecordKind
	Round       uint64
	Message     *Message     // RecordSigned, RecordReveal
	Secret      Hash         // RecordSecret
	Lock        *LockCert    // RecordLock
	Certificate *Certificate // RecordCertificate
}

// MarshalBinary is the record's canonical form: u8(kind) ‖ u64(round) ‖ payload.
func (r Record) MarshalBinary() ([]byte, error) {
	e := &encoder{}
	e.u8(uint8(r.Kind))
	e.u64(r.Round)
	switch r.Kind {
	case RecordSigned, RecordReveal:
		if r.Message == nil {
			return nil, fmt.Errorf("marshal %d record: no message: %w", r.Kind, ErrMalformed)
		}
		if err := encodeMessage(e, r.Message); err != nil {
			return nil, err
		}
	case RecordSecret:
		e.hash(r.Secret)
	case RecordLock:
		if r.Lock == nil {
			return nil, fmt.Errorf("marshal lock record: no lock: %w", ErrMalformed)
		}
		encodeLock(e, r.Lock)
	case RecordCertificate:
		if r.Certificate == nil {
			return nil, fmt.Errorf("marshal certificate record: no certificate: %w", ErrMalformed)
		}
		encodeCertificate(e, r.Certificate)
	default:
		return nil, fmt.Errorf("marshal record of kind %d: %w", r.Kind, ErrMalformed)
	}
	return e.buf, nil
}

// UnmarshalRecord reads a record written by MarshalBinary.
func UnmarshalRecord(b []byte) (Record, error) {
	d := &decoder{buf: b, what: "record"}
	r := Record{Kind: RecordKind(d.u8()), Round: d.u64()}
	switch r.Kind {
	case RecordSigned, RecordReveal:
		m := decodeMessage(d)
		r.Message = &m
	case RecordSecret:
		r.Secret = d.hash()
	case RecordLock:
		r.Lock = decodeLock(d)
		if r.Lock == nil {
			d.fail("lock record without a lock")
		}
	case RecordCertificate:
		c := decodeCertificate(d)
		r.Certificate = &c
	default:
		d.fail("record kind %d", r.Kind)
	}
	if err := d.finish(); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Restore rebuilds a node from the records it asked to persist. It resumes
// after the latest certificate (or at Config.FirstRound), reloads the round's
// secret, lock and reveals, and every message it signed in that round, which
// it re-sends and will never sign differently. The application must already
// be at the state the latest certificate names.
func Restore(cfg Config, records []Record) (*Node, error) {
	n, err := newNode(cfg)
	if err != nil {
		return nil, err
	}
	if c := latestCertificate(records); c != nil {
		if c.TableID != n.cfg.TableID {
			return nil, fmt.Errorf("restore: certificate of table %q: %w", c.TableID, ErrWrongTable)
		}
		n.keepCertificate(c)
		n.setSeats(NextSeats(c))
		n.prev = c.StateHash
		n.round = c.Round + 1
	}
	own, err := n.restoreRound(records)
	if err != nil {
		return nil, err
	}
	n.openRound()
	n.replayOwn(own)
	_ = n.drain() // our own messages: a refusal only means there is nothing more to do
	if len(own) > 0 {
		n.resend()
	}
	return n, nil
}

func latestCertificate(records []Record) *Certificate {
	var last *Certificate
	for _, r := range records {
		if r.Kind == RecordCertificate && r.Certificate != nil && (last == nil || r.Certificate.Round > last.Round) {
			last = r.Certificate
		}
	}
	return last
}

// restoreRound loads the current round's records and returns our own signed
// messages, ordered so that replaying them rebuilds the round.
func (n *Node) restoreRound(records []Record) ([]Message, error) {
	var own []Message
	for _, r := range records {
		if r.Round != n.round {
			continue
		}
		switch r.Kind {
		case RecordSecret:
			n.secret, n.haveSecret = r.Secret, true
		case RecordLock:
			if r.Lock != nil && (n.rs.persistedLock == nil || r.Lock.View > n.rs.persistedLock.View) {
				n.rs.persistedLock = r.Lock
			}
		case RecordReveal:
			if r.Message != nil && r.Message.Reveal != nil {
				rv := *r.Message.Reveal
				n.rs.reveals[rv.Player] = append(n.rs.reveals[rv.Player], &rv)
				n.rs.persistedReveals[rv.Player] = true
			}
		case RecordSigned:
			if err := n.restoreSigned(r); err != nil {
				return nil, err
			}
			own = append(own, *r.Message)
		}
	}
	if lc := n.rs.persistedLock; lc != nil {
		h := BodyHash(n.cfg.TableID, n.round, &lc.Body)
		n.rs.locks[lc.View] = lc
		n.rs.bodies[h] = &lc.Body
		n.rs.lockSeen[h] = lc.View
		n.rs.lockSeenAt[h] = n.now
	}
	sort.SliceStable(own, func(i, j int) bool { return replayOrder(own[i]) < replayOrder(own[j]) })
	return own, nil
}

// restoreSigned puts one of our signed messages back in the guard.
func (n *Node) restoreSigned(r Record) error {
	m := r.Message
	if m == nil || m.Type() == 0 || m.From() != n.cfg.Self {
		return fmt.Errorf("restore: signed record of round %d is not ours: %w", r.Round, ErrMalformed)
	}
	s, signed := slotOf(*m, n.cfg.TableID)
	n.guard[s] = guardEntry{digest: sha256Sum(signed), msg: *m}
	n.markVerified(verifiedKey(n.cfg.Self, signed, sigOf(*m)))
	if m.Bet != nil && m.Bet.Seq > n.betSeq {
		n.betSeq = m.Bet.Seq
	}
	if m.ViewChange != nil && m.ViewChange.View > n.rs.view {
		n.rs.view, n.rs.active = m.ViewChange.View, false
	}
	return nil
}

// replayOrder: view changes first (they set the view), then the round in
// protocol order.
func replayOrder(m Message) int {
	switch m.Type() {
	case MsgViewChange:
		return 0
	case MsgCommitment:
		return 1
	case MsgBet:
		return 2
	case MsgProposal:
		return 3
	case MsgVote:
		return 4
	case MsgReveal:
		return 5
	}
	return 6
}

// replayOwn handles our own signed messages as if they had just arrived, so
// the round's votes, proposal and view are as they were before the crash. A
// vote or proposal in the current view means we had entered it.
func (n *Node) replayOwn(own []Message) {
	for _, m := range own {
		if v := m.Vote; v != nil && v.View == n.rs.view {
			n.rs.active = true
		}
		if p := m.Proposal; p != nil && p.View == n.rs.view {
			n.rs.active = true
		}
		n.local = append(n.local, m)
	}
}

func slotOf(m Message, table string) (slot, []byte) {
	p := m.signed()
	return p.slot(), p.signedBytes(table)
}

func sigOf(m Message) []byte { return m.signed().signature() }
