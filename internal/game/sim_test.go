package game

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// The simulator seats n players, each a real bft.Node with this package's
// App and its own ledger model, on a virtual network and a virtual clock
// (one tick per step). It is the table actor's loop without the actor: on
// Ready it sends, settles every certified round (Settlement → the ledger
// model's Settle op and cash-outs) and re-seats the core after a leave
// (a new bft.Node at the next round with Seats of the certified state), and
// it answers a player still in an old round with the certificates it missed,
// as the table actor does from its certified log. While faults are on, the
// network drops, duplicates, delays and reorders messages. Byzantine
// players: a withholder stops revealing from some round on (the round is
// voided and it is unseated), a liar's application signs a wrong state hash
// in every confirm. Checked after every certification: no two honest
// players certify different results for a round, and every honest ledger
// keeps its invariant and matches its table. At the end: honest players
// progressed after the faults stopped, and their certificates, exported,
// pass Verify.

type byzKind int

const (
	honest byzKind = iota
	byzWithhold
	byzLiar
	byzClaimer   // lifecycle simulator: names rounds that do not exist, answers asks with nothing
	byzUnseater  // lifecycle simulator: asks to unseat players who are present
	byzDissolver // lifecycle simulator: says it dissolved the table, and plays on
)

func (b byzKind) String() string {
	return [...]string{"honest", "withhold", "liar", "claimer", "unseater", "dissolver"}[b]
}

type simOptions struct {
	n          int
	byz        map[int]byzKind
	withholdAt uint64 // the withholder's first withheld round
	dropP      float64
	dupP       float64
	maxDelay   int
	faultTicks uint64
	goalRounds uint64
	maxTicks   uint64
	betP       float64 // per tick per player
	leaveOdds  int     // one payload in leaveOdds is a leave
}

type simPlayer struct {
	idx      int
	key      bft.PublicKey
	priv     ed25519.PrivateKey
	byz      byzKind
	node     *bft.Node
	app      *App
	ledger   *ledgerModel
	entropy  *rand.ChaCha8
	certs    []bft.Certificate // certified rounds, in order
	records  []bft.Record      // persisted records of rounds not yet certified
	gone     bool              // left, or unseated by a void
	helpedAt map[bft.PublicKey]uint64
}

type edSigner struct{ priv ed25519.PrivateKey }

func (s edSigner) Sign(msg []byte) []byte { return ed25519.Sign(s.priv, msg) }

// liarApp signs a wrong state hash: its Apply answers the true hash with
// the first byte flipped. It still holds the true states, so it follows the
// honest certificates.
type liarApp struct{ *App }

func (l liarApp) Apply(prev bft.Hash, bets []bft.Bet, seed bft.Hash) (bft.Hash, error) {
	h, err := l.App.Apply(prev, bets, seed)
	h[0] ^= 0xff
	return h, err
}

type simMsg struct {
	to   int
	data []byte
}

type sim struct {
	t       testing.TB
	seed    uint64
	opt     simOptions
	rng     *rand.Rand
	now     uint64
	genesis Genesis
	players []*simPlayer
	byKey   map[bft.PublicKey]*simPlayer
	queue   map[uint64][]simMsg
	certs   map[uint64]string // round → what the first honest player certified
	trace   []string
	failed  bool
	voids   int
	leaves  int
	bets    int
}

const (
	simResendTicks = 6
	simTable       = "sim-table"
)

func newSim(t testing.TB, seed uint64, opt simOptions) *sim {
	s := &sim{t: t, seed: seed, opt: opt, rng: rand.New(rand.NewPCG(seed, 0x67736d)),
		byKey: make(map[bft.PublicKey]*simPlayer), queue: make(map[uint64][]simMsg), certs: make(map[uint64]string)}
	s.genesis = Genesis{TableID: simTable, Rules: testGenesis(1, 0, 0).Rules, Bank: 5000 * crap}
	for i := 0; i < opt.n; i++ {
		key, priv := testKey(byte(i), byte(seed))
		var eseed [32]byte
		eseed[0], eseed[1], eseed[2] = byte(i), byte(seed), byte(seed>>8)
		p := &simPlayer{idx: i, key: key, priv: priv, byz: opt.byz[i], entropy: rand.NewChaCha8(eseed),
			helpedAt: make(map[bft.PublicKey]uint64)}
		s.players = append(s.players, p)
		s.byKey[key] = p
		s.genesis.Seats = append(s.genesis.Seats, SeatChips{Player: key, Chips: 200*crap + s.rng.Int64N(300*crap)})
	}
	for _, p := range s.players {
		a, err := NewApp(s.genesis)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		p.app, p.ledger = a, newLedgerModel(s.genesis)
		s.startNode(p, s.genesis.Players(), 1, a.GenesisHash(), nil)
	}
	for _, p := range s.players {
		s.pump(p)
	}
	return s
}

func (s *sim) startNode(p *simPlayer, seats []bft.PublicKey, first uint64, prev bft.Hash, records []bft.Record) {
	var app bft.Application = p.app
	if p.byz == byzLiar {
		app = liarApp{p.app}
	}
	node, err := bft.Restore(bft.Config{TableID: simTable, Self: p.key, Signer: edSigner{p.priv}, Players: seats,
		App: app, Entropy: p.entropy, FirstRound: first, GenesisStateHash: prev,
		BetWindowTicks: 2, ViewTimeoutTicks: 40, MaxTimeoutDoublings: 3, ResendTicks: simResendTicks}, records)
	if err != nil {
		s.fail("player %d: new node at round %d: %v", p.idx, first, err)
		return
	}
	p.node = node
}

func (s *sim) logf(format string, args ...any) {
	s.trace = append(s.trace, fmt.Sprintf("t=%d ", s.now)+fmt.Sprintf(format, args...))
	if len(s.trace) > 200 {
		s.trace = s.trace[100:]
	}
}

func (s *sim) fail(format string, args ...any) {
	if s.failed {
		return
	}
	s.failed = true
	tail := s.trace[max(0, len(s.trace)-40):]
	s.t.Errorf("seed %d (n=%d byz=%v): %s\nreplay: GAME_SEED=%d go test -race -run TestSimulator ./internal/game/\nlast events:\n%s",
		s.seed, s.opt.n, s.opt.byz, fmt.Sprintf(format, args...), s.seed, strings.Join(tail, "\n"))
}

func (s *sim) faulty() bool { return s.now < s.opt.faultTicks }

// pump is the table actor's Ready loop for one player.
func (s *sim) pump(p *simPlayer) {
	for p.node != nil && p.node.HasReady() && !s.failed {
		rd := p.node.Ready()
		p.records = append(p.records, rd.Persist...)
		for _, b := range s.sorted(p, rd.Messages) {
			s.send(p, b.msg, b.data)
		}
		reseat := false
		for i := range rd.Certified {
			reseat = s.onCertified(p, &rd.Certified[i]) || reseat
		}
		p.node.Advance(rd)
		if p.gone {
			p.node = nil
		} else if reseat {
			s.reseat(p)
		}
	}
}

// onCertified checks safety, settles the round in the player's ledger and
// reports whether the seats changed by a leave (bft handles voids itself).
func (s *sim) onCertified(p *simPlayer, c *bft.Certificate) bool {
	if want := uint64(len(p.certs)) + 1; c.Round != want {
		s.fail("player %d certified round %d after %d rounds", p.idx, c.Round, len(p.certs))
		return false
	}
	p.certs = append(p.certs, *c)
	p.records = slices.DeleteFunc(p.records, func(r bft.Record) bool { return r.Round <= c.Round })
	st, err := p.app.Settlement(c)
	if err != nil {
		s.fail("player %d (%s) settlement of round %d: %v", p.idx, p.byz, c.Round, err)
		return false
	}
	key := fmt.Sprintf("%s body %s state %s outcomes %v bank %d leavers %v", c.Body.Kind, c.BodyHash(), c.StateHash, st.Outcomes, st.BankDelta, st.Leavers)
	s.logf("player %d certified round %d view %d %s dice %v state %s leavers %v", p.idx, c.Round, c.View, c.Body.Kind, st.Dice, c.StateHash.String()[:8], st.Leavers)
	if p.byz == honest {
		if prev, ok := s.certs[c.Round]; ok && prev != key {
			s.fail("SAFETY: round %d certified as\n  %s\nby an honest player and as\n  %s\nby player %d", c.Round, prev, key, p.idx)
		}
		s.certs[c.Round] = key
		s.checkLedger(p, c, st)
	}
	if c.Void() && p.byz == honest && p.idx == s.firstHonest() {
		s.voids++
	}
	reseat := false
	for _, l := range st.Leavers {
		if l.Player == p.key.String() {
			p.gone = true
		}
		if l.Reason == LeftTable {
			reseat = true
			if p.idx == s.firstHonest() {
				s.leaves++
			}
		}
	}
	return reseat
}

func (s *sim) checkLedger(p *simPlayer, c *bft.Certificate, st Settlement) {
	if err := p.ledger.settle(st); err != nil {
		s.fail("player %d ledger, round %d: %v", p.idx, c.Round, err)
	} else if err := p.ledger.check(); err != nil {
		s.fail("player %d ledger invariant after round %d: %v", p.idx, c.Round, err)
	} else if err := p.ledger.matches(p.app, c.StateHash); err != nil {
		s.fail("player %d ledger vs table after round %d: %v", p.idx, c.Round, err)
	}
}

func (s *sim) firstHonest() int {
	for _, p := range s.players {
		if p.byz == honest {
			return p.idx
		}
	}
	return -1
}

// reseat starts the player's consensus anew after a round with leavers:
// the next round, the certified state, the seats the game says. The old
// core has already opened that round (it committed to a secret, maybe took
// bets) with the old seats, and those messages are out: the new core must
// be restored from their records, or it would commit to a second secret and
// never open the first one, and the table would void an honest player.
func (s *sim) reseat(p *simPlayer) {
	last := p.certs[len(p.certs)-1]
	seats, err := p.app.Seats(last.StateHash)
	if err != nil {
		s.fail("player %d seats after round %d: %v", p.idx, last.Round, err)
		return
	}
	s.logf("player %d re-seated from round %d: %d seats", p.idx, last.Round+1, len(seats))
	s.startNode(p, seats, last.Round+1, last.StateHash, carriedRecords(p.records, last.Round+1))
}

// carriedRecords are the records a re-seated core of round next restores:
// the round's secret and the commitment and bets already signed with it.
func carriedRecords(records []bft.Record, next uint64) []bft.Record {
	return slices.DeleteFunc(slices.Clone(records), func(r bft.Record) bool {
		own := r.Kind == bft.RecordSigned && (r.Message.Commitment != nil || r.Message.Bet != nil)
		return r.Round != next || !(own || r.Kind == bft.RecordSecret)
	})
}

type encoded struct {
	msg  bft.Message
	data []byte
}

// sorted encodes a Ready's messages and sorts them by their bytes: the core
// may list one Ready's messages in any order (it iterates maps), and the
// network's randomness must not depend on that, or a seed would not replay.
func (s *sim) sorted(from *simPlayer, ms []bft.Message) []encoded {
	out, err := encodeSorted(ms)
	if err != nil {
		s.fail("player %d: %v", from.idx, err)
	}
	return out
}

// encodeSorted is sorted for any simulator: the encodings of ms in the
// order of their bytes and recipients.
func encodeSorted(ms []bft.Message) ([]encoded, error) {
	out := make([]encoded, 0, len(ms))
	for _, m := range ms {
		b, err := m.MarshalBinary()
		if err != nil {
			return nil, fmt.Errorf("marshal %s: %w", m.Type(), err)
		}
		out = append(out, encoded{m, append(b, m.To[:]...)})
	}
	slices.SortFunc(out, func(a, b encoded) int { return bytes.Compare(a.data, b.data) })
	for i := range out {
		out[i].data = out[i].data[:len(out[i].data)-len(bft.PublicKey{})]
	}
	return out, nil
}

func (s *sim) send(from *simPlayer, m bft.Message, b []byte) {
	if from.byz == byzWithhold && m.Round() >= s.opt.withholdAt && leaksReveal(m, from.key) {
		return
	}
	for _, p := range s.players {
		if p == from || (m.To != (bft.PublicKey{}) && m.To != p.key) {
			continue
		}
		s.transmit(p.idx, b)
	}
}

// leaksReveal: the message carries k's own reveal (a withholder must keep
// it out of its view changes and proposals too).
func leaksReveal(m bft.Message, k bft.PublicKey) bool {
	var rs []bft.Reveal
	switch {
	case m.Reveal != nil:
		rs = []bft.Reveal{*m.Reveal}
	case m.ViewChange != nil:
		rs = m.ViewChange.Reveals
	case m.Proposal != nil:
		rs = m.Proposal.Reveals
	}
	return slices.ContainsFunc(rs, func(r bft.Reveal) bool { return r.Player == k })
}

func (s *sim) transmit(to int, b []byte) {
	link := lossyLink{rng: s.rng, dropP: s.opt.dropP, dupP: s.opt.dupP, maxDelay: s.opt.maxDelay}
	for _, at := range link.arrivals(s.now, s.faulty()) {
		s.queue[at] = append(s.queue[at], simMsg{to: to, data: b})
	}
}

// lossyLink is what the simulated network does to one message while faults
// are on: drop it, duplicate it, delay it (which reorders), each drawn from
// the run's seeded stream. Both simulators of this package send through it.
type lossyLink struct {
	rng         *rand.Rand
	dropP, dupP float64
	maxDelay    int
}

// arrivals are the ticks at which a message sent at now arrives: none if
// it is dropped, two if it is duplicated; the next tick when not faulty.
func (l lossyLink) arrivals(now uint64, faulty bool) []uint64 {
	copies := 1
	if faulty {
		if l.rng.Float64() < l.dropP {
			return nil
		}
		if l.rng.Float64() < l.dupP {
			copies = 2
		}
	}
	out := make([]uint64, 0, copies)
	for range copies {
		at := now + 1
		if faulty && l.maxDelay > 1 {
			at += uint64(l.rng.IntN(l.maxDelay))
		}
		out = append(out, at)
	}
	return out
}

func (s *sim) step() {
	s.now++
	due := s.queue[s.now]
	delete(s.queue, s.now)
	s.rng.Shuffle(len(due), func(i, j int) { due[i], due[j] = due[j], due[i] })
	for _, m := range due {
		s.deliver(m)
	}
	for _, p := range s.players {
		if p.node == nil {
			continue
		}
		s.maybeBet(p)
		if p.node != nil {
			p.node.Tick()
			s.pump(p)
		}
	}
}

func (s *sim) deliver(m simMsg) {
	p := s.players[m.to]
	if p.node == nil {
		return
	}
	msg, err := bft.UnmarshalMessage(m.data)
	if err != nil {
		s.fail("player %d: unmarshal: %v", p.idx, err)
		return
	}
	_ = p.node.Step(msg) // refusals are expected: duplicates, stale views, the liar's confirms
	s.help(p, msg)
	s.pump(p)
}

// help answers a message of a round the player has certified with the
// certificates the sender missed, at most once per resend period: after a
// re-seat the new core holds no certificates, so the actor must do it.
func (s *sim) help(p *simPlayer, m bft.Message) {
	from, r := m.From(), m.Round()
	if from == (bft.PublicKey{}) || r == 0 || r > uint64(len(p.certs)) {
		return
	}
	if last, ok := p.helpedAt[from]; ok && s.now-last < simResendTicks {
		return
	}
	p.helpedAt[from] = s.now
	b, err := (bft.Message{To: from, Certificate: &p.certs[r-1]}).MarshalBinary()
	if err != nil {
		s.fail("marshal certificate: %v", err)
		return
	}
	s.transmit(s.byKey[from].idx, b)
}

func (s *sim) maybeBet(p *simPlayer) {
	if p.byz != honest || s.rng.Float64() >= s.opt.betP {
		return
	}
	st := p.node.Status()
	v, err := p.app.View(st.PrevStateHash)
	if err != nil || !st.Seated {
		return
	}
	i := slices.IndexFunc(v.Players, func(pv PlayerView) bool { return pv.PeerID == p.key.String() })
	if i < 0 {
		return
	}
	enc, ok := randomPayload(s.rng, v.Players[i], s.opt.leaveOdds)
	if ok && len(enc) == len(EncodeLeave()) && !s.mayLeave(st.Seats) {
		return
	}
	if ok {
		if _, err := p.node.SubmitBet(enc); err == nil {
			s.bets++
		}
		s.pump(p)
	}
}

// mayLeave: an honest player leaves only if the Byzantine players still
// seated stay within the f the smaller table tolerates (otherwise a liar
// among three players stalls the table for good, as it should).
func (s *sim) mayLeave(seats []bft.PublicKey) bool {
	byz := 0
	for _, k := range seats {
		if s.byKey[k].byz != honest {
			byz++
		}
	}
	return byz == 0 || bft.Faults(len(seats)-1) >= byz
}

// run plays the faulty phase, then requires goalRounds more rounds from
// every honest player still seated.
func (s *sim) run() {
	for s.now < s.opt.faultTicks && !s.failed {
		s.step()
	}
	goal := s.maxHonestRound() + s.opt.goalRounds
	for !s.failed && !s.allReached(goal) {
		if s.now >= s.opt.maxTicks {
			s.fail("LIVENESS: faults stopped at tick %d; no honest progress to round %d by tick %d: %s", s.opt.faultTicks, goal, s.now, s.describe())
			return
		}
		s.step()
	}
}

func (s *sim) maxHonestRound() uint64 {
	var r uint64
	for _, p := range s.players {
		if p.byz == honest {
			r = max(r, uint64(len(p.certs)))
		}
	}
	return r
}

func (s *sim) allReached(goal uint64) bool {
	for _, p := range s.players {
		if p.byz == honest && !p.gone && uint64(len(p.certs)) < goal {
			return false
		}
	}
	return true
}

func (s *sim) describe() string {
	var parts []string
	for _, p := range s.players {
		if p.node == nil {
			parts = append(parts, fmt.Sprintf("%d(%s):gone after %d", p.idx, p.byz, len(p.certs)))
			continue
		}
		st := p.node.Status()
		parts = append(parts, fmt.Sprintf("%d(%s):r%d v%d seats=%d certs=%d", p.idx, p.byz, st.Round, st.View, len(st.Seats), len(p.certs)))
	}
	return strings.Join(parts, " ")
}

// export is the certificates of the honest player who certified the most,
// as the table's export file.
func (s *sim) export() Export {
	var best *simPlayer
	for _, p := range s.players {
		if p.byz == honest && (best == nil || len(p.certs) > len(best.certs)) {
			best = p
		}
	}
	return Export{Version: ExportVersion, Genesis: s.genesis, Certificates: slices.Clone(best.certs)}
}

// randomPlan draws a run's table and faults from the seed.
func randomPlan(seed uint64) simOptions {
	rng := rand.New(rand.NewPCG(seed, 0x706c616e))
	sizes := []int{1, 2, 3, 4, 4, 4, 5, 7}
	n := sizes[rng.IntN(len(sizes))]
	opt := simOptions{n: n, byz: map[int]byzKind{}, maxDelay: 1 + rng.IntN(5),
		dropP: rng.Float64() * 0.2, dupP: rng.Float64() * 0.2, faultTicks: 20 + uint64(rng.IntN(50)),
		goalRounds: 2, betP: 0.05 + rng.Float64()*0.2, leaveOdds: 20 + rng.IntN(100), withholdAt: 1 + uint64(rng.IntN(4))}
	perm := rng.Perm(n)
	switch {
	case n >= 7:
		opt.byz[perm[0]], opt.byz[perm[1]] = byzWithhold, byzLiar
	case n >= 4:
		opt.byz[perm[0]] = []byzKind{byzWithhold, byzLiar}[rng.IntN(2)]
	}
	opt.maxTicks = opt.faultTicks + 2000
	return opt
}
