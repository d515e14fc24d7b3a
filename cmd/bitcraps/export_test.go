package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const exportTable = "3f2a9c0d1e2b4a5f"

// exportBody is what the fake node serves: a field this CLI does not know
// ("unseatings") must reach the file untouched, since verify reads it.
var exportBody = `{
  "version": 1,
  "info": {"id": "` + exportTable + `"},
  "genesis": {"table_id": "` + exportTable + `", "bank": 400000000},
  "certificates": [{"round": 1}, {"round": 2}, {"round": 3}],
  "unseatings": [{"round": 2}]
}
`

// fakeExportNode serves body with status at the export route of
// exportTable and records the paths asked.
func fakeExportNode(t *testing.T, status int, body string) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), paths...) }
}

func TestTableExportWritesTheNodesAnswerUnchanged(t *testing.T) {
	srv, paths := fakeExportNode(t, http.StatusOK, exportBody)
	out, err := runCLI(t, "table", "export", exportTable, "--node", srv.URL)
	if err != nil || out != exportBody {
		t.Fatalf("export to stdout: %v\ngot  %q\nwant %q", err, out, exportBody)
	}
	if got := paths(); len(got) != 1 || got[0] != "GET /api/v1/tables/"+exportTable+"/export" {
		t.Fatalf("asked %v, want one GET of the export route", got)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "t.json")
	if err := os.WriteFile(file, []byte("an older export"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, "table", "export", exportTable, "--node", srv.URL, "--out", file)
	if err != nil || !strings.Contains(out, "3 certified rounds") || !strings.Contains(out, file) ||
		!strings.Contains(out, "bitcraps verify "+file) {
		t.Fatalf("export --out: %v\n%s", err, out)
	}
	got, err := os.ReadFile(file)
	if err != nil || string(got) != exportBody {
		t.Fatalf("file holds %q (%v), want the node's answer", got, err)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("file mode %v (%v), want 0644", st.Mode().Perm(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("directory holds %v, want only the export (no temp file left)", entries)
	}

	out, err = runCLI(t, "table", "export", exportTable, "--node", srv.URL, "-o", file, "--json")
	var sum exportSummary
	if err != nil || json.Unmarshal([]byte(out), &sum) != nil ||
		sum != (exportSummary{Table: exportTable, File: file, Rounds: 3, Bytes: len(exportBody)}) {
		t.Fatalf("export --json: %v %+v\n%s", err, sum, out)
	}
}

// Nothing is written when the node refuses or sends something that is not
// the export asked for; the error says why.
func TestTableExportRefusalsWriteNothing(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   string
		is     error
	}{
		{"unknown table", 404, `{"error":{"code":"unknown_table","message":"unknown table \"` + exportTable + `\""}}`,
			"404 unknown_table", nil},
		{"not started", 409, `{"error":{"code":"not_started","message":"table has not started: nothing to export"}}`,
			"has not started", nil},
		{"not json error", 502, "bad gateway", "bad gateway (node answered 502 http)", nil},
		{"another table", 200, strings.ReplaceAll(exportBody, `"table_id": "`+exportTable, `"table_id": "ffffffffffffffff`),
			`genesis of table "ffffffffffffffff"`, errBadExport},
		{"another version", 200, strings.Replace(exportBody, `"version": 1`, `"version": 9`, 1), "export version 9", errBadExport},
		{"not an export", 200, `[1,2,3]`, "decode", errBadExport},
	}
	for _, c := range cases {
		srv, _ := fakeExportNode(t, c.status, c.body)
		dir := t.TempDir()
		file := filepath.Join(dir, "t.json")
		out, err := runCLI(t, "table", "export", exportTable, "--node", srv.URL, "--out", file)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: %v, want an error saying %q\n%s", c.name, err, c.want, out)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: wrote %v", c.name, entries)
		}
	}
	srv, _ := fakeExportNode(t, http.StatusOK, exportBody)
	missing := filepath.Join(t.TempDir(), "no-such-dir", "t.json")
	if _, err := runCLI(t, "table", "export", exportTable, "--node", srv.URL, "--out", missing); err == nil ||
		!strings.Contains(err.Error(), "--out "+missing) {
		t.Errorf("export into a missing directory: %v, want an error naming --out", err)
	}
}
