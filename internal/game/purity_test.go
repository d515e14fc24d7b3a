package game

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// allowedImports is everything the glue may import: the two pure cores it
// joins, hashing, encoding and formatting. No actor, network, clock, disk,
// goroutine or global randomness package can get in (an allowlist, so new
// ones can't either).
var allowedImports = map[string]bool{
	"github.com/bitcraps/bitcraps/internal/bft":   true,
	"github.com/bitcraps/bitcraps/internal/craps": true,
	"crypto/sha256":   true,
	"encoding/binary": true,
	"encoding/json":   true,
	"errors":          true,
	"fmt":             true,
	"slices":          true,
	"strconv":         true,
	"strings":         true,
}

// TestPackageIsPure parses the package's own (non-test) files and fails on
// any import outside the allowlist, any go statement, channel or select.
func TestPackageIsPure(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowedImports[path] {
				t.Errorf("%s imports %q: internal/game must stay pure (no actors, network, clock, disk, goroutines, global randomness)", name, path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: go statement at %s: the core must not start goroutines", name, fset.Position(n.Pos()))
			case *ast.ChanType, *ast.SelectStmt:
				t.Errorf("%s: channel or select at %s: the core must not synchronise", name, fset.Position(n.Pos()))
			}
			return true
		})
	}
	if checked < 8 {
		t.Fatalf("checked only %d files; is the test running in the package directory?", checked)
	}
}
