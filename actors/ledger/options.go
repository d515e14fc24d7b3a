package ledgeractor

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/internal/ledger"
)

// ServiceName is the ledger's name in ServiceHealth and the supervision tree.
const ServiceName = "ledger"

// ErrInvalidOptions means Props was given options it cannot run with.
var ErrInvalidOptions = errors.New("ledger actor: invalid options")

// Options configure the ledger actor.
type Options struct {
	// DataDir is the node's data dir: the store goes in DataDir/ledger,
	// snapshots in DataDir/snapshots.
	DataDir string
	// InitialBalance is the play-money grant (micro-CRAP) of each new
	// identity, the node's own included; 0 grants nothing. Under a
	// Treasury it is unused: only the treasury's signed grants create
	// money.
	InitialBalance int64
	// Treasury is the deployment's treasury key (--treasury-key); empty
	// runs play money (ledger.Money).
	Treasury identity.PeerID
	// Money is the policy made of InitialBalance and Treasury by
	// withDefaults.
	Money ledger.Money
	// Identity is the node's own peer ID; in play-money mode it gets its
	// grant when the ledger starts. Empty: no grant.
	Identity identity.PeerID
	// Logger may be nil (logs discarded).
	Logger *slog.Logger
	// Registerer receives the ledger's metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// SnapshotInterval is the time between snapshots. Default 1 minute:
	// at most a minute of ops to re-apply from peers after a restore, for a
	// checkpoint that costs little (hard links and one small verify).
	SnapshotInterval time.Duration
	// SnapshotKeep is how many snapshots to keep. Default 24: with the
	// default interval, the last 24 minutes to choose from.
	SnapshotKeep int
	// Certificates verifies settlement certificates; nil accepts all (until
	// consensus provides one). Must be safe for concurrent use.
	Certificates ledger.CertificateVerifier
	// OnApplied is called for each newly applied op after it is durable,
	// in log order, on the ledger's committer goroutine: it must not block
	// (send to an actor with a non-blocking send). The audit trail hooks in
	// here (ledger.Applied.AuditDetail is the entry's detail).
	OnApplied func(ledger.Applied)
	// OnEvidence is called for each newly stored equivocation evidence,
	// under the same rules as OnApplied.
	OnEvidence func(ledger.Evidence)
	// Now is the clock for snapshot names; nil means time.Now.
	Now func() time.Time
	// MaxConcurrentReads bounds the reads served at once. Default 64: reads
	// take microseconds (a Verify, seconds), so 64 in flight means a flood
	// is refused with ErrBusy rather than queued without bound.
	MaxConcurrentReads int
	// MaxStashedWrites bounds the writes held while the startup check runs.
	// Default 4096, the ledger's own queue size.
	MaxStashedWrites int
}

const (
	defaultSnapshotInterval   = time.Minute
	defaultSnapshotKeep       = 24
	defaultMaxConcurrentReads = 64
	defaultMaxStashedWrites   = 4096
)

func (o Options) withDefaults() (Options, error) {
	switch {
	case o.DataDir == "":
		return o, fmt.Errorf("%w: DataDir is empty", ErrInvalidOptions)
	case o.InitialBalance < 0 || o.InitialBalance > ledger.MaxAmount:
		return o, fmt.Errorf("%w: InitialBalance %d: want 0..%d micro-CRAP", ErrInvalidOptions, o.InitialBalance, ledger.MaxAmount)
	case o.SnapshotInterval < 0:
		return o, fmt.Errorf("%w: SnapshotInterval %s is negative", ErrInvalidOptions, o.SnapshotInterval)
	case o.SnapshotKeep < 0:
		return o, fmt.Errorf("%w: SnapshotKeep %d is negative", ErrInvalidOptions, o.SnapshotKeep)
	}
	if o.Identity != "" {
		if _, err := identity.ParsePeerID(string(o.Identity)); err != nil {
			return o, fmt.Errorf("%w: Identity: %w", ErrInvalidOptions, err)
		}
	}
	o.Money = ledger.Money{Treasury: o.Treasury, PlayGrant: o.InitialBalance}
	if err := o.Money.Validate(); err != nil {
		return o, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.SnapshotInterval == 0 {
		o.SnapshotInterval = defaultSnapshotInterval
	}
	if o.SnapshotKeep == 0 {
		o.SnapshotKeep = defaultSnapshotKeep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxConcurrentReads <= 0 {
		o.MaxConcurrentReads = defaultMaxConcurrentReads
	}
	if o.MaxStashedWrites <= 0 {
		o.MaxStashedWrites = defaultMaxStashedWrites
	}
	return o, nil
}
