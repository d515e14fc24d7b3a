package bft

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha512"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
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
	byzPartialReveal
)

var byzNames = [...]string{"honest", "silent", "withhold", "fake-reveal", "wrong-state", "equivocate", "partial-reveal"}

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
	ed25519    bool    // real signatures; otherwise a keyed-hash stand-in (see fakeSign)
	cutOff     []int   // partition groups in force from the start until cutOffEnd
	cutOffEnd  uint64
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
	records   []storedRecord // persisted since the latest certificate, as the actor keeps them
	certRecs  [][]byte       // every certificate record (the ledger's copy, for replay)
	allRecs   [][]byte       // every record ever, when the test asks (keepAll)
	app       *toyApp
	entropy   *rand.ChaCha8
	certified map[uint64]certKey
	signed    map[slot]Hash // every slot this player ever signed, across crashes
	downUntil uint64
	crashes   int
	signs     int
}

type storedRecord struct {
	round uint64
	data  []byte
}

type certKey struct {
	kind  BodyKind
	body  Hash
	state Hash
}

type sim struct {
	t         testing.TB
	seed      uint64
	opt       simOptions
	rng       *rand.Rand
	now       uint64
	seq       uint64
	nodes     []*simNode
	players   []PublicKey
	genesis   Hash
	total     int64
	queue     map[uint64][]simMsg
	certs     map[uint64]certKey
	verified  map[uint64]bool
	part      []int // partition group per node, nil when healed
	partEnd   uint64
	recent    [][]byte // recently sent encodings, for forgeries
	byKey     map[PublicKey]*simNode
	countHook func(Message, int)

	// Hooks for scenario tests.
	intercept func(from *simNode, to int, m Message) []Message // rewrite or drop what from sends to
	crashWhen func(sn *simNode, rd Ready) bool                 // crash after persisting rd, before sending
	stepErrs  []error                                          // refusals returned by Step
	evList    []Evidence
	certList  map[uint64]*Certificate // first honest certificate per round
	keepAll   bool                    // keep every record in simNode.allRecs
	trace     []traceEvent
	failed    bool
	evidence  map[EvidenceKind]int
	bets      int
	voids     int
	// honestVoided counts honest players unseated by a void: allowed (a
	// crash or a partition during the reveal looks like withholding) but
	// watched, since it must stay rare.
	honestVoided int
}

type simSigner struct {
	s  *sim
	sn *simNode
}

func (g simSigner) Sign(msg []byte) []byte { return g.s.sign(g.sn, msg) }

func (s *sim) sign(sn *simNode, msg []byte) []byte {
	sn.signs++
	if s.opt.ed25519 {
		return ed25519.Sign(sn.priv, msg)
	}
	return fakeSign(sn.priv, msg)
}

// fakeSign is the simulator's stand-in for Ed25519: a 64-byte keyed hash
// that only the simulator (which knows every private key) can check. The
// simulated adversary never signs for keys it does not hold, so for the
// protocol this behaves like a signature, at a hundredth of the cost, which
// is what lets thousands of seeds run under -race. Seeds with ed25519 set,
// the scenario tests and the benchmarks use real Ed25519.
func fakeSign(priv ed25519.PrivateKey, msg []byte) []byte {
	h := sha512.New()
	h.Write(priv.Seed())
	h.Write(msg)
	return h.Sum(nil)
}

func (s *sim) verify(signer PublicKey, msg, sig []byte) bool {
	if s.opt.ed25519 {
		return verifySig(signer, msg, sig)
	}
	sn := s.byKey[signer]
	return sn != nil && len(sig) == 64 && bytes.Equal(fakeSign(sn.priv, msg), sig)
}

const (
	simTable = "sim-table"
	simChips = 1_000_000
	simBank  = 100_000_000
)

func newSim(t testing.TB, seed uint64, opt simOptions) *sim {
	s := &sim{t: t, seed: seed, opt: opt, rng: rand.New(rand.NewPCG(seed, 0x62667473696d)),
		queue: make(map[uint64][]simMsg), certs: make(map[uint64]certKey), verified: make(map[uint64]bool),
		evidence: make(map[EvidenceKind]int), byKey: make(map[PublicKey]*simNode), certList: make(map[uint64]*Certificate)}
	for i := 0; i < opt.n; i++ {
		var kseed [32]byte
		kseed[0], kseed[1] = byte(i), byte(seed)
		kseed[2] = byte(seed >> 8)
		priv := ed25519.NewKeyFromSeed(kseed[:])
		pub, _ := PublicKeyFrom(priv.Public().(ed25519.PublicKey))
		var eseed [32]byte
		eseed[0], eseed[1], eseed[2], eseed[3] = byte(i), byte(seed), byte(seed>>8), byte(seed>>16)
		s.nodes = append(s.nodes, &simNode{idx: i, pub: pub, priv: priv, byz: opt.byz[i],
			entropy: rand.NewChaCha8(eseed), certified: make(map[uint64]certKey), signed: make(map[slot]Hash)})
		s.players = append(s.players, pub)
		s.byKey[pub] = s.nodes[i]
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
	if opt.cutOff != nil {
		s.part, s.partEnd = opt.cutOff, opt.cutOffEnd
		s.opt.faultTicks = max(s.opt.faultTicks, opt.cutOffEnd)
	}
	for _, sn := range s.nodes {
		s.pump(sn)
	}
	return s
}

func (s *sim) config(sn *simNode) Config {
	c := Config{TableID: simTable, Self: sn.pub, Signer: simSigner{s, sn}, Players: s.players, App: sn.app,
		Entropy: sn.entropy, GenesisStateHash: s.genesis,
		BetWindowTicks: 2, ViewTimeoutTicks: 40, MaxTimeoutDoublings: 3, ResendTicks: 6, verify: s.verify}
	if s.opt.cfg != nil {
		s.opt.cfg(&c)
	}
	return c
}

// traceEvent is formatted only when a run fails: most runs never print.
type traceEvent struct {
	now    uint64
	format string
	args   []any
}

func (s *sim) logf(format string, args ...any) {
	s.trace = append(s.trace, traceEvent{s.now, format, args})
	if keep := max(200, traceLines); len(s.trace) > 2*keep {
		s.trace = append(s.trace[:0], s.trace[len(s.trace)-keep:]...)
	}
}

func (s *sim) fail(format string, args ...any) {
	if s.failed {
		return
	}
	s.failed = true
	var tail []string
	for _, e := range s.trace[max(0, len(s.trace)-traceLines):] {
		tail = append(tail, fmt.Sprintf("t=%d ", e.now)+fmt.Sprintf(e.format, e.args...))
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
			s.store(sn, r, b)
		}
		if s.faulty() && len(rd.Messages) > 0 && s.rng.Float64() < s.opt.crashSendP && s.canCrash(sn) {
			s.crash(sn, "after persisting, before sending")
			return
		}
		if s.crashWhen != nil && s.crashWhen(sn, rd) {
			s.crash(sn, "on cue, after persisting, before sending")
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
			if len(s.evList) < 1000 {
				s.evList = append(s.evList, e)
			}
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
	if _, ok := s.certList[c.Round]; !ok {
		s.certList[c.Round] = c
	}
	if !s.verified[c.Round] {
		s.verified[c.Round] = true
		if c.Void() {
			s.voids++
			for _, w := range c.Body.Withholders {
				if s.byKey[w].byz == honest {
					s.honestVoided++
					s.logf("honest node %d voided in round %d", s.byKey[w].idx, c.Round)
				}
			}
		}
		if err := verifyCertificate(c.Body.Seats, c, s.verify, certLimits()); err != nil {
			s.fail("node %d: its certificate does not verify: %v", sn.idx, err)
		}
	}
}

// send puts one message on the network, after the sender's Byzantine
// behaviour (if any) rewrote it.
func (s *sim) send(from *simNode, m Message) {
	s.traceSend(from, m)
	if from.byz == honest {
		s.checkNoDoubleSign(from, m)
	}
	if from.byz == honest && s.intercept == nil {
		b, err := m.MarshalBinary()
		if err != nil {
			s.fail("node %d: marshal %s: %v", from.idx, m.Type(), err)
			return
		}
		for _, to := range s.recipients(from, m) {
			if s.countHook != nil {
				s.countHook(m, len(b))
			}
			s.transmit(from.idx, to, b)
		}
		return
	}
	for _, to := range s.recipients(from, m) {
		outs := s.byzantine(from, m, to)
		if s.intercept != nil {
			var kept []Message
			for _, o := range outs {
				kept = append(kept, s.intercept(from, to, o)...)
			}
			outs = kept
		}
		for _, out := range outs {
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
		if sn.byz != byzSilent {
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
	if err := sn.node.Step(msg); err != nil && len(s.stepErrs) < 10000 {
		s.stepErrs = append(s.stepErrs, err) // refusals are expected: forgeries, stale views, limits
	}
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

// store persists a record and prunes what the documented rule allows: once
// a certificate is stored, records of its round and earlier go (the
// certificates themselves stay, as the ledger keeps them).
func (s *sim) store(sn *simNode, r Record, b []byte) {
	if s.keepAll {
		sn.allRecs = append(sn.allRecs, b)
	}
	if r.Kind != RecordCertificate {
		sn.records = append(sn.records, storedRecord{r.Round, b})
		return
	}
	sn.certRecs = append(sn.certRecs, b)
	kept := sn.records[:0]
	for _, old := range sn.records {
		if old.round > r.Round {
			kept = append(kept, old)
		}
	}
	sn.records = kept
}

// restart rebuilds a crashed core from the latest certificate and the
// records after it, with the game replayed from every certificate.
func (s *sim) restart(sn *simNode) {
	var records []Record
	var certs []*Certificate
	for _, b := range sn.certRecs {
		r, err := UnmarshalRecord(b)
		if err != nil {
			s.fail("node %d: unmarshal certificate record: %v", sn.idx, err)
			return
		}
		certs = append(certs, r.Certificate)
	}
	if len(certs) > 0 {
		records = append(records, Record{Kind: RecordCertificate, Round: certs[len(certs)-1].Round, Certificate: certs[len(certs)-1]})
	}
	for _, sr := range sn.records {
		r, err := UnmarshalRecord(sr.data)
		if err != nil {
			s.fail("node %d: unmarshal record: %v", sn.idx, err)
			return
		}
		records = append(records, r)
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
		return []Message{s.hideOwnReveal(from, m)}
	case byzFakeReveal:
		m = s.hideOwnReveal(from, m)
		if m.Reveal != nil {
			r := *m.Reveal
			r.Secret[0] ^= 0xff
			r.Sig = s.sign(from, r.signedBytes(simTable))
			return []Message{{Reveal: &r}}
		}
	case byzWrongState:
		if m.Vote != nil && m.Vote.Kind == VoteConfirm {
			v := *m.Vote
			v.State[0] ^= byte(1 + to)
			v.Sig = s.sign(from, v.signedBytes(simTable))
			return []Message{{Vote: &v}}
		}
	case byzEquivocate:
		return s.equivocate(from, m, to)
	case byzPartialReveal:
		// reveals to one player in two, and only now and then: the roll
		// and the void race each other.
		if m.Reveal != nil && (to%2 == 1 || s.rng.IntN(4) > 0) {
			return nil
		}
		return []Message{s.hideOwnReveal(from, m)}
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
		p.Sig = s.sign(from, p.signedBytes(simTable))
		alt = Message{Proposal: &p}
	case m.Vote != nil:
		v := *m.Vote
		v.Body[0] ^= 0x5a
		v.Sig = s.sign(from, v.signedBytes(simTable))
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
		faultTicks: 60 + uint64(rng.IntN(160)), goalRounds: 3, betP: 0.02 + rng.Float64()*0.1,
		ed25519: seed%250 == 0 && n <= 4}
	f := Faults(n)
	nbyz := 0
	if f > 0 {
		nbyz = rng.IntN(f + 1)
	}
	for _, i := range rng.Perm(n)[:nbyz] {
		opt.byz[i] = byzKind(1 + rng.IntN(int(byzPartialReveal)))
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

// traceLines is how much of the event trace a failure prints (BFT_TRACE=n).
var traceLines = func() int {
	if v, err := strconv.Atoi(os.Getenv("BFT_TRACE")); err == nil {
		return v
	}
	return 60
}()

func (s *sim) traceSend(from *simNode, m Message) {
	switch {
	case m.ViewChange != nil:
		vc := m.ViewChange
		lock := "none"
		if vc.Lock != nil {
			lock = fmt.Sprintf("%s@%d", vc.Lock.Body.Kind, vc.Lock.View)
		}
		s.logf("node %d sends view change r%d→v%d lock=%s reveals=%d", from.idx, vc.Round, vc.View, lock, len(vc.Reveals))
	case m.Proposal != nil && m.To == (PublicKey{}):
		p := m.Proposal
		s.logf("node %d proposes r%d v%d %s withholders=%d commitments=%d", from.idx, p.Round, p.View, p.Body.Kind, len(p.Body.Withholders), len(p.Body.Commitments))
	case m.Reveal != nil:
		s.logf("node %d reveals r%d", from.idx, m.Reveal.Round)
	case m.Vote != nil && m.Vote.Kind == VoteCommit:
		s.logf("node %d commits r%d v%d %s", from.idx, m.Vote.Round, m.Vote.View, m.Vote.Body.String()[:6])
	}
}

// checkNoDoubleSign: an honest player never signs two different messages for
// one slot, even across crashes (the simulator remembers what the core forgot).
func (s *sim) checkNoDoubleSign(from *simNode, m Message) {
	if m.From() != from.pub {
		return
	}
	sl, signed := slotOf(m, simTable)
	d := sha256Sum(signed)
	if old, ok := from.signed[sl]; ok && old != d {
		s.fail("DOUBLE SIGN: node %d signed two different %s messages for round %d view/seq %d", from.idx, m.Type(), sl.round, sl.view)
	}
	from.signed[sl] = d
}

// hideOwnReveal keeps a withholder's secret out of its view changes and
// proposals too (they carry the reveals a player holds).
func (s *sim) hideOwnReveal(from *simNode, m Message) Message {
	strip := func(rs []Reveal) []Reveal {
		var out []Reveal
		for _, r := range rs {
			if r.Player != from.pub {
				out = append(out, r)
			}
		}
		return out
	}
	switch {
	case m.ViewChange != nil:
		vc := *m.ViewChange
		vc.Reveals = strip(vc.Reveals)
		vc.Sig = s.sign(from, vc.signedBytes(simTable))
		return Message{To: m.To, ViewChange: &vc}
	case m.Proposal != nil:
		p := *m.Proposal
		p.Reveals = strip(p.Reveals)
		return Message{To: m.To, Proposal: &p}
	}
	return m
}
