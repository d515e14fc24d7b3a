package node

import (
	"context"
	"encoding/json"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/internal/config"
)

// testConfig is the testing profile on loopback with free ports and a
// temp data dir.
func testConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.Defaults(config.ProfileTesting)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.BindAddr = "127.0.0.1"
	cfg.Port = 0
	cfg.GossipPort = 0
	return cfg
}

func startNode(t *testing.T, cfg config.Config) *Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n, err := Start(ctx, Options{Config: cfg, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := n.Stop(stopCtx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	if err := n.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConfiguredTokenGuardsMutatingRoutes(t *testing.T) {
	cfg := testConfig(t)
	cfg.APIToken = "0123456789abcdef-test"
	n := startNode(t, cfg)
	base := "http://" + n.HTTPAddr()

	resp, err := http.Post(base+"/api/v1/tables", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("POST without token: status %d, want 401", resp.StatusCode)
	}
	resp, err = http.Get(base + "/api/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET status without token: %d, want 200 (reads stay open)", resp.StatusCode)
	}
}

func TestAuditVerifyRouteReportsTheNodesTrail(t *testing.T) {
	n := startNode(t, testConfig(t))
	resp, err := http.Get("http://" + n.HTTPAddr() + "/api/v1/audit/verify")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rep struct {
		OK      bool   `json:"ok"`
		Entries uint64 `json:"entries"`
		Signer  string `json:"signer"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Entries == 0 || rep.Signer != string(n.PeerID()) {
		t.Fatalf("audit verify = %+v, want ok with entries signed by %s", rep, n.PeerID())
	}
}

func TestTokenGeneratedOnlyForNonLoopbackBind(t *testing.T) {
	dir := t.TempDir()
	for _, addr := range []string{"127.0.0.1:8080", "127.3.4.5:80", "localhost:8080", "[::1]:8080"} {
		if tok, gen, err := apiToken(addr, "", dir, discardLog); err != nil || tok != "" || gen {
			t.Fatalf("apiToken(%s) = %q, %v, %v; want no token on loopback", addr, tok, gen, err)
		}
	}
	tok, gen, err := apiToken("0.0.0.0:8080", "", dir, discardLog)
	if err != nil || !gen || len(tok) < 32 {
		t.Fatalf("first non-loopback apiToken = %q, %v, %v; want a generated token", tok, gen, err)
	}
	info, err := os.Stat(filepath.Join(dir, tokenFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	again, gen, err := apiToken("0.0.0.0:8080", "", dir, discardLog)
	if err != nil || gen || again != tok {
		t.Fatalf("second apiToken = %q, %v, %v; want the saved %q", again, gen, err, tok)
	}
	if got, _, _ := apiToken("0.0.0.0:8080", "configured-token-xyz", dir, discardLog); got != "configured-token-xyz" {
		t.Fatalf("configured token ignored: %q", got)
	}
}

// BLE forced on without an adapter (none exists here): the node still
// serves on TCP, but says it is Degraded and why.
func TestBLEOnWithoutAdapterDegradesTheNode(t *testing.T) {
	cfg := testConfig(t)
	cfg.BLEMode = config.BLEOn
	n := startNode(t, cfg)
	rep := healthView{n}.Report()
	if rep.State != "Degraded" {
		t.Fatalf("state %s, want Degraded with --ble on and no adapter", rep.State)
	}
	for _, s := range rep.Services {
		if s.Name == "transport" && (s.Status != "Degraded" || !strings.Contains(s.Reason, "ble")) {
			t.Fatalf("transport %s: %q, want Degraded naming ble", s.Status, s.Reason)
		}
	}
	if !(healthView{n}).Ready() {
		t.Fatal("a Degraded node must still be ready to serve")
	}
}

// Every series the node exposes passes Prometheus's own lint (what
// `promtool check metrics` runs): names, units, help, counter suffixes.
func TestNodeMetricsPassPromlint(t *testing.T) {
	n := startNode(t, testConfig(t))
	mfs, err := n.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("metric %s: %s", p.Metric, p.Text)
	}
	if len(mfs) < 30 {
		t.Fatalf("only %d metric families: services did not register theirs", len(mfs))
	}
}
