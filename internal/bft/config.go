package bft

import (
	"fmt"
	"io"
)

// Config is one player's view of one table. Timeouts count ticks: the actor
// decides how long a tick is (see doc.go, "Driving the core").
type Config struct {
	// TableID is in every signed byte string, so votes cannot cross tables.
	TableID string
	// Self is the local player's key; Signer signs with its private half.
	Self   PublicKey
	Signer Signer
	// Players is the seat order of FirstRound.
	Players []PublicKey
	// App is the game (craps in production, a toy dice game in tests).
	App Application
	// Entropy supplies round secrets: crypto/rand.Reader in production, a
	// seeded stream in tests. It is the core's only source of randomness.
	Entropy io.Reader
	// MayVoid is the caller's judgement of a withholder (step 4): the node
	// proposes or votes for voiding a round, which unseats the players whose
	// reveal is missing, only if MayVoid says yes for each of them.
	// lockedTicks is how long ago this node first knew the round's lock: a
	// player heard from since then is alive and withholding; one that went
	// silent may have crashed after committing, and is absent, not a
	// withholder, until the seat grace ends (internal/lifecycle). nil:
	// always. It only delays voids, so it touches liveness, never safety.
	MayVoid func(k PublicKey, lockedTicks uint64) bool
	// Absent is the caller's judgement that player k is away now
	// (internal/lifecycle). A leader leaves an absent player's commitment
	// out of a fresh body while a quorum of others remains, so that a round
	// never waits on the reveal of a player who committed and then went
	// away. nil: nobody is. The committed set is the leader's choice of q
	// or more anyway, so it touches liveness, never safety.
	Absent func(k PublicKey) bool
	// FirstRound is the first round this node plays (0 means 1); with
	// GenesisStateHash it lets the actor start a new seating of a table at a
	// certified round boundary.
	FirstRound       uint64
	GenesisStateHash Hash

	// BetWindowTicks: how long the leader waits for bets after the round
	// opens before proposing on its own (Propose cuts it short).
	BetWindowTicks int
	// ViewTimeoutTicks: how long a view may run without certifying before a
	// player asks for the next view. Doubles each view.
	ViewTimeoutTicks int
	// MaxTimeoutDoublings caps the doubling.
	MaxTimeoutDoublings int
	// ResendTicks: how often a player resends its own messages of the
	// current round, since the network may drop them.
	ResendTicks int
	// MaxBetsPerRound bounds a proposal's bet list, and the bets held from
	// any one player.
	MaxBetsPerRound int
	// MaxBetPayloadBytes bounds one bet's payload.
	MaxBetPayloadBytes int
	// MaxViewsAhead: votes and view changes further ahead than this are
	// dropped, so a Byzantine player cannot make us store unbounded views.
	MaxViewsAhead int
	// MaxFutureMessages bounds messages held for the next round.
	MaxFutureMessages int
	// KeepCertificates: how many recent certificates are kept to help a
	// lagging player catch up.
	KeepCertificates int
	// MaxEvidence bounds evidence waiting in Ready.
	MaxEvidence int

	// verify checks signatures: always Ed25519 outside this package's tests,
	// which may swap in a cheap stand-in to run thousands of simulated seeds
	// under -race (a few seeds and every scenario test keep Ed25519).
	verify sigCheck
}

// Defaults. With the recommended 10 ms tick (doc.go):
const (
	// 50 ticks = 0.5 s: enough for bets already typed to arrive; a human
	// shooter or the table's betting window calls Propose earlier or later.
	DefaultBetWindowTicks = 50
	// 100 ticks = 1 s: a round needs 4 message delays plus fsyncs (a few
	// ms on loopback, tens over a mesh); a second leaves a wide margin, and
	// doubling per view adapts to slower networks.
	DefaultViewTimeoutTicks = 100
	// 2^6 = 64 × the base timeout (64 s) bounds how long a table waits after
	// a long outage before trying a new leader.
	DefaultMaxTimeoutDoublings = 6
	// 20 ticks = 200 ms: several resends fit in one view timeout, so one
	// dropped message costs a fraction of a view, not a view change.
	DefaultResendTicks = 20
	// 64 bets: a crowded craps table places a few bets per player per roll.
	DefaultMaxBetsPerRound = 64
	// 1 KiB: a craps bet encodes in a few bytes.
	DefaultMaxBetPayloadBytes = 1024
	// 8 views ahead: a node that is this far behind catches up through the
	// leader's justified proposal, not through stored votes.
	DefaultMaxViewsAhead = 8
	// 1024 messages: a round's worth (n² votes, bets) at the largest tables.
	DefaultMaxFutureMessages = 1024
	// 64 certificates: a player that was away for up to 64 rounds catches
	// up from its peers; beyond that the actor restores from the ledger.
	DefaultKeepCertificates = 64
	// 256 pieces of evidence between two Ready calls: more means a flood,
	// and the count of dropped ones is kept in Status.
	DefaultMaxEvidence = 256
)

func (c *Config) withDefaults() Config {
	out := *c
	setDefault(&out.BetWindowTicks, DefaultBetWindowTicks)
	setDefault(&out.ViewTimeoutTicks, DefaultViewTimeoutTicks)
	setDefault(&out.MaxTimeoutDoublings, DefaultMaxTimeoutDoublings)
	setDefault(&out.ResendTicks, DefaultResendTicks)
	setDefault(&out.MaxBetsPerRound, DefaultMaxBetsPerRound)
	setDefault(&out.MaxBetPayloadBytes, DefaultMaxBetPayloadBytes)
	setDefault(&out.MaxViewsAhead, DefaultMaxViewsAhead)
	setDefault(&out.MaxFutureMessages, DefaultMaxFutureMessages)
	setDefault(&out.KeepCertificates, DefaultKeepCertificates)
	setDefault(&out.MaxEvidence, DefaultMaxEvidence)
	if out.verify == nil {
		out.verify = verifySig
	}
	if out.FirstRound == 0 {
		out.FirstRound = 1
	}
	out.Players = append([]PublicKey(nil), c.Players...)
	return out
}

func setDefault(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

func (c *Config) validate() error {
	switch {
	case c.TableID == "" || len(c.TableID) > maxTableIDBytes:
		return fmt.Errorf("TableID %q: want 1..%d bytes: %w", c.TableID, maxTableIDBytes, ErrConfig)
	case c.Signer == nil:
		return fmt.Errorf("config Signer is nil: %w", ErrConfig)
	case c.App == nil:
		return fmt.Errorf("config App is nil: %w", ErrConfig)
	case c.Entropy == nil:
		return fmt.Errorf("config Entropy is nil: %w", ErrConfig)
	case c.BetWindowTicks < 0 || c.ViewTimeoutTicks < 1 || c.ResendTicks < 1:
		return fmt.Errorf("ticks: bet window %d, view timeout %d, resend %d: want ≥0, ≥1, ≥1: %w",
			c.BetWindowTicks, c.ViewTimeoutTicks, c.ResendTicks, ErrConfig)
	case c.MaxTimeoutDoublings < 0 || c.MaxTimeoutDoublings > 20:
		return fmt.Errorf("MaxTimeoutDoublings %d: want 0..20: %w", c.MaxTimeoutDoublings, ErrConfig)
	case c.MaxBetsPerRound < 0 || c.MaxBetsPerRound > maxWireBets:
		return fmt.Errorf("MaxBetsPerRound %d: want 0..%d: %w", c.MaxBetsPerRound, maxWireBets, ErrConfig)
	case c.MaxBetPayloadBytes < 0 || c.MaxBetPayloadBytes > maxPayloadBytes:
		return fmt.Errorf("MaxBetPayloadBytes %d: want 0..%d: %w", c.MaxBetPayloadBytes, maxPayloadBytes, ErrConfig)
	}
	if err := checkSeats(c.Players); err != nil {
		return fmt.Errorf("config Players: %w", err)
	}
	return nil
}

// viewTimeout is the ticks view v may run: the base doubled per view, with the
// bet window added to view 0 because the leader spends it waiting for bets.
func (c *Config) viewTimeout(v uint64) uint64 {
	shift := min(v, uint64(c.MaxTimeoutDoublings))
	t := uint64(c.ViewTimeoutTicks) << shift
	if v == 0 {
		t += uint64(c.BetWindowTicks)
	}
	return t
}
