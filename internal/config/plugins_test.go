package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const goodSum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func pluginsFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plugins.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPluginsFileIsReadWithItsDefaults(t *testing.T) {
	path := pluginsFile(t, `plugins:
  - name: bot
    path: bin/bitcraps-bot
    sha256: `+goodSum+`
    rights: [read, play]
    settings: {strategy: martingale, stop_loss: "20"}
  - name: notifier
    path: /opt/notifier
    sha256: `+strings.ToUpper(goodSum)+`
    max_restarts: 0
    within: 10s
`)
	c := mustResolve(t, []string{"--plugins", path}, env{})
	if len(c.Plugins) != 2 || c.PluginsFile != path {
		t.Fatalf("plugins %+v from %s", c.Plugins, c.PluginsFile)
	}
	bot, n := c.Plugins[0], c.Plugins[1]
	if bot.Path != filepath.Join(filepath.Dir(path), "bin/bitcraps-bot") || len(bot.SHA256) != 32 ||
		bot.Settings["strategy"] != "martingale" || bot.MaxRestarts != defaultPluginRestarts || bot.Within != defaultPluginWindow {
		t.Errorf("bot %+v: want its path beside the file and the default budget", bot)
	}
	if n.Path != "/opt/notifier" || n.MaxRestarts != 0 || n.Within != 10*time.Second {
		t.Errorf("notifier %+v", n)
	}
	if c := mustResolve(t, nil, env{"BITCRAPS_PLUGINS": path}); len(c.Plugins) != 2 {
		t.Errorf("BITCRAPS_PLUGINS: %d plugins", len(c.Plugins))
	}
}

func TestBadPluginsFilesNameTheProblem(t *testing.T) {
	entry := func(extra string) string {
		return "plugins:\n  - name: bot\n    path: x\n    sha256: " + goodSum + "\n" + extra
	}
	cases := map[string]struct{ body, want string }{
		"bad name":      {strings.Replace(entry(""), "name: bot", "name: Bot!", 1), "name"},
		"no path":       {strings.Replace(entry(""), "path: x", "path: \"\"", 1), "path"},
		"short sum":     {strings.Replace(entry(""), goodSum, "abc", 1), "sha256"},
		"unknown right": {entry("    rights: [root]\n"), "rights"},
		"bad within":    {entry("    within: soon\n"), "within"},
		"negative":      {entry("    max_restarts: -1\n"), "max_restarts"},
		"unknown key":   {entry("    checksum: x\n"), "checksum"},
		"twice":         {entry("") + "  - name: bot\n    path: y\n    sha256: " + goodSum + "\n", "twice"},
	}
	for name, c := range cases {
		file := pluginsFile(t, c.body)
		_, err := resolve(t, nil, env{"BITCRAPS_PLUGINS": file})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "--plugins") {
			t.Errorf("%s: %v, want an invalid --plugins naming %q", name, err, c.want)
		}
		if err := newFlags(t).Parse([]string{"--plugins", file}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s as a flag: %v, want the parse to fail naming %q", name, err, c.want)
		}
	}
	if _, err := resolve(t, nil, env{"BITCRAPS_PLUGINS": filepath.Join(t.TempDir(), "missing.yaml")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("missing file: %v", err)
	}
}
