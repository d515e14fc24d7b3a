package backupactor

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/bitcraps/bitcraps/internal/backup"
)

// ServiceName is the service's name in ServiceHealth and the supervision tree.
const ServiceName = "backup"

// ErrInvalidOptions means Props was given options it cannot run with.
var ErrInvalidOptions = errors.New("backup actor: invalid options")

// ErrBusy answers a backup asked for while one runs.
var ErrBusy = errors.New("backup: a backup is already running")

// ErrStopped answers a backup whose service stopped before it ended.
var ErrStopped = errors.New("backup: the backup service stopped")

// Options configure the backup service.
type Options struct {
	DataDir     string
	NodeVersion string
	PeerID      string
	// Recipients are age public keys; without any, no backup is taken.
	Recipients []string
	// To are the scheduled backups' destinations, and on-demand ones'
	// unless a request names its own.
	To []string
	// Interval between scheduled backups; 0 schedules none.
	Interval time.Duration
	// Retention applied to each destination after a backup it confirmed.
	Retention backup.Policy
	// Ledger and Consensus are the services whose stores are copied.
	Ledger, Consensus *actor.PID
	// CheckpointTimeout bounds the wait for each store's checkpoint.
	// Default 2 minutes: a checkpoint hard-links files and flushes a
	// memtable, seconds even for a big store on a slow disk.
	CheckpointTimeout time.Duration
	// Getenv reads the S3 settings; nil means os.Getenv.
	Getenv  func(string) string
	Now     func() time.Time
	Metrics *Metrics
	Logger  *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.DataDir == "" || o.Ledger == nil || o.Consensus == nil {
		return o, fmt.Errorf("%w: DataDir, Ledger and Consensus are required", ErrInvalidOptions)
	}
	if o.Interval < 0 {
		return o, fmt.Errorf("%w: negative interval %s", ErrInvalidOptions, o.Interval)
	}
	if o.Interval > 0 {
		if _, err := backup.ParseRecipients(o.Recipients); err != nil {
			return o, fmt.Errorf("%w: --backup-interval is set: %w", ErrInvalidOptions, err)
		}
		if _, err := backup.ParseDestinations(o.To, o.getenv()); err != nil {
			return o, fmt.Errorf("%w: --backup-interval is set: %w", ErrInvalidOptions, err)
		}
	}
	if o.CheckpointTimeout == 0 {
		o.CheckpointTimeout = 2 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

func (o Options) getenv() func(string) string {
	if o.Getenv != nil {
		return o.Getenv
	}
	return os.Getenv
}

// Props checks opts and returns the service's props.
func Props(opts Options) (*actor.Props, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	o.Metrics.setInterval(o.Interval)
	return actor.PropsFromProducer(func() actor.Actor { return &service{opts: o, log: o.Logger.With("service", ServiceName)} }), nil
}
