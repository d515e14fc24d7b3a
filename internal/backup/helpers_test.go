package backup_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/bitcraps/bitcraps/internal/backup"
	"github.com/bitcraps/bitcraps/internal/config"
	"github.com/bitcraps/bitcraps/internal/node"
	"github.com/bitcraps/bitcraps/test/harness"
)

func nodeConfig(t *testing.T, dataDir string) config.Config {
	t.Helper()
	cfg, err := config.Defaults(config.ProfileTesting)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = dataDir
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.BindAddr = "127.0.0.1"
	cfg.Port, cfg.GossipPort = 0, 0
	return cfg
}

// runningNode starts a node on dataDir; stop stops it, at the latest when
// the test ends.
func runningNode(t *testing.T, dataDir string) (n *node.Node, stop func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	n, err = node.Start(ctx, node.Options{Config: nodeConfig(t, dataDir), Version: "backup-test"})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { stopNode(t, n) }) }
	t.Cleanup(stop)
	if err := n.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return n, stop
}

func stopNode(t *testing.T, n *node.Node) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Stop(ctx); err != nil {
		t.Errorf("stop node: %v", err)
	}
}

// stoppedNodeDir is the data dir of a node that ran once (identity, genesis
// grant, audit entries, both stores) and was stopped; it returns the dir
// and the node's peer id.
func stoppedNodeDir(t *testing.T) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := node.Start(ctx, node.Options{Config: nodeConfig(t, dir), Version: "backup-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	peer := string(n.PeerID())
	stopNode(t, n)
	return dir, peer
}

// ageKey makes an age identity and writes it to a file as age-keygen does.
func ageKey(t *testing.T) (*age.X25519Identity, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.txt")
	content := fmt.Sprintf("# public key: %s\n%s\n", id.Recipient(), id)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return id, path
}

// offlineBackup backs up a stopped node's dir to dests.
func offlineBackup(t *testing.T, dataDir string, recipients []string, dests ...backup.Destination) (backup.Result, error) {
	t.Helper()
	stores, closeStores, err := backup.OpenOffline(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := closeStores(); err != nil {
			t.Error(err)
		}
	}()
	return backup.Create(context.Background(), backup.CreateOptions{
		DataDir: dataDir, Stores: stores, Recipients: recipients, Destinations: dests, NodeVersion: "backup-test",
	})
}

// treeDigest hashes every path and file under dir and the names beside it
// (a leftover staging dir next to a data dir is a change too).
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			lines = append(lines, rel+"/")
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		lines = append(lines, rel+" "+hex.EncodeToString(sum[:]))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	siblings, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range siblings {
		lines = append(lines, "../"+s.Name())
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// tool finds a program the repo installs for its tests (.ci/run and the
// Makefile); a missing one fails the test, saying how to install it.
func tool(t *testing.T, name, install string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	gopath, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("%s is not installed; %s", name, install)
	return ""
}

// s3Server is a real S3-compatible server (versitygw, posix backend in a
// temp dir) on a loopback port, with one bucket.
type s3Server struct {
	endpoint, access, secret, bucket string
}

func (s s3Server) env(name string) string {
	return map[string]string{
		backup.EnvS3Endpoint: s.endpoint, backup.EnvS3AccessKey: s.access,
		backup.EnvS3SecretKey: s.secret, backup.EnvS3TLS: "false",
	}[name]
}

func startS3(t *testing.T) s3Server {
	t.Helper()
	bin := tool(t, "versitygw", "run `make versitygw` (the Makefile's test target does)")
	port, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s := s3Server{endpoint: fmt.Sprintf("127.0.0.1:%d", port), access: "backuptest", secret: "backuptest-secret-key", bucket: "backups"}
	root := t.TempDir()
	cmd := exec.Command(bin, "--port", s.endpoint, "--access", s.access, "--secret", s.secret, "posix", root)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	client, err := minio.New(s.endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.access, s.secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{})
		cancel()
		if err == nil {
			return s
		}
		select {
		case <-exited:
			t.Fatalf("versitygw exited: %s", out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw on %s: make bucket: %v\n%s", s.endpoint, err, out)
		}
		time.Sleep(50 * time.Millisecond) // poll until it listens, bounded by the deadline
	}
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
