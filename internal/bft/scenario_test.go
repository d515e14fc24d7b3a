package bft

import (
	"errors"
	"fmt"
	"testing"
)

// Scenario tests: one behaviour of "A table round" (DESIGN.md) each, named by
// its step, on a clean network (delays of 1–2 ticks, nothing lost) with real
// Ed25519 signatures.

func scenario(t *testing.T, n int, byz map[int]byzKind, opts ...func(*simOptions)) *sim {
	t.Helper()
	if byz == nil {
		byz = map[int]byzKind{}
	}
	opt := simOptions{n: n, byz: byz, maxDelay: 1, betP: 0.1, ed25519: true, maxTicks: 1 << 40}
	for _, o := range opts {
		o(&opt)
	}
	return newSim(t, 42, opt)
}

// cutOff partitions node last of n from the others for the first ticks.
func cutOff(n int, ticks uint64) func(*simOptions) {
	return func(o *simOptions) {
		o.cutOff = make([]int, n)
		o.cutOff[n-1] = 1
		o.cutOffEnd = ticks
	}
}

// runUntil steps until cond holds, failing the test after ticks steps.
func (s *sim) runUntil(t *testing.T, what string, cond func() bool, ticks uint64) {
	t.Helper()
	for i := uint64(0); i < ticks && !cond(); i++ {
		s.step()
		if s.failed {
			t.FailNow()
		}
	}
	if !cond() {
		t.Fatalf("%s: not reached in %d ticks: %s", what, ticks, s.describe())
	}
}

func (s *sim) reached(round uint64) func() bool {
	return func() bool { return s.allReached(round) }
}

// stateAt replays the certified rounds 1..round in a fresh game.
func (s *sim) stateAt(t *testing.T, round uint64) *toyState {
	t.Helper()
	app, h := newToyApp(s.players, simChips, simBank)
	var certs []*Certificate
	for r := uint64(1); r <= round; r++ {
		c, ok := s.certList[r]
		if !ok {
			t.Fatalf("round %d has no certificate", r)
		}
		certs = append(certs, c)
	}
	h, err := app.replay(h, certs)
	if err != nil {
		t.Fatalf("replay to round %d: %v", round, err)
	}
	return app.states[h].clone()
}

// Steps 1–5 for every table size: all players certify the same rounds, with
// q confirms; 2 and 3 players need everyone (unanimity).
func TestRoundCertifiesAtEveryTableSize(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 7} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			s := scenario(t, n, nil)
			s.runUntil(t, "round 6", s.reached(6), 2000)
			for r := uint64(1); r < 6; r++ {
				c := s.certList[r]
				if len(c.Confirms) < Quorum(n) {
					t.Errorf("round %d: %d confirms, quorum %d", r, len(c.Confirms), Quorum(n))
				}
				if n <= 3 && len(c.Confirms) != n {
					t.Errorf("round %d: %d confirms at n=%d, want all (unanimity)", r, len(c.Confirms), n)
				}
				if err := VerifyCertificate(s.players, c); err != nil {
					t.Errorf("round %d: %v", r, err)
				}
				for _, sn := range s.nodes {
					if got := sn.certified[r]; got != s.certs[r] {
						t.Errorf("round %d: node %d certified %v, others %v", r, sn.idx, got, s.certs[r])
					}
				}
			}
			if s.bets == 0 {
				t.Errorf("no bets were placed")
			}
		})
	}
}

// Quorum table from DESIGN.md: n=1→1, 2→2, 3→3, 4→3, 7→5.
func TestQuorum(t *testing.T) {
	want := map[int]int{1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 5, 7: 5, 10: 7}
	for n, q := range want {
		if got := Quorum(n); got != q {
			t.Errorf("Quorum(%d) = %d, want %d", n, got, q)
		}
		if f := Faults(n); 2*q-n <= f {
			t.Errorf("n=%d: two quorums share %d players, not more than f=%d", n, 2*q-n, f)
		}
	}
}

// Unanimity (n = 2, 3: q = n): a silent player stalls the table, nothing is
// certified and no one's chips move; when it speaks again, rounds go on.
func TestUnanimitySilentPlayerStallsSafely(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) { silentStall(t, n) })
	}
}

func silentStall(t *testing.T, n int) {
	s := scenario(t, n, map[int]byzKind{n - 1: byzSilent})
	for i := 0; i < 600; i++ {
		s.step()
	}
	if len(s.certList) != 0 {
		t.Fatalf("a round was certified without the silent player: %v", s.certList)
	}
	rs := s.nodes[0].node.rs
	if rs.view < 3 || len(rs.vcs) > 2 || len(rs.bodies) > 2*DefaultMaxViewsAhead+2 || len(rs.commits) > DefaultMaxViewsAhead+2 {
		t.Errorf("a stalled round keeps growing: view %d, %d view-change sets, %d bodies, %d vote sets",
			rs.view, len(rs.vcs), len(rs.bodies), len(rs.commits))
	}
	s.nodes[n-1].byz = honest
	s.runUntil(t, "round 4 after the silent player returns", s.reached(4), 3000)
}

// Step 6: the leader of round 1 (seat 1) is silent; the others time out and
// move to view 1, whose leader proposes, and the round is certified there.
func TestLeaderTimeoutChangesView(t *testing.T) {
	s := scenario(t, 4, map[int]byzKind{1: byzSilent})
	s.runUntil(t, "round 2", s.reached(2), 1000)
	if c := s.certList[1]; c.View == 0 {
		t.Errorf("round 1 certified in view 0 with a silent leader")
	}
	for _, i := range []int{0, 2, 3} {
		if st := s.nodes[i].node.Status(); st.Stats.ViewChanges == 0 {
			t.Errorf("node %d counted no view change", i)
		}
	}
	s.runUntil(t, "round 7", s.reached(7), 3000) // round 5 is seat 1's again
}

// Steps 3 and 6: a body locked in view 0 whose confirms are all lost must be
// re-proposed unchanged in the next view, although new bets arrived since.
func TestLockedRoundReproposedUnchanged(t *testing.T) {
	s := scenario(t, 4, nil)
	var lockedBody Hash
	s.intercept = func(from *simNode, to int, m Message) []Message {
		if v := m.Vote; v != nil && v.Round == 1 && v.View == 0 {
			if v.Kind == VoteCommit {
				lockedBody = v.Body
			} else {
				return nil // every confirm of view 0 is lost
			}
		}
		return []Message{m}
	}
	s.opt.betP = 0.5
	s.runUntil(t, "round 2", s.reached(2), 2000)
	c := s.certList[1]
	if c.View == 0 {
		t.Fatalf("round 1 certified in view 0 although its confirms were dropped")
	}
	if got := c.BodyHash(); got != lockedBody {
		t.Errorf("round 1 certified body %s, locked body was %s", got, lockedBody)
	}
}

// Step 6: a leader that re-proposes a locked round with a different body is
// refused by everyone, and a later view re-proposes the lock.
func TestChangedReproposalIsRefused(t *testing.T) {
	s := scenario(t, 4, nil)
	var lockedBody Hash
	s.intercept = func(from *simNode, to int, m Message) []Message {
		if v := m.Vote; v != nil && v.Round == 1 && v.View == 0 {
			if v.Kind == VoteConfirm {
				return nil
			}
			lockedBody = v.Body
		}
		if p := m.Proposal; p != nil && p.Round == 1 && p.View == 1 {
			alt := *p
			alt.Body.Commitments = alt.Body.Commitments[:len(alt.Body.Commitments)-1]
			alt.Sig = s.sign(from, alt.signedBytes(simTable))
			return []Message{{Proposal: &alt}}
		}
		return []Message{m}
	}
	s.runUntil(t, "round 2", s.reached(2), 3000)
	if c := s.certList[1]; c.BodyHash() != lockedBody || c.View < 2 {
		t.Errorf("round 1 certified body %s in view %d; want the locked %s in view ≥ 2", c.BodyHash(), c.View, lockedBody)
	}
	if !s.refused(ErrInvalidProposal) {
		t.Errorf("no player refused the changed re-proposal")
	}
}

func (s *sim) refused(target error) bool {
	for _, err := range s.stepErrs {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// Step 4: a committed player that never reveals makes its round void: its
// bets in the round are lost to the bank, the others' refunded, and it is
// unseated; the table goes on without it.
func TestWithheldRevealVoidsAndUnseats(t *testing.T) {
	for _, tc := range []struct {
		n    int
		byz  map[int]byzKind
		kind EvidenceKind
	}{
		{4, map[int]byzKind{3: byzWithhold}, 0},
		{4, map[int]byzKind{0: byzFakeReveal}, EvidenceRevealMismatch},
		{7, map[int]byzKind{2: byzWithhold, 5: byzWithhold}, 0},
	} {
		t.Run(fmt.Sprintf("n=%d/%v", tc.n, tc.byz), func(t *testing.T) {
			s := scenario(t, tc.n, tc.byz)
			s.opt.betP = 0.3
			s.runUntil(t, "withholders unseated", func() bool { return len(s.currentSeats()) == tc.n-len(tc.byz) }, 5000)
			s.runUntil(t, "3 more rounds", s.reached(s.maxHonestRound()+3), 3000)
			voids := 0
			for r := uint64(1); r <= uint64(len(s.certList)); r++ {
				c := s.certList[r]
				if c == nil || !c.Void() {
					continue
				}
				voids++
				checkVoidSettlement(t, s, c)
			}
			if voids == 0 {
				t.Fatalf("no void round")
			}
			if tc.kind != 0 && s.evidence[tc.kind] == 0 {
				t.Errorf("no %s evidence: %s", tc.kind, sortedKinds(s.evidence))
			}
		})
	}
}

// checkVoidSettlement: withholders lose exactly their bets of the round to
// the bank; everyone else's chips are unchanged.
func checkVoidSettlement(t *testing.T, s *sim, c *Certificate) {
	t.Helper()
	before, after := s.stateAt(t, c.Round-1), s.stateAt(t, c.Round)
	lost := make(map[PublicKey]int64)
	var total int64
	for _, b := range c.Body.Bets {
		if containsKey(c.Body.Withholders, b.Bettor) {
			amount, _, _ := decodeToyBet(b.Payload)
			lost[b.Bettor] += amount
			total += amount
		}
	}
	for _, p := range s.players {
		if got, want := after.chips[p], before.chips[p]-lost[p]; got != want {
			t.Errorf("round %d: %s has %d chips after the void, want %d", c.Round, p.Short(), got, want)
		}
	}
	if after.bank != before.bank+total {
		t.Errorf("round %d: bank %d after the void, want %d", c.Round, after.bank, before.bank+total)
	}
	for _, w := range c.Body.Withholders {
		if containsKey(NextSeats(c), w) {
			t.Errorf("round %d: withholder %s still seated", c.Round, w.Short())
		}
		if s.byKey[w].byz == honest {
			t.Errorf("round %d: honest player %s was voided", c.Round, w.Short())
		}
	}
}

// Step 6, evidence: a leader that signs two proposals for one view is
// caught with both signed proposals, and the table moves on.
func TestEquivocationIsEvidence(t *testing.T) {
	s := scenario(t, 4, map[int]byzKind{1: byzEquivocate})
	s.opt.betP = 0.3
	s.runUntil(t, "round 8", s.reached(8), 6000)
	found := false
	for _, e := range s.evList {
		if e.Kind != EvidenceEquivocation || e.Offender != s.players[1] || e.Second == nil {
			continue
		}
		sa, ba := slotOf(e.First, simTable)
		sb, bb := slotOf(*e.Second, simTable)
		if sa != sb || string(ba) == string(bb) {
			t.Errorf("evidence does not show two messages for one slot: %+v %+v", sa, sb)
		}
		if !verifySig(e.Offender, ba, sigOf(e.First)) || !verifySig(e.Offender, bb, sigOf(*e.Second)) {
			t.Errorf("evidence signatures do not verify")
		}
		found = true
	}
	if !found {
		t.Fatalf("no equivocation evidence against node 1: %s", sortedKinds(s.evidence))
	}
}

// Step 5, evidence: a confirm of the certified body with another state hash
// is kept as evidence; the honest majority certifies without it.
func TestWrongStateHashIsEvidence(t *testing.T) {
	s := scenario(t, 4, map[int]byzKind{2: byzWrongState})
	s.runUntil(t, "round 5", s.reached(5), 3000)
	for _, e := range s.evList {
		if e.Kind == EvidenceWrongStateHash && e.Offender == s.players[2] {
			return
		}
	}
	t.Fatalf("no wrong-state-hash evidence against node 2: %s", sortedKinds(s.evidence))
}

// A message with a bad signature is refused and kept as evidence (against
// no one: anyone can forge a claim).
func TestBadSignatureIsRefused(t *testing.T) {
	s := scenario(t, 4, nil)
	s.runUntil(t, "round 2", s.reached(2), 1000)
	st := s.nodes[0].node.Status()
	v := Vote{Kind: VoteCommit, Voter: s.players[1], Round: st.Round, View: st.View, Body: Hash{1}, Sig: make([]byte, 64)}
	err := s.nodes[0].node.Step(Message{Vote: &v})
	if !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged vote: got %v, want ErrBadSignature", err)
	}
	rd := s.nodes[0].node.Ready()
	for _, e := range rd.Evidence {
		if e.Kind == EvidenceBadSignature {
			return
		}
	}
	t.Fatalf("no bad-signature evidence in Ready: %+v", rd.Evidence)
}

// The double-sign guard across a crash: a player crashes after persisting its
// commit for round 1 view 0 and before sending it. After the restart the
// leader equivocates for that very slot; the player re-sends its old commit
// and signs nothing else there.
func TestDoubleSignGuardAcrossRestart(t *testing.T) {
	s := scenario(t, 4, nil)
	s.opt.betP = 1 // the leader's body holds bets, so an empty one differs
	var real *Proposal
	s.intercept = func(from *simNode, to int, m Message) []Message {
		if p := m.Proposal; p != nil && p.Round == 1 && p.View == 0 && real == nil {
			cp := *p
			real = &cp
		}
		return []Message{m}
	}
	s.crashWhen = func(sn *simNode, rd Ready) bool {
		if sn.idx != 0 || sn.crashes > 0 {
			return false
		}
		for _, m := range rd.Messages {
			if m.Vote != nil && m.Vote.Kind == VoteCommit && m.Vote.Round == 1 {
				return true
			}
		}
		return false
	}
	s.runUntil(t, "node 0 crashed", func() bool { return s.nodes[0].node == nil }, 500)
	if real == nil || len(real.Body.Bets) == 0 {
		t.Fatalf("no round-1 proposal with bets was seen")
	}
	s.restart(s.nodes[0])
	alt := *real
	alt.Body.Bets = nil
	alt.Sig = s.sign(s.nodes[1], alt.signedBytes(simTable))
	_ = s.nodes[0].node.Step(Message{Proposal: &alt})
	_ = s.nodes[0].node.Step(Message{Proposal: real})
	s.pump(s.nodes[0])
	s.runUntil(t, "round 3", s.reached(3), 2000)
	commits := 0
	for sl := range s.nodes[0].signed {
		if sl.kind == kindCommit && sl.round == 1 && sl.view == 0 {
			commits++
		}
	}
	if commits != 1 {
		t.Errorf("node 0 signed %d commits for round 1 view 0", commits)
	}
	if s.evidence[EvidenceEquivocation] == 0 {
		t.Errorf("the forged second proposal left no evidence")
	}
}

// Restore alone: a node restored with a commit for body X in (round, view)
// refuses to commit to another body Y there, and re-sends X's commit.
func TestRestoreNeverSignsDifferently(t *testing.T) {
	s := scenario(t, 4, nil)
	var first Vote
	s.crashWhen = func(sn *simNode, rd Ready) bool {
		for _, m := range rd.Messages {
			if v := m.Vote; sn.idx == 2 && sn.crashes == 0 && v != nil && v.Kind == VoteCommit {
				first = *v
				return true
			}
		}
		return false
	}
	s.runUntil(t, "node 2 crashed", func() bool { return s.nodes[2].node == nil }, 500)
	s.crashWhen = nil
	records := make([]Record, 0, len(s.nodes[2].records))
	for _, sr := range s.nodes[2].records {
		r, err := UnmarshalRecord(sr.data)
		if err != nil {
			t.Fatal(err)
		}
		records = append(records, r)
	}
	node, err := Restore(s.config(s.nodes[2]), records)
	if err != nil {
		t.Fatal(err)
	}
	resent := false
	for _, m := range node.Ready().Messages {
		if v := m.Vote; v != nil && v.Kind == VoteCommit && v.Round == first.Round && v.View == first.View {
			if v.Body != first.Body {
				t.Fatalf("restored node re-sent a different commit")
			}
			resent = true
		}
	}
	if !resent {
		t.Errorf("restored node did not re-send its commit")
	}
	other := Vote{Kind: VoteCommit, Voter: s.players[2], Round: first.Round, View: first.View, Body: Hash{9}}
	if _, err := node.signOwn(other.slot(), other.signedBytes(simTable), func(sig []byte) Message { return Message{} }); !errors.Is(err, errAlreadySigned) {
		t.Errorf("guard let a second commit through: %v", err)
	}
}

// A player cut off for many rounds catches up from its peers' certificates
// and ends with the same results as everyone.
func TestCatchUpAfterPartition(t *testing.T) {
	s := scenario(t, 4, nil, cutOff(4, 150))
	for s.now < 150 {
		s.step()
	}
	ahead := s.nodes[0].node.round
	if r := s.nodes[3].node.round; r != 1 || ahead < 10 {
		t.Fatalf("cut-off node at round %d, the others at %d; want 1 and ≥ 10", r, ahead)
	}
	if st := s.nodes[3].node.Status(); st.SeenRound != st.Round {
		t.Errorf("cut-off node saw round %d", st.SeenRound)
	}
	s.runUntil(t, "all past the others' round", s.reached(ahead+2), 2000)
	for r := uint64(1); r <= ahead; r++ {
		if s.nodes[3].certified[r] != s.certs[r] {
			t.Errorf("round %d: node 3 %+v differs from the others %+v (node 3 at %d, %d certified)", r, s.nodes[3].certified[r], s.certs[r], s.nodes[3].node.round, len(s.nodes[3].certified))
		}
	}
}

// Beyond KeepCertificates rounds, peers can no longer help: the laggard
// certifies nothing wrong, stays put, and Status.SeenRound tells the actor
// to restore from the ledger.
func TestFarBehindAsksForStateSync(t *testing.T) {
	s := scenario(t, 4, nil, cutOff(4, 150), func(o *simOptions) {
		o.cfg = func(c *Config) { c.KeepCertificates = 4 }
	})
	for s.now < 400 {
		s.step()
	}
	st := s.nodes[3].node.Status()
	if st.Round != 1 || st.SeenRound <= st.Round+4 {
		t.Fatalf("laggard at round %d seeing %d; want round 1 and a hint beyond 5", st.Round, st.SeenRound)
	}
	if len(s.nodes[3].certified) != 0 {
		t.Fatalf("laggard certified rounds it could not check")
	}
}

// Step 1–2: a full round takes bets seat by seat in turns, so one player's
// flood of bets cannot crowd the others out.
func TestBetsAreTakenInTurns(t *testing.T) {
	s := scenario(t, 4, nil, func(o *simOptions) {
		o.betP = 0
		o.cfg = func(c *Config) { c.MaxBetsPerRound = 4; c.BetWindowTicks = 4 }
	})
	for i := 0; i < 4; i++ {
		if _, err := s.nodes[0].node.SubmitBet(toyBet(1+int64(i), false)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.nodes[0].node.SubmitBet(toyBet(9, false)); !errors.Is(err, ErrLimit) {
		t.Errorf("fifth bet of one player: %v, want ErrLimit", err)
	}
	for _, i := range []int{1, 2} {
		if _, err := s.nodes[i].node.SubmitBet(toyBet(5, true)); err != nil {
			t.Fatal(err)
		}
	}
	for _, sn := range s.nodes {
		s.pump(sn)
	}
	s.runUntil(t, "round 2", s.reached(2), 500)
	by := make(map[PublicKey]int)
	for _, b := range s.certList[1].Body.Bets {
		by[b.Bettor]++
	}
	if by[s.players[0]] != 2 || by[s.players[1]] != 1 || by[s.players[2]] != 1 {
		t.Errorf("round 1 bets per player: %d %d %d, want 2 1 1", by[s.players[0]], by[s.players[1]], by[s.players[2]])
	}
}
