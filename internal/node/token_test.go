package node

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var discardLog = slog.New(slog.DiscardHandler)

// A token file that is empty, blank, short or not printable stops the node
// with one line naming the file, on an address where the token is the only
// guard; it never means "no authentication" (issue 12, item 3). The address
// is TEST-NET-1, so nothing is ever bound off loopback: a node that ignored
// the file would fail on the bind instead, without naming the token file.
func TestBadTokenFileRefusesTheStart(t *testing.T) {
	for name, content := range map[string]string{
		"empty": "", "blank": " \n\t\n", "one character": "x\n", "fifteen": "0123456789abcde",
		"inner space": "0123456789 abcdef", "binary": "0123456789abcdef\x00\x01",
	} {
		cfg := testConfig(t)
		cfg.HTTPAddr = "192.0.2.1:0"
		path := filepath.Join(cfg.DataDir, tokenFile)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		n, err := Start(ctx, Options{Config: cfg, Version: "test"})
		cancel()
		if err == nil {
			n.Stop(context.Background())
			t.Fatalf("%s token file: the node started", name)
		}
		if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "16") || strings.Contains(msg, "\n") {
			t.Errorf("%s token file: error %q does not name the file and the rule on one line", name, msg)
		}
	}
}

// The generated token is written whole with mode 0600 (no temp file left
// behind); a token file others may read is used, with a warning naming it.
func TestTokenFileModeIsPrivateOrWarned(t *testing.T) {
	dir := t.TempDir()
	tok, gen, err := apiToken("0.0.0.0:8080", "", dir, discardLog)
	if err != nil || !gen {
		t.Fatalf("generate: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("data dir after generating: %v (%v), want only %s", entries, err, tokenFile)
	}
	path := filepath.Join(dir, tokenFile)
	raw, err := os.ReadFile(path)
	info, serr := os.Stat(path)
	if err != nil || serr != nil || string(raw) != tok+"\n" || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file %q (%v, %v), mode %v; want %q with mode 0600", raw, err, serr, info.Mode().Perm(), tok)
	}

	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	if _, _, err := apiToken("0.0.0.0:8080", "", dir, log); err != nil || logged.Len() != 0 {
		t.Fatalf("private token file: err %v, logged %q; want silence", err, logged.String())
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	again, _, err := apiToken("0.0.0.0:8080", "", dir, log)
	if err != nil || again != tok {
		t.Fatalf("wide token file: %q, %v; want the saved token", again, err)
	}
	if out := logged.String(); !strings.Contains(out, "WARN") || !strings.Contains(out, path) || !strings.Contains(out, "0644") {
		t.Fatalf("wide token file: logged %q, want a warning naming the file and its mode", out)
	}
}
