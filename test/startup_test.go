package test

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/identity"
	"github.com/bitcraps/bitcraps/test/harness"
)

// Every start-up failure a person meets in the first hour stops the node
// process with a non-zero exit and one line naming the cause and the
// setting, and never a panic (issue 11, item 1).

// failsToStart runs a node that must not start and checks that its last line
// is want, exactly.
func failsToStart(t *testing.T, spec harness.NodeSpec, want func(harness.NodeSpec) string) {
	t.Helper()
	if spec.HTTPPort == 0 {
		spec.HTTPPort = freePort(t)
	}
	if spec.Port == 0 {
		spec.Port = freePort(t)
	}
	if spec.GossipPort == 0 {
		spec.GossipPort = freePort(t)
	}
	if spec.DataDir == "" {
		spec.DataDir = t.TempDir()
	}
	out, code := harness.FailNode(t, spec)
	if code == 0 {
		t.Fatalf("node started (exit 0); want a failure:\n%s", out)
	}
	if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
		t.Fatalf("node panicked (exit %d):\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if got, w := lines[len(lines)-1], "bitcraps: "+want(spec); got != w {
		t.Fatalf("exit %d, last line\n  %s\nwant\n  %s\nwhole output:\n%s", code, got, w, out)
	}
	if strings.Contains(out, "level=ERROR") || strings.Contains(out, "Degraded") {
		t.Fatalf("the node got as far as running its services:\n%s", out)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	p, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// holdTCP keeps a loopback TCP port taken for the rest of the test.
func holdTCP(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

func TestStartFailsOnTakenHTTPPort(t *testing.T) {
	failsToStart(t, harness.NodeSpec{HTTPPort: holdTCP(t)}, func(s harness.NodeSpec) string {
		return fmt.Sprintf("--http 127.0.0.1:%d: address already in use (another bitcraps node? set --http or BITCRAPS_HTTP_ADDR)", s.HTTPPort)
	})
}

func TestStartFailsOnTakenMeshPort(t *testing.T) {
	failsToStart(t, harness.NodeSpec{Port: holdTCP(t)}, func(s harness.NodeSpec) string {
		return fmt.Sprintf("--port %d: address already in use on 127.0.0.1:%d (another bitcraps node? set --port or BITCRAPS_PORT)", s.Port, s.Port)
	})
}

func TestStartFailsOnTakenGossipPort(t *testing.T) {
	want := func(s harness.NodeSpec) string {
		return fmt.Sprintf("--gossip-port %d: address already in use on 127.0.0.1:%d (another bitcraps node? set --gossip-port or BITCRAPS_GOSSIP_PORT)",
			s.GossipPort, s.GossipPort)
	}
	t.Run("tcp", func(t *testing.T) { failsToStart(t, harness.NodeSpec{GossipPort: holdTCP(t)}, want) })
	t.Run("udp", func(t *testing.T) {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		port := c.LocalAddr().(*net.UDPAddr).Port
		failsToStart(t, harness.NodeSpec{GossipPort: port}, func(s harness.NodeSpec) string {
			return fmt.Sprintf("--gossip-port %d: address already in use on 127.0.0.1:%d (UDP) (another bitcraps node? set --gossip-port or BITCRAPS_GOSSIP_PORT)",
				port, port)
		})
	})
	// Our own two listeners on one port is a setting error, caught before
	// anything binds.
	port := freePort(t)
	out, code := harness.FailNode(t, harness.NodeSpec{Port: port, GossipPort: port})
	if code == 0 || !strings.Contains(out, fmt.Sprintf("--port / BITCRAPS_PORT and --gossip-port / BITCRAPS_GOSSIP_PORT are both %d", port)) {
		t.Fatalf("same mesh and gossip port: exit %d\n%s", code, out)
	}
}

func TestStartFailsOnDataDirOfARunningNode(t *testing.T) {
	running := harness.StartNode(t, harness.NodeSpec{})
	running.WaitReady(t, 60*time.Second)
	failsToStart(t, harness.NodeSpec{DataDir: running.Spec.DataDir}, func(s harness.NodeSpec) string {
		return "--data " + s.DataDir + ": in use by another bitcraps node (stop that node, or give this one its own directory: set --data or BITCRAPS_DB_PATH)"
	})
}

func TestStartFailsOnKeystorePassphrase(t *testing.T) {
	dir := t.TempDir()
	id, err := identity.Generate(rand.Reader, 8)
	if err != nil {
		t.Fatal(err)
	}
	if err := identity.Save(dir, id, "right horse", rand.Reader); err != nil {
		t.Fatal(err)
	}
	path := identity.KeystorePath(dir)
	wrong := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(wrong, []byte("wrong horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("wrong", func(t *testing.T) {
		failsToStart(t, harness.NodeSpec{DataDir: dir, Args: []string{"--keystore-passphrase-file", wrong}}, func(harness.NodeSpec) string {
			return "--keystore-passphrase-file / BITCRAPS_KEYSTORE_PASSPHRASE: wrong passphrase for the keystore " + path + " (or the keystore was altered)"
		})
	})
	t.Run("wrong from env", func(t *testing.T) {
		failsToStart(t, harness.NodeSpec{DataDir: dir, Env: []string{"BITCRAPS_KEYSTORE_PASSPHRASE=wrong horse"}}, func(harness.NodeSpec) string {
			return "--keystore-passphrase-file / BITCRAPS_KEYSTORE_PASSPHRASE: wrong passphrase for the keystore " + path + " (or the keystore was altered)"
		})
	})
	t.Run("missing", func(t *testing.T) {
		failsToStart(t, harness.NodeSpec{DataDir: dir, Env: []string{"BITCRAPS_KEYSTORE_PASSPHRASE="}}, func(harness.NodeSpec) string {
			return "--keystore-passphrase-file / BITCRAPS_KEYSTORE_PASSPHRASE: not set, but the keystore " + path +
				" is encrypted (give the passphrase it was saved with)"
		})
	})
}
