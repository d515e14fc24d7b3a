package bft

import (
	"crypto/sha256"
	"fmt"
)

// Node is one player's consensus state for one table: a synchronous state
// machine driven by Step (a message arrived), Tick (time passed), SubmitBet
// and Propose (the local player acted). It never blocks, never reads a clock
// and does no I/O: what it wants done comes out of Ready.
type Node struct {
	cfg   Config
	seats []PublicKey
	seat  map[PublicKey]int
	round uint64
	prev  Hash
	now   uint64

	secret     Hash
	haveSecret bool
	rs         *roundState
	guard      map[slot]guardEntry // own signed messages of this round
	betSeq     uint64
	lastResend uint64

	certs       map[uint64]*Certificate // recent, for laggards
	futureCerts map[uint64]*Certificate
	future      []Message
	certSentAt  map[PublicKey]uint64
	verified    map[Hash]struct{}
	local       []Message // own messages waiting to be handled by this node
	diverged    error
	seenRound   uint64 // highest round named by a seated player's message (unverified)

	ready Ready
	stats Stats
}

// Ready is what the node wants done. The caller must, in this order:
// 1. write Persist durably (one synced batch);
// 2. send Messages (To zero: every other seated player);
// 3. hand Certified to the ledger and the table, and Evidence to the history;
// 4. call Advance with this Ready.
// Persist before send is what makes the double-sign guard survive a crash.
type Ready struct {
	Persist   []Record
	Messages  []Message
	Certified []Certificate
	Evidence  []Evidence
}

// Stats counts what the node did, for the actor's metrics.
type Stats struct {
	Certified          uint64 // rounds certified by this node
	ViewChanges        uint64 // view changes this node started or joined
	SignaturesMade     uint64 // calls to Signer.Sign
	SignaturesVerified uint64 // Ed25519 verifications done
	SignatureCacheHits uint64 // verifications skipped: the same signed bytes were already verified
	BadSignatures      uint64 // messages whose signature failed
	BadMessages        uint64 // messages refused by Step for any reason
	LimitHits          uint64 // inputs dropped because a bound was reached
	Evidence           uint64 // evidence produced
	EvidenceDropped    uint64 // evidence dropped by MaxEvidence
	CertificatesSent   uint64 // certificates sent to lagging players
}

// Status is a snapshot for logs, metrics and the API.
type Status struct {
	Round         uint64
	View          uint64
	ViewActive    bool
	Leader        PublicKey
	Seated        bool
	Seats         []PublicKey
	PrevStateHash Hash
	LockView      uint64
	Locked        bool
	// SeenRound is the highest round a seated player's message named. It is
	// a hint (not verified): when it runs more than KeepCertificates ahead of
	// Round, peers no longer hold the certificates this node needs, and the
	// actor should restore the table from the ledger and Restore the node.
	SeenRound uint64
	Stats     Stats
}

type guardEntry struct {
	digest Hash // SHA-256 of the signed bytes
	msg    Message
}

// NewNode starts a node at Config.FirstRound with no history.
func NewNode(cfg Config) (*Node, error) { return Restore(cfg, nil) }

func newNode(cfg Config) (*Node, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	n := &Node{
		cfg:         c,
		certs:       make(map[uint64]*Certificate),
		futureCerts: make(map[uint64]*Certificate),
		certSentAt:  make(map[PublicKey]uint64),
	}
	n.setSeats(c.Players)
	n.round = c.FirstRound
	n.prev = c.GenesisStateHash
	n.resetRound()
	return n, nil
}

func (n *Node) setSeats(seats []PublicKey) {
	n.seats = append([]PublicKey(nil), seats...)
	n.seat = seatIndex(n.seats)
}

func (n *Node) resetRound() {
	n.rs = newRoundState(n.now)
	n.guard = make(map[slot]guardEntry)
	n.verified = make(map[Hash]struct{})
	n.betSeq = 0
	n.haveSecret = false
}

func (n *Node) seated() bool {
	_, ok := n.seat[n.cfg.Self]
	return ok
}

func (n *Node) quorum() int { return Quorum(len(n.seats)) }

func (n *Node) leader(view uint64) PublicKey { return Leader(n.seats, n.round, view) }

// Step hands the node a message from the network. An error means the
// message was refused (the error names why); the node is still usable.
func (n *Node) Step(m Message) error {
	err := n.handle(m)
	if err != nil {
		n.stats.BadMessages++
	}
	if derr := n.drain(); derr != nil && err == nil {
		err = derr
	}
	return err
}

// Tick advances the node's clock by one tick.
func (n *Node) Tick() {
	n.now++
	if !n.seated() {
		return
	}
	if !n.haveSecret {
		n.openRound() // retry after an entropy failure
	}
	if n.now-n.lastResend >= uint64(n.cfg.ResendTicks) {
		n.resend()
	}
	n.tryPropose()
	if n.viewExpired() {
		n.startViewChange(n.rs.view + 1)
	}
	_ = n.drain() // errors of our own messages are counted in Stats
}

// viewExpired: the view ran out of ticks. View 0's timeout includes the bet
// window while the leader waits for bets; once its proposal is here, the
// view has the base timeout from then on, so a round stuck after the roll
// (a missing vote or reveal) moves on in a second, not after a bet window
// that may be an hour long for a human shooter.
func (n *Node) viewExpired() bool {
	timeout := n.cfg.viewTimeout(n.rs.view)
	if n.rs.view == 0 && n.rs.betWindowOver {
		timeout = uint64(n.cfg.ViewTimeoutTicks)
	}
	return n.now-n.rs.viewStart >= timeout
}

// Propose asks the leader to propose now instead of waiting out the bet
// window: the shooter rolls.
func (n *Node) Propose() error {
	if !n.seated() {
		return fmt.Errorf("propose at table %q: %w", n.cfg.TableID, ErrNotSeated)
	}
	if l := n.leader(n.rs.view); l != n.cfg.Self {
		return fmt.Errorf("propose round %d view %d: the leader is %s: %w", n.round, n.rs.view, l.Short(), ErrNotLeader)
	}
	n.rs.proposeAsked = true
	n.tryPropose()
	return n.drain()
}

// LeaderAbsent tells the node that the leader of its current view is not
// there (the caller's lifecycle has not heard from it for a while): it asks
// for the next view now instead of waiting out the view's timeout, which in
// view 0 includes the whole bet window, so an absent player never holds the
// dice. Once per active view; safety never depends on when a view change
// starts (step 6).
func (n *Node) LeaderAbsent() {
	if !n.seated() || !n.rs.active || n.leader(n.rs.view) == n.cfg.Self {
		return
	}
	n.startViewChange(n.rs.view + 1)
	_ = n.drain() // errors of our own messages are counted in Stats
}

// HasReady reports whether Ready has anything in it.
func (n *Node) HasReady() bool {
	r := &n.ready
	return len(r.Persist)+len(r.Messages)+len(r.Certified)+len(r.Evidence) > 0
}

// Ready returns what the node wants done (see Ready). Call Advance after.
func (n *Node) Ready() Ready {
	r := n.ready
	return Ready{
		Persist:   r.Persist[:len(r.Persist):len(r.Persist)],
		Messages:  r.Messages[:len(r.Messages):len(r.Messages)],
		Certified: r.Certified[:len(r.Certified):len(r.Certified)],
		Evidence:  r.Evidence[:len(r.Evidence):len(r.Evidence)],
	}
}

// Advance tells the node that rd (from Ready) was done.
func (n *Node) Advance(rd Ready) {
	r := &n.ready
	r.Persist = dropFront(r.Persist, len(rd.Persist))
	r.Messages = dropFront(r.Messages, len(rd.Messages))
	r.Certified = dropFront(r.Certified, len(rd.Certified))
	r.Evidence = dropFront(r.Evidence, len(rd.Evidence))
}

func dropFront[T any](s []T, k int) []T {
	if k >= len(s) {
		return nil
	}
	return append([]T(nil), s[k:]...)
}

// Status returns a snapshot of the node.
func (n *Node) Status() Status {
	st := Status{
		Round: n.round, View: n.rs.view, ViewActive: n.rs.active, Leader: n.leader(n.rs.view),
		Seated: n.seated(), Seats: append([]PublicKey(nil), n.seats...), PrevStateHash: n.prev, Stats: n.stats,
		SeenRound: max(n.seenRound, n.round),
	}
	if lc := n.rs.highestLock(); lc != nil {
		st.Locked, st.LockView = true, lc.View
	}
	return st
}

// check verifies a signature, skipping signed bytes already verified this
// round: duplicates and resends are common and Ed25519 is the hot path.
func (n *Node) check(signer PublicKey, msg, sig []byte) bool {
	k := verifiedKey(signer, msg, sig)
	if _, ok := n.verified[k]; ok {
		n.stats.SignatureCacheHits++
		return true
	}
	n.stats.SignaturesVerified++
	if !n.cfg.verify(signer, msg, sig) {
		return false
	}
	n.markVerified(k)
	return true
}

func verifiedKey(signer PublicKey, msg, sig []byte) Hash {
	h := sha256.New()
	h.Write(signer[:])
	h.Write(msg)
	h.Write(sig)
	var k Hash
	h.Sum(k[:0])
	return k
}

func (n *Node) markVerified(k Hash) {
	if len(n.verified) >= 1<<14 { // bound: a flood of valid duplicates cannot grow it
		n.verified = make(map[Hash]struct{})
	}
	n.verified[k] = struct{}{}
}

func (n *Node) limits() bodyLimits {
	return bodyLimits{maxBets: n.cfg.MaxBetsPerRound, maxPayload: n.cfg.MaxBetPayloadBytes}
}

// broadcast queues m for every other seated player.
func (n *Node) broadcast(m Message) {
	m.To = PublicKey{}
	n.ready.Messages = append(n.ready.Messages, m)
}

func (n *Node) sendTo(to PublicKey, m Message) {
	m.To = to
	n.ready.Messages = append(n.ready.Messages, m)
}

// drain handles the node's own new messages, as if they had arrived. Votes
// count the voter's own vote this way, and n = 1 runs a round inside one call.
func (n *Node) drain() error {
	var first error
	for len(n.local) > 0 {
		m := n.local[0]
		n.local = n.local[1:]
		if err := n.handle(m); err != nil && first == nil {
			first = err
		}
	}
	if n.diverged != nil && first == nil {
		first, n.diverged = n.diverged, nil
	}
	return first
}
