package bft

import (
	"bytes"
	"fmt"
	"sort"
)

// Step 6: view change. A player whose view runs out of ticks (a silent
// leader, a withheld reveal, a split vote) or who sees the leader equivocate
// signs a ViewChange for the next view carrying its highest lock and the
// reveals it holds. The next leader proposes with q of them as justification,
// and the body is forced:
//
//   - some view change shows a lock: the highest lock's body, unchanged; or,
//     if it is a roll and some committed players' reveals appear nowhere in
//     the justification (nor in the extra reveals the leader attaches), the
//     void of that body naming exactly those players;
//   - no lock: any fresh body, checked like a view-0 proposal.
//
// Why this is safe: a certified round had q confirms, so at least q−f honest
// players hold its lock and every reveal; any q view changes include one of
// them, so every later view re-proposes the same body and cannot void it.

// startViewChange moves to view target and asks everyone to follow.
func (n *Node) startViewChange(target uint64) {
	rs := n.rs
	if target <= rs.view {
		return
	}
	lc := rs.highestLock()
	vc := ViewChange{Player: n.cfg.Self, Round: n.round, View: target, Lock: lc, Reveals: n.heldReveals(lc)}
	m, _, err := n.signOwnFresh(vc.slot(), vc.signedBytes(n.cfg.TableID), func(sig []byte) Message {
		vc.Sig = sig
		return Message{ViewChange: &vc}
	})
	if err != nil {
		m, _ = n.signed(vc.slot()) // after a restart: re-send what we signed before
	}
	rs.view, rs.active, rs.viewStart = target, false, n.now
	rs.pruneViews(uint64(n.cfg.MaxViewsAhead))
	n.stats.ViewChanges++
	n.sendOwn(m)
}

// heldReveals are the reveals we hold, in seat order: those opening the
// lock's commitments if we have a lock, else any.
func (n *Node) heldReveals(lc *LockCert) []Reveal {
	var out []Reveal
	if lc != nil {
		for i := range lc.Body.Commitments {
			if r := n.revealFor(&lc.Body.Commitments[i]); r != nil {
				out = append(out, *r)
			}
		}
		return out
	}
	for _, k := range n.seats {
		if rs := n.rs.reveals[k]; len(rs) > 0 {
			out = append(out, *rs[0])
		}
	}
	return out
}

func (n *Node) onViewChange(m Message) error {
	vc := m.ViewChange
	rs := n.rs
	if vc.View == 0 {
		return fmt.Errorf("view change by %s to view 0: %w", vc.Player.Short(), ErrMalformed)
	}
	if vc.View < rs.view {
		return nil
	}
	var held Message
	if old, ok := rs.vcs[vc.View][vc.Player]; ok {
		held.ViewChange = old
	}
	if ok, err := n.admit(m, held); !ok {
		return err
	}
	if vc.View > rs.view+uint64(n.cfg.MaxViewsAhead) {
		n.noteViewChange(vc) // too far to store, but it still counts toward joining
		return nil
	}
	if err := n.checkViewChange(vc); err != nil {
		return fmt.Errorf("view change by %s to view %d: %w", vc.Player.Short(), vc.View, err)
	}
	if rs.vcs[vc.View] == nil {
		rs.vcs[vc.View] = make(map[PublicKey]*ViewChange)
	}
	cp := *vc
	rs.vcs[vc.View][vc.Player] = &cp
	n.harvest(&cp)
	n.noteViewChange(vc)
	n.tryNewView(vc.View)
	return nil
}

// noteViewChange applies the joining rule: once f+1 players (so at least one
// honest) ask for views above ours, move to the highest view f+1 of them have
// reached. A lagging player catches up without waiting out its own timeouts.
func (n *Node) noteViewChange(vc *ViewChange) {
	rs := n.rs
	if vc.View > rs.vcHigh[vc.Player] {
		rs.vcHigh[vc.Player] = vc.View
	}
	var ahead []uint64
	for _, v := range rs.vcHigh {
		if v > rs.view {
			ahead = append(ahead, v)
		}
	}
	f := Faults(len(n.seats))
	if len(ahead) < f+1 {
		return
	}
	sort.Slice(ahead, func(i, j int) bool { return ahead[i] > ahead[j] })
	n.startViewChange(ahead[f])
}

// harvest keeps what a view change proves: its lock and its reveals.
func (n *Node) harvest(vc *ViewChange) {
	if lc := vc.Lock; lc != nil {
		if _, ok := n.rs.locks[lc.View]; !ok {
			n.addLock(lc, BodyHash(n.cfg.TableID, n.round, &lc.Body))
		}
	}
	for i := range vc.Reveals {
		_ = n.onReveal(Message{Reveal: &vc.Reveals[i]})
	}
}

// checkViewChange checks what a view change carries (its signature is
// already checked).
func (n *Node) checkViewChange(vc *ViewChange) error {
	if vc.Round != n.round || !n.isSeated(vc.Player) {
		return fmt.Errorf("round %d by %s: %w", vc.Round, vc.Player.Short(), ErrNotSeated)
	}
	if lc := vc.Lock; lc != nil {
		if lc.View >= vc.View {
			return fmt.Errorf("lock of view %d in a change to view %d: %w", lc.View, vc.View, ErrMalformed)
		}
		if _, err := n.checkLockCert(lc); err != nil {
			return err
		}
	}
	seen := make(map[PublicKey]bool, len(vc.Reveals))
	for i := range vc.Reveals {
		r := &vc.Reveals[i]
		if seen[r.Player] || !n.isSeated(r.Player) || r.Round != n.round {
			return fmt.Errorf("reveal %d by %s: %w", i, r.Player.Short(), ErrMalformed)
		}
		if !n.check(r.Player, r.signedBytes(n.cfg.TableID), r.Sig) {
			return fmt.Errorf("reveal by %s: %w", r.Player.Short(), ErrBadSignature)
		}
		seen[r.Player] = true
	}
	return nil
}

// checkLockCert checks q commits for the lock's body in its view.
func (n *Node) checkLockCert(lc *LockCert) (Hash, error) {
	if err := checkBody(n.cfg.TableID, n.round, n.seats, &lc.Body, n.check, n.limits()); err != nil {
		return Hash{}, fmt.Errorf("lock of view %d: %w", lc.View, err)
	}
	if lc.Round != n.round {
		return Hash{}, fmt.Errorf("lock of round %d in round %d: %w", lc.Round, n.round, ErrMalformed)
	}
	if lc.Body.Prev != n.prev {
		return Hash{}, fmt.Errorf("lock of view %d builds on state %s, not %s: %w", lc.View, lc.Body.Prev, n.prev, ErrMalformed)
	}
	h := BodyHash(n.cfg.TableID, n.round, &lc.Body)
	seen := make(map[PublicKey]bool, len(lc.Commits))
	for i := range lc.Commits {
		v := &lc.Commits[i]
		if v.Kind != VoteCommit || v.Round != n.round || v.View != lc.View || v.Body != h || !n.isSeated(v.Voter) || seen[v.Voter] {
			return Hash{}, fmt.Errorf("lock of view %d: commit %d by %s does not fit: %w", lc.View, i, v.Voter.Short(), ErrMalformed)
		}
		if !n.check(v.Voter, v.signedBytes(n.cfg.TableID), v.Sig) {
			return Hash{}, fmt.Errorf("lock of view %d: commit by %s: %w", lc.View, v.Voter.Short(), ErrBadSignature)
		}
		seen[v.Voter] = true
	}
	if len(seen) < n.quorum() {
		return Hash{}, fmt.Errorf("lock of view %d has %d commits, quorum is %d: %w", lc.View, len(seen), n.quorum(), ErrMalformed)
	}
	return h, nil
}

// viewDecision is what a justification forces.
type viewDecision struct {
	lock     *LockCert
	lockHash Hash
	missing  []PublicKey // committed players of a roll lock whose reveal appears nowhere
}

// decideView checks a justification for view t and works out what it forces.
func (n *Node) decideView(t uint64, vcs []ViewChange, extra []Reveal) (viewDecision, error) {
	var d viewDecision
	seen := make(map[PublicKey]bool, len(vcs))
	var reveals []*Reveal
	for i := range vcs {
		vc := &vcs[i]
		if vc.View != t || seen[vc.Player] {
			return d, fmt.Errorf("%w: justification %d is not a distinct view change to view %d", ErrInvalidProposal, i, t)
		}
		if !n.check(vc.Player, vc.signedBytes(n.cfg.TableID), vc.Sig) {
			return d, fmt.Errorf("%w: justification by %s: %w", ErrInvalidProposal, vc.Player.Short(), ErrBadSignature)
		}
		if err := n.checkViewChange(vc); err != nil {
			return d, fmt.Errorf("%w: justification by %s: %w", ErrInvalidProposal, vc.Player.Short(), err)
		}
		seen[vc.Player] = true
		d.pick(n, vc.Lock)
		for j := range vc.Reveals {
			reveals = append(reveals, &vc.Reveals[j])
		}
	}
	if len(seen) < n.quorum() {
		return d, fmt.Errorf("%w: %d view changes for view %d, quorum is %d", ErrInvalidProposal, len(seen), t, n.quorum())
	}
	for i := range extra {
		r := &extra[i]
		if r.Round != n.round || !n.check(r.Player, r.signedBytes(n.cfg.TableID), r.Sig) {
			return d, fmt.Errorf("%w: extra reveal by %s: %w", ErrInvalidProposal, r.Player.Short(), ErrBadSignature)
		}
		reveals = append(reveals, r)
	}
	if d.lock != nil && d.lock.Body.Kind == BodyRoll {
		d.missing = n.missingReveals(&d.lock.Body, reveals)
	}
	return d, nil
}

// pick keeps the highest lock; two locks in one view (impossible with at
// most f Byzantine players) are ordered by body hash so everyone agrees.
func (d *viewDecision) pick(n *Node, lc *LockCert) {
	if lc == nil {
		return
	}
	h := BodyHash(n.cfg.TableID, n.round, &lc.Body)
	if d.lock == nil || lc.View > d.lock.View || (lc.View == d.lock.View && bytes.Compare(h[:], d.lockHash[:]) < 0) {
		d.lock, d.lockHash = lc, h
	}
}

func (n *Node) missingReveals(b *Body, reveals []*Reveal) []PublicKey {
	var missing []PublicKey
	for i := range b.Commitments {
		c := &b.Commitments[i]
		found := false
		for _, r := range reveals {
			if r.Player == c.Player && CommitmentOf(n.cfg.TableID, n.round, r.Player, r.Secret) == c.Hash {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, c.Player)
		}
	}
	return missing
}

// checkForcedBody: the proposed body must be what the justification forces.
func (n *Node) checkForcedBody(d viewDecision, b *Body, h Hash) (bool, error) {
	if d.lock == nil {
		return false, n.checkFresh(b)
	}
	if h == d.lockHash {
		return true, nil
	}
	if d.lock.Body.Kind == BodyRoll && len(d.missing) > 0 {
		void := voidOf(&d.lock.Body, d.missing)
		if BodyHash(n.cfg.TableID, n.round, &void) == h {
			return false, nil
		}
	}
	return false, fmt.Errorf("%w: the justification forces the body locked in view %d", ErrInvalidProposal, d.lock.View)
}

// tryNewView: the leader of view t proposes once it holds q view changes.
func (n *Node) tryNewView(t uint64) {
	rs := n.rs
	if t != rs.view || rs.active || n.leader(t) != n.cfg.Self || rs.proposals[t] != nil {
		return
	}
	if len(rs.vcs[t]) < n.quorum() {
		return
	}
	vcs := make([]ViewChange, 0, len(rs.vcs[t]))
	for _, k := range n.seats {
		if vc, ok := rs.vcs[t][k]; ok {
			vcs = append(vcs, *vc)
		}
	}
	d, err := n.decideView(t, vcs, nil)
	if err != nil {
		return
	}
	p := Proposal{Leader: n.cfg.Self, Round: n.round, View: t, Justification: vcs}
	switch {
	case d.lock == nil:
		if !n.haveSecret || len(rs.commitments) < n.quorum() {
			return // wait for commitments; tryPropose runs again when one arrives
		}
		if p.Body = n.freshBody(); !n.mayPropose(&p.Body) {
			return
		}
	case d.lock.Body.Kind == BodyVoid || len(d.missing) == 0:
		p.Body = d.lock.Body
	default:
		p.Body, p.Reveals = n.reproposeOrVoid(t, d)
	}
	n.sendProposal(p)
}

// reproposeOrVoid is the honest leader's choice for a roll lock with missing
// reveals: attach the reveals it holds itself; void the players still
// missing only if it has known the lock for a full view (as acceptVoid asks
// of the voters), else re-propose so everyone sees the lock and reveals.
func (n *Node) reproposeOrVoid(t uint64, d viewDecision) (Body, []Reveal) {
	var extra []Reveal
	var missing []PublicKey
	for i := range d.lock.Body.Commitments {
		c := &d.lock.Body.Commitments[i]
		if !containsKey(d.missing, c.Player) {
			continue
		}
		if r := n.revealFor(c); r != nil {
			extra = append(extra, *r)
		} else {
			missing = append(missing, c.Player)
		}
	}
	seen, ok := n.rs.lockSeen[d.lockHash]
	if len(missing) == 0 || !ok || seen+1 > t || !n.mayVoid(missing, d.lockHash) {
		return d.lock.Body, extra
	}
	return voidOf(&d.lock.Body, missing), extra
}
