package bft

import (
	"fmt"
	"io"
	"sort"
)

type betKey struct {
	bettor PublicKey
	seq    uint64
}

// roundState is everything the node knows about the current round. It is
// dropped when the round is certified.
type roundState struct {
	view         uint64 // current view
	active       bool   // view 0, or a justified proposal for view arrived
	viewStart    uint64 // tick the view began
	roundStart   uint64
	proposeAsked bool
	// betWindowOver: view 0 has its proposal, so its timeout no longer
	// includes the bet window (viewExpired).
	betWindowOver bool

	commitments map[PublicKey]*Commitment
	bets        map[betKey]*Bet
	betsBy      map[PublicKey]int
	proposals   map[uint64]*Proposal // first valid proposal per view
	forced      map[uint64]bool      // the proposal in that view re-proposes a lock unchanged
	bodies      map[Hash]*Body
	commits     map[uint64]map[PublicKey]*Vote
	confirms    map[uint64]map[PublicKey]*Vote
	reveals     map[PublicKey][]*Reveal // distinct signed reveals, at most two
	locks       map[uint64]*LockCert    // by view
	lockSeen    map[Hash]uint64         // body hash → our view when we first knew it locked
	lockSeenAt  map[Hash]uint64         // body hash → our tick when we first knew it locked
	vcs         map[uint64]map[PublicKey]*ViewChange
	vcHigh      map[PublicKey]uint64 // highest view change target seen per player
	outcomes    map[Hash]Hash        // body hash → state hash we computed

	persistedLock    *LockCert
	persistedReveals map[PublicKey]bool
	evidenceSeen     map[evidenceKey]bool
	mismatchSeen     map[PublicKey]bool
}

func newRoundState(now uint64) *roundState {
	return &roundState{
		active: true, viewStart: now, roundStart: now,
		commitments: make(map[PublicKey]*Commitment),
		bets:        make(map[betKey]*Bet),
		betsBy:      make(map[PublicKey]int),
		proposals:   make(map[uint64]*Proposal),
		forced:      make(map[uint64]bool),
		bodies:      make(map[Hash]*Body),
		commits:     make(map[uint64]map[PublicKey]*Vote),
		confirms:    make(map[uint64]map[PublicKey]*Vote),
		reveals:     make(map[PublicKey][]*Reveal),
		locks:       make(map[uint64]*LockCert),
		lockSeen:    make(map[Hash]uint64),
		lockSeenAt:  make(map[Hash]uint64),
		vcs:         make(map[uint64]map[PublicKey]*ViewChange),
		vcHigh:      make(map[PublicKey]uint64),
		outcomes:    make(map[Hash]Hash),

		persistedReveals: make(map[PublicKey]bool),
		evidenceSeen:     make(map[evidenceKey]bool),
		mismatchSeen:     make(map[PublicKey]bool),
	}
}

// pruneViews forgets what old views left behind, so a table stuck for hours
// (views keep growing) holds a bounded amount per round: view changes only
// matter for the view being entered, votes and proposals for the last few.
func (rs *roundState) pruneViews(keep uint64) {
	high := rs.highestLock()
	for v := range rs.vcs {
		if v < rs.view {
			delete(rs.vcs, v)
		}
	}
	old := func(v uint64) bool { return v+keep < rs.view }
	for v := range rs.proposals {
		if old(v) {
			delete(rs.proposals, v)
			delete(rs.forced, v)
		}
	}
	for _, book := range []map[uint64]map[PublicKey]*Vote{rs.commits, rs.confirms} {
		for v := range book {
			if old(v) {
				delete(book, v)
			}
		}
	}
	for v, lc := range rs.locks {
		if old(v) && lc != high {
			delete(rs.locks, v)
		}
	}
	if len(rs.bodies) > len(rs.proposals)+len(rs.locks) {
		rs.pruneBodies()
	}
}

// pruneBodies keeps the bodies still named by a proposal or a lock.
func (rs *roundState) pruneBodies() {
	live := make(map[*Body]bool)
	for _, p := range rs.proposals {
		live[&p.Body] = true
	}
	for _, lc := range rs.locks {
		live[&lc.Body] = true
	}
	for h, b := range rs.bodies {
		if !live[b] {
			delete(rs.bodies, h)
		}
	}
}

func (rs *roundState) highestLock() *LockCert {
	var best *LockCert
	for _, lc := range rs.locks {
		if best == nil || lc.View > best.View {
			best = lc
		}
	}
	return best
}

// revealFor returns p's reveal that opens commitment c, if we hold one.
func (n *Node) revealFor(c *Commitment) *Reveal {
	for _, r := range n.rs.reveals[c.Player] {
		if CommitmentOf(n.cfg.TableID, n.round, r.Player, r.Secret) == c.Hash {
			return r
		}
	}
	return nil
}

// revealsFor returns the reveals opening every commitment of b, in seat
// order, or nil if one is missing.
func (n *Node) revealsFor(b *Body) []Reveal {
	out := make([]Reveal, 0, len(b.Commitments))
	for i := range b.Commitments {
		r := n.revealFor(&b.Commitments[i])
		if r == nil {
			return nil
		}
		out = append(out, *r)
	}
	return out
}

// openRound draws the round's secret and sends the commitment to it (step
// 3's commitment, sent when the round opens; see doc.go). The secret is
// persisted with the signed commitment, so a restarted node can still reveal.
func (n *Node) openRound() {
	if !n.seated() {
		return
	}
	if !n.haveSecret {
		if _, err := io.ReadFull(n.cfg.Entropy, n.secret[:]); err != nil {
			n.diverged = fmt.Errorf("round %d secret: %w: %w", n.round, ErrConfig, err)
			return
		}
		n.haveSecret = true
		n.ready.Persist = append(n.ready.Persist, Record{Kind: RecordSecret, Round: n.round, Secret: n.secret})
	}
	c := Commitment{Player: n.cfg.Self, Round: n.round, Hash: CommitmentOf(n.cfg.TableID, n.round, n.cfg.Self, n.secret)}
	m, err := n.signOwn(c.slot(), c.signedBytes(n.cfg.TableID), func(sig []byte) Message {
		c.Sig = sig
		return Message{Commitment: &c}
	})
	if err == nil {
		n.sendOwn(m)
	}
}

// advanceRound moves to the round after cert.
func (n *Node) advanceRound(cert *Certificate) {
	n.keepCertificate(cert)
	n.setSeats(NextSeats(cert))
	n.prev = cert.StateHash
	n.round = cert.Round + 1
	n.resetRound()
	n.openRound()
	future := n.future
	n.future = nil
	for _, m := range future {
		if m.Round() == n.round {
			n.local = append(n.local, m)
		}
	}
	if c, ok := n.futureCerts[n.round]; ok {
		delete(n.futureCerts, n.round)
		n.local = append(n.local, Message{Certificate: c})
	}
}

func (n *Node) keepCertificate(cert *Certificate) {
	n.certs[cert.Round] = cert
	if cert.Round >= uint64(n.cfg.KeepCertificates) {
		delete(n.certs, cert.Round-uint64(n.cfg.KeepCertificates))
	}
	for r := range n.futureCerts {
		if r <= cert.Round {
			delete(n.futureCerts, r)
		}
	}
}

// holdFuture keeps a message for the next round: peers that certified first
// are already there, and dropping their messages would cost a resend.
func (n *Node) holdFuture(m Message) error {
	if len(n.future) >= n.cfg.MaxFutureMessages {
		n.stats.LimitHits++
		return fmt.Errorf("hold %s for round %d: %d held: %w", m.Type(), m.Round(), len(n.future), ErrLimit)
	}
	n.future = append(n.future, m)
	return nil
}

// resend repeats our own messages of the current round and view: the network
// may have dropped them, and they are already persisted.
func (n *Node) resend() {
	n.lastResend = n.now
	keys := make([]slot, 0, len(n.guard))
	for s := range n.guard {
		if n.worthResending(s) {
			keys = append(keys, s)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].kind != keys[j].kind {
			return keys[i].kind < keys[j].kind
		}
		return keys[i].view < keys[j].view
	})
	for _, s := range keys {
		if s.kind == kindProposal {
			n.resendProposal(n.guard[s].msg)
			continue
		}
		n.broadcast(n.guard[s].msg)
	}
	n.resendLock()
}

// worthResending: bets and the commitment only matter until the view has a
// proposal; votes and view changes only in the current view.
func (n *Node) worthResending(s slot) bool {
	switch s.kind {
	case kindBet, kindCommitment:
		return n.rs.proposals[n.rs.view] == nil
	case kindReveal:
		return true
	case kindViewChange:
		return s.view == n.rs.view && !n.rs.active
	}
	return s.view == n.rs.view
}

// resendProposal goes only to the players whose commit we lack.
func (n *Node) resendProposal(m Message) {
	commits := n.rs.commits[n.rs.view]
	for _, k := range n.seats {
		if _, ok := commits[k]; !ok && k != n.cfg.Self {
			n.sendTo(k, m)
		}
	}
}

// resendLock sends our highest lock to the committed players whose reveal we
// lack: they may have missed the commits, and must reveal in time.
func (n *Node) resendLock() {
	lc := n.rs.highestLock()
	if lc == nil || lc.Body.Kind != BodyRoll {
		return
	}
	for i := range lc.Body.Commitments {
		c := &lc.Body.Commitments[i]
		if c.Player != n.cfg.Self && n.revealFor(c) == nil {
			n.sendTo(c.Player, Message{Lock: lc})
		}
	}
}
