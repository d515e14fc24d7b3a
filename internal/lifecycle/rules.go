package lifecycle

import (
	"fmt"
	"slices"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// evaluate applies the rules of doc.go after every input.
func (t *Table) evaluate() {
	if t.dissolved != nil {
		return
	}
	mode, reason := Playing, ""
	switch {
	case t.behind():
		mode = CatchingUp
	default:
		reason = PauseReason(len(t.seats), t.present(), min(t.cfg.MinPlayers, len(t.seats)), t.hostAbsent())
		if reason != "" {
			mode = Paused
		}
	}
	t.reason = reason
	if mode != t.mode {
		if mode == Paused {
			t.pausedAt = t.now
		}
		t.mode = mode
		t.ready.Mode = mode
	}
	switch t.mode {
	case Paused:
		if t.now-t.pausedAt >= t.cfg.GraceTicks {
			t.dissolve()
			return
		}
	case CatchingUp:
		t.ask()
	case Playing:
		t.unseatAbsent()
	}
	if t.now-t.spokeAt >= t.cfg.HeartbeatTicks {
		t.spokeAt = t.now
		t.ready.Heartbeat = true
	}
}

// PauseReason says why a table of seats, present of them here (this node
// included), may not play; "" if it may. hostAbsent: the bank's owner is
// seated and absent. minPlayers guards against playing without absent
// players; a table that players left of their own will has fewer seats,
// and the caller passes at most the seats (everyone present may play on).
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

func (t *Table) isAbsent(k bft.PublicKey) bool {
	return k != t.cfg.Self && t.now-t.heard[k] >= t.cfg.AbsentTicks
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
// hands over that one certificate. A node whose player is not among the
// seats it knows was seated by a round it has not seen (it joined mid-game):
// it is behind too.
func (t *Table) behind() bool {
	return t.claimed() > t.round+1 || !slices.Contains(t.seats, t.cfg.Self)
}

// ask requests the missing rounds from the seat with the highest claim,
// at most once per AskEveryTicks.
func (t *Table) ask() {
	if t.asked && t.now-t.askedAt < t.cfg.AskEveryTicks {
		return
	}
	to := t.firstOther()
	best := uint64(0)
	for _, k := range t.seats {
		if c := t.claims[k]; k != t.cfg.Self && c > best {
			to, best = k, c
		}
	}
	t.asked, t.askedAt = true, t.now
	t.ready.AskRounds = &Ask{To: to, From: t.round}
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
