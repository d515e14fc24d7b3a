package game

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/lifecycle"
)

// The lifecycle simulator's checks, after every certification and at the
// end (see lifesim_test.go).

func (s *lifeSim) checkLedger(p *lifeNode, c *bft.Certificate, st Settlement) {
	if err := p.ledger.settle(st); err != nil {
		s.fail("node %d ledger, round %d: %v", p.idx, c.Round, err)
	} else if err := p.ledger.check(); err != nil {
		s.fail("node %d ledger invariant after round %d: %v", p.idx, c.Round, err)
	} else if err := p.ledger.matches(p.app, c.StateHash); err != nil {
		s.fail("node %d ledger vs table after round %d: %v", p.idx, c.Round, err)
	}
}

// presenceWindow is how stale the ground truth may be when a round
// certifies: a seat counts as present for a certification if it was up and
// on the certifier's side of any partition within this many ticks. The
// rules can only see absence after AbsentTicks of silence, the last message
// of a seat that just went away may arrive maxDelay late, and the votes of
// the round may take another maxDelay to gather.
func (s *lifeSim) presenceWindow() uint64 { return simAbsent + 2*uint64(s.plan.maxDelay) + 2 }

// checkFirstCertification is the per-step check of issue 16 on a round the
// first time any node certifies it:
//   - present players, for a round that rolls dice: at least min_players
//     of the round's seats (cert.Body.Seats) were present at the
//     certifying node — up (neither crashed nor stopped) and on its side of
//     any partition — at some tick from presenceWindow before the round's
//     first proposal on (a round locked while the table played completes
//     when its players vote again, even to dissolve it: seed 262);
//   - revealers: a roll's dice come from the reveals of at least two
//     distinct players (never a single revealer).
//
// A round that rolls nothing needs no min_players: a void (a locked round
// whose committed player stayed away past the grace, which a table about
// to be dissolved must resolve first: seed 38) and a dissolution (a quorum
// ends a table that lacks players). A quorum certifies them, as any round.
func (s *lifeSim) checkFirstCertification(p *lifeNode, c *bft.Certificate, st Settlement) {
	from := s.now
	if at, ok := s.proposeAt[c.Round]; ok {
		from = min(from, at)
	}
	present := 0
	for _, k := range c.Body.Seats {
		q := s.byKey[k]
		if q == p || s.seenUp[p.idx][q.idx]+s.presenceWindow() >= from {
			present++
		}
	}
	s.checkUnseated(p, c, st)
	if c.Void() || st.Dissolved {
		return
	}
	if present < s.plan.minPlayers {
		s.fail("round %d certified by node %d with %d of its %d seats present, min_players is %d",
			c.Round, p.idx, present, len(c.Body.Seats), s.plan.minPlayers)
	}
	var revealers []bft.PublicKey
	for _, r := range c.Reveals {
		revealers = append(revealers, r.Player)
	}
	if len(SortedKeys(revealers)) < 2 {
		s.fail("round %d rolled with the secret of %d player(s) only", c.Round, len(SortedKeys(revealers)))
	}
}

// checkUnseated: absence is not exit. A player unseated by an unseat
// payload was away (down, stopped or cut off) from some honest player for
// the grace, less the slack of MayUnseat (AbsentTicks), of a heartbeat and
// of two network delays. Some honest player: the committers judged it,
// not necessarily the certifying node. At some time, not necessarily now:
// a round locked while the player was away is re-proposed unchanged and
// may certify after it returned (seed 2603 of an earlier plan: a 2|5
// partition, the five locked the unseating of the two, then paused when
// one of them stopped, and certified it after the heal).
func (s *lifeSim) checkUnseated(p *lifeNode, c *bft.Certificate, st Settlement) {
	need := uint64(simGrace - simAbsent - simHeartbeat - 2*s.plan.maxDelay)
	for _, l := range st.Leavers {
		if l.Reason != Silent {
			continue // a void round refunds its unseat payloads
		}
		i := slices.IndexFunc(s.nodes, func(q *lifeNode) bool { return q.key.String() == l.Player })
		if i < 0 {
			s.fail("round %d unseats %s, who is no player", c.Round, l.Player)
			return
		}
		k, longest := s.nodes[i], uint64(0)
		if k.dissolved != nil || k.byz == byzDissolver {
			continue // it said it dissolved the table: absent whatever else it sends
		}
		for _, h := range s.nodes {
			if h != k && h.byz == honest {
				longest = max(longest, s.away[h.idx][k.idx].longestBy(s.now))
			}
		}
		if longest < need {
			s.fail("round %d (first certified by node %d) unseats node %d (%s), away from every honest player for %d ticks at most, under the grace %d",
				c.Round, p.idx, k.idx, k.byz, longest, simGrace)
		}
	}
}

// checkDissolution: a node dissolves only at a round it certified.
func (s *lifeSim) checkDissolution(p *lifeNode) {
	if p.dissolved.Round != uint64(len(p.certs)) {
		s.fail("node %d dissolved at round %d holding %d certified rounds", p.idx, p.dissolved.Round, len(p.certs))
	}
}

func (s *lifeSim) maxHonestRound() uint64 {
	var r uint64
	for _, p := range s.nodes {
		if p.byz == honest {
			r = max(r, uint64(len(p.certs)))
		}
	}
	return r
}

// honestSeated are the honest players still at the table.
func (s *lifeSim) honestSeated() []*lifeNode {
	var out []*lifeNode
	for _, p := range s.nodes {
		if p.byz == honest && !p.gone {
			out = append(out, p)
		}
	}
	return out
}

// settled says whether the run may end: every honest player still seated
// holds the same certified log and the same dissolution, none is catching
// up, and a table still playing went goalRounds past the rounds certified
// when the faults stopped.
func (s *lifeSim) settled() bool {
	hs := s.honestSeated()
	if len(hs) == 0 {
		return true
	}
	first := hs[0]
	for _, p := range hs {
		if len(p.certs) != len(first.certs) || (p.dissolved == nil) != (first.dissolved == nil) ||
			(p.dissolved != nil && *p.dissolved != *first.dissolved) || p.life == nil || p.life.Mode() == lifecycle.CatchingUp {
			return false
		}
	}
	return first.dissolved != nil || !s.tolerated(first) || uint64(len(first.certs)) >= s.healedMax+s.plan.goalRounds
}

// tolerated: the Byzantine players still seated are within the f of the
// table's seats at p's last certified round. An unseating of an honest
// player who was away can leave more (a liar among three seats): such a
// table stalls with everyone present, safely, and the run asks it for
// agreement only.
func (s *lifeSim) tolerated(p *lifeNode) bool {
	seats := s.genesis.Players()
	if k := len(p.certs); k > 0 {
		var err error
		if seats, err = p.app.Seats(p.certs[k-1].StateHash); err != nil {
			return true
		}
	}
	byz := 0
	for _, k := range seats {
		if s.byKey[k].byz != honest {
			byz++
		}
	}
	return byz <= bft.Faults(len(seats))
}

// stateHash is a replica's ledger state, for comparing replicas.
func (l *ledgerModel) stateHash() bft.Hash {
	var lines []string
	for p, v := range l.wallet {
		lines = append(lines, fmt.Sprintf("wallet %s %d", p, v))
	}
	for p, v := range l.chips {
		lines = append(lines, fmt.Sprintf("chips %s %d", p, v))
	}
	sort.Strings(lines)
	lines = append(lines, fmt.Sprintf("bank %d grants %d", l.bank, l.grants))
	return sha256.Sum256([]byte(strings.Join(lines, "\n")))
}

func (s *lifeSim) describe() string {
	var parts []string
	for _, p := range s.nodes {
		switch {
		case p.gone:
			parts = append(parts, fmt.Sprintf("%d(%s):gone after %d", p.idx, p.byz, len(p.certs)))
		case p.life == nil:
			parts = append(parts, fmt.Sprintf("%d(%s):down certs=%d", p.idx, p.byz, len(p.certs)))
		default:
			st := p.life.Status()
			d := ""
			if p.node != nil {
				ns := p.node.Status()
				d = fmt.Sprintf(" bft r%d v%d seats=%d", ns.Round, ns.View, len(ns.Seats))
			}
			parts = append(parts, fmt.Sprintf("%d(%s):%s r%d certs=%d absent=%d dissolved=%v%s %s", p.idx, p.byz, st.Mode, st.Round,
				len(p.certs), len(st.Absent), p.dissolved, d, st.Reason))
		}
	}
	return strings.Join(parts, "\n  ")
}

// checkConverged is the end check of issue 16: every honest replica still
// seated holds the same table state (certified log, dissolution) and the
// same ledger state, and every node that crashed or stopped caught up.
func (s *lifeSim) checkConverged() {
	hs := s.honestSeated()
	if len(hs) == 0 || s.failed {
		return
	}
	first := hs[0]
	want := first.ledger.stateHash()
	for _, p := range hs {
		if (p.dissolved == nil) != (first.dissolved == nil) || (p.dissolved != nil && *p.dissolved != *first.dissolved) {
			s.fail("node %d dissolved at %v, node %d at %v", p.idx, p.dissolved, first.idx, first.dissolved)
		}
		if err := p.ledger.check(); err != nil {
			s.fail("node %d ledger invariant at the end: %v", p.idx, err)
		}
		if got := p.ledger.stateHash(); got != want {
			s.fail("node %d ledger state %s, node %d has %s", p.idx, got.String()[:8], first.idx, want.String()[:8])
		}
		if k := len(p.certs); k != len(first.certs) || (k > 0 && p.certs[k-1].StateHash != first.certs[k-1].StateHash) {
			s.fail("node %d table state at round %d differs from node %d's at round %d", p.idx, k, first.idx, len(first.certs))
		}
		if p.returned && (uint64(len(p.certs)) < s.maxHonestRound() || p.life.Mode() == lifecycle.CatchingUp) {
			s.fail("node %d came back and is %s at round %d of %d", p.idx, p.life.Mode(), len(p.certs), s.maxHonestRound())
		}
	}
}
