package bft

import (
	"fmt"
	"sort"
)

// matching returns the votes for (body, state), in seat order.
func (n *Node) matching(byVoter map[PublicKey]*Vote, body, state Hash) []Vote {
	out := make([]Vote, 0, len(byVoter))
	for _, v := range byVoter {
		if v.Body == body && v.State == state {
			out = append(out, *v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return n.seat[out[i].Voter] < n.seat[out[j].Voter] })
	return out
}

// checkLock: q commits for one body in one view lock it (step 3).
func (n *Node) checkLock(view uint64, h Hash) {
	if _, ok := n.rs.locks[view]; ok {
		return
	}
	body := n.rs.bodies[h]
	if body == nil {
		return
	}
	votes := n.matching(n.rs.commits[view], h, Hash{})
	if len(votes) < n.quorum() {
		return
	}
	n.addLock(&LockCert{Round: n.round, View: view, Body: *body, Commits: votes}, h)
}

// addLock records a lock certificate, ours or one carried by a view change.
// The highest lock is persisted before anything that depends on it (our
// reveal, our confirm, our next view change) can be sent.
func (n *Node) addLock(lc *LockCert, h Hash) {
	if _, ok := n.rs.locks[lc.View]; ok {
		return // a second body locked in one view needs more than f Byzantine players
	}
	n.rs.locks[lc.View] = lc
	n.rs.bodies[h] = &lc.Body
	if _, ok := n.rs.lockSeen[h]; !ok {
		n.rs.lockSeen[h] = n.rs.view
		n.rs.lockSeenAt[h] = n.now
	}
	if p := n.rs.persistedLock; p == nil || lc.View > p.View {
		n.rs.persistedLock = lc
		n.ready.Persist = append(n.ready.Persist, Record{Kind: RecordLock, Round: n.round, Lock: lc})
	}
	n.tryReveal()
	n.tryConfirm()
}

// tryReveal: once any roll body we committed to is locked, reveal (step 4).
// Revealing only after a lock is what keeps the leader from choosing the
// committed set after secrets are known.
func (n *Node) tryReveal() {
	if !n.haveSecret {
		return
	}
	if _, ok := n.signed(slot{kindReveal, n.round, 0}); ok {
		return
	}
	mine := CommitmentOf(n.cfg.TableID, n.round, n.cfg.Self, n.secret)
	for _, lc := range n.rs.locks {
		if lc.Body.Kind == BodyRoll && hasCommitment(&lc.Body, n.cfg.Self, mine) {
			n.reveal()
			return
		}
	}
}

func hasCommitment(b *Body, p PublicKey, h Hash) bool {
	for i := range b.Commitments {
		if b.Commitments[i].Player == p && b.Commitments[i].Hash == h {
			return true
		}
	}
	return false
}

func (n *Node) reveal() {
	r := Reveal{Player: n.cfg.Self, Round: n.round, Secret: n.secret}
	m, err := n.signOwn(r.slot(), r.signedBytes(n.cfg.TableID), func(sig []byte) Message {
		r.Sig = sig
		return Message{Reveal: &r}
	})
	if err == nil {
		n.sendOwn(m)
	}
}

// tryConfirm: with the body locked in our current view and (for a roll) every
// committed player's reveal, apply the round and sign the state hash (step 5).
func (n *Node) tryConfirm() {
	rs := n.rs
	if !rs.active {
		return
	}
	lc := rs.locks[rs.view]
	if lc == nil {
		return
	}
	if _, ok := n.signed(slot{kindConfirm, n.round, rs.view}); ok {
		return
	}
	h := BodyHash(n.cfg.TableID, n.round, &lc.Body)
	var reveals []Reveal
	var seed Hash
	if lc.Body.Kind == BodyRoll {
		if reveals = n.revealsFor(&lc.Body); reveals == nil {
			return
		}
		seed = SeedOf(n.cfg.TableID, n.round, reveals)
	}
	state, err := n.apply(&lc.Body, h, seed)
	if err != nil {
		n.diverged = err
		return
	}
	n.persistReveals(reveals)
	v := Vote{Kind: VoteConfirm, Voter: n.cfg.Self, Round: n.round, View: rs.view, Body: h, State: state}
	m, err := n.signOwn(v.slot(), v.signedBytes(n.cfg.TableID), func(sig []byte) Message {
		v.Sig = sig
		return Message{Vote: &v}
	})
	if err == nil {
		n.sendOwn(m)
	}
}

// persistReveals saves the reveals our confirm relies on: after a crash our
// view changes must still show them, or a void could be certified for a
// round that may already be certified as a roll.
func (n *Node) persistReveals(reveals []Reveal) {
	for i := range reveals {
		r := reveals[i]
		if r.Player == n.cfg.Self || n.rs.persistedReveals[r.Player] {
			continue
		}
		n.rs.persistedReveals[r.Player] = true
		n.ready.Persist = append(n.ready.Persist, Record{Kind: RecordReveal, Round: n.round, Message: &Message{Reveal: &r}})
	}
}

// apply asks the application for the state after body, once per body.
func (n *Node) apply(b *Body, h, seed Hash) (Hash, error) {
	if s, ok := n.rs.outcomes[h]; ok {
		return s, nil
	}
	var s Hash
	var err error
	if b.Kind == BodyVoid {
		s, err = n.cfg.App.Void(n.prev, b.Bets, b.Withholders)
	} else {
		s, err = n.cfg.App.Apply(n.prev, b.Bets, seed)
	}
	if err != nil {
		return Hash{}, fmt.Errorf("round %d %s: %w: %w", n.round, b.Kind, ErrApplication, err)
	}
	n.rs.outcomes[h] = s
	return s, nil
}

// checkCertified: q confirms of one (body, state) in one view certify the
// round (step 5), once we hold the body and its reveals.
func (n *Node) checkCertified(view uint64, h, state Hash) {
	votes := n.matching(n.rs.confirms[view], h, state)
	if len(votes) < n.quorum() {
		return
	}
	body := n.rs.bodies[h]
	if body == nil {
		return
	}
	cert := &Certificate{TableID: n.cfg.TableID, Round: n.round, View: view, Body: *body, StateHash: state, Confirms: votes}
	if body.Kind == BodyRoll {
		if cert.Reveals = n.revealsFor(body); cert.Reveals == nil {
			return
		}
		cert.Seed = SeedOf(n.cfg.TableID, n.round, cert.Reveals)
	}
	n.certify(cert, h)
}

// retryCertify re-checks every quorum of confirms after a body or a reveal
// arrived that one of them may have been waiting for.
func (n *Node) retryCertify() {
	round := n.round
	for view, byVoter := range n.rs.confirms {
		count := make(map[[2]Hash]int)
		for _, v := range byVoter {
			count[[2]Hash{v.Body, v.State}]++
		}
		for k, c := range count {
			if c >= n.quorum() {
				n.checkCertified(view, k[0], k[1])
				if n.round != round {
					return
				}
			}
		}
	}
}

// certify records a certified round and moves to the next one.
func (n *Node) certify(cert *Certificate, h Hash) {
	if local, err := n.apply(&cert.Body, h, cert.Seed); err != nil {
		n.diverged = err
	} else if local != cert.StateHash {
		n.diverged = fmt.Errorf("round %d: certified state %s, local application computed %s: %w",
			cert.Round, cert.StateHash, local, ErrDiverged)
	}
	n.wrongStateEvidence(h, cert.StateHash)
	n.ready.Persist = append(n.ready.Persist, Record{Kind: RecordCertificate, Round: cert.Round, Certificate: cert})
	n.ready.Certified = append(n.ready.Certified, *cert)
	n.stats.Certified++
	n.advanceRound(cert)
}

// wrongStateEvidence: a confirm of the certified body with another state hash
// differs from the honest majority's.
func (n *Node) wrongStateEvidence(h, state Hash) {
	for _, byVoter := range n.rs.confirms {
		for _, v := range byVoter {
			if v.Body == h && v.State != state {
				n.addEvidence(Evidence{Kind: EvidenceWrongStateHash, Offender: v.Voter, Round: v.Round, View: v.View,
					First: Message{Vote: v}}, v.slot())
			}
		}
	}
}
