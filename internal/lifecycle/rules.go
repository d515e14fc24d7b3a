package lifecycle

import (
	"fmt"
	"slices"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// evaluate applies the rules of doc.go after every input.
func (t *Table) evaluate() {
	if t.dissolved != nil {
		t.followDissolved()
		return
	}
	ended, hasEnded := t.endedAt()
	if hasEnded && t.round > ended {
		t.dissolve()
		return
	}
	mode, reason := Playing, ""
	switch {
	case hasEnded || t.behind():
		mode = CatchingUp
	default:
		reason = PauseReason(len(t.seats), t.present(), t.cfg.MinPlayers, t.hostAbsent())
		if reason == "" && t.alone() {
			reason = "a lone player may not roll: the dice need a second secret"
		}
		if reason != "" {
			mode = Paused
		}
	}
	t.reason = reason
	if mode != Paused || !t.mayDissolve() {
		t.graceRunning = false
	} else if !t.graceRunning {
		t.graceRunning, t.graceFrom = true, t.now
	}
	if mode == Paused && t.graceDone() {
		if len(t.seats) <= 3 {
			t.dissolve()
			return
		}
		mode = Dissolving // by a certified round: see doc.go
	}
	if mode != t.mode {
		if mode == Paused && t.mode != Dissolving {
			t.pausedAt = t.now
		}
		t.mode = mode
		t.ready.Mode = mode
	}
	switch t.mode {
	case Dissolving:
		if t.dissolveAsked != t.round {
			t.dissolveAsked = t.round
			t.ready.SubmitDissolve = true
		}
	case CatchingUp:
		t.ask(t.round + 1)
	case Playing:
		t.unseatAbsent()
	}
	t.heartbeat()
}

func (t *Table) heartbeat() {
	if t.now-t.spokeAt >= t.cfg.HeartbeatTicks {
		t.spokeAt = t.now
		t.ready.Heartbeat = true
	}
}

// followDissolved: a dissolved table signs nothing, but it keeps sending
// presence (which says it dissolved, and where), so that nodes that were
// cut off from it learn the table ended; and when any seat names a round
// past the dissolution, it asks for it, so that the round whose confirms
// were out when it dissolved reaches it and moves the dissolution. One
// claim is enough here: there is no vote to withhold, and what comes back
// is checked certificates.
func (t *Table) followDissolved() {
	t.ask(t.round + 1)
	t.heartbeat()
}

// graceDone: the table has been paused for the grace while it could be
// dissolved. The grace counts from when both held, not from the pause: a
// node healing from a partition sees the others one by one, and must not
// dissolve in the instant it sees a quorum but has not yet heard the
// host, or min_players.
func (t *Table) graceDone() bool {
	return t.graceRunning && t.now-t.graceFrom >= t.cfg.GraceTicks
}

// mayDissolve: the grace before a dissolution may run. At 2–3 seats no
// round can certify anywhere without this node, so its last certified
// round is the table's (give or take the one whose confirms were out),
// and it dissolves there on its own. At 4+ seats a quorum can play on
// without it, so the table is dissolved by a certified round (Dissolving),
// which needs a quorum present: a node that sees fewer may be the cut-off
// minority while a quorum plays on without it (and unseats it after the
// grace), so it stays paused and catches up when it hears them again.
// (Found by the lifecycle simulator: seed 375, a lone node that dissolved
// while six played on; seed 6582 of -seeds 8000, at commit e0b370e, one of
// three nodes that saw a quorum while the host was away dissolved on its
// own clock, a little ahead of the others, who then played on without it
// once the host came back, one confirm short with a liar among them.)
func (t *Table) mayDissolve() bool {
	return len(t.seats) <= 3 || t.present() >= bft.Quorum(len(t.seats))
}

// endedAt is the round f+1 seats (one at 2–3 seats) said they dissolved
// the table at, the lowest among the f+1 highest: at least one of them is
// honest, and an honest node dissolves only a table that cannot play on.
func (t *Table) endedAt() (uint64, bool) {
	others := make(map[bft.PublicKey]uint64, len(t.ended))
	for k, r := range t.ended {
		if k != t.cfg.Self {
			others[k] = r
		}
	}
	return EndedAt(t.seats, others)
}

// EndedAt is the round at which f+1 of seats (one at 2–3 seats) say they
// dissolved the table (claims, by seat), the lowest among the f+1 highest;
// false if fewer say so. A node that does not sit at the table applies the
// same rule to its players' word (actors/table follows it).
func EndedAt(seats []bft.PublicKey, claims map[bft.PublicKey]uint64) (uint64, bool) {
	var rounds []uint64
	for _, k := range seats {
		if e, ok := claims[k]; ok {
			rounds = append(rounds, e)
		}
	}
	need := bft.Faults(len(seats)) + 1
	if len(rounds) < need {
		return 0, false
	}
	slices.Sort(rounds)
	return rounds[len(rounds)-need], true
}

// PauseReason says why a table of seats, present of them here (this node
// included), may not play; "" if it may. hostAbsent: the bank's owner is
// seated and absent. A table that players left below min_players pauses
// too (and is dissolved past the grace) unless others join: min_players is
// what the table needs, whoever made it short.
func PauseReason(seats, present, minPlayers int, hostAbsent bool) string {
	switch {
	case present < minPlayers:
		return fmt.Sprintf("%d of the %d players the table needs are present", present, minPlayers)
	case seats <= 3 && present < seats:
		return fmt.Sprintf("%d of %d seats present: a table of 2 or 3 needs every player", present, seats)
	case present < bft.Quorum(seats):
		return fmt.Sprintf("%d of %d seats present, a quorum is %d", present, seats, bft.Quorum(seats))
	case hostAbsent:
		return "the host, whose bank pays, is absent"
	}
	return ""
}

// isAbsent: not heard for AbsentTicks, or dissolved the table (it will
// never sign again).
func (t *Table) isAbsent(k bft.PublicKey) bool {
	if k == t.cfg.Self {
		return false
	}
	_, ended := t.ended[k]
	return ended || t.now-t.heard[k] >= t.cfg.AbsentTicks
}

func (t *Table) absent() []bft.PublicKey {
	var out []bft.PublicKey
	for _, k := range t.seats {
		if t.isAbsent(k) {
			out = append(out, k)
		}
	}
	return out
}

func (t *Table) present() int { return len(t.seats) - len(t.absent()) }

// alone: this node holds the table's only seat and is not the host.
// Nobody ever rolls alone (DESIGN.md): its secret alone would choose the
// dice against a bank someone else funded. Found by the lifecycle
// simulator (seed 1885: two of three players left in one round, and the
// third rolled on alone at min_players 1). The host alone plays against
// its own bank only.
func (t *Table) alone() bool {
	return len(t.seats) == 1 && t.seats[0] == t.cfg.Self && t.cfg.Host != t.cfg.Self
}

func (t *Table) hostAbsent() bool {
	return t.cfg.Host != (bft.PublicKey{}) && slices.Contains(t.seats, t.cfg.Host) && t.isAbsent(t.cfg.Host)
}

// claimed is the highest round that f+1 seats (other than this node) named:
// at least one honest player is there.
func (t *Table) claimed() uint64 {
	var rounds []uint64
	for _, k := range t.seats {
		if k != t.cfg.Self {
			rounds = append(rounds, t.claims[k])
		}
	}
	need := bft.Faults(len(t.seats)) + 1
	if len(rounds) < need {
		return 0
	}
	slices.Sort(rounds)
	return rounds[len(rounds)-need]
}

// behind: a round past the next one is certified. A claim of just the next
// round is normal for a moment (the others certified first) and bft itself
// hands over that one certificate. A node whose player never sat in the
// seats it knows was seated by a round it has not seen (it joined
// mid-game): it is behind too. One that sat and is no longer seated left
// or was unseated: its table actor cashes it out and stops the instance.
func (t *Table) behind() bool {
	return t.claimed() > t.round+1 || !t.wasSeated
}

// ask requests the missing rounds from a seat that named a round of at
// least atLeast, at most once per AskEveryTicks. Those seats take turns,
// in seat order: a Byzantine player that names the highest round and
// answers nothing must not be the only one ever asked.
func (t *Table) ask(atLeast uint64) {
	if t.asked && t.now-t.askedAt < t.cfg.AskEveryTicks {
		return
	}
	for i := range t.seats {
		j := (t.askNext + i) % len(t.seats)
		if k := t.seats[j]; k != t.cfg.Self && t.claims[k] >= atLeast {
			t.askNext = j + 1
			t.asked, t.askedAt = true, t.now
			t.ready.AskRounds = &Ask{To: k, From: t.round}
			return
		}
	}
	if !t.wasSeated {
		// A joiner nobody has named a round to yet: the host seated it.
		if to := t.firstOther(); to != (bft.PublicKey{}) {
			t.asked, t.askedAt = true, t.now
			t.ready.AskRounds = &Ask{To: to, From: t.round}
		}
	}
}

// firstOther is who to ask when nobody claimed a round: the host if it is
// seated (it seated the joiner), else the first other seat.
func (t *Table) firstOther() bft.PublicKey {
	if slices.Contains(t.seats, t.cfg.Host) && t.cfg.Host != t.cfg.Self {
		return t.cfg.Host
	}
	for _, k := range t.seats {
		if k != t.cfg.Self {
			return k
		}
	}
	return bft.PublicKey{}
}

// unseatAbsent asks for the unseating of every seat absent past the grace,
// at 4+ seats, once per player and round.
func (t *Table) unseatAbsent() {
	if len(t.seats) < 4 {
		return
	}
	for _, k := range t.seats {
		if t.isAbsent(k) && t.now-t.heard[k] >= t.cfg.GraceTicks && t.unseatAsked[k] != t.round {
			t.unseatAsked[k] = t.round
			t.ready.Unseat = append(t.ready.Unseat, k)
		}
	}
}

// dissolve ends the table at its last certified round.
func (t *Table) dissolve() {
	t.dissolved = &Dissolve{Round: t.round - 1}
	d := *t.dissolved
	t.mode, t.reason = Dissolved, ""
	t.ready.Mode, t.ready.Dissolve = Dissolved, &d
}
