package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/actors/plugins"
)

// `plugins list` shows each plugin's version, state, restarts and reason
// as the node reports them.
func TestPluginsListShowsStateAndRestarts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/plugins" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode([]plugins.Status{
			{Name: "bot", Version: "1.0.0", State: plugins.StateRunning, Restarts: 2},
			{Name: "chat", State: plugins.StateRefused, Reason: "plugin binary does not match its pinned sha256"},
		})
	}))
	defer srv.Close()
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetArgs([]string{"plugins", "list", "--node", srv.URL})
	defer rootCmd.SetArgs(nil)
	if err := rootCmd.Execute(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "NAME") ||
		strings.Join(strings.Fields(lines[1]), " ") != "bot 1.0.0 running 2 0" ||
		!strings.Contains(lines[2], "refused") || !strings.Contains(lines[2], "sha256") {
		t.Fatalf("plugins list printed:\n%s", out.String())
	}
}
