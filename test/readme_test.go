package test

import (
	"os"
	"strings"
	"testing"

	"github.com/bitcraps/bitcraps/internal/config"
)

// The README's settings table is the one the config package defines, so a
// setting cannot be added, renamed or re-defaulted without the README.
func TestReadmeSettingsTableIsCurrent(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if table := config.MarkdownTable(); !strings.Contains(string(readme), table) {
		t.Fatalf("README.md settings table is stale; replace it with:\n%s", table)
	}
}
