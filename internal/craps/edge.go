package craps

import (
	"fmt"
	"math"
	"math/big"
	"slices"
)

// Exact house edges. A wager's life is a Markov chain whose state is the
// table (phase and point) and the wager's own live part (where it sits and
// its progress); each of the 36 dice outcomes moves it with probability
// 1/36, through the same step function Apply uses, until the wager
// resolves. The expected net result per unit staked, E, solves
//
//	E(x) = 1/36 * sum over rolls of (payout if the roll resolves x, else E(next))
//
// which this file solves in exact rational arithmetic, one strongly
// connected component at a time (Tarjan's order gives successors first).
// The house edge is -E from the bet's placement state: the expected loss
// divided by the initial wager over the bet's whole life, a push counting
// as resolved — the convention of the published casino tables.

// Method says how a house edge was obtained.
type Method string

const (
	// Exact: rational arithmetic over the dice and the point Markov chain.
	Exact Method = "exact"
	// Estimated: seeded Monte Carlo, with a 99% confidence interval.
	Estimated Method = "estimated"
)

// ExactStateLimit bounds the Markov states the exact solver will explore
// per bet. The largest exact chains here (Bonus All, Replay) need about
// 5,100; Hot Roller would need about 115,000 states with rationals that
// grow at every level, so it is estimated instead.
const ExactStateLimit = 10_000

// HouseEdge is the house edge of one bet under given rules.
type HouseEdge struct {
	Bet    Bet
	Method Method
	// Rat is the exact edge (expected loss per unit wagered); nil when estimated.
	Rat *big.Rat
	// Percent is the edge in percent; Low and High bound its 99% interval
	// (equal to Percent when exact).
	Percent, Low, High float64
	// StdDev is the standard deviation of the net result per unit staked
	// over one bet's life: exact when Method is Exact. Simulations use it to
	// build their own intervals around the exact edge.
	StdDev float64
	// MaxWin is the largest net payout per unit staked seen in the analysis.
	MaxWin Ratio
	// States is the number of Markov states solved (exact); Trials the
	// number of simulated bets (estimated).
	States, Trials int
}

// start is a placement state with a weight (its relative probability).
type start struct {
	key    chainKey
	weight int64
}

type chainKey struct {
	t table
	l live
}

// starts is where a bet's life begins: the come-out for bets allowed then,
// otherwise a point phase with the point distributed as it is set by the
// dice (3:4:5:5:4:3 for 4, 5, 6, 8, 9, 10).
func starts(b Bet) []start {
	if b.Kind.spec().when != pointOnly {
		return []start{{key: chainKey{t: table{phase: ComeOut}, l: live{bet: b}}, weight: 1}}
	}
	var ss []start
	for _, p := range pointNumbers {
		l := live{bet: b}
		if b.Kind == KindPassOdds || b.Kind == KindDontPassOdds {
			l.bet.Number = p
		}
		ss = append(ss, start{key: chainKey{t: table{phase: Point, point: p}, l: l}, weight: ways(int(p))})
	}
	return ss
}

// ExactEdge computes a bet's house edge exactly, or fails with
// ErrChainTooLarge when its chain exceeds ExactStateLimit.
func ExactEdge(b Bet, rules Rules) (HouseEdge, error) {
	if err := b.validate(); err != nil {
		return HouseEdge{}, err
	}
	if err := rules.Validate(); err != nil {
		return HouseEdge{}, err
	}
	return exactFrom(b, rules, starts(b))
}

// exactFrom solves the bet's chain from the given placement states.
func exactFrom(b Bet, rules Rules, from []start) (HouseEdge, error) {
	from = slices.Clone(from)
	if b.Kind.spec().blind {
		for i := range from {
			from[i].key.t = table{}
		}
	}
	if n := countStates(from, &rules, false, ExactStateLimit); n > ExactStateLimit {
		return HouseEdge{}, fmt.Errorf("%s: more than %d states: %w", b.ID(), ExactStateLimit, ErrChainTooLarge)
	}
	sv := solver{rules: &rules, ids: map[chainKey]int{}, limit: ExactStateLimit, maxWin: Ratio{0, 1}}
	mean1, mean2 := new(big.Rat), new(big.Rat)
	var total int64
	for _, st := range from {
		id, ok := sv.ids[st.key]
		if !ok {
			id = sv.visit(st.key)
		}
		if sv.err != nil {
			return HouseEdge{}, fmt.Errorf("%s: %w", b.ID(), sv.err)
		}
		w := new(big.Rat).SetInt64(st.weight)
		mean1.Add(mean1, new(big.Rat).Mul(w, sv.nodes[id].v1))
		mean2.Add(mean2, new(big.Rat).Mul(w, sv.nodes[id].v2))
		total += st.weight
	}
	inv := big.NewRat(1, total)
	mean1.Mul(mean1, inv)
	mean2.Mul(mean2, inv)
	edge := new(big.Rat).Neg(mean1)
	pct, _ := new(big.Rat).Mul(edge, big.NewRat(100, 1)).Float64()
	m1, _ := mean1.Float64()
	m2, _ := mean2.Float64()
	return HouseEdge{
		Bet: b, Method: Exact, Rat: edge, Percent: pct, Low: pct, High: pct,
		StdDev: sqrtNonNeg(m2 - m1*m1), MaxWin: sv.maxWin, States: len(sv.nodes),
	}, nil
}

// countStates counts the states reachable from the placement states,
// stopping once past limit: a cheap look before any rational arithmetic.
// frozen keeps the table where it is (see solver.frozen).
func countStates(from []start, rules *Rules, frozen bool, limit int) int {
	seen := map[chainKey]bool{} // lookups only
	var queue []chainKey
	for _, st := range from {
		if !seen[st.key] {
			seen[st.key] = true
			queue = append(queue, st.key)
		}
	}
	for len(queue) > 0 && len(seen) <= limit {
		k := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, r := range allRolls {
			nk := k
			if step(&nk.l, k.t, r, rules).result != Stays {
				continue
			}
			if !frozen && !k.l.bet.Kind.spec().blind {
				nk.t, _, _ = k.t.next(r)
			}
			if !seen[nk] {
				seen[nk] = true
				queue = append(queue, nk)
			}
		}
	}
	return len(seen)
}

// chainNode is one Markov state.
type chainNode struct {
	key          chainKey
	term1, term2 *big.Rat // sums over the resolving rolls of x and x*x
	next         []chainEdge
	index, low   int
	onStack      bool
	v1, v2       *big.Rat // E[x] and E[x*x] once solved
}

type chainEdge struct {
	to    int
	count int64 // how many of the 36 rolls lead there
}

type solver struct {
	rules   *Rules
	nodes   []*chainNode
	ids     map[chainKey]int // lookups only; results never depend on its order
	stack   []int
	counter int
	limit   int
	maxWin  Ratio
	err     error
	// terminal, when set, replaces terminalValue: the solver then solves
	// E[terminal] alone (the second moment stays zero). value.go uses it
	// to value a wager in micro-units with the rounding Apply does.
	terminal func(verdict) (*big.Rat, error)
	// frozen keeps every state's table where it started, for chains that
	// are exactly the chain of one table phase (Hot Roller; see value.go).
	frozen bool
}

// visit is Tarjan's strongly-connected-components search; it solves each
// component as soon as it is complete.
func (sv *solver) visit(k chainKey) int {
	id := len(sv.nodes)
	n := &chainNode{key: k, index: sv.counter, low: sv.counter, onStack: true}
	sv.counter++
	sv.nodes = append(sv.nodes, n)
	sv.ids[k] = id
	sv.stack = append(sv.stack, id)
	if len(sv.nodes) > sv.limit {
		sv.err = fmt.Errorf("more than %d states: %w", sv.limit, ErrChainTooLarge)
		return id
	}
	targets := sv.expand(n)
	if sv.err != nil {
		return id
	}
	for i, tk := range targets {
		to, seen := sv.ids[tk]
		if !seen {
			to = sv.visit(tk)
			if sv.err != nil {
				return id
			}
			n.low = min(n.low, sv.nodes[to].low)
		} else if sv.nodes[to].onStack {
			n.low = min(n.low, sv.nodes[to].index)
		}
		n.next[i].to = to
	}
	if n.low == n.index {
		sv.solveComponent(id)
	}
	return id
}

// expand applies all 36 rolls to a state: resolving rolls add to the
// terminal sums; the others become edges (targets returned in first-seen
// order, which is deterministic).
func (sv *solver) expand(n *chainNode) []chainKey {
	n.term1, n.term2 = new(big.Rat), new(big.Rat)
	var targets []chainKey
	for _, r := range allRolls {
		l := n.key.l
		v := step(&l, n.key.t, r, sv.rules)
		if v.result != Stays {
			if v.result == Win && sv.maxWin.less(v.win) {
				sv.maxWin = v.win
			}
			sv.addTerminal(n, v)
			continue
		}
		tk := chainKey{l: l}
		switch {
		case sv.frozen:
			tk.t = n.key.t
		case !n.key.l.bet.Kind.spec().blind:
			tk.t, _, _ = n.key.t.next(r)
		}
		found := false
		for i := range targets {
			if targets[i] == tk {
				n.next[i].count++
				found = true
				break
			}
		}
		if !found {
			targets = append(targets, tk)
			n.next = append(n.next, chainEdge{count: 1})
		}
	}
	return targets
}

// addTerminal adds one resolving roll's value (and its square, for the
// house edge's standard deviation) to a state's terminal sums.
func (sv *solver) addTerminal(n *chainNode, v verdict) {
	if sv.terminal == nil {
		x := terminalValue(v)
		n.term1.Add(n.term1, x)
		n.term2.Add(n.term2, new(big.Rat).Mul(x, x))
		return
	}
	x, err := sv.terminal(v)
	if err != nil {
		if sv.err == nil {
			sv.err = err
		}
		return
	}
	n.term1.Add(n.term1, x)
}

// terminalValue is the net result per unit staked.
func terminalValue(v verdict) *big.Rat {
	switch v.result {
	case Win:
		return v.win.Rat()
	case Lose:
		return big.NewRat(-1, 1)
	}
	return new(big.Rat)
}

// solveComponent pops the component rooted at root and solves
//
//	36*x_i - sum_{j in C} c_ij x_j = term_i + sum_{k solved} c_ik v_k
//
// for both moments at once.
func (sv *solver) solveComponent(root int) {
	var members []int
	for {
		top := sv.stack[len(sv.stack)-1]
		sv.stack = sv.stack[:len(sv.stack)-1]
		sv.nodes[top].onStack = false
		members = append(members, top)
		if top == root {
			break
		}
	}
	pos := make(map[int]int, len(members)) // lookups only
	for i, m := range members {
		pos[m] = i
	}
	size := len(members)
	a := make([][]*big.Rat, size)
	rhs := make([][2]*big.Rat, size)
	for i, m := range members {
		n := sv.nodes[m]
		a[i] = make([]*big.Rat, size)
		for j := range a[i] {
			a[i][j] = new(big.Rat)
		}
		a[i][i].SetInt64(36)
		rhs[i] = [2]*big.Rat{new(big.Rat).Set(n.term1), new(big.Rat).Set(n.term2)}
		for _, e := range n.next {
			c := new(big.Rat).SetInt64(e.count)
			if j, in := pos[e.to]; in {
				a[i][j].Sub(a[i][j], c)
				continue
			}
			to := sv.nodes[e.to]
			rhs[i][0].Add(rhs[i][0], new(big.Rat).Mul(c, to.v1))
			rhs[i][1].Add(rhs[i][1], new(big.Rat).Mul(c, to.v2))
		}
	}
	x, err := gaussSolve(a, rhs)
	if err != nil {
		sv.err = fmt.Errorf("state %+v: %w", sv.nodes[root].key, err)
		return
	}
	for i, m := range members {
		sv.nodes[m].v1, sv.nodes[m].v2 = x[i][0], x[i][1]
	}
}

// gaussSolve solves a x = rhs (two right-hand sides) exactly.
func gaussSolve(a [][]*big.Rat, rhs [][2]*big.Rat) ([][2]*big.Rat, error) {
	n := len(a)
	for col := 0; col < n; col++ {
		piv := -1
		for r := col; r < n; r++ {
			if a[r][col].Sign() != 0 {
				piv = r
				break
			}
		}
		if piv < 0 {
			return nil, fmt.Errorf("singular chain: a wager can stay open forever")
		}
		a[col], a[piv] = a[piv], a[col]
		rhs[col], rhs[piv] = rhs[piv], rhs[col]
		inv := new(big.Rat).Inv(a[col][col])
		for r := 0; r < n; r++ {
			if r == col || a[r][col].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Mul(a[r][col], inv)
			for c := col; c < n; c++ {
				a[r][c].Sub(a[r][c], new(big.Rat).Mul(f, a[col][c]))
			}
			for k := 0; k < 2; k++ {
				rhs[r][k].Sub(rhs[r][k], new(big.Rat).Mul(f, rhs[col][k]))
			}
		}
	}
	x := make([][2]*big.Rat, n)
	for i := 0; i < n; i++ {
		inv := new(big.Rat).Inv(a[i][i])
		x[i] = [2]*big.Rat{new(big.Rat).Mul(rhs[i][0], inv), new(big.Rat).Mul(rhs[i][1], inv)}
	}
	return x, nil
}

// sqrtNonNeg is a square root that treats tiny negative rounding as zero.
func sqrtNonNeg(v float64) float64 {
	if v <= 0 {
		return 0
	}
	return math.Sqrt(v)
}
