package table

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"golang.org/x/time/rate"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// ServiceName is the game manager's name under the root supervisor.
const ServiceName = "games"

// ErrOptions is wrapped by every invalid-option error.
var ErrOptions = errors.New("games: invalid option")

// Options configure the game manager and its tables.
type Options struct {
	// Identity is the local player: it signs buy-ins, cash-outs, the bank
	// funding of hosted tables and every table message.
	Identity *identity.Identity
	// MaxGames bounds the tables this node hosts or sits at (--max-games).
	MaxGames int
	// TickInterval is the consensus tick (--tick): bet windows are
	// converted to ticks with it.
	TickInterval time.Duration
	// Running says whether the node is Running; requests that change
	// anything are refused with not_initialized otherwise. Nil: always.
	Running func() bool
	// DefaultBetWindow is the bet window of a table created without one.
	DefaultBetWindow time.Duration
	// RequestRate and RequestBurst bound the changing requests (create,
	// join, bet, roll, leave) this node accepts from its API.
	RequestRate  rate.Limit
	RequestBurst int
	// JoinTimeout bounds how long a join (or a leave from a waiting
	// table) waits for the host's answer.
	JoinTimeout time.Duration
	// WaitTimeout is how long a hosted table waits to fill before it is
	// cancelled (--table-wait-timeout).
	WaitTimeout time.Duration
	// AnnounceEvery is how often hosted tables are announced again.
	AnnounceEvery time.Duration
	// Resubscribe is how often the manager renews its mesh subscription.
	Resubscribe time.Duration
	// RetryEvery is how often refused ledger work (an op whose owner's
	// earlier ops have not arrived yet) is tried again.
	RetryEvery time.Duration
	// FollowStallAfter: a followed table with no certified round for this
	// long yields its follower slot when the slots are full (follow.go).
	FollowStallAfter time.Duration
	// Ledger, Mesh and Consensus are the sibling services; nil means
	// root/ledger, root/mesh and root/consensus.
	Ledger, Mesh, Consensus *actor.PID
	// Logger may be nil (discarded); Metrics may be nil (nothing counted).
	Logger  *slog.Logger
	Metrics *Metrics
}

// Defaults, each with its reason.
const (
	// Twenty seconds from a round's first bet, as --bet-window on a
	// server (internal/config gives the reason).
	DefaultBetWindow = 20 * time.Second
	// 500 changing requests a second with a burst of 1000: a bot betting
	// and rolling a one-player table every few milliseconds stays under
	// it, and it matches what the mesh lets one node send in consensus
	// traffic, so API clients cannot make the node flood its tables.
	DefaultRequestRate  = 500
	DefaultRequestBurst = 1000
	// Ten seconds: a buy-in travels to the host and back in milliseconds;
	// this covers a host that is redialling.
	DefaultJoinTimeout = 10 * time.Second
	// Half an hour, as --table-wait-timeout on a server (see
	// internal/config).
	DefaultWaitTimeout = 30 * time.Minute
	// One minute: the mesh lets a node send five announcements a minute,
	// and changes are announced at once, so the periodic one only reaches
	// nodes that joined since.
	DefaultAnnounceEvery = time.Minute
	// A second bounds how long table traffic is lost after a mesh restart.
	DefaultResubscribe = time.Second
	// Half a second: an op waiting for its owner's earlier op usually
	// finds it on the next try.
	DefaultRetryEvery = 500 * time.Millisecond
	// Two minutes: a table whose players bet certifies a round at least
	// every bet window (20 s by default); one silent for two minutes while
	// others wait for a slot is stalled, idle (nobody bets) or never was
	// real. Evicting it is safe: its next pushed certificate follows it
	// again.
	DefaultFollowStallAfter = 2 * time.Minute
)

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.Identity == nil:
		return o, fmt.Errorf("%w: Identity is nil", ErrOptions)
	case o.MaxGames < 1:
		return o, fmt.Errorf("%w: MaxGames %d: want ≥ 1", ErrOptions, o.MaxGames)
	case o.TickInterval <= 0:
		return o, fmt.Errorf("%w: TickInterval %s: want > 0", ErrOptions, o.TickInterval)
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur(&o.DefaultBetWindow, DefaultBetWindow)
	setDur(&o.JoinTimeout, DefaultJoinTimeout)
	setDur(&o.WaitTimeout, DefaultWaitTimeout)
	setDur(&o.AnnounceEvery, DefaultAnnounceEvery)
	setDur(&o.Resubscribe, DefaultResubscribe)
	setDur(&o.RetryEvery, DefaultRetryEvery)
	setDur(&o.FollowStallAfter, DefaultFollowStallAfter)
	if o.RequestRate <= 0 {
		o.RequestRate = DefaultRequestRate
	}
	if o.RequestBurst <= 0 {
		o.RequestBurst = DefaultRequestBurst
	}
	if o.Running == nil {
		o.Running = func() bool { return true }
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

func (o *Options) pids(sys *actor.ActorSystem) {
	if o.Ledger == nil {
		o.Ledger = actor.NewPID(sys.Address(), "root/ledger")
	}
	if o.Mesh == nil {
		o.Mesh = actor.NewPID(sys.Address(), "root/mesh")
	}
	if o.Consensus == nil {
		o.Consensus = actor.NewPID(sys.Address(), "root/consensus")
	}
}
