package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/bitcraps/bitcraps/internal/backup"
	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/node"
)

// The backup commands end to end: an online backup from a running node
// (its recipients), an offline one of the stopped node (the command's
// recipient), both listed, one restored into a new dir; a wrong identity is
// refused naming the dir left unchanged.
func TestBackupCommands(t *testing.T) {
	key, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "key.txt")
	if err := os.WriteFile(keyFile, []byte(key.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stranger, _ := age.GenerateX25519Identity()
	strangerFile := filepath.Join(t.TempDir(), "stranger.txt")
	if err := os.WriteFile(strangerFile, []byte(stranger.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Defaults(config.ProfileTesting)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.HTTPAddr, cfg.BindAddr, cfg.Port, cfg.GossipPort = "127.0.0.1:0", "127.0.0.1", 0, 0
	cfg.BackupRecipients = []string{key.Recipient().String()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := node.Start(ctx, node.Options{Config: cfg, Version: "cli-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	dest := t.TempDir()
	out, err := runCLI(t, "backup", "create", "--node", "http://"+n.HTTPAddr(), "--to", dest)
	if err != nil || !strings.Contains(out, "stored "+dest) || !strings.Contains(out, "checkpoint") {
		t.Fatalf("online backup: %v\n%s", err, out)
	}
	if err := n.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, "backup", "create", "--data", cfg.DataDir, "--to", dest, "--backup-recipient", key.Recipient().String())
	if err != nil || !strings.Contains(out, "stored "+dest) {
		t.Fatalf("offline backup: %v\n%s", err, out)
	}
	out, err = runCLI(t, "backup", "list", dest, "--json")
	var objs []backup.Object
	if err != nil || json.Unmarshal([]byte(out), &objs) != nil || len(objs) != 2 {
		t.Fatalf("list: %v\n%s", err, out)
	}
	target := filepath.Join(t.TempDir(), "restored")
	out, err = runCLI(t, "backup", "restore", objs[1].Name, "--from", dest, "--identity", strangerFile, "--data", target)
	if err == nil || !strings.Contains(err.Error(), "left unchanged") {
		t.Fatalf("restore with a stranger's key: %v\n%s", err, out)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("a refused restore created %s: %v", target, err)
	}
	out, err = runCLI(t, "backup", "restore", objs[1].Name, "--from", dest, "--identity", keyFile, "--data", target)
	if err != nil || !strings.Contains(out, fmt.Sprintf("peer %s", n.PeerID())) {
		t.Fatalf("restore: %v\n%s", err, out)
	}
}
