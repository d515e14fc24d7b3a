package config

import (
	"fmt"
	"strings"
)

// Setting describes one setting for documentation.
type Setting struct {
	Name    string // "mesh TCP port"
	Flag    string // "--port"
	Env     string // "BITCRAPS_PORT"
	Default string // server default, with other profiles' where they differ
	Meaning string
	Hidden  bool // not in --help: test-only settings
}

// Settings lists every setting in declaration order.
func Settings() []Setting {
	def, _ := Defaults(ProfileServer)
	out := make([]Setting, 0, len(settings))
	for i := range settings {
		s := &settings[i]
		d := s.shown(s.get(&def))
		if d == "" {
			d = "empty"
		}
		if alt := profileDefaults(s); alt != "" {
			d += " (" + alt + ")"
		}
		out = append(out, Setting{Name: s.name, Flag: "--" + s.flag, Env: s.env, Default: d, Meaning: s.meaning, Hidden: s.hidden})
	}
	return out
}

// MarkdownTable renders Settings as the README's table.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| setting | flag | env | default | meaning |\n|---|---|---|---|---|\n")
	for _, s := range Settings() {
		fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s |\n", s.Name, s.Flag, s.Env, s.Default, escapePipes(s.Meaning))
	}
	return b.String()
}

func escapePipes(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// profileDefaults says how the mobile and testing defaults differ from the
// server's, e.g. "mobile: 4, testing: 10ms"; empty when they do not.
func profileDefaults(s *setting) string {
	if s.flag == "profile" {
		return ""
	}
	server, _ := Defaults(ProfileServer)
	base := s.get(&server)
	var parts []string
	for _, p := range []Profile{ProfileMobile, ProfileTesting} {
		c, _ := Defaults(p)
		if v := s.get(&c); v != base {
			parts = append(parts, fmt.Sprintf("%s: %s", p, s.shown(v)))
		}
	}
	return strings.Join(parts, ", ")
}
