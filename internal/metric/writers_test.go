package metric_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every Prometheus series a package registers has a writer that the code
// calls: bitcraps_consensus_view_changes_total once had an updater nobody
// called, so its alert could never fire while the deploy test, which only
// looked for the name, passed.
func TestEveryRegisteredSeriesHasACalledWriter(t *testing.T) {
	fields, missing := unwritten(t, "../..")
	if len(fields) < 60 {
		t.Fatalf("found only %d collector fields in the module: the scan is broken", len(fields))
	}
	for _, m := range missing {
		t.Errorf("%s is registered but nothing the code calls writes it", m)
	}
}

// The check fails where it should: testdata/unwritten has one series
// written by a method nobody calls and one never written at all, next to
// one written, one written through a returned child and one written from
// another package through its exported field.
func TestWriterCheckFindsUnwrittenSeries(t *testing.T) {
	fields, missing := unwritten(t, "testdata/unwritten")
	if len(fields) != 5 {
		t.Fatalf("fields %v: want the 5 of testdata/unwritten", fields)
	}
	want := []string{"testdata/unwritten/a.Metrics.neverWritten", "testdata/unwritten/a.Metrics.uncalled"}
	if !slices.Equal(missing, want) {
		t.Fatalf("unwritten %v, want %v", missing, want)
	}
}

// collectorTypes are the prometheus types whose fields hold a series.
var collectorTypes = map[string]bool{"Counter": true, "Gauge": true, "Histogram": true, "Summary": true,
	"CounterVec": true, "GaugeVec": true, "HistogramVec": true, "SummaryVec": true}

// writeMethods change a series' value (WithLabelValues alone only creates
// a child at 0, as the pre-initialisation does).
var writeMethods = map[string]bool{"Inc": true, "Dec": true, "Add": true, "Sub": true, "Set": true,
	"Observe": true, "SetToCurrentTime": true}

type field struct {
	dir, owner, name string
}

func (f field) String() string { return f.dir + "." + f.owner + "." + f.name }

// writer is a function that writes (or hands out) a field.
type writer struct {
	dir, fn string
}

// unwritten parses every non-test Go file under root and returns the
// collector fields of struct types and those without a live writer: a
// function that writes the field and is itself referenced from code other
// than its own body (or is exported). Unexported fields are matched within
// their directory, exported ones across root.
func unwritten(t *testing.T, root string) (fields []field, missing []string) {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string][]*ast.File{} // dir -> files
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || (d.Name() == "testdata" && !strings.Contains(root, "testdata"))) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files[filepath.Dir(path)] = append(files[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	writers := map[string][]writer{} // field name -> writers
	refs := map[string]int{}         // function name -> references outside its own body
	for dir, fs := range files {
		for _, f := range fs {
			fields = append(fields, collectorFields(dir, f)...)
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				for _, name := range writtenFields(fn.Body) {
					writers[name] = append(writers[name], writer{dir: dir, fn: fn.Name.Name})
				}
			}
			countRefs(f, refs)
		}
	}
	for _, fd := range fields {
		live := slices.ContainsFunc(writers[fd.name], func(w writer) bool {
			sameScope := w.dir == fd.dir || ast.IsExported(fd.name)
			return sameScope && (refs[w.fn] > 0 || ast.IsExported(w.fn))
		})
		if !live {
			missing = append(missing, fd.String())
		}
	}
	slices.Sort(missing)
	return fields, missing
}

func collectorFields(dir string, f *ast.File) []field {
	var out []field
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return true
		}
		for _, fl := range st.Fields.List {
			if !isCollector(fl.Type) {
				continue
			}
			for _, name := range fl.Names {
				out = append(out, field{dir: filepath.ToSlash(dir), owner: ts.Name.Name, name: name.Name})
			}
		}
		return true
	})
	return out
}

func isCollector(e ast.Expr) bool {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "prometheus" && collectorTypes[sel.Sel.Name]
}

// writtenFields names the fields body writes (x.f.Inc(), x.f.WithLabelValues(..).Add(..))
// or hands out for writing (return x.f, return x.f.WithLabelValues(..)).
func writtenFields(body *ast.BlockStmt) []string {
	var out []string
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && writeMethods[sel.Sel.Name] {
				if name := fieldOf(sel.X); name != "" {
					out = append(out, name)
				}
			}
		case *ast.ReturnStmt:
			for _, r := range n.Results {
				if name := fieldOf(r); name != "" {
					out = append(out, name)
				}
			}
		}
		return true
	})
	return out
}

// fieldOf is f in x.f or x.f.WithLabelValues(...), else "".
func fieldOf(e ast.Expr) string {
	if call, ok := e.(*ast.CallExpr); ok {
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "WithLabelValues" && sel.Sel.Name != "With") {
			return ""
		}
		e = sel.X
	}
	if sel, ok := e.(*ast.SelectorExpr); ok {
		return sel.Sel.Name
	}
	return ""
}

// countRefs counts, for each function name, the references to it (calls or
// method values) outside the declaration of a function of that name.
func countRefs(f *ast.File, refs map[string]int) {
	for _, decl := range f.Decls {
		own := ""
		if fn, ok := decl.(*ast.FuncDecl); ok {
			own = fn.Name.Name
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			var name string
			switch n := n.(type) {
			case *ast.SelectorExpr:
				name = n.Sel.Name
			case *ast.Ident:
				name = n.Name
			default:
				return true
			}
			if name != own {
				refs[name]++
			}
			return true
		})
	}
}
