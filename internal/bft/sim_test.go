package bft

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// The simulator runs n pure cores over a virtual network and a virtual clock
// (one tick per step). The network drops, delays, duplicates, reorders and
// forges messages, partitions and heals; cores crash (losing everything not
// persisted, sometimes between persisting and sending) and restart from
// their records; Byzantine players equivocate, withhold or fake reveals,
// confirm wrong state hashes or go silent. After every certification it
// checks safety (no two honest players certify different results for a
// round) and the money invariant of the toy game; after the faults stop it
// checks liveness (every honest seated player certifies more rounds).

type byzKind int

const (
	honest byzKind = iota
	byzSilent
	byzWithhold
	byzFakeReveal
	byzWrongState
	byzEquivocate
)

var byzNames = [...]string{"honest", "silent", "withhold", "fake-reveal", "wrong-state", "equivocate"}

func (b byzKind) String() string { return byzNames[b] }

// simOptions is one run's plan. Probabilities are per message or per tick.
type simOptions struct {
	n          int
	byz        map[int]byzKind
	dropP      float64
	dupP       float64
	maxDelay   int
	forgeP     float64
	crashP     float64 // per tick: crash one node (within the fault budget)
	crashSendP float64 // per Ready: crash after persisting, before sending
	partitionP float64 // per tick: start a partition
	faultTicks uint64  // faults stop at this tick
	goalRounds uint64  // rounds every honest seated player must certify after faults stop
	maxTicks   uint64  // give up (liveness failure) after this many ticks
	betP       float64 // per tick per player: submit a bet
	cfg        func(*Config)
}

type simMsg struct {
	at, seq uint64
	to      int
	data    []byte
}

type simNode struct {
	idx       int
	pub       PublicKey
	priv      ed25519.PrivateKey
	byz       byzKind
	node      *Node
	records   [][]byte
	app       *toyApp
	entropy   *rand.ChaCha8
	certified map[uint64]certKey
	downUntil uint64
	crashes   int
	signs     int
}

type certKey struct {
	kind  BodyKind
	body  Hash
	state Hash
}

type sim struct {
	t        testing.TB
	seed     uint64
	opt      simOptions
	rng      *rand.Rand
	now      uint64
	seq      uint64
	nodes    []*simNode
	players  []PublicKey
	genesis  Hash
	total    int64
	queue    map[uint64][]simMsg
	certs    map[uint64]certKey
	verified map[uint64]bool
	part     []int // partition group per node, nil when healed
	partEnd  uint64
	recent   [][]byte // recently sent encodings, for forgeries
	trace    []string
	failed   bool
	evidence map[EvidenceKind]int
	bets     int
}

type simSigner struct {
	priv ed25519.PrivateKey
	n    *simNode
}

func (s simSigner) Sign(msg []byte) []byte {
	s.n.signs++
	return ed25519.Sign(s.priv, msg)
}

const (
	simTable = "sim-table"
	simChips = 1_000_000
	simBank  = 100_000_000
)

func newSim(t testing.TB, seed uint64, opt simOptions) *sim {
	s := &sim{t: t, seed: seed, opt: opt, rng: rand.New(rand.NewPCG(seed, 0x62667473696d)),
		queue: make(map[uint64][]simMsg), certs: make(map[uint64]certKey), verified: make(map[uint64]bool),
		evidence: make(map[EvidenceKind]int)}
	for i := 0; i < opt.n; i++ {
		var kseed [32]byte
		kseed[0], kseed[1] = byte(i), byte(seed)
		kseed[2] = byte(seed >> 8)
		priv := ed25519.NewKeyFromSeed(kseed[:])
		pub, _ := PublicKeyFrom(priv.Public().(ed25519.PublicKey))
		var eseed [32]byte
		eseed[0], eseed[1], eseed[2], eseed[3] = byte(i), byte(seed), byte(seed>>8), byte(seed>>16)
		s.nodes = append(s.nodes, &simNode{idx: i, pub: pub, priv: priv, byz: opt.byz[i],
			entropy: rand.NewChaCha8(eseed), certified: make(map[uint64]certKey)})
		s.players = append(s.players, pub)
	}
	for _, sn := range s.nodes {
		app, genesis := newToyApp(s.players, simChips, simBank)
		sn.app, s.genesis = app, genesis
		s.total = app.states[genesis].total()
		node, err := NewNode(s.config(sn))
		if err != nil {
			t.Fatalf("seed %d: new node: %v", seed, err)
		}
		sn.node = node
	}
	for _, sn := range s.nodes {
		s.pump(sn)
	}
	return s
}

func (s *sim) config(sn *simNode) Config {
	c := Config{TableID: simTable, Self: sn.pub, Signer: simSigner{sn.priv, sn}, Players: s.players, App: sn.app,
		Entropy: sn.entropy, GenesisStateHash: s.genesis,
		BetWindowTicks: 2, ViewTimeoutTicks: 40, MaxTimeoutDoublings: 3, ResendTicks: 6}
	if s.opt.cfg != nil {
		s.opt.cfg(&c)
	}
	return c
}

func (s *sim) logf(format string, args ...any) {
	s.trace = append(s.trace, fmt.Sprintf("t=%d ", s.now)+fmt.Sprintf(format, args...))
	if len(s.trace) > 400 {
		s.trace = s.trace[200:]
	}
}

func (s *sim) fail(format string, args ...any) {
	if s.failed {
		return
	}
	s.failed = true
	tail := s.trace
	if len(tail) > 60 {
		tail = tail[len(tail)-60:]
	}
	s.t.Errorf("seed %d (n=%d byz=%v): %s\nreplay: BFT_SEED=%d go test -race -run 'TestSimulator' ./internal/bft/\nlast events:\n%s",
		s.seed, s.opt.n, s.opt.byz, fmt.Sprintf(format, args...), s.seed, strings.Join(tail, "\n"))
}

// pump runs the caller's loop for one core: persist, then send, then hand
// certified rounds and evidence on, then Advance.
func (s *sim) pump(sn *simNode) {
	for sn.node != nil && sn.node.HasReady() {
		rd := sn.node.Ready()
		for _, r := range rd.Persist {
			b, err := r.MarshalBinary()
			if err != nil {
				s.fail("node %d: marshal record: %v", sn.idx, err)
				return
			}
			sn.records = append(sn.records, b)
		}
		if s.faulty() && len(rd.Messages) > 0 && s.rng.Float64() < s.opt.crashSendP && s.canCrash(sn) {
			s.crash(sn, "after persisting, before sending")
			return
		}
		for _, m := range rd.Messages {
			s.send(sn, m)
		}
		for i := range rd.Certified {
			s.onCertified(sn, &rd.Certified[i])
		}
		for _, e := range rd.Evidence {
			s.evidence[e.Kind]++
		}
		sn.node.Advance(rd)
	}
}

func (s *sim) faulty() bool { return s.now < s.opt.faultTicks }

// onCertified checks safety and the money invariant.
func (s *sim) onCertified(sn *simNode, c *Certificate) {
	key := certKey{c.Body.Kind, c.BodyHash(), c.StateHash}
	s.logf("node %d certified round %d view %d %s state %s", sn.idx, c.Round, c.View, c.Body.Kind, c.StateHash.String()[:8])
	if prev, ok := sn.certified[c.Round]; ok && prev != key {
		s.fail("node %d certified round %d twice, differently", sn.idx, c.Round)
	}
	sn.certified[c.Round] = key
	st, ok := sn.app.states[c.StateHash]
	if !ok {
		s.fail("node %d: certified state of round %d unknown to its application", sn.idx, c.Round)
		return
	}
	if st.total() != s.total {
		s.fail("node %d round %d: chips+bank = %d, want %d", sn.idx, c.Round, st.total(), s.total)
	}
	for k, v := range st.chips {
		if v < 0 {
			s.fail("node %d round %d: %s has %d chips", sn.idx, c.Round, k.Short(), v)
		}
	}
	if st.bank < 0 {
		s.fail("node %d round %d: bank %d", sn.idx, c.Round, st.bank)
	}
	sn.app.commit(c.StateHash)
	if sn.byz != honest {
		return
	}
	if prev, ok := s.certs[c.Round]; ok && prev != key {
		s.fail("SAFETY: round %d certified as %s %s by one honest player and %s %s by node %d",
			c.Round, prev.kind, prev.state.String()[:8], key.kind, key.state.String()[:8], sn.idx)
	}
	s.certs[c.Round] = key
	if !s.verified[c.Round] {
		s.verified[c.Round] = true
		if err := VerifyCertificate(c.Body.Seats, c); err != nil {
			s.fail("node %d: its certificate does not verify: %v", sn.idx, err)
		}
	}
}

// send puts one message on the network, after the sender's Byzantine
// behaviour (if any) rewrote it.
func (s *sim) send(from *simNode, m Message) {
	for _, to := range s.recipients(from, m) {
		for _, out := range s.byzantine(from, m, to) {
			b, err := out.MarshalBinary()
			if err != nil {
				s.fail("node %d: marshal %s: %v", from.idx, out.Type(), err)
				return
			}
			s.transmit(from.idx, to, b)
		}
	}
}

func (s *sim) recipients(from *simNode, m Message) []int {
	if m.To != (PublicKey{}) {
		for _, sn := range s.nodes {
			if sn.pub == m.To {
				return []int{sn.idx}
			}
		}
		return nil
	}
	var out []int
	for _, sn := range s.nodes {
		if sn != from {
			out = append(out, sn.idx)
		}
	}
	return out
}

func (s *sim) transmit(from, to int, b []byte) {
	if s.faulty() {
		if s.part != nil && s.part[from] != s.part[to] {
			return
		}
		if s.rng.Float64() < s.opt.dropP {
			return
		}
	}
	copies := 1
	if s.faulty() && s.rng.Float64() < s.opt.dupP {
		copies = 2
	}
	for i := 0; i < copies; i++ {
		delay := uint64(1)
		if s.opt.maxDelay > 1 {
			delay += uint64(s.rng.IntN(s.opt.maxDelay))
		}
		if !s.faulty() {
			delay = 1 + uint64(s.rng.IntN(2))
		}
		s.seq++
		at := s.now + delay
		s.queue[at] = append(s.queue[at], simMsg{at: at, seq: s.seq, to: to, data: b})
	}
	if len(s.recent) < 64 {
		s.recent = append(s.recent, b)
	} else {
		s.recent[s.rng.IntN(len(s.recent))] = b
	}
}

// step advances the virtual clock by one tick.
func (s *sim) step() {
	s.now++
	due := s.queue[s.now]
	delete(s.queue, s.now)
	s.rng.Shuffle(len(due), func(i, j int) { due[i], due[j] = due[j], due[i] })
	for _, m := range due {
		s.deliver(m)
	}
	if s.faulty() {
		s.injectFaults()
	} else {
		s.heal()
	}
	for _, sn := range s.nodes {
		if sn.node == nil {
			if s.now >= sn.downUntil {
				s.restart(sn)
			}
			continue
		}
		if sn.byz == honest || sn.byz == byzWithhold || sn.byz == byzFakeReveal || sn.byz == byzWrongState || sn.byz == byzEquivocate {
			s.maybeBet(sn)
		}
		if sn.node == nil {
			continue
		}
		sn.node.Tick()
		s.pump(sn)
	}
}

func (s *sim) deliver(m simMsg) {
	sn := s.nodes[m.to]
	if sn.node == nil {
		return
	}
	msg, err := UnmarshalMessage(m.data)
	if err != nil {
		return // a forged frame; the actor drops it the same way
	}
	_ = sn.node.Step(msg) // refusals are expected: forgeries, stale views, limits
	s.pump(sn)
}

func (s *sim) maybeBet(sn *simNode) {
	if s.rng.Float64() >= s.opt.betP || !sn.node.seated() {
		return
	}
	amount := 1 + s.rng.Int64N(simChips/8)
	if _, err := sn.node.SubmitBet(toyBet(amount, s.rng.IntN(2) == 1)); err == nil {
		s.bets++
	}
	s.pump(sn)
}

// budget: crashed or cut-off honest players plus Byzantine ones stay within
// f, because beyond that a void can unseat honest players and the model's
// assumption is gone. With f = 0 (n ≤ 3) every fault only stalls the table.
func (s *sim) budgetLeft() int {
	f := Faults(s.opt.n)
	if f == 0 {
		return s.opt.n
	}
	used := len(s.opt.byz)
	for _, sn := range s.nodes {
		if sn.node == nil && sn.byz == honest {
			used++
		}
	}
	return f - used
}

func (s *sim) canCrash(sn *simNode) bool {
	return sn.byz == honest && s.budgetLeft() > 0 && s.part == nil
}

func (s *sim) crash(sn *simNode, why string) {
	s.logf("node %d crashes %s", sn.idx, why)
	sn.node = nil
	sn.crashes++
	sn.downUntil = s.now + 1 + uint64(s.rng.IntN(80))
}

func (s *sim) restart(sn *simNode) {
	records := make([]Record, 0, len(sn.records))
	var certs []*Certificate
	for _, b := range sn.records {
		r, err := UnmarshalRecord(b)
		if err != nil {
			s.fail("node %d: unmarshal record: %v", sn.idx, err)
			return
		}
		records = append(records, r)
		if r.Kind == RecordCertificate {
			certs = append(certs, r.Certificate)
		}
	}
	app, genesis := newToyApp(s.players, simChips, simBank)
	if _, err := app.replay(genesis, certs); err != nil {
		s.fail("node %d: replay: %v", sn.idx, err)
		return
	}
	sn.app = app
	node, err := Restore(s.config(sn), records)
	if err != nil {
		s.fail("node %d: restore: %v", sn.idx, err)
		return
	}
	sn.node = node
	s.logf("node %d restarts at round %d view %d", sn.idx, node.round, node.rs.view)
	s.pump(sn)
}

func (s *sim) injectFaults() {
	if s.rng.Float64() < s.opt.crashP {
		sn := s.nodes[s.rng.IntN(len(s.nodes))]
		if sn.node != nil && s.canCrash(sn) {
			s.crash(sn, "at a tick")
		}
	}
	if s.part != nil && s.now >= s.partEnd {
		s.logf("partition heals")
		s.part = nil
	}
	if s.part == nil && s.rng.Float64() < s.opt.partitionP {
		s.partition()
	}
	if len(s.recent) > 0 && s.rng.Float64() < s.opt.forgeP {
		s.forge()
	}
}

// partition cuts a group off: any group when f = 0 (no quorum anywhere just
// stalls), else a minority within the fault budget.
func (s *sim) partition() {
	size := 1 + s.rng.IntN(max(1, s.opt.n/2))
	if Faults(s.opt.n) > 0 {
		size = min(size, s.budgetLeft())
		if size <= 0 {
			return
		}
	}
	s.part = make([]int, s.opt.n)
	for _, i := range s.rng.Perm(s.opt.n)[:size] {
		s.part[i] = 1
	}
	s.partEnd = s.now + 10 + uint64(s.rng.IntN(120))
	s.logf("partition %v until %d", s.part, s.partEnd)
}

// forge delivers a corrupted copy of a recent frame: a flipped byte makes a
// bad signature, a wrong length, or (rarely) nonsense that still decodes.
func (s *sim) forge() {
	b := append([]byte(nil), s.recent[s.rng.IntN(len(s.recent))]...)
	for k := 0; k < 1+s.rng.IntN(3); k++ {
		b[s.rng.IntN(len(b))] ^= byte(1 + s.rng.IntN(255))
	}
	s.seq++
	at := s.now + 1
	s.queue[at] = append(s.queue[at], simMsg{at: at, seq: s.seq, to: s.rng.IntN(s.opt.n), data: b})
}

func (s *sim) heal() {
	s.part = nil
}

// run plays the faulty phase, then requires goalRounds more rounds from
// every honest seated player.
func (s *sim) run() {
	for s.now < s.opt.faultTicks && !s.failed {
		s.step()
	}
	start := s.maxHonestRound()
	for !s.failed {
		if s.allReached(start + s.opt.goalRounds) {
			return
		}
		if s.now >= s.opt.maxTicks {
			s.fail("LIVENESS: after faults stopped at tick %d (round %d), no %d more rounds by tick %d: %s",
				s.opt.faultTicks, start, s.opt.goalRounds, s.now, s.describe())
			return
		}
		s.step()
	}
}

func (s *sim) maxHonestRound() uint64 {
	var r uint64
	for _, sn := range s.nodes {
		if sn.byz == honest && sn.node != nil && sn.node.round > r {
			r = sn.node.round
		}
	}
	return r
}

// allReached: every honest player still seated (per the latest honest
// certificate) has reached round goal.
func (s *sim) allReached(goal uint64) bool {
	seats := s.currentSeats()
	for _, sn := range s.nodes {
		if sn.byz != honest || !containsKey(seats, sn.pub) {
			continue
		}
		if sn.node == nil || sn.node.round < goal {
			return false
		}
	}
	return true
}

func (s *sim) currentSeats() []PublicKey {
	var best *Node
	for _, sn := range s.nodes {
		if sn.byz == honest && sn.node != nil && (best == nil || sn.node.round > best.round) {
			best = sn.node
		}
	}
	if best == nil {
		return s.players
	}
	return best.seats
}

func (s *sim) describe() string {
	var parts []string
	for _, sn := range s.nodes {
		if sn.node == nil {
			parts = append(parts, fmt.Sprintf("%d:down", sn.idx))
			continue
		}
		st := sn.node.Status()
		parts = append(parts, fmt.Sprintf("%d(%s):r%d v%d active=%v seated=%v locked=%v", sn.idx, sn.byz, st.Round, st.View, st.ViewActive, st.Seated, st.Locked))
	}
	return strings.Join(parts, " ")
}

// byzantine rewrites what a Byzantine player sends to one recipient.
func (s *sim) byzantine(from *simNode, m Message, to int) []Message {
	switch from.byz {
	case byzSilent:
		return nil
	case byzWithhold:
		if m.Reveal != nil {
			return nil
		}
	case byzFakeReveal:
		if m.Reveal != nil {
			r := *m.Reveal
			r.Secret[0] ^= 0xff
			r.Sig = ed25519.Sign(from.priv, r.signedBytes(simTable))
			return []Message{{Reveal: &r}}
		}
	case byzWrongState:
		if m.Vote != nil && m.Vote.Kind == VoteConfirm {
			v := *m.Vote
			v.State[0] ^= byte(1 + to)
			v.Sig = ed25519.Sign(from.priv, v.signedBytes(simTable))
			return []Message{{Vote: &v}}
		}
	case byzEquivocate:
		return s.equivocate(from, m, to)
	}
	return []Message{m}
}

// equivocate sends odd-numbered recipients a conflicting proposal or vote,
// and some of them both versions, so honest players collect the evidence.
func (s *sim) equivocate(from *simNode, m Message, to int) []Message {
	var alt Message
	switch {
	case m.Proposal != nil:
		p := *m.Proposal
		p.Body.Bets = nil
		if len(m.Proposal.Body.Bets) == 0 {
			p.Body.Bets = []Bet{}
			if len(p.Body.Commitments) > Quorum(len(p.Body.Seats)) {
				p.Body.Commitments = p.Body.Commitments[:len(p.Body.Commitments)-1]
			} else {
				return []Message{m}
			}
		}
		p.Sig = ed25519.Sign(from.priv, p.signedBytes(simTable))
		alt = Message{Proposal: &p}
	case m.Vote != nil:
		v := *m.Vote
		v.Body[0] ^= 0x5a
		v.Sig = ed25519.Sign(from.priv, v.signedBytes(simTable))
		alt = Message{Vote: &v}
	default:
		return []Message{m}
	}
	switch {
	case to%3 == 0:
		return []Message{m, alt}
	case to%2 == 1:
		return []Message{alt}
	}
	return []Message{m}
}

// randomPlan draws a run's faults from the seed.
func randomPlan(seed uint64) simOptions {
	rng := rand.New(rand.NewPCG(seed, 0x706c616e))
	sizes := []int{1, 2, 3, 4, 4, 4, 5, 7}
	n := sizes[rng.IntN(len(sizes))]
	opt := simOptions{n: n, byz: map[int]byzKind{}, maxDelay: 1 + rng.IntN(8),
		dropP: rng.Float64() * 0.3, dupP: rng.Float64() * 0.2, forgeP: rng.Float64() * 0.2,
		faultTicks: 150 + uint64(rng.IntN(250)), goalRounds: 3, betP: 0.05 + rng.Float64()*0.2}
	f := Faults(n)
	nbyz := 0
	if f > 0 {
		nbyz = rng.IntN(f + 1)
	}
	for _, i := range rng.Perm(n)[:nbyz] {
		opt.byz[i] = byzKind(1 + rng.IntN(int(byzEquivocate)))
	}
	if rng.IntN(3) > 0 {
		opt.crashP = rng.Float64() * 0.02
		opt.crashSendP = rng.Float64() * 0.01
	}
	if rng.IntN(3) == 0 {
		opt.partitionP = rng.Float64() * 0.01
	}
	opt.maxTicks = opt.faultTicks + 3000
	return opt
}

func sortedKinds(m map[EvidenceKind]int) string {
	var ks []string
	for k, v := range m {
		ks = append(ks, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}
