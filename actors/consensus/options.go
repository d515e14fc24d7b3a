package consensus

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/bft"
	"github.com/bitcraps/bitcraps/internal/identity"
)

// ServiceName is the service's name under the root supervisor.
const ServiceName = "consensus"

// ErrOptions is wrapped by every invalid-option error.
var ErrOptions = errors.New("consensus: invalid option")

// Options configure the consensus service.
type Options struct {
	// DataDir is the node's data dir; the store lives in StoreDir(DataDir).
	DataDir string
	// Identity signs every consensus message and envelope.
	Identity *identity.Identity
	// TickInterval is one bft tick (config --tick).
	TickInterval time.Duration
	// Entropy supplies round secrets; nil is crypto/rand.
	Entropy io.Reader
	// Mesh routes envelopes; nil means the sibling service root/mesh.
	Mesh *actor.PID
	// Resubscribe is how often the service renews its mesh subscription,
	// so a restarted mesh (which forgets subscribers) delivers again.
	Resubscribe time.Duration
	// SeatGrace: how long a seat may be absent before it is unseated (4+
	// seats), and a table paused before it is dissolved (config
	// --seat-grace); 0 takes DefaultSeatGrace.
	SeatGrace time.Duration
	// Logger may be nil (discarded).
	Logger *slog.Logger
	// Metrics may be nil (nothing counted).
	Metrics *Metrics
	// FaultInjection lets InjectByzantine make this node misbehave
	// (config --fault-injection; off in production).
	FaultInjection bool
	// ManualTicks: no timer ticks the tables; a test sends Tick instead,
	// and drives time deterministically. TickInterval still converts the
	// lifecycle's durations into ticks.
	ManualTicks bool

	// byzantine is the behaviour InjectByzantine installed, shared by
	// every incarnation of the service and read by persist goroutines.
	byzantine *atomic.Pointer[Byzantine]
}

// Byzantine rewrites one outgoing consensus message: it returns the
// messages to send instead (none drops it); sign signs with this node's
// key, for rewritten messages. Tests use it to make a node equivocate,
// withhold or fake reveals, confirm wrong state hashes or go silent.
type Byzantine func(table string, m bft.Message, sign func([]byte) []byte) []bft.Message

// InjectByzantine installs (or, with nil, removes) a Byzantine behaviour on
// the consensus service. Only honoured with FaultInjection. Answered with
// *messages.ConsensusAck.
type InjectByzantine struct{ Behavior Byzantine }

// ErrFaultInjectionOff answers InjectByzantine on a node without fault
// injection.
var ErrFaultInjectionOff = errors.New("consensus: fault injection is off")

// DefaultSeatGrace is the server profile's --seat-grace (internal/config
// gives the reason); options built without a config get it too.
const DefaultSeatGrace = 2 * time.Minute

// DefaultResubscribe: a second bounds how long consensus traffic is lost
// after a mesh restart, at the cost of one local message per second.
const DefaultResubscribe = time.Second

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.DataDir == "":
		return o, fmt.Errorf("%w: DataDir is empty", ErrOptions)
	case o.Identity == nil:
		return o, fmt.Errorf("%w: Identity is nil", ErrOptions)
	case o.TickInterval <= 0:
		return o, fmt.Errorf("%w: TickInterval %s: want > 0", ErrOptions, o.TickInterval)
	}
	if o.Entropy == nil {
		o.Entropy = rand.Reader
	}
	if o.SeatGrace <= 0 {
		o.SeatGrace = DefaultSeatGrace
	}
	// The lifecycle counts the grace in ticks and needs it well past a
	// seat's absence (3 s): refuse what would unseat a player at once.
	if o.SeatGrace < 15*time.Second {
		return o, fmt.Errorf("%w: SeatGrace %s: want at least 15s", ErrOptions, o.SeatGrace)
	}
	if o.Resubscribe <= 0 {
		o.Resubscribe = DefaultResubscribe
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	o.byzantine = new(atomic.Pointer[Byzantine])
	return o, nil
}
