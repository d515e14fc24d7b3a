// Command vulndb builds the v1 vulnerability database layout govulncheck
// reads (index/db.json, index/modules.json, ID/<id>.json) from the OSV
// files the golang.org/x/vulndb module ships under data/osv, so `make vuln`
// runs offline against a pinned database. (The module's own cmd/gendb needs
// a git checkout.)
//
// Usage: go run .ci/vulndb/main.go VULNDB_MODULE_DIR OUT_DIR
//
// The database's timestamp is the pinned module's pseudo-version time (the
// shipped files carry none), so the same pin always builds the same bytes.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type osvEntry struct {
	ID       string `json:"id"`
	Affected []struct {
		Package struct {
			Name string `json:"name"`
		} `json:"package"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string `json:"id"`
	Modified string `json:"modified"`
}

type module struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: vulndb VULNDB_MODULE_DIR OUT_DIR")
		os.Exit(2)
	}
	modified, err := pseudoVersionTime(os.Args[1])
	if err == nil {
		err = build(os.Args[1], os.Args[2], modified)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
}

func build(src, out, modified string) error {
	files, err := filepath.Glob(filepath.Join(src, "data", "osv", "*.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no OSV files under %s/data/osv (%v)", src, err)
	}
	for _, dir := range []string{"index", "ID"} {
		if err := os.MkdirAll(filepath.Join(out, dir), 0o755); err != nil {
			return err
		}
	}
	byModule := map[string][]moduleVuln{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var e osvEntry
		if err := json.Unmarshal(raw, &e); err != nil || e.ID == "" {
			return fmt.Errorf("%s: not an OSV entry (%v)", f, err)
		}
		if err := os.WriteFile(filepath.Join(out, "ID", e.ID+".json"), raw, 0o644); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, a := range e.Affected {
			if p := a.Package.Name; p != "" && !seen[p] {
				seen[p] = true
				byModule[p] = append(byModule[p], moduleVuln{ID: e.ID, Modified: modified})
			}
		}
	}
	var mods []module
	for p, vs := range byModule {
		sort.Slice(vs, func(i, j int) bool { return vs[i].ID < vs[j].ID })
		mods = append(mods, module{Path: p, Vulns: vs})
	}
	sort.Slice(mods, func(i, j int) bool { return strings.Compare(mods[i].Path, mods[j].Path) < 0 })
	if err := writeJSON(filepath.Join(out, "index", "modules.json"), mods); err != nil {
		return err
	}
	return writeJSON(filepath.Join(out, "index", "db.json"), map[string]string{"modified": modified})
}

// pseudoVersionTime reads the time of a module directory named
// golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018.
func pseudoVersionTime(dir string) (string, error) {
	parts := strings.Split(filepath.Base(dir), "-")
	if len(parts) != 3 {
		return "", fmt.Errorf("%s: want a module directory at a pseudo-version", dir)
	}
	t, err := time.Parse("20060102150405", parts[1])
	if err != nil {
		return "", fmt.Errorf("%s: pseudo-version time: %w", dir, err)
	}
	return t.UTC().Format(time.RFC3339), nil
}

func writeJSON(path string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, raw, 0o644)
}
