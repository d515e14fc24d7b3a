package config

import (
	"errors"
	"fmt"
	"net"

	"github.com/spf13/pflag"
)

// RegisterFlags adds every setting's flag to fs. Each flag's text is
// checked when it is parsed, so a bad flag fails before anything starts.
func RegisterFlags(fs *pflag.FlagSet) {
	def, _ := Defaults(ProfileServer)
	for i := range settings {
		s := &settings[i]
		v := &flagValue{s: s, raw: s.shown(s.get(&def))}
		f := fs.VarPF(v, s.flag, "", usage(s))
		if s.kind == "bool" {
			f.NoOptDefVal = "true"
		}
		if s.secret {
			f.DefValue = ""
		}
		if s.hidden {
			f.Hidden = true
		}
	}
}

// Resolve reads the settings from fs (flags given on the command line) and
// lookupEnv (os.LookupEnv in production; nil means no environment) over the
// chosen profile's defaults, and validates them. fs may be nil. Every bad
// setting is reported, each as a *SettingError wrapping ErrInvalid.
func Resolve(fs *pflag.FlagSet, lookupEnv func(string) (string, bool)) (Config, error) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	profile := &settings[0]
	var scratch Config
	if err := apply(profile, &scratch, fs, lookupEnv); err != nil {
		return Config{}, err
	}
	if scratch.Profile == "" {
		scratch.Profile = ProfileServer
	}
	cfg, err := Defaults(scratch.Profile)
	if err != nil {
		return Config{}, err
	}
	var errs []error
	for i := range settings[1:] {
		if err := apply(&settings[i+1], &cfg, fs, lookupEnv); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		errs = crossCheck(&cfg)
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

// apply sets s from its flag if given, else from its variable if set and
// not empty; otherwise the default stays.
func apply(s *setting, c *Config, fs *pflag.FlagSet, lookupEnv func(string) (string, bool)) error {
	if fs != nil && fs.Changed(s.flag) {
		raw := fs.Lookup(s.flag).Value.String()
		if err := s.fromFlag(c, raw); err != nil {
			return s.fail("flag --"+s.flag, raw, err)
		}
		return nil
	}
	if raw, ok := lookupEnv(s.env); ok && raw != "" {
		if err := s.set(c, raw); err != nil {
			return s.fail("env "+s.env, raw, err)
		}
	}
	return nil
}

func (s *setting) fail(source, raw string, err error) error {
	return &SettingError{Flag: "--" + s.flag, Env: s.env, Source: source, Value: s.shown(raw), Err: err}
}

// crossCheck rejects combinations that each look fine alone.
func crossCheck(c *Config) []error {
	var errs []error
	if c.MobileMode && c.BLEMode == BLEOff {
		errs = append(errs, fmt.Errorf("%w: --mobile / BITCRAPS_MOBILE_MODE is true, which leaves BLE as the only transport, but --ble / BITCRAPS_BLE_MODE is off", ErrInvalid))
	}
	if c.Port == c.GossipPort {
		errs = append(errs, fmt.Errorf("%w: --port / BITCRAPS_PORT and --gossip-port / BITCRAPS_GOSSIP_PORT are both %d; both listen on TCP", ErrInvalid, c.Port))
	}
	if _, p, err := net.SplitHostPort(c.HTTPAddr); err == nil && (p == fmt.Sprint(c.Port) || p == fmt.Sprint(c.GossipPort)) {
		errs = append(errs, fmt.Errorf("%w: --http / BITCRAPS_HTTP_ADDR %q uses the port of --port or --gossip-port", ErrInvalid, c.HTTPAddr))
	}
	if c.BackupInterval > 0 && (len(c.BackupTo) == 0 || len(c.BackupRecipients) == 0) {
		errs = append(errs, fmt.Errorf("%w: --backup-interval / BITCRAPS_BACKUP_INTERVAL is %s, which needs --backup-to / BITCRAPS_BACKUP_TO and --backup-recipient / BITCRAPS_BACKUP_RECIPIENTS", ErrInvalid, c.BackupInterval))
	}
	return errs
}

// flagValue keeps the flag's text as given; Resolve parses it with the
// same code as the environment variable.
type flagValue struct {
	s       *setting
	raw     string
	changed bool
}

func (v *flagValue) String() string { return v.raw }
func (v *flagValue) Type() string   { return v.s.kind }

// Set checks the text now, for an early error; secrets are checked by
// Resolve instead, because pflag's error would echo them.
func (v *flagValue) Set(x string) error {
	if !v.s.secret {
		var scratch Config
		if err := v.s.fromFlag(&scratch, x); err != nil {
			return err
		}
	}
	if v.s.repeatable && v.changed {
		x = v.raw + "," + x // --join a --join b means both
	}
	v.raw, v.changed = x, true
	return nil
}

func usage(s *setting) string {
	u := s.meaning + " (env " + s.env
	if alt := profileDefaults(s); alt != "" {
		u += "; " + alt
	}
	return u + ")"
}
