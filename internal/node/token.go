package node

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// tokenFile holds the generated API token, readable by the node's user only.
const tokenFile = "api-token"

// apiToken decides the bearer token for mutating routes. On a loopback
// address only the node's own player can connect, so none is needed unless
// configured; on any other address one is always required: the configured
// one, or one generated once into the data dir (printed by the caller).
func apiToken(httpAddr, configured, dataDir string) (token string, generated bool, err error) {
	if configured != "" {
		return configured, false, nil
	}
	if isLoopback(httpAddr) {
		return "", false, nil
	}
	path := filepath.Join(dataDir, tokenFile)
	raw, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(raw)), false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, fmt.Errorf("read API token %s: %w", path, err)
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", false, fmt.Errorf("generate API token: %w", err)
	}
	token = hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("write API token %s: %w", path, err)
	}
	return token, true, nil
}

// isLoopback: the host of addr is a loopback IP or "localhost".
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
