package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/craps"
)

// Every bet id `bet --help` names is one the node takes.
func TestBetHelpNamesRealBetIDs(t *testing.T) {
	cmd, _, err := rootCmd.Find([]string{"bet"})
	if err != nil {
		t.Fatal(err)
	}
	list := cmd.Long[strings.Index(cmd.Long, "`bitcraps rules`:"):strings.Index(cmd.Long, "...")]
	ids := regexp.MustCompile(`[a-z][a-z0-9_]*[a-z0-9]`).FindAllString(strings.TrimPrefix(list, "`bitcraps rules`:"), -1)
	if len(ids) < 10 {
		t.Fatalf("bet --help lists %d ids: %q", len(ids), list)
	}
	for _, id := range ids {
		if b, err := craps.ParseBet(id, 0); err != nil || b.ID() != id {
			t.Errorf("bet --help names %q: %v", id, err)
		}
	}
}

func TestNodeURLTakesHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8081":         "http://127.0.0.1:8081",
		"http://127.0.0.1:8081/": "http://127.0.0.1:8081",
		"https://node.lan":       "https://node.lan",
		" localhost:8080 ":       "http://localhost:8080",
	} {
		if got, err := nodeURL(in); err != nil || got != want {
			t.Errorf("nodeURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"ftp://x", "http://", ""} {
		if got, err := nodeURL(bad); err == nil {
			t.Errorf("nodeURL(%q) = %q, want an error", bad, got)
		}
	}
}
