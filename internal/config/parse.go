package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/bitcraps/bitcraps/internal/identity"
)

// maxPassphraseFile bounds what --keystore-passphrase-file reads: a
// passphrase is short, and a wrong path to a large file should fail fast.
const maxPassphraseFile = 4096

// minAPIToken is the shortest token accepted: 16 characters of a random
// token is about 96 bits, beyond guessing over HTTP.
const minAPIToken = 16

// minTick keeps a typo like 1ns from turning the consensus loop into a
// busy spin.
const minTick = time.Millisecond

func parsePort(s string) (int, error) { return parseIntIn(s, 1, 65535) }

func parseIntMin(s string, min int) (int, error) { return parseIntIn(s, min, math.MaxInt) }

// parseDifficulty bounds the identity work to the 64 bits it is judged on.
func parseDifficulty(s string) (int, error) { return parseIntIn(s, 0, 64) }

// parseIntIn parses a decimal integer in [lo, hi].
func parseIntIn(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return 0, errors.New("not an integer")
	case hi == math.MaxInt && n < lo:
		return 0, fmt.Errorf("must be at least %d", lo)
	case n < lo || n > hi:
		return 0, fmt.Errorf("must be between %d and %d", lo, hi)
	}
	return n, nil
}

// parseDurationMin parses a Go duration ("90s", "5m") of at least min.
func parseDurationMin(s string, min time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New(`not a duration (write e.g. "30s", "5m", "1h")`)
	}
	if d < min {
		return 0, fmt.Errorf("must be at least %v", min)
	}
	return d, nil
}

func parseBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, errors.New("not a boolean (true/false/1/0)")
	}
	return b, nil
}

// parseEnum accepts one of allowed, ignoring case and surrounding space.
func parseEnum(s string, allowed ...string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", fmt.Errorf("must be one of %s", strings.Join(allowed, ", "))
}

// parseHostPort accepts "host:port" with a port in 1..65535; the host may
// be empty (all interfaces) or a name.
func parseHostPort(s string) (string, error) {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", errors.New("must be host:port")
	}
	if _, err := parsePort(port); err != nil {
		return "", err
	}
	return s, nil
}

// parseBindIP accepts an IP literal, which is all memberlist can bind.
func parseBindIP(s string) (string, error) {
	if net.ParseIP(s) == nil {
		return "", errors.New("must be an IP address such as 127.0.0.1 or 0.0.0.0")
	}
	return s, nil
}

// parseJoin splits a comma list of host:port seeds.
func parseJoin(s string) ([]string, error) {
	var out []string
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("item %d is empty", i+1)
		}
		if _, err := parseHostPort(item); err != nil {
			return nil, fmt.Errorf("item %d %q: %w", i+1, item, err)
		}
		out = append(out, item)
	}
	return out, nil
}

// parseHostNames splits a comma list of DNS names (no port, no scheme),
// lowercased as Host comparisons are.
func parseHostNames(s string) ([]string, error) {
	var out []string
	for i, item := range strings.Split(s, ",") {
		item = strings.ToLower(strings.TrimSpace(item))
		if item == "" || strings.Trim(item, "abcdefghijklmnopqrstuvwxyz0123456789-.") != "" ||
			strings.HasPrefix(item, ".") || strings.HasPrefix(item, "-") {
			return nil, fmt.Errorf("item %d %q: want a host name such as craps.example.org, without port or scheme", i+1, item)
		}
		out = append(out, item)
	}
	return out, nil
}

// ParseCRAP parses an amount of CRAP with at most 6 decimals ("1000",
// "12.5", "0.000001") into micro-CRAP, with no float on the way.
func ParseCRAP(s string) (int64, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, fmt.Errorf("amount %q: want a non-negative number of CRAP like 1000 or 12.5", s)
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("amount %q: at most 6 decimals (1 micro-CRAP)", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/MicrosPerCRAP {
		return 0, fmt.Errorf("amount %q: too large", s)
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	if w*MicrosPerCRAP > math.MaxInt64-f {
		return 0, fmt.Errorf("amount %q: too large", s)
	}
	return w*MicrosPerCRAP + f, nil
}

// FormatCRAP writes micro-CRAP as CRAP with no trailing zeros ("12.5").
func FormatCRAP(micros int64) string {
	sign := ""
	u := uint64(micros)
	if micros < 0 {
		sign, u = "-", uint64(-(micros+1))+1
	}
	whole, frac := u/MicrosPerCRAP, u%MicrosPerCRAP
	if frac == 0 {
		return fmt.Sprintf("%s%d", sign, whole)
	}
	return strings.TrimRight(fmt.Sprintf("%s%d.%06d", sign, whole, frac), "0")
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parseGossipKey decodes standard base64 of an AES-128/192/256 key, the
// sizes memberlist accepts.
func parseGossipKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("not standard base64")
	}
	switch len(k) {
	case 16, 24, 32:
		return k, nil
	}
	return nil, fmt.Errorf("decodes to %d bytes, want 16, 24 or 32", len(k))
}

// CheckAPIToken holds a token from anywhere (the node's token file) to the
// rules of --api-token.
func CheckAPIToken(s string) error {
	_, err := parseAPIToken(s)
	return err
}

func parseAPIToken(s string) (string, error) {
	if len(s) < minAPIToken {
		return "", fmt.Errorf("must be at least %d characters", minAPIToken)
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return "", errors.New("must be printable ASCII without spaces")
		}
	}
	return s, nil
}

// readPassphraseFile reads a passphrase, dropping one trailing newline
// (what editors and `echo` add).
func readPassphraseFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("read passphrase file: %w", err)
	}
	defer f.Close()
	buf, err := io.ReadAll(io.LimitReader(f, maxPassphraseFile+1))
	if err != nil {
		return "", fmt.Errorf("read passphrase file: %w", err)
	}
	if len(buf) > maxPassphraseFile {
		return "", fmt.Errorf("passphrase file is larger than %d bytes", maxPassphraseFile)
	}
	p := strings.TrimSuffix(strings.TrimSuffix(string(buf), "\n"), "\r")
	if p == "" {
		return "", errors.New("passphrase file is empty")
	}
	return p, nil
}

// parseTreasuryKey takes the treasury's public key as `bitcraps treasury
// keygen` prints it (64 hex digits, case-insensitive) and stores it in
// its canonical lowercase form; empty means play money.
func parseTreasuryKey(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	if _, err := identity.ParsePeerID(s); err != nil {
		return "", fmt.Errorf("want the 64 hex digits `bitcraps treasury keygen` prints: %w", err)
	}
	return s, nil
}

// parseList splits a comma list, each item checked by item.
func parseList(s string, item func(string) error) ([]string, error) {
	var out []string
	for i, v := range strings.Split(s, ",") {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, fmt.Errorf("item %d is empty", i+1)
		}
		if err := item(v); err != nil {
			return nil, fmt.Errorf("item %d %q: %w", i+1, v, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseBackupDestination accepts a directory or s3://bucket[/prefix].
func parseBackupDestination(s string) error {
	rest, isS3 := strings.CutPrefix(s, "s3://")
	switch {
	case isS3 && (rest == "" || strings.HasPrefix(rest, "/")):
		return errors.New("s3:// needs a bucket: s3://bucket/prefix")
	case !isS3 && strings.Contains(s, "://"):
		return errors.New("want a directory or s3://bucket/prefix")
	}
	return nil
}

// parseAgeRecipient accepts one age public key.
func parseAgeRecipient(s string) error {
	if _, err := age.ParseX25519Recipient(s); err != nil {
		return errors.New("want an age public key (age1..., as age-keygen prints)")
	}
	return nil
}
