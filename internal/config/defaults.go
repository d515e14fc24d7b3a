package config

import (
	"fmt"
	"time"
)

// Defaults returns the defaults of a profile; every value says why it is
// what it is. An unknown profile is an error, never the server defaults.
func Defaults(p Profile) (Config, error) {
	c := serverDefaults()
	switch p {
	case ProfileServer:
	case ProfileMobile:
		applyMobile(&c)
	case ProfileTesting:
		applyTesting(&c)
	default:
		return Config{}, fmt.Errorf("%w: unknown profile %q (want server, mobile or testing)", ErrInvalid, p)
	}
	c.Profile = p
	return c, nil
}

func serverDefaults() Config {
	return Config{
		// Relative, so `make run` keeps its state next to the checkout;
		// containers and services pass an absolute path.
		DataDir: "./data",
		// Fixed by DESIGN.md so that peers and firewall rules agree.
		Port: 9000,
		// Loopback: the API is never reachable from the network unless
		// the operator says so.
		HTTPAddr: "127.0.0.1:8080",
		// memberlist's customary port, so existing firewall advice applies.
		GossipPort: 7946,
		// Loopback: a node faces a network only when told to (the
		// container sets 0.0.0.0).
		BindAddr: "127.0.0.1",
		// A fresh node starts alone; there is nothing sensible to guess.
		Join: nil,
		// 2^16 hashes ≈ 10 ms on one core: unnoticed once per node, yet a
		// million fake identities cost about three CPU hours.
		PoWDifficulty: 16,
		// Servers are the common case; other profiles are opt-in.
		Profile: ProfileServer,
		// Info level keeps logs readable; debug is for investigations.
		Debug: false,
		// People read a console first; log shippers ask for json.
		LogFormat: LogText,
		// Off: metrics count requests; a line per request is for an
		// investigation or a setup that ships logs anyway.
		AccessLog: false,
		// No collector is assumed: tracing costs nothing until one is named.
		OTLPEndpoint: "",
		// Each table holds an actor, a BFT instance and its round state;
		// 100 stays bounded on a 2-core, 1 GiB VM.
		MaxGames: 100,
		// Half an hour to gather players for a table announced in a chat;
		// after that its bank and buy-ins go back rather than stay locked.
		TableWaitTimeout: 30 * time.Minute,
		// Long enough for a break at the table, short enough that an
		// abandoned seat does not hold a game open for hours.
		SessionTimeout: 30 * time.Minute,
		// Longer than a rolling restart of a pod (about a minute with
		// image pull and PoW-free start) and a laptop lid closed briefly:
		// restarts make a player absent, never unseated.
		SeatGrace: 2 * time.Minute,
		// People type their bets: 20 s from the round's first bet lets
		// the others at the table read the felt and type one too (a
		// CLI bet takes a person 10–15 s; live-dealer tables give about
		// as long). It is rarely waited out: the shooter rolls at once
		// when every present player has bet, and a round nobody bets in
		// never rolls.
		BetWindow: 20 * time.Second,
		// TCP and BLE both; mobile mode is for phones.
		MobileMode: false,
		// Each peer costs a socket, Noise state and buffers; 128 covers a
		// busy mesh and stays far below the usual 1024 open-file limit.
		MaxConnections: 128,
		// A fair share of a server uplink; caps what a flooding peer can
		// make the node send.
		MaxBandwidthMbps: 100,
		// 1,000 CRAP: hundreds of minimum bets, enough to play a demo
		// session without a faucet.
		InitialBalance: 1000 * MicrosPerCRAP,
		// No treasury: play money, which the node says plainly (status,
		// web page). A deployment whose CRAP must mean something sets its
		// treasury's key; a default key would be nobody's (issue 12).
		TreasuryKey: "",
		// Use BLE where an adapter exists, and never fail where none does.
		BLEMode: BLEAuto,
		// Issue 4: at most a minute of ops to replay after restoring.
		SnapshotInterval: time.Minute,
		// Issue 4: 24 checkpoints, about the last half hour at 1m.
		SnapshotKeep: 24,
		// Clear gossip is fine on the loopback default; a real network
		// should set a key.
		GossipKey: nil,
		// The default API address is loopback, so no token is needed there.
		APIToken: "",
		// Only names that cannot be rebound: localhost and the node's own
		// IP. A DNS name is the operator's to vouch for (issue 12).
		HTTPAllowedHosts: nil,
		// Unattended restarts need no secret; the keystore is still 0600.
		KeystorePassphrase: "",
		// Fault injection is for tests only, off unless asked for.
		FaultInjection: false,
		// BFT timeouts are counted in ticks: 50 ms gives timeouts a finer
		// grain than a player notices, at 20 wakeups a second per table.
		TickInterval: 50 * time.Millisecond,
		// Backups need the operator's key and a place off the machine:
		// none until both are given.
		BackupInterval: 0,
		// A day of hourly backups and a week of daily ones: any hour of
		// the last day, any day of the last week, for 31 archives.
		BackupKeepHourly: 24,
		BackupKeepDaily:  7,
	}
}

func applyMobile(c *Config) {
	// Phones play over BLE only: no TCP listener to drain the battery.
	c.MobileMode = true
	// BLE is the only transport, so its absence must be loud.
	c.BLEMode = BLEOn
	// A phone hosts a table or two; BLE cannot carry more.
	c.MaxGames = 4
	// BLE controllers hold about 7–8 links at once.
	c.MaxConnections = 8
	// The BLE 4.x radio tops out at 1 Mbps.
	c.MaxBandwidthMbps = 1
	// Phones sleep, switch networks and lose the radio in a pocket: ten
	// minutes before a seat is given up.
	c.SeatGrace = 10 * time.Minute
	// BLE round trips take 30–100 ms; finer ticks only wake the CPU.
	c.TickInterval = 200 * time.Millisecond
	// Fewer checkpoints spare the battery and flash; 6 × 5m keeps 30 min.
	c.SnapshotInterval = 5 * time.Minute
	c.SnapshotKeep = 6
}

func applyTesting(c *Config) {
	// 2^8 hashes take microseconds, so a test can start dozens of nodes.
	c.PoWDifficulty = 8
	// A minute: cluster tests fill their tables in seconds; an expiry
	// test sets a shorter one.
	c.TableWaitTimeout = time.Minute
	// Fast ticks make view changes and timeouts happen within a test.
	c.TickInterval = 10 * time.Millisecond
	// Short enough for an expiry test to observe.
	c.SessionTimeout = 30 * time.Second
	// The least the node accepts: five times the 3 s absence, so a test
	// sees a pause resume well before anyone is unseated.
	c.SeatGrace = 15 * time.Second
	// Tests roll as the shooter, or set a table's own window; a window
	// left to close rolls within a test's patience.
	c.BetWindow = 5 * time.Second
	// Snapshots appear within a test's lifetime; few kept, small disks.
	c.SnapshotInterval = 5 * time.Second
	c.SnapshotKeep = 3
}
