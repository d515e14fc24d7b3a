package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// env is a fake environment for Resolve.
type env map[string]string

func (e env) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }

func newFlags(t *testing.T) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("node", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	RegisterFlags(fs)
	return fs
}

func resolve(t *testing.T, args []string, e env) (Config, error) {
	t.Helper()
	fs := newFlags(t)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return Resolve(fs, e.lookup)
}

func mustResolve(t *testing.T, args []string, e env) Config {
	t.Helper()
	c, err := resolve(t, args, e)
	if err != nil {
		t.Fatalf("Resolve(%v, %v): %v", args, e, err)
	}
	return c
}

func TestServerDefaults(t *testing.T) {
	c := mustResolve(t, nil, nil)
	want := Config{
		DataDir: "./data", Port: 9000, HTTPAddr: "127.0.0.1:8080", GossipPort: 7946,
		BindAddr: "127.0.0.1", PoWDifficulty: 16, Profile: ProfileServer, LogFormat: LogText,
		MaxGames: 100, TableWaitTimeout: 30 * time.Minute, SessionTimeout: 30 * time.Minute, SeatGrace: 2 * time.Minute, BetWindow: 20 * time.Second,
		MaxConnections: 128, MaxBandwidthMbps: 100,
		InitialBalance: 1_000_000_000, BLEMode: BLEAuto, SnapshotInterval: time.Minute,
		SnapshotKeep: 24, TickInterval: 50 * time.Millisecond,
		BackupKeepHourly: 24, BackupKeepDaily: 7,
	}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("server defaults\n got %+v\nwant %+v", c, want)
	}
}

func TestProfileDefaults(t *testing.T) {
	mobile := mustResolve(t, []string{"--profile", "mobile"}, nil)
	if !mobile.MobileMode || mobile.BLEMode != BLEOn || mobile.MaxGames >= 100 || mobile.MaxConnections >= 128 || mobile.MaxBandwidthMbps >= 100 {
		t.Fatalf("mobile profile: %+v", mobile)
	}
	testing := mustResolve(t, nil, env{"BITCRAPS_PROFILE": "testing"})
	if testing.TickInterval != 10*time.Millisecond || testing.PoWDifficulty != 8 || testing.MobileMode ||
		testing.TableWaitTimeout != time.Minute {
		t.Fatalf("testing profile: %+v", testing)
	}
	if testing.FaultInjection {
		t.Fatal("testing profile must not turn fault injection on by itself")
	}
}

func TestPrecedence(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  env
		get  func(Config) any
		want any
	}{
		{"default", nil, nil, func(c Config) any { return c.Port }, 9000},
		{"env over default", nil, env{"BITCRAPS_PORT": "9100"}, func(c Config) any { return c.Port }, 9100},
		{"flag over env", []string{"--port=9200"}, env{"BITCRAPS_PORT": "9100"}, func(c Config) any { return c.Port }, 9200},
		{"empty env is unset", nil, env{"BITCRAPS_PORT": ""}, func(c Config) any { return c.Port }, 9000},
		{"env over profile", nil, env{"BITCRAPS_PROFILE": "testing", "BITCRAPS_POW_DIFFICULTY": "12"}, func(c Config) any { return c.PoWDifficulty }, 12},
		{"flag over profile", []string{"--profile=testing", "--tick=3ms"}, nil, func(c Config) any { return c.TickInterval }, 3 * time.Millisecond},
		{"profile flag over profile env", []string{"--profile=testing"}, env{"BITCRAPS_PROFILE": "mobile"}, func(c Config) any { return c.Profile }, ProfileTesting},
		{"mobile profile, mobile off by flag", []string{"--profile=mobile", "--mobile=false"}, nil, func(c Config) any { return c.MobileMode }, false},
		{"bool flag without value", []string{"--debug"}, env{"BITCRAPS_DEBUG": "false"}, func(c Config) any { return c.Debug }, true},
		{"bool env", nil, env{"BITCRAPS_DEBUG": "1"}, func(c Config) any { return c.Debug }, true},
		{"fault injection env", nil, env{"BITCRAPS_FAULT_INJECTION": "1"}, func(c Config) any { return c.FaultInjection }, true},
		{"fault injection flag", []string{"--fault-injection"}, nil, func(c Config) any { return c.FaultInjection }, true},
		{"join env list", nil, env{"BITCRAPS_JOIN": "127.0.0.1:7001, 127.0.0.2:7002"}, func(c Config) any { return c.Join }, []string{"127.0.0.1:7001", "127.0.0.2:7002"}},
		{"join repeated flag", []string{"--join=127.0.0.1:7001", "--join", "127.0.0.2:7002"}, env{"BITCRAPS_JOIN": "10.0.0.1:1"}, func(c Config) any { return c.Join }, []string{"127.0.0.1:7001", "127.0.0.2:7002"}},
		{"allowed hosts list", nil, env{"BITCRAPS_HTTP_ALLOWED_HOSTS": "Craps.Example.org, node-2.lan"}, func(c Config) any { return c.HTTPAllowedHosts }, []string{"craps.example.org", "node-2.lan"}},
		{"initial balance decimals", nil, env{"BITCRAPS_INITIAL_BALANCE": "12.5"}, func(c Config) any { return c.InitialBalance }, int64(12_500_000)},
		{"initial balance micro", []string{"--initial-balance=0.000001"}, nil, func(c Config) any { return c.InitialBalance }, int64(1)},
		{"treasury key env, made canonical", nil, env{"BITCRAPS_TREASURY_KEY": " 3B6A27BCCEB6A42D62A3A8D02A6F0D73653215771DE243A63AC048A18B59DA29 "}, func(c Config) any { return c.TreasuryKey }, "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"},
		{"treasury key flag wins", []string{"--treasury-key=3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"}, env{"BITCRAPS_TREASURY_KEY": "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}, func(c Config) any { return c.TreasuryKey }, "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"},
		{"gossip key 32 bytes", nil, env{"BITCRAPS_GOSSIP_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}, func(c Config) any { return len(c.GossipKey) }, 32},
		{"enum case and space", nil, env{"BITCRAPS_LOG_FORMAT": " JSON "}, func(c Config) any { return c.LogFormat }, LogJSON},
		{"data dir env name", nil, env{"BITCRAPS_DB_PATH": "/var/lib/bitcraps"}, func(c Config) any { return c.DataDir }, "/var/lib/bitcraps"},
		{"keystore passphrase env", nil, env{"BITCRAPS_KEYSTORE_PASSPHRASE": " spaced pass "}, func(c Config) any { return c.KeystorePassphrase }, " spaced pass "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustResolve(t, tc.args, tc.env)
			if got := tc.get(c); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// badValues covers every setting's rejection paths; each is tried both as
// an environment variable (error from Resolve) and as a flag (error from
// parsing, or from Resolve for secrets).
var badValues = []struct{ flag, env, value string }{
	{"port", "BITCRAPS_PORT", "0"},
	{"port", "BITCRAPS_PORT", "65536"},
	{"port", "BITCRAPS_PORT", "-1"},
	{"port", "BITCRAPS_PORT", "nine"},
	{"gossip-port", "BITCRAPS_GOSSIP_PORT", "70000"},
	{"http", "BITCRAPS_HTTP_ADDR", "localhost"},
	{"http", "BITCRAPS_HTTP_ADDR", "127.0.0.1:0"},
	{"bind", "BITCRAPS_BIND_ADDR", "localhost"},
	{"join", "BITCRAPS_JOIN", "127.0.0.1:7001,,127.0.0.1:7002"},
	{"join", "BITCRAPS_JOIN", "seed.example"},
	{"http-allowed-hosts", "BITCRAPS_HTTP_ALLOWED_HOSTS", "craps.example:8080"},
	{"http-allowed-hosts", "BITCRAPS_HTTP_ALLOWED_HOSTS", "http://craps.example"},
	{"http-allowed-hosts", "BITCRAPS_HTTP_ALLOWED_HOSTS", "a.example,,b.example"},
	{"pow-difficulty", "BITCRAPS_POW_DIFFICULTY", "-1"},
	{"pow-difficulty", "BITCRAPS_POW_DIFFICULTY", "65"},
	{"pow-difficulty", "BITCRAPS_POW_DIFFICULTY", "high"},
	{"profile", "BITCRAPS_PROFILE", "desktop"},
	{"debug", "BITCRAPS_DEBUG", "yes please"},
	{"log-format", "BITCRAPS_LOG_FORMAT", "xml"},
	{"max-games", "BITCRAPS_MAX_GAMES", "0"},
	{"max-games", "BITCRAPS_MAX_GAMES", "-3"},
	{"max-games", "BITCRAPS_MAX_GAMES", "many"},
	{"table-wait-timeout", "BITCRAPS_TABLE_WAIT_TIMEOUT", "500ms"},
	{"table-wait-timeout", "BITCRAPS_TABLE_WAIT_TIMEOUT", "soon"},
	{"session-timeout", "BITCRAPS_SESSION_TIMEOUT", "-5m"},
	{"session-timeout", "BITCRAPS_SESSION_TIMEOUT", "0s"},
	{"session-timeout", "BITCRAPS_SESSION_TIMEOUT", "30"},
	{"seat-grace", "BITCRAPS_SEAT_GRACE", "14s"},
	{"seat-grace", "BITCRAPS_SEAT_GRACE", "2"},
	{"bet-window", "BITCRAPS_BET_WINDOW", "50ms"},
	{"bet-window", "BITCRAPS_BET_WINDOW", "11m"},
	{"bet-window", "BITCRAPS_BET_WINDOW", "20"},
	{"mobile", "BITCRAPS_MOBILE_MODE", "maybe"},
	{"max-connections", "BITCRAPS_MAX_CONNECTIONS", "0"},
	{"max-bandwidth-mbps", "BITCRAPS_MAX_BANDWIDTH_MBPS", "0"},
	{"max-bandwidth-mbps", "BITCRAPS_MAX_BANDWIDTH_MBPS", "1.5"},
	{"initial-balance", "BITCRAPS_INITIAL_BALANCE", "-1"},
	{"initial-balance", "BITCRAPS_INITIAL_BALANCE", "1.0000001"},
	{"initial-balance", "BITCRAPS_INITIAL_BALANCE", "1e3"},
	{"initial-balance", "BITCRAPS_INITIAL_BALANCE", "12."},
	{"initial-balance", "BITCRAPS_INITIAL_BALANCE", "99999999999999"},
	{"treasury-key", "BITCRAPS_TREASURY_KEY", "not-a-key"},
	{"treasury-key", "BITCRAPS_TREASURY_KEY", "3b6a27bc"},
	{"ble", "BITCRAPS_BLE_MODE", "sometimes"},
	{"snapshot-interval", "BITCRAPS_SNAPSHOT_INTERVAL", "0s"},
	{"snapshot-interval", "BITCRAPS_SNAPSHOT_INTERVAL", "-1m"},
	{"snapshot-keep", "BITCRAPS_SNAPSHOT_KEEP", "0"},
	{"tick", "BITCRAPS_TICK_INTERVAL", "0s"},
	{"tick", "BITCRAPS_TICK_INTERVAL", "1ns"},
	{"fault-injection", "BITCRAPS_FAULT_INJECTION", "on"},
	{"data", "BITCRAPS_DB_PATH", "   "},
}

func TestBadEnvValuesNameTheSetting(t *testing.T) {
	for _, bv := range badValues {
		t.Run(bv.env+"="+bv.value, func(t *testing.T) {
			_, err := resolve(t, nil, env{bv.env: bv.value})
			var se *SettingError
			if !errors.As(err, &se) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("got %v, want a *SettingError wrapping ErrInvalid", err)
			}
			if se.Source != "env "+bv.env || se.Value != bv.value {
				t.Fatalf("source %q value %q", se.Source, se.Value)
			}
			for _, want := range []string{"--" + bv.flag, bv.env, bv.value} {
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q does not name %q", err, want)
				}
			}
		})
	}
}

func TestBadFlagValuesFailAtParse(t *testing.T) {
	for _, bv := range badValues {
		t.Run(bv.flag+"="+bv.value, func(t *testing.T) {
			fs := newFlags(t)
			err := fs.Parse([]string{"--" + bv.flag + "=" + bv.value})
			if err == nil {
				t.Fatal("bad flag value parsed")
			}
			for _, want := range []string{"--" + bv.flag, bv.value} {
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error %q does not name %q", err, want)
				}
			}
		})
	}
}

func TestBadSecretsAreNotEchoed(t *testing.T) {
	cases := []struct{ flag, env, value string }{
		{"gossip-key", "BITCRAPS_GOSSIP_KEY", "not*base64"},
		{"gossip-key", "BITCRAPS_GOSSIP_KEY", "AAECAwQFBgcICQ=="}, // 10 bytes
		{"api-token", "BITCRAPS_API_TOKEN", "short-secret"},
		{"api-token", "BITCRAPS_API_TOKEN", "has a space in the middle!"},
	}
	for _, tc := range cases {
		for _, viaFlag := range []bool{false, true} {
			var err error
			if viaFlag {
				_, err = resolve(t, []string{"--" + tc.flag + "=" + tc.value}, nil)
			} else {
				_, err = resolve(t, nil, env{tc.env: tc.value})
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%s (flag=%v): got %v, want ErrInvalid", tc.flag, viaFlag, err)
			}
			if strings.Contains(err.Error(), tc.value) || !strings.Contains(err.Error(), "--"+tc.flag) || !strings.Contains(err.Error(), tc.env) {
				t.Fatalf("%s (flag=%v): error %q must name the setting and hide the value", tc.flag, viaFlag, err)
			}
		}
	}
}

func TestAllBadValuesReported(t *testing.T) {
	_, err := resolve(t, nil, env{"BITCRAPS_PORT": "0", "BITCRAPS_BLE_MODE": "x", "BITCRAPS_MAX_GAMES": "0"})
	for _, want := range []string{"BITCRAPS_PORT", "BITCRAPS_BLE_MODE", "BITCRAPS_MAX_GAMES"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v does not report %s", err, want)
		}
	}
}

func TestCrossChecks(t *testing.T) {
	cases := map[string]struct {
		args []string
		e    env
		want string
	}{
		"mobile without BLE":      {[]string{"--mobile", "--ble=off"}, nil, "--ble"},
		"mobile profile, BLE off": {nil, env{"BITCRAPS_PROFILE": "mobile", "BITCRAPS_BLE_MODE": "off"}, "--mobile"},
		"port equals gossip port": {[]string{"--port=7946"}, nil, "--gossip-port"},
		"http on the mesh port":   {[]string{"--http=127.0.0.1:9000"}, nil, "--http"},
	}
	for name, tc := range cases {
		_, err := resolve(t, tc.args, tc.e)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want ErrInvalid naming %s", name, err, tc.want)
		}
	}
}

func TestKeystorePassphraseFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pass")
	if err := os.WriteFile(file, []byte("from file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := mustResolve(t, []string{"--keystore-passphrase-file", file}, env{"BITCRAPS_KEYSTORE_PASSPHRASE": "from env"})
	if c.KeystorePassphrase != "from file" {
		t.Fatalf("passphrase %q, want the file's (flag wins, newline dropped)", c.KeystorePassphrase)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{empty, filepath.Join(dir, "missing")} {
		_, err := resolve(t, []string{"--keystore-passphrase-file=" + path}, nil)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "--keystore-passphrase-file") {
			t.Fatalf("%s: got %v, want ErrInvalid naming the flag", path, err)
		}
	}
}

func TestNilFlagSetAndEnv(t *testing.T) {
	c, err := Resolve(nil, nil)
	if err != nil || c.Port != 9000 {
		t.Fatalf("Resolve(nil, nil) = %+v, %v", c, err)
	}
}

func TestEveryProfileDefaultIsValid(t *testing.T) {
	for _, p := range []Profile{ProfileServer, ProfileMobile, ProfileTesting} {
		c, err := Defaults(p)
		if err != nil {
			t.Fatal(err)
		}
		if errs := crossCheck(&c); len(errs) > 0 {
			t.Fatalf("%s defaults fail cross checks: %v", p, errs)
		}
		// Each default, written out and read back, must pass its own parser.
		for i := range settings {
			s := &settings[i]
			text := s.get(&c)
			if text == "" {
				continue
			}
			var back Config
			if s.setFlag == nil {
				if err := s.set(&back, text); err != nil {
					t.Fatalf("%s default of %s (%q) does not parse: %v", p, s.flag, text, err)
				}
			}
		}
	}
	if _, err := Defaults("desktop"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown profile: got %v", err)
	}
}

func TestSettingsTable(t *testing.T) {
	fixed := map[string]string{ // DESIGN.md "Interfaces"
		"--data": "BITCRAPS_DB_PATH", "--port": "BITCRAPS_PORT", "--http": "BITCRAPS_HTTP_ADDR",
		"--gossip-port": "BITCRAPS_GOSSIP_PORT", "--bind": "BITCRAPS_BIND_ADDR", "--join": "BITCRAPS_JOIN",
		"--pow-difficulty": "BITCRAPS_POW_DIFFICULTY", "--profile": "BITCRAPS_PROFILE",
	}
	flags, envs := map[string]bool{}, map[string]bool{}
	table := MarkdownTable()
	for _, s := range Settings() {
		if s.Name == "" || s.Meaning == "" || s.Default == "" || !strings.HasPrefix(s.Env, "BITCRAPS_") || !strings.HasPrefix(s.Flag, "--") {
			t.Errorf("incomplete setting %+v", s)
		}
		if flags[s.Flag] || envs[s.Env] {
			t.Errorf("duplicate flag or env: %+v", s)
		}
		flags[s.Flag], envs[s.Env] = true, true
		if want, ok := fixed[s.Flag]; ok && want != s.Env {
			t.Errorf("%s has env %s, DESIGN.md says %s", s.Flag, s.Env, want)
		}
		delete(fixed, s.Flag)
		if !strings.Contains(table, "`"+s.Env+"`") {
			t.Errorf("markdown table lacks %s", s.Env)
		}
	}
	if len(fixed) > 0 {
		t.Errorf("settings fixed by DESIGN.md missing: %v", fixed)
	}
	if !strings.Contains(table, "| 9000 |") || !strings.Contains(table, "testing: 10ms") {
		t.Errorf("table lacks defaults or profile variants:\n%s", table)
	}
	fs := newFlags(t)
	if f := fs.Lookup("fault-injection"); f == nil || !f.Hidden {
		t.Error("--fault-injection must exist and be hidden")
	}
	if strings.Contains(fs.FlagUsages(), "fault-injection") {
		t.Error("--help shows the hidden fault-injection flag")
	}
}

func TestRedactedHidesSecrets(t *testing.T) {
	c := mustResolve(t, nil, env{
		"BITCRAPS_API_TOKEN":           "0123456789abcdef-token",
		"BITCRAPS_KEYSTORE_PASSPHRASE": "hunter2",
		"BITCRAPS_GOSSIP_KEY":          "AAECAwQFBgcICQoLDA0ODw==",
	})
	r := c.Redacted()
	for _, k := range []string{"api-token", "keystore-passphrase-file", "gossip-key"} {
		if r[k] != "[redacted]" {
			t.Errorf("%s shown as %q", k, r[k])
		}
	}
	if r["port"] != "9000" || r["initial-balance"] != "1000" {
		t.Errorf("plain values wrong: %v", r)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Minute: "30m", time.Hour: "1h", 90 * time.Minute: "1h30m", 10 * time.Millisecond: "10ms", 5 * time.Second: "5s", 61 * time.Second: "1m1s",
	} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestCRAPAmounts(t *testing.T) {
	good := map[string]int64{
		"0": 0, "1": 1_000_000, "12.5": 12_500_000, "0.000001": 1, "1000": 1_000_000_000,
		"9223372036854.775807": 9223372036854775807,
	}
	for s, want := range good {
		got, err := ParseCRAP(s)
		if err != nil || got != want {
			t.Errorf("ParseCRAP(%q) = %d, %v; want %d", s, got, err, want)
		}
		if back := FormatCRAP(got); back != s {
			t.Errorf("FormatCRAP(%d) = %q, want %q", got, back, s)
		}
	}
	for _, s := range []string{"", "-1", "+1", ".5", "1.", "1.2.3", "1,5", "1e3", " 1", "0.0000001", "9223372036854.775808", "99999999999999999999"} {
		if got, err := ParseCRAP(s); err == nil {
			t.Errorf("ParseCRAP(%q) = %d, want an error", s, got)
		}
	}
	if got := FormatCRAP(-1_500_000); got != "-1.5" {
		t.Errorf("FormatCRAP(-1.5 CRAP) = %q", got)
	}
	if got := FormatCRAP(-9223372036854775808); got != "-9223372036854.775808" {
		t.Errorf("FormatCRAP(MinInt64) = %q", got)
	}
}
