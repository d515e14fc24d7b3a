package config

import (
	"errors"
	"fmt"
	"time"
)

// Profile selects a set of defaults.
type Profile string

// Profiles.
const (
	// ProfileServer is for an always-on node on a network.
	ProfileServer Profile = "server"
	// ProfileMobile is for a phone: BLE only, small limits, slow timers.
	ProfileMobile Profile = "mobile"
	// ProfileTesting is for test clusters: fast timers, cheap identities.
	ProfileTesting Profile = "testing"
)

// LogFormat selects the slog handler.
type LogFormat string

// Log formats.
const (
	LogText LogFormat = "text"
	LogJSON LogFormat = "json"
)

// BLEMode says whether the node uses Bluetooth LE.
type BLEMode string

// BLE modes.
const (
	// BLEAuto uses BLE when an adapter is present, and reports it
	// unavailable (not failed) when none is.
	BLEAuto BLEMode = "auto"
	// BLEOn requires BLE: a missing adapter is a failure.
	BLEOn BLEMode = "on"
	// BLEOff never touches Bluetooth.
	BLEOff BLEMode = "off"
)

// MicrosPerCRAP is the number of micro-units in one CRAP.
const MicrosPerCRAP = 1_000_000

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("config: invalid setting")

// Config is a node's resolved, validated configuration.
type Config struct {
	DataDir          string
	Port             int
	HTTPAddr         string
	GossipPort       int
	BindAddr         string
	Join             []string
	PoWDifficulty    int
	Profile          Profile
	Debug            bool
	LogFormat        LogFormat
	AccessLog        bool
	OTLPEndpoint     string
	MaxGames         int
	TableWaitTimeout time.Duration
	SessionTimeout   time.Duration
	// SeatGrace: absence before an unseating (4+ seats) or a dissolution.
	SeatGrace time.Duration
	// BetWindow: the default bet window of tables created here, counted
	// from a round's first bet.
	BetWindow        time.Duration
	MobileMode       bool
	MaxConnections   int
	MaxBandwidthMbps int
	// InitialBalance is the play-money grant of a new identity, in
	// micro-CRAP; unused under a treasury.
	InitialBalance int64
	// TreasuryKey is the treasury's public key (a peer ID): when set,
	// only grants it signed create money; empty runs play money.
	TreasuryKey      string
	BLEMode          BLEMode
	SnapshotInterval time.Duration
	SnapshotKeep     int
	// GossipKey is the memberlist encryption key (16, 24 or 32 bytes), or
	// nil for clear gossip.
	GossipKey []byte
	// APIToken, when set, is the bearer token the HTTP API requires.
	APIToken string
	// HTTPAllowedHosts are the extra names the API accepts in Host.
	HTTPAllowedHosts []string
	// KeystorePassphrase, when set, encrypts the identity keystore.
	KeystorePassphrase string
	// FaultInjection lets tests make a chosen actor panic. Never for users.
	FaultInjection bool
	// TickInterval is the consensus tick; BFT timeouts count ticks.
	TickInterval time.Duration
	// BackupInterval between scheduled backups; 0 schedules none.
	BackupInterval time.Duration
	// BackupTo are the scheduled backups' destinations (dir or s3://).
	BackupTo []string
	// BackupRecipients are the age public keys backups are encrypted to.
	BackupRecipients []string
	// BackupKeepHourly and BackupKeepDaily are the retention counts.
	BackupKeepHourly, BackupKeepDaily int
	// PluginsFile names the plugins file; Plugins is what it declares
	// (plugins.go).
	PluginsFile string
	Plugins     []PluginSpec
}

// SettingError says which setting was bad, where the value came from, and why.
type SettingError struct {
	Flag   string // "--port"
	Env    string // "BITCRAPS_PORT"
	Source string // "flag --port" or "env BITCRAPS_PORT"
	Value  string // the value as given, or "[redacted]" for secrets
	Err    error
}

func (e *SettingError) Error() string {
	return fmt.Sprintf("config: %s / %s: invalid value %q (from %s): %v", e.Flag, e.Env, e.Value, e.Source, e.Err)
}

// Unwrap lets errors.Is match ErrInvalid and the cause.
func (e *SettingError) Unwrap() []error { return []error{ErrInvalid, e.Err} }
