package backup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A backup copies the audit log's complete lines only: a running node may
// be halfway through appending one.
func TestAuditLogCopyStopsAtTheLastCompleteLine(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("x", auditTail-10) + "\n"
	for i, tc := range []struct{ in, want string }{
		{"", ""},
		{"half a line", ""},
		{"one\ntwo\n", "one\ntwo\n"},
		{"one\ntwo\nthr", "one\ntwo\n"},
		{long + long + "torn", long + long},
	} {
		src := filepath.Join(dir, "src")
		dst := filepath.Join(dir, "out", strings.Repeat("d", i+1))
		if err := os.WriteFile(src, []byte(tc.in), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := copyAuditLog(src, dst); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if got, _ := os.ReadFile(dst); string(got) != tc.want {
			t.Errorf("case %d: copied %d bytes, want %d", i, len(got), len(tc.want))
		}
	}
}
