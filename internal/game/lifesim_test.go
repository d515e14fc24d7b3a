package game

import (
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/lifecycle"
)

// The lifecycle simulator: bft, game and lifecycle together, under the
// faults of issue 16. Each player is a real bft.Node validating with this
// package's App, a lifecycle.Table, a ledger model and a certified log, on a
// virtual network and clock (one tick per step), all drawn from one seed.
// It drives a node the way the consensus actor does:
//
//   - the lifecycle gates consensus: bft Tick and Step only in Mode
//     Playing or Dissolving, bets only in Playing; certificates are always
//     stepped, so a paused or catching-up node still learns certified
//     rounds; the lifecycle's MayVoid and Absent are bft's, and Judged its
//     App;
//   - every message from a seat calls Heard(from, the round it names);
//     sending consensus messages to every seat calls Spoke;
//   - Ready.Heartbeat sends presence to the other seats: the next round,
//     or once dissolved the dissolution round, which the receiver hands to
//     HeardDissolved instead of Heard;
//     Ready.AskRounds asks one seat, which answers with up to simAskBatch
//     certificates from its certified log (none newer: NothingNewer);
//     Ready.Unseat submits EncodeUnseat as a bet, and the App a node
//     validates with refuses an unseat unless lifecycle.MayUnseat (the
//     actor's judgedApp); Ready.Dissolve is persisted and stops the node's
//     consensus for good; a certificate learned afterwards is checked
//     (bft.VerifyCertificate against the round's seats, then replayed) and
//     handed to Certified, which may move the dissolution;
//   - a message of a round the node has certified is answered with that
//     round's certificate (rate-limited), as the table actor does.
//
// Faults, during the first faultTicks: a lossy, duplicating, reordering
// network; crash-and-restart (memory lost; the bft records, the certified
// log, the ledger and the dissolution kept; bft.Restore and lifecycle.New
// from them); pause-and-resume (SIGSTOP: no ticks, no input) shorter and
// longer than the grace; partitions (1|1 at two seats, 2|1 at three, any
// split at four and seven), some cut the instant a round first certifies,
// and heal; leaves mid-game; Byzantine players
// (withholder, liar, false claimer of rounds, unseater of present players,
// false dissolver).
// Then every fault ends at once and the run goes on until every honest
// replica agrees. Joins mid-game are not simulated: internal/game has no
// join yet.
//
// Checked on every certification, the only step that changes a result or
// moves money: no two honest players certify different results for a
// round; the first certification of a round had min_players of its seats
// present and, for a roll, two revealers at least (checkFirstCertification
// says exactly how presence is counted); a player unseated by a payload
// had been away from an honest player for the grace (checkUnseated); every replica's ledger
// keeps the invariant and matches its table; a node dissolves only at a
// round it certified. At the end (checkConverged): every honest replica
// still seated holds the same certified rounds, the same dissolution (or
// none) and the same ledger state hash, and every node that crashed or
// stopped holds every round an honest player certified; a table still
// playing went goalRounds past the rounds certified when the faults
// stopped (lifeSim.settled).

// Lifecycle settings of the simulator, in ticks. The grace is short enough
// to be outlasted within a run, and long enough for many rounds.
const (
	simHeartbeat  = 4
	simAbsent     = 16
	simAskEvery   = 6
	simGrace      = 80
	simAskBatch   = 16
	simLifeResend = 5
)

// lifeNode is one player: what it keeps in memory (lost in a crash) and
// what it persisted (kept).
type lifeNode struct {
	idx     int
	key     bft.PublicKey
	priv    ed25519.PrivateKey
	byz     byzKind
	entropy *rand.ChaCha8

	// memory
	node     *bft.Node
	app      *App
	life     *lifecycle.Table
	helpedAt map[int]uint64

	// persisted
	certs     []bft.Certificate
	records   []bft.Record
	dissolved *lifecycle.Dissolve
	ledger    *ledgerModel
	gone      bool // left or unseated: no longer a player of the table

	// ground truth
	crashedUntil uint64 // down (memory lost) until this tick
	stoppedUntil uint64 // SIGSTOPped until this tick
	returned     bool   // crashed or stopped at least once
}

func (p *lifeNode) up(now uint64) bool {
	return !p.gone && now >= p.crashedUntil && now >= p.stoppedUntil
}

// lifeApp is the game as a node commits to it, Judged by its lifecycle as
// the consensus actor does, but for the unseater (which commits to any
// unseating) and the liar (which confirms wrong state hashes). Settling
// and replaying use the plain App.
type lifeApp struct {
	Judged
	p *lifeNode
}

// lifeJudge is the node's lifecycle as a Judge (none once it left).
type lifeJudge struct{ p *lifeNode }

func (j lifeJudge) MayPlay() bool { return j.p.life != nil && j.p.life.MayPlay() }
func (j lifeJudge) MayUnseat(k bft.PublicKey) bool {
	return j.p.byz == byzUnseater || (j.p.life != nil && j.p.life.MayUnseat(k))
}
func (j lifeJudge) MayDissolve() bool { return j.p.life != nil && j.p.life.MayDissolve() }

func (a lifeApp) Apply(prev bft.Hash, bets []bft.Bet, seed bft.Hash) (bft.Hash, error) {
	h, err := a.App.Apply(prev, bets, seed)
	if a.p.byz == byzLiar {
		h[0] ^= 0xff
	}
	return h, err
}

// lifePlan is one run, drawn from its seed (lifePlanFor).
type lifePlan struct {
	n          int
	minPlayers int
	host       int // seat index of the host (the lifecycle's Host), -1: none
	byz        map[int]byzKind
	faults     []lifeFault
	dropP      float64
	dupP       float64
	maxDelay   int
	faultTicks uint64
	goalRounds uint64
	maxTicks   uint64
	betP       float64
	leaveOdds  int
	withholdAt uint64
}

type lifeSim struct {
	t        testing.TB
	seed     uint64
	plan     lifePlan
	verbose  bool
	rng      *rand.Rand
	now      uint64
	genesis  Genesis
	nodes    []*lifeNode
	byKey    map[bft.PublicKey]*lifeNode
	queue    map[uint64][]lifeMsg
	side     []int // partition side per node; nil when healed
	cutUntil uint64
	cutDone  map[int]bool // partitions at a certification that happened

	certs     map[uint64]string // round → what the first honest player certified
	certAt    map[uint64]uint64 // round → tick of its first certification
	proposeAt map[uint64]uint64 // round → tick of its first proposal
	seenUp    [][]uint64        // [j][i]: last tick i was up and on j's side
	away      [][]awayStretch   // [j][i]: i's absences from j
	trace     []string
	failed    bool
	stats     lifeStats
	healedMax uint64 // highest honest round when the faults stopped
}

// awayStretch follows one node's absences from another (down, stopped or
// cut off): the stretch going on, if open, and the longest one so far.
type awayStretch struct {
	from    uint64
	open    bool
	longest uint64
}

// longestBy is the longest absence so far, the one going on included.
func (a awayStretch) longestBy(now uint64) uint64 {
	if a.open {
		return max(a.longest, now-a.from)
	}
	return a.longest
}

type lifeStats struct {
	rounds, voids, leaves, unseats, dissolutions, moved, ends, crashes, stops, partitions, asks, bets int
}

func newLifeSim(t testing.TB, seed uint64, plan lifePlan, verbose bool) *lifeSim {
	s := &lifeSim{t: t, seed: seed, plan: plan, verbose: verbose, rng: rand.New(rand.NewPCG(seed, 0x6c696665)),
		byKey: map[bft.PublicKey]*lifeNode{}, queue: map[uint64][]lifeMsg{},
		certs: map[uint64]string{}, certAt: map[uint64]uint64{}, proposeAt: map[uint64]uint64{}, cutDone: map[int]bool{}}
	s.genesis = Genesis{TableID: simTable, Rules: testGenesis(1, 0, 0).Rules, Bank: 5000 * crap}
	for i := 0; i < plan.n; i++ {
		key, priv := testKey(byte(i), byte(seed))
		var eseed [32]byte
		eseed[0], eseed[1], eseed[2], eseed[3] = byte(i), byte(seed), byte(seed>>8), 'L'
		p := &lifeNode{idx: i, key: key, priv: priv, byz: plan.byz[i], entropy: rand.NewChaCha8(eseed)}
		s.nodes = append(s.nodes, p)
		s.byKey[key] = p
		s.genesis.Seats = append(s.genesis.Seats, SeatChips{Player: key, Chips: 200*crap + s.rng.Int64N(300*crap)})
	}
	s.seenUp, s.away = make([][]uint64, plan.n), make([][]awayStretch, plan.n)
	for i := range s.seenUp {
		s.seenUp[i], s.away[i] = make([]uint64, plan.n), make([]awayStretch, plan.n)
	}
	for _, p := range s.nodes {
		p.ledger = newLedgerModel(s.genesis)
		s.start(p)
	}
	for _, p := range s.nodes {
		s.drive(p)
	}
	return s
}

func (s *lifeSim) lifeConfig(p *lifeNode) lifecycle.Config {
	cfg := lifecycle.Config{Self: p.key, MinPlayers: s.plan.minPlayers, AbsentTicks: simAbsent,
		GraceTicks: simGrace, HeartbeatTicks: simHeartbeat, AskEveryTicks: simAskEvery}
	if s.plan.host >= 0 {
		cfg.Host = s.nodes[s.plan.host].key
	}
	return cfg
}

// start (re)builds a node's memory from what it persisted: the App from
// genesis and the certified log, the lifecycle at the next round (with its
// dissolution), and, unless dissolved, consensus restored from its records.
func (s *lifeSim) start(p *lifeNode) {
	app, err := NewApp(s.genesis)
	if err != nil {
		s.fail("node %d: %v", p.idx, err)
		return
	}
	p.app, p.helpedAt = app, map[int]uint64{}
	seats, prev := s.genesis.Players(), app.GenesisHash()
	for i := range p.certs {
		if _, err := app.Replay(&p.certs[i]); err != nil {
			s.fail("node %d: replay of round %d after a restart: %v", p.idx, p.certs[i].Round, err)
			return
		}
	}
	if k := len(p.certs); k > 0 {
		prev = p.certs[k-1].StateHash
		if seats, err = app.Seats(prev); err != nil {
			s.fail("node %d: seats after round %d: %v", p.idx, k, err)
			return
		}
	}
	next := uint64(len(p.certs)) + 1
	p.life, err = lifecycle.New(s.lifeConfig(p), lifecycle.State{Round: next, Seats: seats, Dissolved: p.dissolved})
	if err != nil {
		s.fail("node %d: lifecycle: %v", p.idx, err)
		return
	}
	p.node = nil
	if p.dissolved == nil {
		s.startNode(p, seats, next, prev, slices.DeleteFunc(slices.Clone(p.records), func(r bft.Record) bool {
			return r.Kind == bft.RecordCertificate // FirstRound and the seats are given: see doc.go, step 4
		}))
	}
}

func (s *lifeSim) startNode(p *lifeNode, seats []bft.PublicKey, first uint64, prev bft.Hash, records []bft.Record) {
	node, err := bft.Restore(bft.Config{TableID: simTable, Self: p.key, Signer: edSigner{p.priv}, Players: seats,
		App: lifeApp{Judged{p.app, lifeJudge{p}}, p}, Entropy: p.entropy, FirstRound: first, GenesisStateHash: prev,
		BetWindowTicks: 10, ViewTimeoutTicks: 24, MaxTimeoutDoublings: 3, ResendTicks: simLifeResend,
		MayVoid: func(k bft.PublicKey, locked uint64) bool { return p.life != nil && p.life.MayVoid(k, locked) },
		Absent:  func(k bft.PublicKey) bool { return p.life != nil && p.life.Absent(k) }}, records)
	if err != nil {
		s.fail("node %d: consensus at round %d: %v", p.idx, first, err)
		return
	}
	p.node = node
}

func (s *lifeSim) logf(format string, args ...any) {
	line := fmt.Sprintf("t=%d ", s.now) + fmt.Sprintf(format, args...)
	if s.verbose {
		s.t.Log(line)
	}
	s.trace = append(s.trace, line)
	if len(s.trace) > 400 {
		s.trace = s.trace[200:]
	}
}

func (s *lifeSim) fail(format string, args ...any) {
	if s.failed {
		return
	}
	s.failed = true
	tail := s.trace[max(0, len(s.trace)-60):]
	s.t.Errorf("seed %d (%s): %s\nreplay: go test -race -run TestLifecycleSimulator ./internal/game/ -seed %d -v\nlast events:\n%s",
		s.seed, s.plan, fmt.Sprintf(format, args...), s.seed, strings.Join(tail, "\n"))
}

func (pl lifePlan) String() string {
	var fs []string
	for _, f := range pl.faults {
		fs = append(fs, f.String())
	}
	return fmt.Sprintf("n=%d min=%d host=%d byz=%v faults=[%s]", pl.n, pl.minPlayers, pl.host, pl.byz, strings.Join(fs, "; "))
}

func (s *lifeSim) faulty() bool { return s.now < s.plan.faultTicks }

// drive runs a node's Ready loops, consensus and lifecycle, until both are
// empty: the actor's loop.
func (s *lifeSim) drive(p *lifeNode) {
	for !s.failed {
		switch {
		case p.node != nil && p.node.HasReady():
			s.pumpConsensus(p)
		case p.life != nil && p.life.HasReady():
			s.pumpLife(p)
		default:
			return
		}
	}
}

func (s *lifeSim) pumpConsensus(p *lifeNode) {
	rd := p.node.Ready()
	p.records = append(p.records, rd.Persist...)
	ms, err := encodeSorted(rd.Messages)
	if err != nil {
		s.fail("node %d: %v", p.idx, err)
		return
	}
	everyone := false
	for _, m := range ms {
		if p.byz == byzWithhold && m.msg.Round() >= s.plan.withholdAt && leaksReveal(m.msg, p.key) {
			continue
		}
		everyone = everyone || m.msg.To == (bft.PublicKey{})
		if pr := m.msg.Proposal; pr != nil {
			if _, ok := s.proposeAt[pr.Round]; !ok {
				s.proposeAt[pr.Round] = s.now
			}
		}
		for _, q := range s.nodes {
			if q != p && (m.msg.To == (bft.PublicKey{}) || m.msg.To == q.key) {
				s.transmit(lifeMsg{from: p.idx, to: q.idx, kind: wireBFT, data: [][]byte{m.data}})
			}
		}
	}
	if everyone {
		p.life.Spoke()
	}
	node := p.node
	reseat := false
	for i := range rd.Certified {
		reseat = s.onCertified(p, &rd.Certified[i]) || reseat
	}
	node.Advance(rd)
	switch {
	case p.gone || p.dissolved != nil:
		p.node = nil
	case reseat:
		s.reseat(p)
	}
}

func (s *lifeSim) pumpLife(p *lifeNode) {
	rd := p.life.Ready()
	if rd.Mode != 0 {
		st := p.life.Status()
		s.logf("node %d %s round %d %s", p.idx, rd.Mode, st.Round, st.Reason)
	}
	if d := rd.Dissolve; d != nil {
		if p.dissolved != nil {
			s.stats.moved++
		} else {
			s.stats.dissolutions++
		}
		dd := *d
		p.dissolved, p.node = &dd, nil
		s.logf("node %d dissolved at round %d (persisted)", p.idx, d.Round)
		s.checkDissolution(p)
	}
	if rd.Heartbeat {
		st := p.life.Status()
		m := lifeMsg{from: p.idx, kind: wirePresence, round: st.Round}
		if st.Mode == lifecycle.Dissolved || p.byz == byzDissolver {
			m.round, m.data = st.DissolvedAt+1, [][]byte{[]byte("dissolved")}
		}
		if p.byz == byzDissolver && st.Mode != lifecycle.Dissolved {
			m.round = st.Round // "dissolved at my last certified round"
		}
		if p.byz == byzClaimer {
			m.round += 40
		}
		for _, q := range s.nodes {
			if q != p {
				m.to = q.idx
				s.transmit(m)
			}
		}
	}
	if a := rd.AskRounds; a != nil {
		if q := s.byKey[a.To]; q != nil {
			s.stats.asks++
			s.logf("node %d asks %d for rounds from %d", p.idx, q.idx, a.From)
			s.transmit(lifeMsg{from: p.idx, to: q.idx, kind: wireAsk, round: a.From})
		}
	}
	for _, k := range rd.Unseat {
		if p.node == nil {
			continue
		}
		_, err := p.node.SubmitBet(EncodeUnseat(k))
		s.logf("node %d submits the unseating of %d: %v", p.idx, s.byKey[k].idx, err)
	}
	if rd.SubmitDissolve && p.node != nil {
		_, err := p.node.SubmitBet(EncodeDissolve())
		s.logf("node %d submits the dissolution: %v", p.idx, err)
	}
	p.life.Advance(rd)
}

// onCertified checks a round a node certified, settles it in its ledger and
// tells its lifecycle; it reports whether the seats changed by a leave or
// an unseating (bft handles voids itself).
func (s *lifeSim) onCertified(p *lifeNode, c *bft.Certificate) bool {
	if want := uint64(len(p.certs)) + 1; c.Round != want {
		s.fail("node %d certified round %d after %d rounds", p.idx, c.Round, len(p.certs))
		return false
	}
	p.certs = append(p.certs, *c)
	p.records = slices.DeleteFunc(p.records, func(r bft.Record) bool { return r.Round <= c.Round })
	st, err := p.app.Settlement(c)
	if err != nil {
		s.fail("node %d (%s) settlement of round %d: %v", p.idx, p.byz, c.Round, err)
		return false
	}
	if _, ok := s.certAt[c.Round]; !ok {
		s.certAt[c.Round] = s.now
		s.checkFirstCertification(p, c, st)
		s.cutAtCertification()
	}
	key := fmt.Sprintf("%s body %s state %s outcomes %v bank %d leavers %v", c.Body.Kind, c.BodyHash(), c.StateHash, st.Outcomes, st.BankDelta, st.Leavers)
	s.logf("node %d certified round %d view %d %s dice %v state %s leavers %v", p.idx, c.Round, c.View, c.Body.Kind, st.Dice, c.StateHash.String()[:8], st.Leavers)
	if p.byz == honest {
		if prev, ok := s.certs[c.Round]; ok && prev != key {
			s.fail("SAFETY: round %d certified as\n  %s\nby an honest player and as\n  %s\nby node %d", c.Round, prev, key, p.idx)
		}
		if _, ok := s.certs[c.Round]; !ok {
			s.stats.rounds++
			if c.Void() {
				s.stats.voids++
			}
			if st.Dissolved {
				s.stats.ends++
			}
		}
		s.certs[c.Round] = key
	}
	s.checkLedger(p, c, st) // every replica: a Byzantine node's ledger follows the true states too
	reseat := false
	for _, l := range st.Leavers {
		if l.Player == p.key.String() {
			p.gone = true
			s.logf("node %d is no longer seated (%s)", p.idx, l.Reason)
		}
		if l.Reason != Withheld {
			reseat = true
		}
		if p.byz == honest && s.certs[c.Round] == key && p.idx == s.firstHonest() {
			if l.Reason == Silent {
				s.stats.unseats++
			} else if l.Reason == LeftTable {
				s.stats.leaves++
			}
		}
	}
	if p.gone {
		p.life = nil
		return false
	}
	seats, err := p.app.Seats(c.StateHash)
	if err != nil {
		s.fail("node %d seats after round %d: %v", p.idx, c.Round, err)
		return false
	}
	if st.Dissolved {
		p.life.CertifiedEnd(c.Round)
	} else {
		p.life.Certified(c.Round, seats)
	}
	return reseat
}

func (s *lifeSim) firstHonest() int {
	for _, p := range s.nodes {
		if p.byz == honest {
			return p.idx
		}
	}
	return -1
}

// reseat starts a node's consensus anew after a round with leavers (see
// sim.reseat).
func (s *lifeSim) reseat(p *lifeNode) {
	last := p.certs[len(p.certs)-1]
	seats, err := p.app.Seats(last.StateHash)
	if err != nil {
		s.fail("node %d seats after round %d: %v", p.idx, last.Round, err)
		return
	}
	s.logf("node %d re-seated from round %d: %d seats", p.idx, last.Round+1, len(seats))
	s.startNode(p, seats, last.Round+1, last.StateHash, carriedRecords(p.records, last.Round+1))
}

// stepConsensus hands a message to the node's consensus if the lifecycle
// lets it play, and a certificate always; a dissolved node checks a
// certificate itself and hands it to its lifecycle.
func (s *lifeSim) stepConsensus(p *lifeNode, msg bft.Message) {
	switch {
	case p.node != nil:
		if msg.Certificate != nil || votes(p.life.Mode()) {
			_ = p.node.Step(msg) // refusals are expected: duplicates, stale views, the liar's confirms
		}
	case p.dissolved != nil && msg.Certificate != nil:
		s.learnAfterDissolution(p, msg.Certificate)
	}
}

// votes: the lifecycle lets the node's consensus tick and vote.
func votes(m lifecycle.Mode) bool { return m == lifecycle.Playing || m == lifecycle.Dissolving }

// learnAfterDissolution: a dissolved node has no consensus, so it checks a
// certificate of its next round as game.Chain does and certifies it.
func (s *lifeSim) learnAfterDissolution(p *lifeNode, c *bft.Certificate) {
	if c.Round != uint64(len(p.certs))+1 || c.TableID != simTable {
		return
	}
	seats := s.genesis.Players()
	if k := len(p.certs); k > 0 {
		var err error
		if seats, err = p.app.Seats(p.certs[k-1].StateHash); err != nil {
			s.fail("node %d seats: %v", p.idx, err)
			return
		}
	}
	if err := bft.VerifyCertificate(seats, c); err != nil {
		return
	}
	s.logf("node %d learns round %d after its dissolution", p.idx, c.Round)
	s.onCertified(p, c)
}

// act is what a playing node does on its own: an honest player bets at
// random (leaves included); an unseater asks to unseat a present player.
func (s *lifeSim) act(p *lifeNode) {
	if s.rng.Float64() >= s.plan.betP {
		return
	}
	st := p.node.Status()
	if !st.Seated {
		return
	}
	switch p.byz {
	case byzUnseater:
		k := st.Seats[s.rng.IntN(len(st.Seats))]
		if k != p.key {
			_, _ = p.node.SubmitBet(EncodeUnseat(k))
		}
		return
	case honest:
	default:
		return
	}
	v, err := p.app.View(st.PrevStateHash)
	if err != nil {
		return
	}
	i := slices.IndexFunc(v.Players, func(pv PlayerView) bool { return pv.PeerID == p.key.String() })
	if i < 0 {
		return
	}
	enc, ok := randomPayload(s.rng, v.Players[i], s.plan.leaveOdds)
	if !ok || (len(enc) == len(EncodeLeave()) && !s.mayLeave(st.Seats)) {
		return
	}
	if _, err := p.node.SubmitBet(enc); err == nil {
		s.stats.bets++
	}
}

// mayLeave: an honest player leaves only if two seats would stay (players
// who leave in the same round still make tables of one, which must pause)
// and the Byzantine players seated stay within the f of the smaller table.
func (s *lifeSim) mayLeave(seats []bft.PublicKey) bool {
	if len(seats) <= 2 {
		return false
	}
	byz := 0
	for _, k := range seats {
		if s.byKey[k].byz != honest {
			byz++
		}
	}
	return byz == 0 || bft.Faults(len(seats)-1) >= byz
}

// run plays the faults, heals everything, and plays on until the honest
// replicas settle.
func (s *lifeSim) run() {
	for s.now < s.plan.faultTicks && !s.failed {
		s.step()
	}
	if s.failed {
		return
	}
	s.heal()
	for !s.failed && !s.settled() {
		if s.now >= s.plan.maxTicks {
			s.fail("LIVENESS: faults stopped at tick %d (honest round %d); not settled by tick %d:\n  %s",
				s.plan.faultTicks, s.healedMax, s.now, s.describe())
			return
		}
		s.step()
	}
}
