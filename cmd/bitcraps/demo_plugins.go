package main

import (
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/bitcraps/bitcraps/internal/bot"
	"github.com/bitcraps/bitcraps/internal/config"
)

// The demo's bots are the bot plugin (cmd/bitcraps-bot) when `make build`
// put it beside this binary: each node starts it from a plugins list the
// demo writes itself, pinned to the binary's checksum, and the bots play
// the four strategies in turn. Without it (`go run`), the demo's built-in
// bots play instead.

var demoBotBinary = sync.OnceValues(func() (path string, sum []byte) {
	exe, err := os.Executable()
	if err != nil {
		return "", nil
	}
	path = filepath.Join(filepath.Dir(exe), "bitcraps-bot")
	f, err := os.Open(path)
	if err != nil {
		return "", nil
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", nil
	}
	return path, h.Sum(nil)
})

// demoPluginBots: the bots are plugins in this run.
func demoPluginBots() bool { path, _ := demoBotBinary(); return path != "" }

// demoBotPlugins is node i's plugins list: one bot, at whatever table its
// player sits (the demo seats every node at the first node's table).
func demoBotPlugins(i int) []config.PluginSpec {
	path, sum := demoBotBinary()
	if path == "" {
		return nil
	}
	return []config.PluginSpec{{Name: "bot", Path: path, SHA256: sum, Rights: []string{"read", "play"},
		MaxRestarts: 3, Within: demoSetupTimeout,
		Settings: map[string]string{"strategy": bot.Strategies[i%len(bot.Strategies)], "unit": "2", "stop_loss": "40"}}}
}
