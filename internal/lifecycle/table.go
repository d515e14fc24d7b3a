package lifecycle

import (
	"math"
	"slices"

	"github.com/bitcraps/bitcraps/internal/bft"
)

// Mode is what the node may do at the table.
type Mode uint8

const (
	// Playing: bet, tick and vote as usual.
	Playing Mode = iota + 1
	// Paused: neither tick nor vote nor bet; only presence goes out. See
	// Status.Reason.
	Paused
	// CatchingUp: certified rounds exist that this node lacks; it fetches
	// them and neither bets nor votes on its stale round meanwhile.
	CatchingUp
	// Dissolved: the table ended at Status.DissolvedAt; never sign for it
	// again.
	Dissolved
	// Dissolving: at 4+ seats, paused past the grace while a quorum is
	// present. The table is dissolved by a certified round (doc.go): the
	// node ticks and votes again, bets nothing, submits the dissolve
	// payload (Ready.SubmitDissolve) and commits only to a body that
	// dissolves (MayDissolve). If the pause ends first, it plays on.
	Dissolving
)

func (m Mode) String() string {
	switch m {
	case Playing:
		return "playing"
	case Paused:
		return "paused"
	case CatchingUp:
		return "catching_up"
	case Dissolved:
		return "dissolved"
	case Dissolving:
		return "dissolving"
	}
	return "unknown"
}

// Ready is what the table wants done. The caller must, in this order:
//  1. persist Dissolve durably, if set, before anything else: from then on
//     it never signs for the table again, even after a restart;
//  2. send presence to every other seat if Heartbeat (naming Status().Round;
//     once dissolved, saying it dissolved at Status().DissolvedAt, which
//     the receiver hands to HeardDissolved instead of Heard), and a request
//     for the certified rounds from AskRounds.From to AskRounds.To if set
//     (the asked node answers from its certified log; an empty answer is
//     NothingNewer);
//  3. submit an unseat payload for each of Unseat, and the dissolve
//     payload if SubmitDissolve (once per round: the field is set once);
//  4. call Advance with this Ready.
type Ready struct {
	// Mode is set when the mode changed (to it); zero otherwise.
	Mode      Mode
	Heartbeat bool
	AskRounds *Ask
	Unseat    []bft.PublicKey
	Dissolve  *Dissolve
	// SubmitDissolve: the table is Dissolving; submit the dissolve payload
	// in the current round.
	SubmitDissolve bool
}

// Ask is a request for certified rounds.
type Ask struct {
	To   bft.PublicKey
	From uint64
}

// Dissolve ends the table at the certified state of Round (0: genesis).
type Dissolve struct{ Round uint64 }

// State is what a table restarts from: the next round to play, its seats,
// and the persisted dissolution, if any.
type State struct {
	Round     uint64
	Seats     []bft.PublicKey
	Dissolved *Dissolve
}

// Status is a snapshot for the actor's metrics, health and the API.
type Status struct {
	Mode        Mode
	Reason      string // why paused; empty otherwise
	Round       uint64 // the next round to play
	Behind      uint64 // how many rounds others are known to be ahead
	Absent      []bft.PublicKey
	PausedTicks uint64
	DissolvedAt uint64 // the round dissolved at, when Mode is Dissolved
}

// Table is one node's lifecycle of one table.
type Table struct {
	cfg    Config
	now    uint64
	round  uint64
	seats  []bft.PublicKey
	heard  map[bft.PublicKey]uint64 // tick a seat was last heard
	claims map[bft.PublicKey]uint64 // highest round a seat named
	ended  map[bft.PublicKey]uint64 // round a seat said it dissolved the table at
	mode   Mode
	reason string

	pausedAt      uint64
	graceFrom     uint64 // tick the grace before a dissolution started
	graceRunning  bool
	dissolved     *Dissolve
	unseatAsked   map[bft.PublicKey]uint64 // round an unseat was asked in
	dissolveAsked uint64                   // round the dissolve payload was asked in
	askedAt       uint64
	asked         bool
	askNext       int // seat index the next ask starts looking from
	spokeAt       uint64
	// wasSeated: this node's player sat in a round this table knows. Not
	// in the seats and never seated is a joiner (catch up); not in them
	// after it sat is a player that left or was unseated (nothing to do).
	wasSeated bool

	ready Ready
}

// New starts a table at st. Every seat counts as just heard: a node that
// restarts gives everyone AbsentTicks before calling them absent.
func New(cfg Config, st State) (*Table, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Table{cfg: c, round: max(st.Round, 1), mode: Playing,
		heard: map[bft.PublicKey]uint64{}, claims: map[bft.PublicKey]uint64{}, ended: map[bft.PublicKey]uint64{},
		unseatAsked: map[bft.PublicKey]uint64{}}
	t.setSeats(st.Seats)
	if st.Dissolved != nil {
		d := *st.Dissolved
		t.dissolved, t.mode = &d, Dissolved
		return t, nil
	}
	t.evaluate()
	t.ready.Mode = 0 // the starting mode is not a change
	return t, nil
}

func (t *Table) setSeats(seats []bft.PublicKey) {
	t.seats = slices.Clone(seats)
	t.wasSeated = t.wasSeated || slices.Contains(seats, t.cfg.Self)
	for _, k := range t.seats {
		if _, ok := t.heard[k]; !ok {
			t.heard[k] = t.now
		}
	}
	for k := range t.heard {
		if !slices.Contains(t.seats, k) {
			delete(t.heard, k)
			delete(t.claims, k)
			delete(t.ended, k)
			delete(t.unseatAsked, k)
		}
	}
}

// Tick advances the table's clock by one tick.
func (t *Table) Tick() {
	t.now++
	t.evaluate()
}

// Heard records a message from a seated player naming round (0: none).
// Others are ignored: only the seats' word counts.
func (t *Table) Heard(from bft.PublicKey, round uint64) {
	if from == t.cfg.Self || !slices.Contains(t.seats, from) {
		return
	}
	if _, ended := t.ended[from]; !ended {
		t.heard[from] = t.now // a seat that dissolved is absent whatever it sends (its asks, say)
	}
	if round > t.claims[from] {
		t.claims[from] = round
	}
	t.evaluate()
}

// HeardDissolved records that a seated player said it dissolved the table
// at round (its presence while dissolved). That seat will never sign again,
// so it counts as absent from now on; and once f+1 seats say so (one at 2–3
// seats), the table has ended for this node too: it catches up to the
// round they name, then dissolves at its own last certified round.
func (t *Table) HeardDissolved(from bft.PublicKey, round uint64) {
	if from == t.cfg.Self || !slices.Contains(t.seats, from) || round == math.MaxUint64 {
		return // the last: no round that far can exist, nor be asked for
	}
	if e, ok := t.ended[from]; !ok || round > e {
		t.ended[from] = round
	}
	if round+1 > t.claims[from] {
		t.claims[from] = round + 1
	}
	t.evaluate()
}

// NothingNewer records that from answered a request for rounds with none
// past this node's: its claim of a later round was stale or false.
//
// A dissolution it claimed past this node's last certified round was false
// too: it is taken as one at that round. (Found by the lifecycle simulator,
// seed 350: a Byzantine seat at three seats claimed it dissolved 40 rounds
// ahead, and the two honest nodes caught up for ever, neither playing nor
// pausing, so the table never dissolved.)
func (t *Table) NothingNewer(from bft.PublicKey) {
	if c, ok := t.claims[from]; ok && c > t.round {
		t.claims[from] = t.round
	}
	if e, ok := t.ended[from]; ok && e >= t.round {
		t.ended[from] = t.round - 1
	}
	t.evaluate()
}

// Spoke records that the node sent consensus messages to every seat now,
// which makes a heartbeat unnecessary for a while.
func (t *Table) Spoke() { t.spokeAt = t.now }

// Certified records that round was certified; seats are the next round's.
// After a dissolution, a later certified round moves it (Ready.Dissolve).
func (t *Table) Certified(round uint64, seats []bft.PublicKey) {
	if t.dissolved != nil {
		if round > t.dissolved.Round {
			t.dissolved = &Dissolve{Round: round}
			t.round = round + 1
			d := *t.dissolved
			t.ready.Dissolve = &d
		}
		return
	}
	if round < t.round {
		return
	}
	t.round = round + 1
	t.setSeats(seats)
	t.pausedAt, t.graceFrom = t.now, t.now // progress: the table is alive, whatever this node sees
	t.evaluate()
}

// CertifiedEnd records that round was certified and dissolved the table (a
// body of dissolve payloads, at 4+ seats): the table ended at its state,
// on every replica alike. Ready.Dissolve names it; a dissolution this node
// had already made moves to it.
func (t *Table) CertifiedEnd(round uint64) {
	if round < t.round-1 || (t.dissolved != nil && round <= t.dissolved.Round) {
		return
	}
	t.round = round + 1
	t.dissolved = &Dissolve{Round: round}
	d := *t.dissolved
	t.mode, t.reason = Dissolved, ""
	t.ready.Mode, t.ready.Dissolve = Dissolved, &d
}

// MayPlay: the table plays here; this node commits to rounds that roll.
func (t *Table) MayPlay() bool { return t.mode == Playing }

// MayDissolve is this node's judgement of a proposal that dissolves the
// table: it is Dissolving itself (paused past the grace, a quorum
// present). A node that sees the pause a little later is not yet
// Dissolving, and does not vote at all until it is.
func (t *Table) MayDissolve() bool { return t.mode == Dissolving }

// MayUnseat is this node's judgement of a proposal that unseats k: k is
// seated and has been absent for the grace here too, give or take
// AbsentTicks for the proposer's clock.
func (t *Table) MayUnseat(k bft.PublicKey) bool {
	if k == t.cfg.Self || !slices.Contains(t.seats, k) {
		return false
	}
	return t.now-t.heard[k]+t.cfg.AbsentTicks >= t.cfg.GraceTicks
}

// MayVoid is this node's judgement of voiding a round that misses k's
// reveal (bft's Config.MayVoid; lockedTicks is how long ago the round's
// lock was known): k heard from since then is alive and withholding; k
// silent since then may have crashed after committing, and is absent, not
// a withholder, until it may be unseated.
func (t *Table) MayVoid(k bft.PublicKey, lockedTicks uint64) bool {
	h, ok := t.heard[k]
	return (ok && t.now-h < lockedTicks) || t.MayUnseat(k)
}

// Absent reports whether seat k is absent now.
func (t *Table) Absent(k bft.PublicKey) bool {
	return t.dissolved == nil && slices.Contains(t.seats, k) && t.isAbsent(k)
}

// Mode is what the node may do now.
func (t *Table) Mode() Mode { return t.mode }

// HasReady reports whether Ready has anything in it.
func (t *Table) HasReady() bool {
	r := &t.ready
	return r.Mode != 0 || r.Heartbeat || r.AskRounds != nil || len(r.Unseat) > 0 || r.Dissolve != nil || r.SubmitDissolve
}

// Ready returns what the table wants done (see Ready). Call Advance after.
func (t *Table) Ready() Ready {
	r := t.ready
	r.Unseat = slices.Clone(r.Unseat)
	return r
}

// Advance tells the table that rd was done.
func (t *Table) Advance(rd Ready) {
	r := &t.ready
	if rd.Mode == r.Mode {
		r.Mode = 0
	}
	if rd.Heartbeat {
		r.Heartbeat = false
	}
	if rd.SubmitDissolve {
		r.SubmitDissolve = false
	}
	if rd.AskRounds != nil && r.AskRounds != nil && *rd.AskRounds == *r.AskRounds {
		r.AskRounds = nil
	}
	if rd.Dissolve != nil && r.Dissolve != nil && *rd.Dissolve == *r.Dissolve {
		r.Dissolve = nil
	}
	r.Unseat = slices.DeleteFunc(r.Unseat, func(k bft.PublicKey) bool { return slices.Contains(rd.Unseat, k) })
}

// Status returns a snapshot.
func (t *Table) Status() Status {
	st := Status{Mode: t.mode, Reason: t.reason, Round: t.round}
	if t.dissolved == nil {
		st.Absent = t.absent() // a dissolved table has no seats to be absent from
	}
	if c := t.claimed(); c > t.round {
		st.Behind = c - t.round
	}
	if t.mode == Paused || t.mode == Dissolving {
		st.PausedTicks = t.now - t.pausedAt
	}
	if t.dissolved != nil {
		st.DissolvedAt = t.dissolved.Round
	}
	return st
}
