package bft

import "fmt"

// Catching up. A player that was partitioned, slow or restarted keeps sending
// messages of an old round; whoever receives one answers with the
// certificates it missed (rate-limited per player). Certificates prove
// themselves, so the laggard needs to trust no one to adopt them.

func (n *Node) onCertificate(c *Certificate) error {
	if c.TableID != n.cfg.TableID {
		return fmt.Errorf("certificate for table %q at table %q: %w", c.TableID, n.cfg.TableID, ErrWrongTable)
	}
	switch {
	case c.Round < n.round:
		n.compareCertificate(c)
		return nil
	case c.Round > n.round:
		return n.holdCertificate(c)
	}
	if err := verifyCertificate(n.seats, c, n.check, n.limits()); err != nil {
		return fmt.Errorf("certificate for round %d: %w", c.Round, err)
	}
	cp := *c
	n.certify(&cp, cp.BodyHash())
	return nil
}

// holdCertificate keeps a certificate for a later round until we reach it:
// only then do we know the seats to check it against.
func (n *Node) holdCertificate(c *Certificate) error {
	if _, ok := n.futureCerts[c.Round]; ok {
		return nil
	}
	if c.Round-n.round > uint64(n.cfg.KeepCertificates) || len(n.futureCerts) >= n.cfg.KeepCertificates {
		n.stats.LimitHits++
		return fmt.Errorf("certificate for round %d while at round %d: %w", c.Round, n.round, ErrLimit)
	}
	cp := *c
	n.futureCerts[c.Round] = &cp
	return nil
}

// compareCertificate: a valid certificate that differs from ours for the
// same round means more than f players are Byzantine. Keep the proof.
func (n *Node) compareCertificate(c *Certificate) {
	mine := n.certs[c.Round]
	if mine == nil || (mine.BodyHash() == c.BodyHash() && mine.StateHash == c.StateHash) {
		return
	}
	if verifyCertificate(mine.Body.Seats, c, n.check, n.limits()) != nil {
		return
	}
	a, b := *mine, *c
	n.addEvidence(Evidence{Kind: EvidenceConflictingCertificate, Round: c.Round, View: c.View,
		First: Message{Certificate: &a}, Second: &Message{Certificate: &b}}, slot{kindConfirm, c.Round, c.View})
}

// helpLagging answers a message of an old round with the certificates from
// that round on, at most once per ResendTicks per player. A late confirm of
// a certified round is also checked for a wrong state hash.
func (n *Node) helpLagging(m Message) {
	from := m.From()
	if m.Vote != nil {
		n.lateConfirm(m)
	}
	if from == n.cfg.Self || from == (PublicKey{}) {
		return
	}
	if last, ok := n.certSentAt[from]; ok && n.now-last < uint64(n.cfg.ResendTicks) {
		return
	}
	sent := false
	for r := m.Round(); r < n.round; r++ {
		c := n.certs[r]
		if c == nil {
			continue
		}
		if !containsKey(c.Body.Seats, from) {
			return // not a player of that round: nothing owed
		}
		n.sendTo(from, Message{Certificate: c})
		n.stats.CertificatesSent++
		sent = true
	}
	if sent {
		if len(n.certSentAt) >= maxSeats*4 {
			n.certSentAt = make(map[PublicKey]uint64)
		}
		n.certSentAt[from] = n.now
	}
}

func (n *Node) lateConfirm(m Message) {
	v := m.Vote
	c := n.certs[v.Round]
	if v.Kind != VoteConfirm || c == nil || v.View != c.View || v.State == c.StateHash || v.Body != c.BodyHash() {
		return
	}
	if !containsKey(c.Body.Seats, v.Voter) || !n.check(v.Voter, v.signedBytes(n.cfg.TableID), v.Sig) {
		return
	}
	n.addEvidence(Evidence{Kind: EvidenceWrongStateHash, Offender: v.Voter, Round: v.Round, View: v.View, First: m}, v.slot())
}
