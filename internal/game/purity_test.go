package game

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// allowedImports is everything the glue may import: the two pure cores it
// joins, hashing, signature checks (unseat votes), encoding and formatting. An allowlist, so no actor,
// network, clock, disk, goroutine or global randomness package can get in,
// today or later.
var allowedImports = map[string]bool{
	"github.com/bitcraps/bitcraps/internal/bft":   true,
	"github.com/bitcraps/bitcraps/internal/craps": true,
	"bytes":           true,
	"crypto/ed25519":  true,
	"crypto/sha256":   true,
	"encoding/binary": true,
	"encoding/json":   true,
	"errors":          true,
	"fmt":             true,
	"slices":          true,
	"strconv":         true,
	"strings":         true,
}

// TestPackageIsPure fails on an import outside the allowlist and on any go
// statement, channel or select in the package's own (non-test) files.
func TestPackageIsPure(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkg.GoFiles) < 8 {
		t.Fatalf("found only %v; is the test running in the package directory?", pkg.GoFiles)
	}
	for _, path := range pkg.Imports {
		if !allowedImports[path] {
			t.Errorf("internal/game imports %q: it must stay pure like the cores it joins", path)
		}
	}
	fset := token.NewFileSet()
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.GoStmt, *ast.ChanType, *ast.SelectStmt:
				t.Errorf("%s: goroutine or channel: the core must not start or synchronise goroutines", fset.Position(n.Pos()))
			}
			return true
		})
	}
}
