package config

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"go.yaml.in/yaml/v3"
)

// PluginSpec is one plugin the operator allows this node to start: the
// binary (pinned by its SHA-256: any other file at the path is refused),
// the rights it gets over the node's API, its settings and its restart
// budget.
type PluginSpec struct {
	Name     string
	Path     string
	SHA256   []byte
	Rights   []string
	Settings map[string]string
	// MaxRestarts restarts within Within; one more crash stops the plugin
	// until the node restarts (reported in /health).
	MaxRestarts int
	Within      time.Duration
}

// PluginRights are the rights a plugin file may grant (internal/plugin
// says what each allows).
var PluginRights = []string{"read", "play", "mesh"}

// Plugin restart budget defaults: three crashes a minute absorb a plugin
// that trips on one bad event now and then, and stop one that crashes on
// every start within seconds (each start spawns a process).
const (
	defaultPluginRestarts = 3
	defaultPluginWindow   = time.Minute
	// 64 KiB: a plugin file lists a handful of plugins; a wrong path to a
	// large file fails fast.
	maxPluginFile = 64 << 10
)

var pluginName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// pluginsSetting is added to the settings table here, beside its parser,
// to keep this feature in one file.
var pluginsSetting = setting{
	name: "plugins file", flag: "plugins", env: "BITCRAPS_PLUGINS", kind: "file",
	meaning: "YAML file naming the plugin binaries this node starts, each pinned by sha256, with rights and settings (README: Plugins); empty = none",
	set: func(c *Config, s string) (err error) {
		c.PluginsFile = s
		c.Plugins, err = LoadPlugins(s)
		return
	},
	get: func(c *Config) string { return c.PluginsFile },
}

func init() { settings = append(settings, pluginsSetting) }

// pluginFile is the YAML form of a plugins file.
type pluginFile struct {
	Plugins []struct {
		Name        string            `yaml:"name"`
		Path        string            `yaml:"path"`
		SHA256      string            `yaml:"sha256"`
		Rights      []string          `yaml:"rights"`
		Settings    map[string]string `yaml:"settings"`
		MaxRestarts *int              `yaml:"max_restarts"`
		Within      string            `yaml:"within"`
	} `yaml:"plugins"`
}

// LoadPlugins reads a plugins file ("" reads nothing). Relative binary
// paths are relative to the file's directory.
func LoadPlugins(path string) ([]PluginSpec, error) {
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plugins file: %w", err)
	}
	if len(raw) > maxPluginFile {
		return nil, fmt.Errorf("plugins file is larger than %d bytes", maxPluginFile)
	}
	var f pluginFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("plugins file %s: %w", path, err)
	}
	var out []PluginSpec
	for i, p := range f.Plugins {
		spec, err := pluginSpec(filepath.Dir(path), p.Name, p.Path, p.SHA256, p.Rights, p.Settings, p.MaxRestarts, p.Within)
		if err != nil {
			return nil, fmt.Errorf("plugins file %s, plugin %d (%q): %w", path, i+1, p.Name, err)
		}
		if slices.ContainsFunc(out, func(o PluginSpec) bool { return o.Name == spec.Name }) {
			return nil, fmt.Errorf("plugins file %s: plugin name %q appears twice", path, spec.Name)
		}
		out = append(out, spec)
	}
	return out, nil
}

func pluginSpec(dir, name, path, sum string, rights []string, settings map[string]string, restarts *int, within string) (PluginSpec, error) {
	s := PluginSpec{Name: name, Rights: rights, Settings: settings, MaxRestarts: defaultPluginRestarts, Within: defaultPluginWindow}
	if !pluginName.MatchString(name) {
		return s, errors.New("name: want 1-32 of a-z, 0-9 and -, starting with a letter (it becomes /api/v1/plugins/NAME/)")
	}
	if path == "" {
		return s, errors.New("path: the plugin binary is missing")
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	s.Path = path
	b, err := hex.DecodeString(sum)
	if err != nil || len(b) != 32 {
		return s, fmt.Errorf("sha256: want the binary's SHA-256 as 64 hex digits (sha256sum %s), got %q", path, sum)
	}
	s.SHA256 = b
	for _, r := range rights {
		if !slices.Contains(PluginRights, r) {
			return s, fmt.Errorf("rights: %q is not one of %v", r, PluginRights)
		}
	}
	if restarts != nil {
		if *restarts < 0 {
			return s, fmt.Errorf("max_restarts: %d is negative", *restarts)
		}
		s.MaxRestarts = *restarts
	}
	if within != "" {
		if s.Within, err = time.ParseDuration(within); err != nil || s.Within <= 0 {
			return s, fmt.Errorf("within: want a positive duration such as 1m, got %q", within)
		}
	}
	return s, nil
}
