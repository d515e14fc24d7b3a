package node

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"

	"github.com/bitcraps/bitcraps/internal/audit"
	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/identity"
)

// ErrStartup is wrapped by every StartError.
var ErrStartup = errors.New("node: cannot start")

// StartError is a start-up failure as the person who started the node reads
// it, on one line: the setting at fault and its value, what is wrong, and
// what to do. `bitcraps node` prints it as it is.
type StartError struct {
	Setting string // "--http", or "--keystore-passphrase-file / BITCRAPS_KEYSTORE_PASSPHRASE"
	Value   string // the setting's value; empty for secrets
	Problem string // "address already in use"
	Hint    string // "another bitcraps node? set --http or BITCRAPS_HTTP_ADDR"
	Err     error  // the cause, for errors.Is and the log
}

func (e *StartError) Error() string {
	s := e.Setting
	if e.Value != "" {
		s += " " + e.Value
	}
	s += ": " + e.Problem
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Unwrap lets errors.Is match ErrStartup and the cause.
func (e *StartError) Unwrap() []error { return []error{ErrStartup, e.Err} }

// listenSetting names one listener the node needs by its setting.
type listenSetting struct {
	flag, env string
	value     string // as the person wrote it
	network   string // "tcp" or "udp"
	addr      string // host:port to bind
}

// listenError explains a failed bind of a listener the node needs.
func listenError(s listenSetting, err error) *StartError {
	e := &StartError{Setting: s.flag, Value: s.value, Err: err, Hint: "set " + s.flag + " or " + s.env}
	where := ""
	if s.addr != s.value {
		where = " on " + s.addr
		if s.network == "udp" {
			where += " (UDP)"
		}
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		e.Problem = "address already in use" + where
		e.Hint = "another bitcraps node? " + e.Hint
	case errors.Is(err, syscall.EACCES):
		e.Problem = "permission denied" + where
		e.Hint = "ports below 1024 need privileges; " + e.Hint
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		e.Problem = "no such address on this host" + where
	default:
		e.Problem = fmt.Sprintf("cannot listen%s: %v", where, err)
	}
	return e
}

// checkListeners binds, and releases, every listener the services open
// later (mesh TCP, gossip TCP and UDP), so a taken port stops the start at
// once with the setting named instead of leaving a Degraded node behind. The
// services bind within milliseconds, so the window for another process to
// take a port in between is negligible on a person's machine.
func checkListeners(cfg config.Config) error {
	if cfg.MobileMode {
		return nil // no TCP transport and no gossip on mobile
	}
	port, gossip := strconv.Itoa(cfg.Port), strconv.Itoa(cfg.GossipPort)
	for _, s := range []listenSetting{
		{"--port", "BITCRAPS_PORT", port, "tcp", net.JoinHostPort(cfg.BindAddr, port)},
		{"--gossip-port", "BITCRAPS_GOSSIP_PORT", gossip, "tcp", net.JoinHostPort(cfg.BindAddr, gossip)},
		{"--gossip-port", "BITCRAPS_GOSSIP_PORT", gossip, "udp", net.JoinHostPort(cfg.BindAddr, gossip)},
	} {
		if err := probe(s.network, s.addr); err != nil {
			return listenError(s, err)
		}
	}
	return nil
}

func probe(network, addr string) error {
	if network == "udp" {
		c, err := net.ListenPacket(network, addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		return err
	}
	return l.Close()
}

// httpListenError explains a failed bind of the HTTP API.
func httpListenError(addr string, err error) error {
	return listenError(listenSetting{"--http", "BITCRAPS_HTTP_ADDR", addr, "tcp", addr}, err)
}

// dataDirError explains a data dir the node cannot use.
func dataDirError(dir string, err error) error {
	e := &StartError{Setting: "--data", Value: dir, Err: err, Hint: "set --data or BITCRAPS_DB_PATH"}
	switch {
	case errors.Is(err, audit.ErrLocked):
		e.Problem = "in use by another bitcraps node"
		e.Hint = "stop that node, or give this one its own directory: " + e.Hint
	case errors.Is(err, os.ErrPermission):
		e.Problem = "permission denied"
		e.Hint = "use a directory you may write: " + e.Hint
	default:
		e.Problem = err.Error()
	}
	return e
}

// identityError explains a keystore the node cannot open.
func identityError(dir string, err error) error {
	const passSetting = "--keystore-passphrase-file / BITCRAPS_KEYSTORE_PASSPHRASE"
	path := identity.KeystorePath(dir)
	switch {
	case errors.Is(err, identity.ErrWrongPassphrase):
		return &StartError{Setting: passSetting, Err: err,
			Problem: "wrong passphrase for the keystore " + path + " (or the keystore was altered)"}
	case errors.Is(err, identity.ErrPassphraseRequired):
		return &StartError{Setting: passSetting, Err: err,
			Problem: "not set, but the keystore " + path + " is encrypted",
			Hint:    "give the passphrase it was saved with"}
	case errors.Is(err, identity.ErrCorruptKeystore), errors.Is(err, identity.ErrWeakPoW):
		return &StartError{Setting: "--data", Value: dir, Err: err, Problem: err.Error(),
			Hint: "restore " + path + " from a backup, or set --data or BITCRAPS_DB_PATH to another directory"}
	case errors.Is(err, os.ErrPermission):
		return dataDirError(dir, err)
	}
	return fmt.Errorf("identity in %q: %w", dir, err)
}
