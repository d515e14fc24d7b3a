package bft

import (
	"fmt"
	"sort"
)

// Step 2: the leader's proposal, and each player's check and commit (step 3).

func (n *Node) onProposal(m Message) error {
	p := m.Proposal
	if want := n.leader(p.View); p.Leader != want {
		return fmt.Errorf("proposal for round %d view %d by %s, leader is %s: %w", p.Round, p.View, p.Leader.Short(), want.Short(), ErrNotLeader)
	}
	h := BodyHash(n.cfg.TableID, n.round, &p.Body)
	if old, ok := n.rs.proposals[p.View]; ok {
		return n.sameProposal(old, m, h)
	}
	if !n.check(p.Leader, p.signedBytes(n.cfg.TableID), p.Sig) {
		n.badSignature(m, p.slot())
		return fmt.Errorf("proposal by %s: %w", p.Leader.Short(), ErrBadSignature)
	}
	forced, err := n.checkProposal(p, h)
	if err != nil {
		return fmt.Errorf("proposal by %s for round %d view %d: %w", p.Leader.Short(), p.Round, p.View, err)
	}
	cp := *p
	n.rs.proposals[p.View] = &cp
	n.rs.forced[p.View] = forced
	if p.View == 0 && n.rs.view == 0 {
		n.rs.betWindowOver = true // see viewExpired
		n.rs.viewStart = n.now
	}
	n.rs.bodies[h] = &cp.Body
	if p.View > n.rs.view || (p.View == n.rs.view && !n.rs.active) {
		n.enterView(p.View)
	}
	for i := range cp.Justification {
		n.harvest(&cp.Justification[i])
	}
	for i := range cp.Reveals {
		_ = n.onReveal(Message{Reveal: &cp.Reveals[i]})
	}
	n.checkLock(p.View, h)
	n.tryCommit()
	n.retryCertify()
	return nil
}

// sameProposal handles a second proposal for a view: a resend, or the
// leader equivocating (evidence, and step 6: move to the next view).
func (n *Node) sameProposal(old *Proposal, m Message, h Hash) error {
	p := m.Proposal
	if BodyHash(n.cfg.TableID, n.round, &old.Body) == h {
		n.tryCommit()
		return nil
	}
	if _, err := n.admit(m, Message{Proposal: old}); err != nil {
		return err
	}
	if p.View == n.rs.view {
		n.startViewChange(n.rs.view + 1)
	}
	return nil
}

// checkProposal validates a proposal against the round. forced reports that
// the body re-proposes a lock unchanged (so no further judgement applies).
func (n *Node) checkProposal(p *Proposal, h Hash) (forced bool, err error) {
	if err := checkBody(n.cfg.TableID, n.round, n.seats, &p.Body, n.check, n.limits()); err != nil {
		return false, fmt.Errorf("%w: %w", ErrInvalidProposal, err)
	}
	if p.Body.Prev != n.prev {
		return false, fmt.Errorf("%w: previous state %s, ours is %s", ErrInvalidProposal, p.Body.Prev, n.prev)
	}
	if p.View == 0 {
		if len(p.Justification) != 0 {
			return false, fmt.Errorf("%w: view 0 carries a justification", ErrInvalidProposal)
		}
		return false, n.checkFresh(&p.Body)
	}
	d, err := n.decideView(p.View, p.Justification, p.Reveals)
	if err != nil {
		return false, err
	}
	return n.checkForcedBody(d, &p.Body, h)
}

// checkFresh: a new roll body must pass the application's checks (step 3).
func (n *Node) checkFresh(b *Body) error {
	if b.Kind != BodyRoll {
		return fmt.Errorf("%w: a fresh body must be a roll", ErrInvalidProposal)
	}
	if err := n.cfg.App.ValidateBets(n.prev, b.Bets); err != nil {
		return fmt.Errorf("%w: bets: %w", ErrInvalidProposal, err)
	}
	return nil
}

func (n *Node) enterView(v uint64) {
	if v > n.rs.view {
		n.stats.ViewChanges++
	}
	n.rs.view, n.rs.active, n.rs.viewStart = v, true, n.now
	n.rs.pruneViews(uint64(n.cfg.MaxViewsAhead))
}

// tryCommit signs a commit for the current view's proposal (step 3).
func (n *Node) tryCommit() {
	rs := n.rs
	p := rs.proposals[rs.view]
	if p == nil || !rs.active {
		return
	}
	if _, ok := n.signed(slot{kindCommit, n.round, rs.view}); ok {
		return
	}
	if p.Body.Kind == BodyVoid && !rs.forced[rs.view] && !n.acceptVoid(&p.Body) {
		return
	}
	v := Vote{Kind: VoteCommit, Voter: n.cfg.Self, Round: n.round, View: rs.view, Body: BodyHash(n.cfg.TableID, n.round, &p.Body)}
	m, err := n.signOwn(v.slot(), v.signedBytes(n.cfg.TableID), func(sig []byte) Message {
		v.Sig = sig
		return Message{Vote: &v}
	})
	if err == nil {
		n.sendOwn(m)
	}
}

// acceptVoid is an honest player's judgement of a new void (step 4): it
// votes for voiding only players whose reveal it does not hold, and only
// after it has known the round was locked for a full view, so a player that
// learned of the lock late gets the chance to reveal first.
func (n *Node) acceptVoid(b *Body) bool {
	for i := range b.Commitments {
		c := &b.Commitments[i]
		if containsKey(b.Withholders, c.Player) && n.revealFor(c) != nil {
			return false
		}
	}
	roll := voidOf(b, nil)
	roll.Kind = BodyRoll
	h := BodyHash(n.cfg.TableID, n.round, &roll)
	seen, ok := n.rs.lockSeen[h]
	return ok && seen+1 <= n.rs.view && n.mayVoid(b.Withholders, h)
}

// mayVoid asks Config.MayVoid about every withholder of the lock h.
func (n *Node) mayVoid(withholders []PublicKey, h Hash) bool {
	if n.cfg.MayVoid == nil {
		return true
	}
	since := n.now - n.rs.lockSeenAt[h]
	for _, k := range withholders {
		if !n.cfg.MayVoid(k, since) {
			return false
		}
	}
	return true
}

// tryPropose: the view-0 leader proposes once it holds a quorum of
// commitments and the bet window is over (or Propose was called).
func (n *Node) tryPropose() {
	rs := n.rs
	if rs.view > 0 {
		n.tryNewView(rs.view)
		return
	}
	if rs.view != 0 || !rs.active || n.leader(0) != n.cfg.Self || rs.proposals[0] != nil || !n.haveSecret {
		return
	}
	if len(rs.commitments) < n.quorum() {
		return
	}
	if !rs.proposeAsked && n.now-rs.roundStart < uint64(n.cfg.BetWindowTicks) {
		return
	}
	b := n.freshBody()
	if len(b.Bets) == 0 && n.cfg.App.ValidateBets(n.prev, nil) != nil {
		return // the application takes no empty round now (a table being dissolved waits for its payload)
	}
	n.sendProposal(Proposal{Leader: n.cfg.Self, Round: n.round, View: 0, Body: b})
}

func (n *Node) sendProposal(p Proposal) {
	m, err := n.signOwn(p.slot(), p.signedBytes(n.cfg.TableID), func(sig []byte) Message {
		p.Sig = sig
		return Message{Proposal: &p}
	})
	if err == nil {
		n.sendOwn(m)
	}
}

// freshBody builds a new roll body: every commitment held (but those of
// absent players, while a quorum of others remains: Config.Absent), and
// the largest prefix-greedy set of held bets the application accepts
// together.
func (n *Node) freshBody() Body {
	b := Body{Kind: BodyRoll, Seats: append([]PublicKey(nil), n.seats...), Prev: n.prev}
	var present []Commitment
	for _, k := range n.seats {
		if c, ok := n.rs.commitments[k]; ok {
			b.Commitments = append(b.Commitments, *c)
			if n.cfg.Absent == nil || !n.cfg.Absent(k) {
				present = append(present, *c)
			}
		}
	}
	if len(present) >= n.quorum() {
		b.Commitments = present
	}
	b.Bets = n.chooseBets()
	return b
}

// chooseBets takes bets seat by seat in turns (each player's first bet, then
// each one's second...), so no player's flood of bets crowds the others out
// of a full round, then keeps them in canonical order.
func (n *Node) chooseBets() []Bet {
	per := make([][]Bet, len(n.seats))
	for _, bet := range n.rs.bets {
		s := n.seat[bet.Bettor]
		per[s] = append(per[s], *bet)
	}
	for _, bets := range per {
		sort.Slice(bets, func(i, j int) bool { return bets[i].Seq < bets[j].Seq })
	}
	var all []Bet
	for depth, more := 0, true; more && len(all) < n.cfg.MaxBetsPerRound; depth++ {
		more = false
		for _, bets := range per {
			if depth < len(bets) && len(all) < n.cfg.MaxBetsPerRound {
				all, more = append(all, bets[depth]), true
			}
		}
	}
	sort.Slice(all, func(i, j int) bool {
		si, sj := n.seat[all[i].Bettor], n.seat[all[j].Bettor]
		if si != sj {
			return si < sj
		}
		return all[i].Seq < all[j].Seq
	})
	if n.cfg.App.ValidateBets(n.prev, all) == nil {
		return all
	}
	var chosen []Bet
	for _, bet := range all {
		try := append(append([]Bet(nil), chosen...), bet)
		if n.cfg.App.ValidateBets(n.prev, try) == nil {
			chosen = try
		}
	}
	return chosen
}

// SubmitBet signs a bet by the local player for the current round and sends
// it to every seated player (any of them may lead a later view). The
// application checks it first, so a bet that cannot be placed now is refused
// here with the application's reason.
func (n *Node) SubmitBet(payload []byte) (Bet, error) {
	if !n.seated() {
		return Bet{}, fmt.Errorf("bet at table %q: %w", n.cfg.TableID, ErrNotSeated)
	}
	if len(payload) > n.cfg.MaxBetPayloadBytes {
		return Bet{}, fmt.Errorf("bet payload of %d bytes, limit %d: %w", len(payload), n.cfg.MaxBetPayloadBytes, ErrLimit)
	}
	mine := n.ownBets()
	if len(mine) >= n.cfg.MaxBetsPerRound {
		n.stats.LimitHits++
		return Bet{}, fmt.Errorf("bet: %d bets this round, limit %d: %w", len(mine), n.cfg.MaxBetsPerRound, ErrLimit)
	}
	n.betSeq++
	b := Bet{Bettor: n.cfg.Self, Round: n.round, Seq: n.betSeq, Payload: append([]byte(nil), payload...)}
	if err := n.cfg.App.ValidateBets(n.prev, append(mine, b)); err != nil {
		n.betSeq--
		return Bet{}, fmt.Errorf("bet refused in round %d: %w: %w", n.round, ErrApplication, err)
	}
	m, err := n.signOwn(b.slot(), b.signedBytes(n.cfg.TableID), func(sig []byte) Message {
		b.Sig = sig
		return Message{Bet: &b}
	})
	if err != nil {
		return Bet{}, fmt.Errorf("bet seq %d: %w", b.Seq, err)
	}
	n.sendOwn(m)
	return *m.Bet, n.drain()
}

func (n *Node) ownBets() []Bet {
	var out []Bet
	for _, e := range n.guard {
		if e.msg.Bet != nil {
			out = append(out, *e.msg.Bet)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}
