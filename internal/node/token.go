package node

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/bitcraps/bitcraps/internal/atomicfile"
	"github.com/bitcraps/bitcraps/internal/config"
)

// tokenFile holds the generated API token, readable by the node's user only.
const tokenFile = "api-token"

// maxTokenFile bounds what is read from the token file: a token is short,
// and a wrong file should fail fast rather than fill memory.
const maxTokenFile = 4096

// apiToken decides the bearer token for mutating routes. On a loopback
// address only the node's own player can connect, so none is needed unless
// configured; on any other address one is always required: the configured
// one, or the one in the data dir, generated there once (printed by the
// caller). A token file that is empty, short or not printable stops the
// node: running without authentication is never the fallback.
func apiToken(httpAddr, configured, dataDir string, log *slog.Logger) (token string, generated bool, err error) {
	if configured != "" {
		return configured, false, nil
	}
	if isLoopback(httpAddr) {
		return "", false, nil
	}
	path := filepath.Join(dataDir, tokenFile)
	token, err = readTokenFile(path, log)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return token, false, err
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", false, fmt.Errorf("generate API token: %w", err)
	}
	token = hex.EncodeToString(b)
	if err := atomicfile.Write(path, []byte(token+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("write API token %s: %w", path, err)
	}
	return token, true, nil
}

// readTokenFile reads and checks the token file, warning when users other
// than the node's may read it.
func readTokenFile(path string, log *slog.Logger) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("read API token %s: %w", path, err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		log.Warn("the API token file is readable or writable by other users: chmod 600 it",
			"file", path, "mode", fmt.Sprintf("%#o", mode))
	}
	raw, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
	if err != nil {
		return "", fmt.Errorf("read API token %s: %w", path, err)
	}
	token := strings.TrimSpace(string(raw))
	if err := config.CheckAPIToken(token); err != nil || len(raw) > maxTokenFile {
		if err == nil {
			err = fmt.Errorf("larger than %d bytes", maxTokenFile)
		}
		return "", fmt.Errorf("API token file %s: %v: put a token of 16+ printable characters in it, or delete it to have one generated", path, err)
	}
	return token, nil
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
