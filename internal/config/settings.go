package config

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// setting declares one configuration knob: its names, its meaning, how to
// read it from text and how to show it.
type setting struct {
	name    string
	flag    string // without the leading dashes
	env     string
	kind    string // value name in --help
	meaning string
	secret  bool // never echoed in errors, tables or logs
	hidden  bool // left out of --help
	// repeatable: a flag given twice means both values, as a comma list.
	repeatable bool
	set        func(c *Config, raw string) error
	// setFlag, when not nil, reads the flag's text instead of set: for the
	// passphrase, whose flag names a file so the secret stays off the
	// command line.
	setFlag func(c *Config, raw string) error
	get     func(c *Config) string
}

// settings is the one table behind Resolve, --help and the README.
// Profile comes first because it picks the other defaults.
var settings = []setting{
	{
		name: "profile", flag: "profile", env: "BITCRAPS_PROFILE", kind: "server|mobile|testing",
		meaning: "defaults to start from: server, mobile (BLE only, small limits) or testing (fast timers, low PoW)",
		set: func(c *Config, s string) error {
			v, err := parseEnum(s, "server", "mobile", "testing")
			c.Profile = Profile(v)
			return err
		},
		get: func(c *Config) string { return string(c.Profile) },
	},
	{
		name: "data dir", flag: "data", env: "BITCRAPS_DB_PATH", kind: "dir",
		meaning: "directory holding the ledger, keystore, audit log and snapshots",
		set: func(c *Config, s string) error {
			if strings.TrimSpace(s) == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = s
			return nil
		},
		get: func(c *Config) string { return c.DataDir },
	},
	{
		name: "mesh TCP port", flag: "port", env: "BITCRAPS_PORT", kind: "port",
		meaning: "TCP port of the Noise-encrypted peer transport",
		set:     func(c *Config, s string) (err error) { c.Port, err = parsePort(s); return },
		get:     func(c *Config) string { return strconv.Itoa(c.Port) },
	},
	{
		name: "HTTP address", flag: "http", env: "BITCRAPS_HTTP_ADDR", kind: "host:port",
		meaning: "address of the HTTP API, web table, health and /metrics",
		set:     func(c *Config, s string) (err error) { c.HTTPAddr, err = parseHostPort(s); return },
		get:     func(c *Config) string { return c.HTTPAddr },
	},
	{
		name: "gossip port", flag: "gossip-port", env: "BITCRAPS_GOSSIP_PORT", kind: "port",
		meaning: "memberlist gossip port (TCP and UDP)",
		set:     func(c *Config, s string) (err error) { c.GossipPort, err = parsePort(s); return },
		get:     func(c *Config) string { return strconv.Itoa(c.GossipPort) },
	},
	{
		name: "bind address", flag: "bind", env: "BITCRAPS_BIND_ADDR", kind: "ip",
		meaning: "IP the mesh and gossip listeners bind to and advertise (0.0.0.0 in the container)",
		set:     func(c *Config, s string) (err error) { c.BindAddr, err = parseBindIP(s); return },
		get:     func(c *Config) string { return c.BindAddr },
	},
	{
		name: "join list", flag: "join", env: "BITCRAPS_JOIN", kind: "host:port,...", repeatable: true,
		meaning: "comma-separated gossip addresses of nodes to join at start",
		set:     func(c *Config, s string) (err error) { c.Join, err = parseJoin(s); return },
		get:     func(c *Config) string { return strings.Join(c.Join, ",") },
	},
	{
		name: "PoW difficulty", flag: "pow-difficulty", env: "BITCRAPS_POW_DIFFICULTY", kind: "bits",
		meaning: "leading zero bits of identity proof of work, 0..64 (each bit doubles the work)",
		set:     func(c *Config, s string) (err error) { c.PoWDifficulty, err = parseDifficulty(s); return },
		get:     func(c *Config) string { return strconv.Itoa(c.PoWDifficulty) },
	},
	{
		name: "debug", flag: "debug", env: "BITCRAPS_DEBUG", kind: "bool",
		meaning: "log at debug level",
		set:     func(c *Config, s string) (err error) { c.Debug, err = parseBool(s); return },
		get:     func(c *Config) string { return strconv.FormatBool(c.Debug) },
	},
	{
		name: "log format", flag: "log-format", env: "BITCRAPS_LOG_FORMAT", kind: "text|json",
		meaning: "log output format",
		set: func(c *Config, s string) error {
			v, err := parseEnum(s, "text", "json")
			c.LogFormat = LogFormat(v)
			return err
		},
		get: func(c *Config) string { return string(c.LogFormat) },
	},
	{
		name: "access log", flag: "access-log", env: "BITCRAPS_ACCESS_LOG", kind: "bool",
		meaning: "log one INFO line per HTTP request (method, path, status, duration, request id)",
		set:     func(c *Config, s string) (err error) { c.AccessLog, err = parseBool(s); return },
		get:     func(c *Config) string { return strconv.FormatBool(c.AccessLog) },
	},
	{
		name: "OTLP endpoint", flag: "otlp-endpoint", env: "BITCRAPS_OTLP_ENDPOINT", kind: "URL",
		meaning: "OTLP/HTTP collector for traces of rounds and API requests, such as http://127.0.0.1:4318 (none: tracing off unless OTEL_EXPORTER_OTLP_ENDPOINT is set)",
		set:     func(c *Config, s string) error { c.OTLPEndpoint = s; return nil },
		get:     func(c *Config) string { return c.OTLPEndpoint },
	},
	{
		name: "max games", flag: "max-games", env: "BITCRAPS_MAX_GAMES", kind: "int",
		meaning: "most tables this node hosts or plays at once (at least 1)",
		set:     func(c *Config, s string) (err error) { c.MaxGames, err = parseIntMin(s, 1); return },
		get:     func(c *Config) string { return strconv.Itoa(c.MaxGames) },
	},
	{
		name: "table wait timeout", flag: "table-wait-timeout", env: "BITCRAPS_TABLE_WAIT_TIMEOUT", kind: "duration",
		meaning: "a hosted table not filled within this time is cancelled: bank and buy-ins go back (at least 1s)",
		set: func(c *Config, s string) (err error) {
			c.TableWaitTimeout, err = parseDurationMin(s, time.Second)
			return
		},
		get: func(c *Config) string { return shortDuration(c.TableWaitTimeout) },
	},
	{
		name: "session timeout", flag: "session-timeout", env: "BITCRAPS_SESSION_TIMEOUT", kind: "duration",
		meaning: "idle time after which a player's session (seat, event stream) is closed",
		set: func(c *Config, s string) (err error) {
			c.SessionTimeout, err = parseDurationMin(s, time.Second)
			return
		},
		get: func(c *Config) string { return shortDuration(c.SessionTimeout) },
	},
	{
		name: "seat grace", flag: "seat-grace", env: "BITCRAPS_SEAT_GRACE", kind: "duration",
		meaning: "how long a player may be absent (restart, sleep, lost network) before it is unseated at 4+ seats, or a paused table is dissolved (at least 15s)",
		set: func(c *Config, s string) (err error) {
			c.SeatGrace, err = parseDurationMin(s, 15*time.Second)
			return
		},
		get: func(c *Config) string { return shortDuration(c.SeatGrace) },
	},
	{
		name: "bet window", flag: "bet-window", env: "BITCRAPS_BET_WINDOW", kind: "duration",
		meaning: "default bet window of the tables this node creates (a table's own bet_window wins): a round nobody bets in never rolls; " +
			"the window opens with the round's first bet, and the dice roll when it closes, or as soon as the shooter asks once every present player has bet (100ms to 10m)",
		set: func(c *Config, s string) (err error) {
			c.BetWindow, err = parseDurationMin(s, 100*time.Millisecond)
			if err == nil && c.BetWindow > 10*time.Minute {
				err = errors.New("must be at most 10m (a table must not freeze on a typo)")
			}
			return
		},
		get: func(c *Config) string { return shortDuration(c.BetWindow) },
	},
	{
		name: "mobile mode", flag: "mobile", env: "BITCRAPS_MOBILE_MODE", kind: "bool",
		meaning: "BLE only: no TCP transport (needs --ble auto or on)",
		set:     func(c *Config, s string) (err error) { c.MobileMode, err = parseBool(s); return },
		get:     func(c *Config) string { return strconv.FormatBool(c.MobileMode) },
	},
	{
		name: "max connections", flag: "max-connections", env: "BITCRAPS_MAX_CONNECTIONS", kind: "int",
		meaning: "most concurrent peer connections (at least 1)",
		set:     func(c *Config, s string) (err error) { c.MaxConnections, err = parseIntMin(s, 1); return },
		get:     func(c *Config) string { return strconv.Itoa(c.MaxConnections) },
	},
	{
		name: "max bandwidth", flag: "max-bandwidth-mbps", env: "BITCRAPS_MAX_BANDWIDTH_MBPS", kind: "int",
		meaning: "cap on peer traffic sent, in megabits per second (at least 1)",
		set:     func(c *Config, s string) (err error) { c.MaxBandwidthMbps, err = parseIntMin(s, 1); return },
		get:     func(c *Config) string { return strconv.Itoa(c.MaxBandwidthMbps) },
	},
	{
		name: "initial balance", flag: "initial-balance", env: "BITCRAPS_INITIAL_BALANCE", kind: "CRAP",
		meaning: "play-money grant to a new identity, in CRAP with up to 6 decimals; the same on every node; unused with a treasury",
		set:     func(c *Config, s string) (err error) { c.InitialBalance, err = ParseCRAP(s); return },
		get:     func(c *Config) string { return FormatCRAP(c.InitialBalance) },
	},
	{
		name: "treasury key", flag: "treasury-key", env: "BITCRAPS_TREASURY_KEY", kind: "peer ID",
		meaning: "public key of the treasury (`bitcraps treasury keygen`): only grants it signed create money; empty = play money",
		set:     func(c *Config, s string) (err error) { c.TreasuryKey, err = parseTreasuryKey(s); return },
		get:     func(c *Config) string { return c.TreasuryKey },
	},
	{
		name: "BLE mode", flag: "ble", env: "BITCRAPS_BLE_MODE", kind: "auto|on|off",
		meaning: "Bluetooth LE: auto (if an adapter exists), on (required), off",
		set: func(c *Config, s string) error {
			v, err := parseEnum(s, "auto", "on", "off")
			c.BLEMode = BLEMode(v)
			return err
		},
		get: func(c *Config) string { return string(c.BLEMode) },
	},
	{
		name: "snapshot interval", flag: "snapshot-interval", env: "BITCRAPS_SNAPSHOT_INTERVAL", kind: "duration",
		meaning: "time between ledger checkpoints in DATA/snapshots",
		set: func(c *Config, s string) (err error) {
			c.SnapshotInterval, err = parseDurationMin(s, time.Second)
			return
		},
		get: func(c *Config) string { return shortDuration(c.SnapshotInterval) },
	},
	{
		name: "snapshots kept", flag: "snapshot-keep", env: "BITCRAPS_SNAPSHOT_KEEP", kind: "int",
		meaning: "newest checkpoints kept; older ones are deleted (at least 1)",
		set:     func(c *Config, s string) (err error) { c.SnapshotKeep, err = parseIntMin(s, 1); return },
		get:     func(c *Config) string { return strconv.Itoa(c.SnapshotKeep) },
	},
	{
		name: "backup interval", flag: "backup-interval", env: "BITCRAPS_BACKUP_INTERVAL", kind: "duration",
		meaning: "time between scheduled backups to --backup-to; 0 = none (at least 1m otherwise)",
		set: func(c *Config, s string) (err error) {
			if d, err := time.ParseDuration(s); err == nil && d == 0 {
				c.BackupInterval = 0
				return nil
			}
			c.BackupInterval, err = parseDurationMin(s, time.Minute)
			return
		},
		get: func(c *Config) string { return shortDuration(c.BackupInterval) },
	},
	{
		name: "backup destinations", flag: "backup-to", env: "BITCRAPS_BACKUP_TO", kind: "dest,...", repeatable: true,
		meaning: "where scheduled backups go, comma-separated or repeated: a directory or s3://bucket/prefix (endpoint and credentials from BITCRAPS_BACKUP_S3_*)",
		set:     func(c *Config, s string) (err error) { c.BackupTo, err = parseList(s, parseBackupDestination); return },
		get:     func(c *Config) string { return strings.Join(c.BackupTo, ",") },
	},
	{
		name: "backup recipients", flag: "backup-recipient", env: "BITCRAPS_BACKUP_RECIPIENTS", kind: "age1...", repeatable: true,
		meaning: "age public keys backups are encrypted to, comma-separated or repeated; each can restore them",
		set: func(c *Config, s string) (err error) {
			c.BackupRecipients, err = parseList(s, parseAgeRecipient)
			return
		},
		get: func(c *Config) string { return strings.Join(c.BackupRecipients, ",") },
	},
	{
		name: "hourly backups kept", flag: "backup-keep-hourly", env: "BITCRAPS_BACKUP_KEEP_HOURLY", kind: "int",
		meaning: "at each destination, keep the newest backup of each of the last N hours that have one",
		set:     func(c *Config, s string) (err error) { c.BackupKeepHourly, err = parseIntMin(s, 0); return },
		get:     func(c *Config) string { return strconv.Itoa(c.BackupKeepHourly) },
	},
	{
		name: "daily backups kept", flag: "backup-keep-daily", env: "BITCRAPS_BACKUP_KEEP_DAILY", kind: "int",
		meaning: "at each destination, keep the newest backup of each of the last N days (UTC) that have one",
		set:     func(c *Config, s string) (err error) { c.BackupKeepDaily, err = parseIntMin(s, 0); return },
		get:     func(c *Config) string { return strconv.Itoa(c.BackupKeepDaily) },
	},
	{
		name: "gossip key", flag: "gossip-key", env: "BITCRAPS_GOSSIP_KEY", kind: "base64", secret: true,
		meaning: "memberlist encryption key: base64 of 16, 24 or 32 bytes; empty = clear gossip",
		set:     func(c *Config, s string) (err error) { c.GossipKey, err = parseGossipKey(s); return },
		get:     func(c *Config) string { return base64.StdEncoding.EncodeToString(c.GossipKey) },
	},
	{
		name: "API token", flag: "api-token", env: "BITCRAPS_API_TOKEN", kind: "token", secret: true,
		meaning: "bearer token the HTTP API requires (16+ characters); empty = no auth. Prefer the env var: command lines are visible to other users",
		set:     func(c *Config, s string) (err error) { c.APIToken, err = parseAPIToken(s); return },
		get:     func(c *Config) string { return c.APIToken },
	},
	{
		name: "HTTP allowed hosts", flag: "http-allowed-hosts", env: "BITCRAPS_HTTP_ALLOWED_HOSTS", kind: "name,...",
		meaning: "host names the HTTP API answers to besides localhost and its own IP (a DNS name or proxy in front); others get 403",
		set:     func(c *Config, s string) (err error) { c.HTTPAllowedHosts, err = parseHostNames(s); return },
		get:     func(c *Config) string { return strings.Join(c.HTTPAllowedHosts, ",") },
	},
	{
		name: "keystore passphrase", flag: "keystore-passphrase-file", env: "BITCRAPS_KEYSTORE_PASSPHRASE", kind: "file", secret: true,
		meaning: "encrypts the identity keystore; the env var holds the passphrase, the flag names a file holding it; empty = unencrypted (mode 0600)",
		set: func(c *Config, s string) error {
			c.KeystorePassphrase = s
			return nil
		},
		setFlag: func(c *Config, path string) (err error) {
			c.KeystorePassphrase, err = readPassphraseFile(path)
			return
		},
		get: func(c *Config) string { return c.KeystorePassphrase },
	},
	{
		name: "consensus tick", flag: "tick", env: "BITCRAPS_TICK_INTERVAL", kind: "duration",
		meaning: "consensus clock tick; BFT timeouts are counted in ticks (at least 1ms)",
		set:     func(c *Config, s string) (err error) { c.TickInterval, err = parseDurationMin(s, minTick); return },
		get:     func(c *Config) string { return shortDuration(c.TickInterval) },
	},
	{
		name: "fault injection", flag: "fault-injection", env: "BITCRAPS_FAULT_INJECTION", kind: "bool", hidden: true,
		meaning: "tests only: lets a test make a chosen actor panic; never enable in production",
		set:     func(c *Config, s string) (err error) { c.FaultInjection, err = parseBool(s); return },
		get:     func(c *Config) string { return strconv.FormatBool(c.FaultInjection) },
	},
}

// fromFlag applies the flag's text, which for most settings reads like the
// environment variable.
func (s *setting) fromFlag(c *Config, raw string) error {
	if s.setFlag != nil {
		return s.setFlag(c, raw)
	}
	return s.set(c, raw)
}

// shown is a value as it may appear in errors and tables.
func (s *setting) shown(v string) string {
	if s.secret && v != "" {
		return "[redacted]"
	}
	return v
}

// shortDuration drops zero tails ("30m" rather than "30m0s") for help and
// tables; time.ParseDuration reads both.
func shortDuration(d time.Duration) string {
	t := d.String()
	if strings.HasSuffix(t, "m0s") {
		t = strings.TrimSuffix(t, "0s")
	}
	if strings.HasSuffix(t, "h0m") {
		t = strings.TrimSuffix(t, "0m")
	}
	return t
}
