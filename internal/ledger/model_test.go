package ledger

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// model is a second, deliberately naive implementation of the ledger rules
// (maps, no storage) that the property tests hold the real one to.
type model struct {
	bal     map[Account]int64 // present = account opened
	tables  map[string]*modelTable
	seq     map[identity.PeerID]uint64
	frozen  map[identity.PeerID]bool
	granted map[identity.PeerID]bool
	applied map[OpID][]byte
	settled map[string]bool
	grants  int64
}

type modelTable struct {
	host      identity.PeerID
	closed    bool
	lastRound uint64
	// The standing dissolution, if dissolved.
	dissolved      bool
	dissolvedRound uint64
	paid           map[identity.PeerID]int64
	bankPaid       int64
}

func newModel() *model {
	return &model{
		bal: map[Account]int64{}, tables: map[string]*modelTable{}, seq: map[identity.PeerID]uint64{},
		frozen: map[identity.PeerID]bool{}, granted: map[identity.PeerID]bool{}, applied: map[OpID][]byte{},
		settled: map[string]bool{},
	}
}

// step predicts the ledger's answer to op and, if accepted, applies it.
// dup says the op is a no-op duplicate.
func (m *model) step(op Op) (dup bool, err error) {
	op = op.normalized()
	if err := op.validate(); err != nil {
		return false, ErrInvalidOp
	}
	id := op.ID()
	if rec, ok := m.applied[id]; ok {
		if op.Kind == KindSettle || bytes.Equal(rec, encodeRecord(op)) {
			return true, nil // a settlement under another certificate is the same one
		}
		return false, ErrConflictingOp
	}
	if op.Kind.signed() {
		switch last := m.seq[op.Owner]; {
		case m.frozen[op.Owner]:
			return false, ErrFrozen
		case op.Seq > last+1:
			return false, ErrSequenceGap
		case op.Seq <= last:
			m.frozen[op.Owner] = true
			return false, ErrEquivocation
		}
	}
	moves, err := m.moves(op)
	if err != nil {
		return false, err
	}
	m.commit(op, id, moves)
	return false, nil
}

type modelMove struct {
	a     Account
	delta int64
}

func (m *model) moves(op Op) ([]modelMove, error) {
	w, c, b := WalletOf(op.Owner), ChipsOf(op.Table, op.Owner), BankOf(op.Table)
	t := m.tables[op.Table]
	switch op.Kind {
	case KindGrant:
		if m.granted[op.Owner] {
			return nil, ErrConflictingOp
		}
		return []modelMove{{w, op.Amount}}, nil
	case KindBuyIn:
		if t == nil {
			return nil, ErrUnknownTable
		}
		return m.check(modelMove{w, -op.Amount}, modelMove{c, op.Amount})
	case KindCashOut:
		return m.check(modelMove{c, -op.Amount}, modelMove{w, op.Amount})
	case KindFundBank:
		if t != nil && t.host != op.Owner {
			return nil, ErrNotHost
		}
		if t != nil && t.closed {
			return nil, openCheck(t)
		}
		return m.check(modelMove{w, -op.Amount}, modelMove{b, op.Amount})
	case KindCloseBank:
		if err := openCheck(t); err != nil {
			return nil, err
		}
		if t.host != op.Owner {
			return nil, ErrNotHost
		}
		return []modelMove{{b, -m.bal[b]}, {w, m.bal[b]}}, nil
	case KindDissolve:
		return m.dissolveMoves(op, t)
	}
	return m.settleMoves(op, t)
}

func openCheck(t *modelTable) error {
	switch {
	case t == nil:
		return ErrUnknownTable
	case t.dissolved:
		return ErrTableDissolved
	case t.closed:
		return ErrTableClosed
	}
	return nil
}

// dissolveMoves: each listed player's chips (or, replacing a standing
// dissolution, its old payout if that named it) and the bank (or its old
// payout) are replaced by the new payouts, which must add up to them; the
// wallets move by the difference.
func (m *model) dissolveMoves(op Op, t *modelTable) ([]modelMove, error) {
	switch {
	case t == nil:
		return nil, ErrUnknownTable
	case t.dissolved && op.Round < t.dissolvedRound:
		return nil, ErrSuperseded
	case t.dissolved && op.Round == t.dissolvedRound:
		return nil, ErrConflictingOp
	case !t.dissolved && t.closed:
		return nil, ErrTableClosed
	case op.Round < t.lastRound:
		return nil, ErrSuperseded
	}
	var mv []modelMove
	wallets := map[identity.PeerID]int64{}
	held, paid := int64(0), op.Amount
	for _, o := range op.Outcomes {
		paid += o.Delta
		if before, ok := t.paid[o.Player]; ok && t.dissolved {
			held += before
			wallets[o.Player] += o.Delta - before
			continue
		}
		c := ChipsOf(op.Table, o.Player)
		if _, ok := m.bal[c]; !ok {
			return nil, ErrUnknownAccount
		}
		held += m.bal[c]
		mv = append(mv, modelMove{c, -m.bal[c]})
		wallets[o.Player] += o.Delta
	}
	wallets[t.host] += op.Amount - t.bankPaid
	if t.dissolved {
		held += t.bankPaid
	} else {
		b := BankOf(op.Table)
		held += m.bal[b]
		mv = append(mv, modelMove{b, -m.bal[b]})
	}
	if held != paid {
		return nil, ErrNotConserved
	}
	for p, d := range wallets {
		if d != 0 {
			mv = append(mv, modelMove{WalletOf(p), d})
		}
	}
	return m.check(mv...)
}

func (m *model) settleMoves(op Op, t *modelTable) ([]modelMove, error) {
	if err := openCheck(t); err != nil {
		return nil, err
	}
	if m.settled[fmt.Sprint(op.Table, "/", op.Round)] {
		return nil, ErrConflictingOp
	}
	var mv []modelMove
	var net int64
	for _, o := range op.Outcomes {
		c := ChipsOf(op.Table, o.Player)
		if _, ok := m.bal[c]; !ok {
			return nil, ErrUnknownAccount
		}
		if m.bal[c]+o.Delta < 0 {
			return nil, ErrInsufficientFunds
		}
		mv = append(mv, modelMove{c, o.Delta})
		net += o.Delta
	}
	return m.check(append(mv, modelMove{BankOf(op.Table), -net})...)
}

func (m *model) check(mv ...modelMove) ([]modelMove, error) {
	for _, x := range mv {
		if m.bal[x.a]+x.delta < 0 {
			return nil, ErrInsufficientFunds
		}
	}
	return mv, nil
}

func (m *model) commit(op Op, id OpID, mv []modelMove) {
	for _, x := range mv {
		m.bal[x.a] += x.delta
	}
	m.applied[id] = encodeRecord(op)
	switch op.Kind {
	case KindGrant:
		m.granted[op.Owner] = true
		m.grants += op.Amount
	case KindFundBank:
		if m.tables[op.Table] == nil {
			m.tables[op.Table] = &modelTable{host: op.Owner}
		}
	case KindCloseBank:
		m.tables[op.Table].closed = true
	case KindDissolve:
		t := m.tables[op.Table]
		t.closed, t.dissolved, t.dissolvedRound, t.bankPaid = true, true, op.Round, op.Amount
		t.paid = map[identity.PeerID]int64{}
		for _, o := range op.Outcomes {
			t.paid[o.Player] = o.Delta
		}
	case KindSettle:
		m.settled[fmt.Sprint(op.Table, "/", op.Round)] = true
		t := m.tables[op.Table]
		t.lastRound = max(t.lastRound, op.Round)
	}
	if op.Kind.signed() {
		m.seq[op.Owner] = op.Seq
	}
}

// opGen makes random, often invalid, op streams against a model's state.
type opGen struct {
	rng     *rand.Rand
	m       *model
	players []player
	tables  []string
	history []Op
}

func newOpGen(seed uint64, m *model) *opGen {
	g := &opGen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), m: m, tables: []string{"t0", "t1", "t2", "t3"}}
	for i := range 6 {
		g.players = append(g.players, newPlayer(fmt.Sprintf("seed %d player %d", seed, i)))
	}
	return g
}

// byzantine is the one player who reuses sequence numbers (equivocates):
// freezing everyone would leave nothing to test.
const byzantine = 5

func (g *opGen) amount(max int64) int64 { return 1 + g.rng.Int64N(max) }

func (g *opGen) next() Op {
	op := g.warmUp()
	if op.Kind == 0 {
		op = g.pick()
	}
	g.history = append(g.history, op)
	return op
}

// warmUp starts every stream with grants, three funded tables (t3 stays
// unknown) and buy-ins, so the random part has money to move.
func (g *opGen) warmUp() Op {
	n, i := len(g.players), len(g.history)
	switch {
	case i < n:
		return g.players[i].grant(20_000 + g.rng.Int64N(30_000))
	case i < n+3:
		p := g.players[i-n]
		return p.fundBank(g.tables[i-n], g.amount(10_000), g.m.seq[p.id]+1)
	case i < 4*n+3:
		k := i - n - 3
		p := g.players[k%n]
		return p.buyIn(g.tables[k/n], g.amount(3_000), g.m.seq[p.id]+1)
	}
	return Op{}
}

func (g *opGen) pick() Op {
	pi := g.rng.IntN(len(g.players))
	p := g.players[pi]
	table := g.tables[g.rng.IntN(len(g.tables))]
	switch r := g.rng.IntN(1000); {
	case r < 60:
		return p.grant(g.amount(20_000))
	case r < 260:
		return p.buyIn(table, g.amount(3_000), g.seq(pi))
	case r < 400:
		return p.cashOut(table, g.amount(2_000), g.seq(pi))
	case r < 480:
		return p.fundBank(table, g.amount(5_000), g.seq(pi))
	case r < 490:
		return p.closeBank(table, g.seq(pi))
	case r < 810:
		return g.settle(table)
	case r < 860:
		return g.dissolve(table)
	case r < 970 && len(g.history) > 0:
		return g.replay()
	default:
		return Op{Kind: KindBuyIn, Owner: p.id, Table: table, Seq: 1, Signature: make([]byte, 64)} // amount 0
	}
}

// seq is mostly the owner's next seq; sometimes a gap, and for the
// byzantine player sometimes a used one.
func (g *opGen) seq(pi int) uint64 {
	last := g.m.seq[g.players[pi].id]
	switch r := g.rng.IntN(100); {
	case r < 3:
		return last + 2
	case r < 13 && pi == byzantine && last > 0:
		return 1 + g.rng.Uint64N(last)
	}
	return last + 1
}

func (g *opGen) settle(table string) Op {
	round := uint64(1)
	if t := g.m.tables[table]; t != nil {
		round = t.lastRound + 1
		if g.rng.IntN(10) == 0 && t.lastRound > 0 {
			round = 1 + g.rng.Uint64N(t.lastRound)
		}
	}
	var out []Outcome
	for _, i := range g.rng.Perm(len(g.players))[:1+g.rng.IntN(3)] {
		p := g.players[i].id
		chips, seated := g.m.bal[ChipsOf(table, p)]
		if !seated && g.rng.IntN(5) != 0 {
			continue
		}
		out = append(out, Outcome{Player: p, Delta: g.rng.Int64N(chips+1_600) - chips - 100})
	}
	if len(out) == 0 {
		out = append(out, Outcome{Player: g.players[0].id, Delta: g.rng.Int64N(1_000) - 500})
	}
	return settleOp(table, round, out...)
}

// dissolve pays out what the table holds, split at random among some of
// the players with chips there (or those the standing dissolution paid),
// the rest to the host; one time in eight a micro-unit off. The round is
// mostly the next one, sometimes one already passed.
func (g *opGen) dissolve(table string) Op {
	t := g.m.tables[table]
	round := uint64(g.rng.IntN(3))
	var held int64
	if t != nil {
		round = t.lastRound + uint64(g.rng.IntN(2))
		if t.dissolved {
			// Mostly a later round (a supersede), else the same or an earlier one.
			round = t.dissolvedRound + 1 + uint64(g.rng.IntN(2))
			if back := uint64(g.rng.IntN(4)); back >= 2 && t.dissolvedRound+2 >= back {
				round = t.dissolvedRound + 2 - back
			}
		}
		held = g.m.bal[BankOf(table)] + t.bankPaid
	}
	var out []Outcome
	for _, p := range g.players {
		before, paid := int64(0), false
		if t != nil {
			before, paid = t.paid[p.id]
		}
		chips, seated := g.m.bal[ChipsOf(table, p.id)]
		if (!paid && !seated) || g.rng.IntN(6) == 0 {
			continue
		}
		if !paid {
			before = chips
		}
		held += before
		out = append(out, Outcome{Player: p.id})
	}
	for i := range out {
		out[i].Delta = g.rng.Int64N(held/2 + 1)
		held -= out[i].Delta
	}
	if g.rng.IntN(8) == 0 {
		held += int64(g.rng.IntN(2)*2 - 1)
	}
	return Op{Kind: KindDissolve, Table: table, Round: round, Outcomes: out, Amount: held}
}

// replay resubmits an earlier op, sometimes with another certificate.
func (g *opGen) replay() Op {
	op := g.history[g.rng.IntN(len(g.history))]
	if op.Kind == KindSettle && g.rng.IntN(3) == 0 {
		op.Certificate = []byte(fmt.Sprint("other cert ", g.rng.Int()))
	}
	op.Outcomes = slices.Clone(op.Outcomes)
	g.rng.Shuffle(len(op.Outcomes), func(i, j int) { op.Outcomes[i], op.Outcomes[j] = op.Outcomes[j], op.Outcomes[i] })
	return op
}
