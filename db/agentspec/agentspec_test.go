package agentspec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryVersionSourceListed fails when a version source constant is declared
// anywhere in the db packages without being in VersionSources (the History filter
// offers exactly that list).
func TestEveryVersionSourceListed(t *testing.T) {
	files, _ := filepath.Glob("../*.go")
	own, _ := filepath.Glob("*.go")
	files = append(files, own...)
	fset := token.NewFileSet()
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range spec.Names {
				if !strings.HasPrefix(name.Name, "Source") || i >= len(spec.Values) {
					continue
				}
				lit, ok := spec.Values[i].(*ast.BasicLit)
				if !ok {
					continue // an alias of a constant declared here
				}
				v, _ := strconv.Unquote(lit.Value)
				found++
				if !OneOf(v, VersionSources) {
					t.Errorf("%s: version source %s = %q is missing from VersionSources", fset.Position(name.Pos()), name.Name, v)
				}
			}
			return true
		})
	}
	if found != len(VersionSources) {
		t.Errorf("found %d version source constants, VersionSources lists %d", found, len(VersionSources))
	}
}

func TestConfigRefsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range ConfigRefs {
		if r.Tool == "" || r.IDKey == "" || r.NameKey == "" || r.Table == "" || r.Kind == "" || r.Label == "" || r.Noun == "" || r.Verb == "" || r.May == "" {
			t.Errorf("incomplete reference %+v", r)
		}
		if seen[r.IDKey] || seen[r.Tool] {
			t.Errorf("duplicate reference %+v", r)
		}
		seen[r.IDKey], seen[r.Tool] = true, true
		if got, ok := ConfigRefByTool(r.Tool); !ok || got.IDKey != r.IDKey {
			t.Errorf("ConfigRefByTool(%q) = %+v", r.Tool, got)
		}
	}
}

func TestEverySortHasALabel(t *testing.T) {
	for _, s := range Sorts {
		if SortLabels[s] == "" {
			t.Errorf("sort %q has no label", s)
		}
	}
	if len(SortLabels) != len(Sorts) {
		t.Errorf("%d labels for %d sorts", len(SortLabels), len(Sorts))
	}
}

func TestSortDirectionsNameListedSorts(t *testing.T) {
	for _, s := range SortNewestFirst {
		if !OneOf(s, Sorts) {
			t.Errorf("SortNewestFirst names %q, not a sort", s)
		}
	}
	if DefaultSortDir("updated") != SortDesc || DefaultSortDir("name") != SortAsc {
		t.Error("updated starts newest first, name A to Z")
	}
}
