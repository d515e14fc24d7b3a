package bft

import (
	"bytes"
	"fmt"
)

// handle routes one message. Messages of earlier rounds help the sender catch
// up; messages of the next round wait; the rest go to their step's handler.
func (n *Node) handle(m Message) error {
	t := m.Type()
	if t == 0 {
		return fmt.Errorf("step: %w: want exactly one payload", ErrMalformed)
	}
	if t == MsgCertificate {
		return n.onCertificate(m.Certificate)
	}
	if t == MsgLock && m.Lock.Round == n.round {
		return n.onLock(m.Lock)
	}
	r := m.Round()
	if r > n.seenRound && n.isSeated(m.From()) {
		n.seenRound = r
	}
	switch {
	case r < n.round || t == MsgLock:
		n.helpLagging(m)
		return nil
	case r == n.round+1:
		return n.holdFuture(m)
	case r > n.round+1:
		n.stats.LimitHits++
		return fmt.Errorf("step: %s for round %d while at round %d: %w", t, r, n.round, ErrLimit)
	}
	if !n.seated() {
		return fmt.Errorf("step: %s: local player %s: %w", t, n.cfg.Self.Short(), ErrNotSeated)
	}
	if from := m.From(); n.seat == nil || !n.isSeated(from) {
		return fmt.Errorf("step: %s from %s: %w", t, from.Short(), ErrNotSeated)
	}
	switch t {
	case MsgBet:
		return n.onBet(m)
	case MsgCommitment:
		return n.onCommitment(m)
	case MsgProposal:
		return n.onProposal(m)
	case MsgVote:
		return n.onVote(m)
	case MsgReveal:
		return n.onReveal(m)
	case MsgViewChange:
		return n.onViewChange(m)
	}
	return nil
}

func (n *Node) isSeated(k PublicKey) bool {
	_, ok := n.seat[k]
	return ok
}

// admit sorts a signed message against the one we hold for its slot (held,
// or the zero Message): a resend is ignored, a bad signature refused and kept
// as evidence, a second different message kept as equivocation evidence.
// Only a new message with a good signature is admitted.
func (n *Node) admit(m Message, held Message) (bool, error) {
	p := m.signed()
	if h := held.signed(); h != nil && bytes.Equal(h.signature(), p.signature()) {
		return false, nil
	}
	if !n.check(p.signer(), p.signedBytes(n.cfg.TableID), p.signature()) {
		n.badSignature(m, p.slot())
		return false, fmt.Errorf("%s by %s: %w", m.Type(), p.signer().Short(), ErrBadSignature)
	}
	if held.Type() != 0 {
		n.equivocation(p.signer(), p.slot(), held, m)
		return false, nil
	}
	return true, nil
}

// Step 1: bets. Held until the leader proposes; bounded by MaxBetsPerRound
// per player.
func (n *Node) onBet(m Message) error {
	b := m.Bet
	if len(b.Payload) > n.cfg.MaxBetPayloadBytes {
		n.stats.LimitHits++
		return fmt.Errorf("bet by %s: payload of %d bytes, limit %d: %w", b.Bettor.Short(), len(b.Payload), n.cfg.MaxBetPayloadBytes, ErrLimit)
	}
	k := betKey{b.Bettor, b.Seq}
	var held Message
	if old, ok := n.rs.bets[k]; ok {
		held.Bet = old
	}
	if ok, err := n.admit(m, held); !ok {
		return err
	}
	if n.rs.betsBy[b.Bettor] >= n.cfg.MaxBetsPerRound {
		n.stats.LimitHits++
		return fmt.Errorf("bet by %s: %d of its bets held: %w", b.Bettor.Short(), n.rs.betsBy[b.Bettor], ErrLimit)
	}
	cp := *b
	n.rs.bets[k] = &cp
	n.rs.betsBy[b.Bettor]++
	return nil
}

// Step 3 (its first half): a player's commitment to its secret.
func (n *Node) onCommitment(m Message) error {
	c := m.Commitment
	var held Message
	if old, ok := n.rs.commitments[c.Player]; ok {
		held.Commitment = old
	}
	if ok, err := n.admit(m, held); !ok {
		return err
	}
	cp := *c
	n.rs.commitments[c.Player] = &cp
	n.tryPropose()
	return nil
}

// Step 4: a reveal. We keep up to two distinct signed reveals per player: one
// more than that is only more proof of the same equivocation.
func (n *Node) onReveal(m Message) error {
	r := m.Reveal
	held := n.rs.reveals[r.Player]
	for _, h := range held {
		if h.Secret == r.Secret {
			return nil
		}
	}
	if !n.check(r.Player, r.signedBytes(n.cfg.TableID), r.Sig) {
		n.badSignature(m, r.slot())
		return fmt.Errorf("reveal by %s: %w", r.Player.Short(), ErrBadSignature)
	}
	if len(held) > 0 {
		n.equivocation(r.Player, r.slot(), Message{Reveal: held[0]}, m)
	}
	if len(held) >= 2 {
		return nil
	}
	cp := *r
	n.rs.reveals[r.Player] = append(held, &cp)
	n.checkRevealMatches(&cp)
	n.tryConfirm()
	n.retryCertify()
	return nil
}

// checkRevealMatches turns a reveal that does not open the player's
// commitment into evidence (step 4: "a reveal not matching its commitment").
func (n *Node) checkRevealMatches(r *Reveal) {
	c := n.commitmentOf(r.Player)
	if c == nil || CommitmentOf(n.cfg.TableID, n.round, r.Player, r.Secret) == c.Hash || n.rs.mismatchSeen[r.Player] {
		return
	}
	n.rs.mismatchSeen[r.Player] = true
	cm := Message{Commitment: c}
	n.addEvidence(Evidence{Kind: EvidenceRevealMismatch, Offender: r.Player, Round: n.round,
		First: Message{Reveal: r}, Second: &cm}, r.slot())
}

// commitmentOf finds p's signed commitment: from a locked body if any (that
// is the one that counts), else the one p sent us.
func (n *Node) commitmentOf(p PublicKey) *Commitment {
	if lc := n.rs.highestLock(); lc != nil {
		for i := range lc.Body.Commitments {
			if lc.Body.Commitments[i].Player == p {
				return &lc.Body.Commitments[i]
			}
		}
	}
	return n.rs.commitments[p]
}

// Steps 3 and 5: commit and confirm votes.
func (n *Node) onVote(m Message) error {
	v := m.Vote
	if v.Kind != VoteCommit && v.Kind != VoteConfirm {
		return fmt.Errorf("vote kind %d: %w", v.Kind, ErrMalformed)
	}
	if v.View > n.rs.view+uint64(n.cfg.MaxViewsAhead) {
		n.stats.LimitHits++
		return fmt.Errorf("%s by %s for view %d while at view %d: %w", v.Kind, v.Voter.Short(), v.View, n.rs.view, ErrLimit)
	}
	if v.Kind == VoteCommit && v.State != (Hash{}) {
		return fmt.Errorf("commit by %s carries a state hash: %w", v.Voter.Short(), ErrMalformed)
	}
	book := n.rs.commits
	if v.Kind == VoteConfirm {
		book = n.rs.confirms
	}
	byVoter := book[v.View]
	var held Message
	if old, ok := byVoter[v.Voter]; ok {
		held.Vote = old
	}
	if ok, err := n.admit(m, held); !ok {
		return err
	}
	if byVoter == nil {
		byVoter = make(map[PublicKey]*Vote)
		book[v.View] = byVoter
	}
	cp := *v
	byVoter[v.Voter] = &cp
	if v.Kind == VoteCommit {
		n.checkLock(v.View, v.Body)
		return nil
	}
	n.checkCertified(v.View, v.Body, v.State)
	return nil
}

// A lock certificate on its own: adopt it, and reveal if we are committed.
func (n *Node) onLock(lc *LockCert) error {
	if !n.seated() {
		return nil
	}
	if old, ok := n.rs.locks[lc.View]; ok && old.Round == lc.Round {
		return nil
	}
	h, err := n.checkLockCert(lc)
	if err != nil {
		return fmt.Errorf("lock of round %d view %d: %w", lc.Round, lc.View, err)
	}
	cp := *lc
	n.addLock(&cp, h)
	return nil
}
