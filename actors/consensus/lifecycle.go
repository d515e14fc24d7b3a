package consensus

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/game"
	"github.com/bitcraps/bitcraps/internal/lifecycle"
	"github.com/bitcraps/bitcraps/messages"
)

// The table's lifecycle here: internal/lifecycle decides who is absent,
// when the table pauses, unseats or dissolves, and when this node must catch
// up; this file only translates. Its Ready is done in its contract's order:
// the dissolution is persisted (synced, in the spec) before anything else,
// then presence and round requests go out, then unseat payloads are
// submitted.

// The lifecycle's durations, turned into ticks of this node's --tick (the
// reasons are internal/lifecycle's defaults, given for a 10 ms tick).
const (
	absentAfter    = 3 * time.Second
	heartbeatEvery = time.Second
	askEvery       = 500 * time.Millisecond
)

// judge is the instance's lifecycle as the game.Judge of what it commits
// to (game.Judged): none before the lifecycle starts.
type judge struct{ in *instance }

func (j judge) MayPlay() bool { return j.in.life != nil && j.in.life.MayPlay() }
func (j judge) MayUnseat(k bft.PublicKey) bool {
	return j.in.life != nil && j.in.life.MayUnseat(k)
}
func (j judge) MayDissolve() bool { return j.in.life != nil && j.in.life.MayDissolve() }

// absent is bft's Config.Absent: the lifecycle's judgement.
func (in *instance) absent(k bft.PublicKey) bool { return in.life != nil && in.life.Absent(k) }

// mayVoid is bft's Config.MayVoid: the lifecycle's judgement.
func (in *instance) mayVoid(k bft.PublicKey, lockedTicks uint64) bool {
	return in.life != nil && in.life.MayVoid(k, lockedTicks)
}

// startLife makes the lifecycle core for the round after the last
// certificate, with the seats the bft node plays.
func (in *instance) startLife(round uint64, seats []bft.PublicKey) error {
	cfg := lifecycle.Config{Self: in.me, MinPlayers: max(in.spec.MinPlayers, 1), GraceTicks: in.ticks(in.opts.SeatGrace),
		AbsentTicks: in.ticks(absentAfter), HeartbeatTicks: in.ticks(heartbeatEvery), AskEveryTicks: in.ticks(askEvery)}
	if k, err := keyOf(in.spec.Host); err == nil {
		cfg.Host = k
	}
	life, err := lifecycle.New(cfg, lifecycle.State{Round: round, Seats: seats, Dissolved: in.spec.Dissolved})
	if err != nil {
		return fmt.Errorf("lifecycle of table %s: %w", in.table, err)
	}
	in.life = life
	return nil
}

// ticks converts a duration into whole ticks of this node (at least 1).
func (in *instance) ticks(d time.Duration) uint64 {
	return max(uint64(d/in.opts.TickInterval), 1)
}

func keyOf(peer string) (bft.PublicKey, error) {
	b, err := hex.DecodeString(peer)
	if err != nil {
		return bft.PublicKey{}, err
	}
	return bft.PublicKeyFrom(b)
}

// playing: the bft node may tick, vote and bet.
func (in *instance) playing() bool {
	return in.node != nil && in.life != nil && in.life.Mode() == lifecycle.Playing
}

// voting: the bft node may tick and vote: it plays, or it is Dissolving
// (it votes for the round that dissolves the table, and bets nothing).
func (in *instance) voting() bool {
	return in.playing() || (in.node != nil && in.life != nil && in.life.Mode() == lifecycle.Dissolving)
}

// heard tells the lifecycle that a seat spoke, naming round.
func (in *instance) heard(from string, round uint64) {
	if k, err := keyOf(from); err == nil && in.life != nil {
		in.life.Heard(k, round)
	}
}

// driveLife does what the lifecycle's Ready asks, in its contract's order.
func (in *instance) driveLife(ctx actor.Context) {
	for in.life != nil && in.life.HasReady() {
		rd := in.life.Ready()
		if rd.Dissolve != nil && !in.dissolve(ctx, *rd.Dissolve) {
			return // not persisted: try again on the next tick
		}
		if rd.Mode != 0 {
			in.modeChanged(rd.Mode)
			in.reportHealth(ctx)
		}
		if rd.Heartbeat {
			st := in.life.Status()
			body := messages.EncodePresence(st.Round, false)
			if st.Mode == lifecycle.Dissolved {
				body = messages.EncodePresence(st.DissolvedAt, true)
			}
			in.broadcastFrame(messages.FramePresence, body)
		}
		if a := rd.AskRounds; a != nil {
			in.sendFrame(a.To, messages.FrameRoundsAsk, messages.EncodeRound(a.From))
		}
		for _, k := range rd.Unseat {
			in.submitUnseat(k)
		}
		if rd.SubmitDissolve {
			in.submitDissolve()
		}
		in.life.Advance(rd)
	}
}

func (in *instance) modeChanged(m lifecycle.Mode) {
	st := in.life.Status()
	switch m {
	case lifecycle.Paused:
		in.log.Warn("table paused", "round", st.Round, "reason", st.Reason, "absent", shorts(st.Absent))
	case lifecycle.CatchingUp:
		in.log.Warn("catching up on certified rounds", "round", st.Round, "behind", st.Behind)
	case lifecycle.Playing:
		in.log.Info("table playing", "round", st.Round)
	case lifecycle.Dissolving:
		in.log.Warn("table paused past the seat grace: asking the players present to dissolve it", "round", st.Round,
			"reason", st.Reason, "absent", shorts(st.Absent), "grace", in.opts.SeatGrace)
	}
}

// submitDissolve asks the table for the round that dissolves it, and, if
// this node leads the round, proposes it without waiting for a roll: a
// table whose shooter rolls by hand has nobody to roll it.
func (in *instance) submitDissolve() {
	if in.node == nil {
		return
	}
	if _, err := in.node.SubmitBet(game.EncodeDissolve()); err != nil {
		in.log.Debug("dissolve payload not submitted", "err", err)
		return
	}
	if err := in.node.Propose(); err != nil && !errors.Is(err, bft.ErrNotLeader) {
		in.log.Debug("the dissolving round not proposed", "err", err)
	}
}

func (in *instance) submitUnseat(k bft.PublicKey) {
	if !in.playing() {
		return
	}
	if _, err := in.node.SubmitBet(game.EncodeUnseat(k)); err != nil {
		in.log.Debug("unseat of an absent player not submitted", "player", k.Short(), "err", err)
		return
	}
	in.opts.Metrics.unseatAsked()
	in.log.Warn("asking the table to unseat a player absent past the seat grace", "player", k.Short(), "grace", in.opts.SeatGrace)
}

// dissolve persists the dissolution first, then stops signing and tells the
// table actor. It reports whether the record is durable.
func (in *instance) dissolve(ctx actor.Context, d lifecycle.Dissolve) bool {
	sp := in.spec
	sp.Dissolved = &d
	if err := in.saveSpec(sp); err != nil {
		in.log.Error("dissolution not persisted; the table stays paused", "round", d.Round, "err", err)
		return false
	}
	in.node = nil
	in.opts.Metrics.dissolved()
	in.log.Warn("table dissolved at its last certified round", "round", d.Round)
	in.deliverDissolution(ctx)
	return true
}

// deliverDissolution tells the table actor the persisted dissolution (again
// after a restart or a re-attach: the table actor pays it once).
func (in *instance) deliverDissolution(ctx actor.Context) {
	d := in.spec.Dissolved
	if d == nil || in.tablePID == nil {
		return
	}
	h := in.app.GenesisHash()
	if d.Round > 0 {
		c := in.certified(d.Round)
		if c == nil {
			in.log.Error("dissolved at a round this node does not hold", "round", d.Round)
			return
		}
		h = c.StateHash
	}
	// Valuing the open wagers solves their Markov chains (a few ms, up to
	// half a second for a Hot Roller): once per dissolution, in the actor,
	// since the App is not safe to share.
	dis, err := in.app.Dissolution(h)
	if err != nil {
		in.log.Error("dissolution not derived", "round", d.Round, "err", err)
		return
	}
	ctx.Send(in.tablePID, &messages.ConsensusDissolved{TableID: in.table, Dissolution: dis})
}

// certified finds a recently settled round's certificate.
func (in *instance) certified(round uint64) *bft.Certificate {
	for i := len(in.settled) - 1; i >= 0; i-- {
		if c := &in.settled[i].Certificate; c.Round == round {
			return c
		}
	}
	return nil
}

// reportHealth tells the service the table's mode or failure (health.go).
func (in *instance) reportHealth(ctx actor.Context) {
	r := &instanceReport{table: in.table, failure: in.failure, since: time.Now()}
	if in.life != nil {
		r.mode = in.life.Mode()
	}
	ctx.Send(ctx.Parent(), r)
}

// observeLife reports the lifecycle to the metrics when it changed.
func (in *instance) observeLife() {
	now := lifeSeen{}
	if in.life != nil {
		st := in.life.Status()
		now = lifeSeen{mode: st.Mode, absent: len(st.Absent), behind: int(min(st.Behind, 1<<20))}
	}
	in.opts.Metrics.observeLife(in.seen, now)
	in.seen = now
}

// stopLife takes the instance out of the lifecycle metrics.
func (in *instance) stopLife() {
	in.opts.Metrics.observeLife(in.seen, lifeSeen{})
	in.seen = lifeSeen{}
}

// saveSpec persists a new spec (synced) and adopts it. It is written in
// the actor, not off it: the lifecycle's contract is that a dissolution is
// durable before anything else happens, and it is written once per table.
func (in *instance) saveSpec(sp spec) error {
	b, err := json.Marshal(sp)
	if err != nil {
		return err
	}
	if err := in.store.PutSpec(in.table, b); err != nil {
		return err
	}
	in.spec = sp
	return nil
}

// onPresence: a seat says it is here.
func (in *instance) onPresence(ctx actor.Context, from string, body []byte) {
	round, dissolved, err := messages.DecodePresence(body)
	if err != nil {
		in.opts.Metrics.droppedFrame("bad_presence")
		return
	}
	if k, err := keyOf(from); err == nil && in.life != nil && dissolved {
		in.life.HeardDissolved(k, round)
	} else {
		in.heard(from, round)
	}
	in.afterInput(ctx)
}

// onRounds takes certified rounds this node asked for. bft checks each
// against the seats of its round before anything is settled.
func (in *instance) onRounds(ctx actor.Context, from string, body []byte) {
	_, certs, err := messages.DecodeRounds(body)
	if err != nil {
		in.opts.Metrics.droppedFrame("bad_rounds")
		return
	}
	in.heard(from, 0)
	if len(certs) == 0 {
		if k, err := keyOf(from); err == nil && in.life != nil {
			in.life.NothingNewer(k)
		}
		in.afterInput(ctx)
		return
	}
	for i := range certs {
		in.stepCertificate(&certs[i])
	}
	in.afterInput(ctx)
}

// stepCertificate hands a certificate to the bft node (which checks it and
// certifies the round in its Ready); after a dissolution, to the lifecycle
// (which moves the dissolution) once checked by a chain from the last
// certified state.
func (in *instance) stepCertificate(c *bft.Certificate) {
	if in.node != nil {
		if err := in.node.Step(bft.Message{Certificate: c}); err != nil {
			in.log.Debug("certificate refused", "round", c.Round, "err", err)
		}
		return
	}
	if in.spec.Dissolved == nil || c.Round != in.lastRound+1 {
		return
	}
	seats, err := in.nextSeats()
	if err != nil {
		return
	}
	if err := bft.VerifyCertificate(seats, c); err != nil {
		in.log.Debug("certificate after the dissolution refused", "round", c.Round, "err", err)
		return
	}
	if err := in.store.Persist(in.table, []bft.Record{{Kind: bft.RecordCertificate, Round: c.Round, Certificate: c}}); err != nil {
		in.log.Error("certificate after the dissolution not stored", "round", c.Round, "err", err)
		return
	}
	if err := in.settle(c); err != nil {
		in.log.Error("certificate after the dissolution does not replay", "round", c.Round, "err", err)
		return
	}
	in.certifiedLife(c, seats)
}

// certifiedLife tells the lifecycle about a certified, settled round: one
// that dissolved the table ends it here too.
func (in *instance) certifiedLife(c *bft.Certificate, seats []bft.PublicKey) {
	if in.app.Ended(c.StateHash) {
		in.life.CertifiedEnd(c.Round)
		return
	}
	in.life.Certified(c.Round, seats)
}

// nextSeats are the consensus seats of the round after the last certified.
func (in *instance) nextSeats() ([]bft.PublicKey, error) {
	h := in.app.GenesisHash()
	if c := in.certified(in.lastRound); c != nil {
		h = c.StateHash
	}
	seats, err := in.app.Seats(h)
	if err != nil {
		return nil, err
	}
	return game.SeatsWithout(seats, in.spec.Excluded), nil
}

func shorts(ks []bft.PublicKey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Short()
	}
	return out
}
