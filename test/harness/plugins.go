package harness

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/bitcraps/bitcraps/internal/config"
)

var (
	pluginMu    sync.Mutex
	pluginBuilt = map[string]string{}
)

// PluginBinary builds the plugin command at pkg (a path in this module:
// "cmd/bitcraps-bot", "test/plugins/flaky") once per test process, and
// returns the binary's path and its SHA-256 in hex: the tests run the
// plugins of this tree, never a checked-in binary.
func PluginBinary(t testing.TB, pkg string) (path, sum string) {
	t.Helper()
	pluginMu.Lock()
	defer pluginMu.Unlock()
	path, ok := pluginBuilt[pkg]
	if !ok {
		dir, err := os.MkdirTemp("", "bitcraps-plugin-")
		if err != nil {
			t.Fatal(err)
		}
		path = filepath.Join(dir, filepath.Base(pkg))
		// Without symbol tables: the link takes half the CPU, and tests
		// never debug a plugin binary.
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", path, "github.com/bitcraps/bitcraps/"+pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
		pluginBuilt[pkg] = path
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(raw)
	return path, hex.EncodeToString(h[:])
}

// PluginEntry is one plugin of a plugins file, as an operator writes it.
type PluginEntry struct {
	Name        string            `yaml:"name"`
	Path        string            `yaml:"path"`
	SHA256      string            `yaml:"sha256"`
	Rights      []string          `yaml:"rights,omitempty"`
	Settings    map[string]string `yaml:"settings,omitempty"`
	MaxRestarts *int              `yaml:"max_restarts,omitempty"`
	Within      string            `yaml:"within,omitempty"`
}

// PluginsFile writes a plugins file in a temp dir and loads it as the node
// would (--plugins FILE), returning the file's path and its specs.
func PluginsFile(t testing.TB, entries ...PluginEntry) (string, []config.PluginSpec) {
	t.Helper()
	raw, err := yaml.Marshal(map[string]any{"plugins": entries})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "plugins.yaml")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	specs, err := config.LoadPlugins(path)
	if err != nil {
		t.Fatalf("load plugins file:\n%s\n%v", raw, err)
	}
	return path, specs
}

// Wrong is a checksum that no binary has: the same digits as sum with the
// first one changed.
func Wrong(sum string) string {
	if strings.HasPrefix(sum, "0") {
		return "1" + sum[1:]
	}
	return fmt.Sprintf("0%s", sum[1:])
}
