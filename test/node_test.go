package test

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bitcraps/bitcraps/test/harness"
)

type healthDoc struct {
	State    string  `json:"state"`
	PeerID   string  `json:"peer_id"`
	Uptime   float64 `json:"uptime_seconds"`
	Version  string  `json:"version"`
	Services []struct {
		Name     string `json:"name"`
		Status   string `json:"status"`
		Restarts int    `json:"restarts"`
	} `json:"services"`
}

// The node lifecycle a user sees: start, ready, health and metrics, SIGTERM
// exits 0, and a restart keeps the same identity.
func TestNodeProcessLifecycle(t *testing.T) {
	data := t.TempDir()
	n := harness.StartNode(t, harness.NodeSpec{DataDir: data})
	n.WaitReady(t, 60*time.Second)

	var h healthDoc
	if code := n.GetJSON(t, "/health", &h); code != 200 {
		t.Fatalf("/health status %d", code)
	}
	if h.State != "Running" || len(h.PeerID) != 64 || h.Version == "" {
		t.Fatalf("/health = %+v, want Running with a 64-hex peer id and a version", h)
	}
	want := []string{"ledger", "transport", "mesh", "consensus", "games", "backup"}
	seen := map[string]string{}
	for _, s := range h.Services {
		seen[s.Name] = s.Status
	}
	for _, name := range want {
		if _, ok := seen[name]; !ok {
			t.Errorf("/health services %v lack %q", seen, name)
		}
	}
	var status healthDoc
	n.GetJSON(t, "/api/v1/status", &status)
	if status.PeerID != h.PeerID || status.State != "Running" {
		t.Fatalf("/api/v1/status = %+v, want the /health peer id and Running", status)
	}

	out, code := n.CLI(t, "status")
	if code != 0 || !strings.Contains(out, "Running") || !strings.Contains(out, h.PeerID) {
		t.Fatalf("bitcraps status: exit %d\n%s", code, out)
	}
	out, code = n.CLI(t, "status", "--json")
	var viaCLI healthDoc
	if code != 0 || json.Unmarshal([]byte(out), &viaCLI) != nil || viaCLI.PeerID != h.PeerID {
		t.Fatalf("bitcraps status --json: exit %d\n%s", code, out)
	}

	metrics := n.GetText(t, "/metrics")
	for _, name := range []string{
		"bitcraps_app_startup_duration_seconds_bucket",
		`bitcraps_app_state{state="Running"} 1`,
		"bitcraps_state_transitions_total",
		"bitcraps_service_health",
		"bitcraps_actor_restarts_total",
		"bitcraps_messages_processed_total",
		"bitcraps_identity_pow_seconds",
		"go_goroutines",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(metrics, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}

	if code := n.Signal(t, syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("exit code after SIGTERM = %d, want 0\n%s", code, n.Output())
	}
	if !strings.Contains(n.Output(), "to=Stopped") {
		t.Fatalf("stop sequence did not reach Stopped:\n%s", n.Output())
	}

	again := harness.StartNode(t, harness.NodeSpec{DataDir: data})
	again.WaitReady(t, 60*time.Second)
	var h2 healthDoc
	again.GetJSON(t, "/health", &h2)
	if h2.PeerID != h.PeerID {
		t.Fatalf("peer id after restart = %s, want %s", h2.PeerID, h.PeerID)
	}
	if strings.Contains(again.Output(), "identity created") {
		t.Fatalf("restart generated a new identity:\n%s", again.Output())
	}
	if code := again.Signal(t, syscall.SIGTERM, 30*time.Second); code != 0 {
		t.Fatalf("second exit code = %d", code)
	}
}

// A bad setting stops the node before it starts, naming the setting.
func TestNodeRefusesBadSetting(t *testing.T) {
	cases := []struct {
		args []string
		env  []string
		want string
	}{
		{args: []string{"--max-games", "0"}, want: "--max-games"},
		{env: []string{"BITCRAPS_BLE_MODE=sometimes"}, want: "BITCRAPS_BLE_MODE"},
		{args: []string{"--port", "0"}, want: "--port"},
	}
	for _, c := range cases {
		out, code := harness.RunCLIEnv(t, c.env, append([]string{"node", "--data", t.TempDir()}, c.args...)...)
		if code == 0 || !strings.Contains(out, c.want) {
			t.Errorf("node %v %v: exit %d, output %q; want non-zero naming %s", c.args, c.env, code, out, c.want)
		}
	}
}
