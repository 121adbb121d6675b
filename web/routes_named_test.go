package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// namedRoutes is every string constant of views/route, read from its source: a
// constant added there is checked without a list.
func namedRoutes(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../views/route/route.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, decl := range f.Decls {
		if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.CONST {
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
	return out
}

var routeParam = regexp.MustCompile(`\{([A-Za-z]+)\}`)

// Every named route of views/route is a route of the router (its {param} as Fiber's
// :param), so a URL built with route.Path never points at a page that does not exist.
func TestNamedRoutesAreRoutes(t *testing.T) {
	t.Parallel()
	e := start(t)
	served := map[string]bool{}
	for _, r := range e.App.GetRoutes(true) {
		served[r.Path] = true
	}
	named := namedRoutes(t)
	if len(named) < 10 {
		t.Fatalf("read only %d named routes", len(named))
	}
	for name, pattern := range named {
		path, _, _ := strings.Cut(pattern, "?")
		if fiberPath := routeParam.ReplaceAllString(path, ":$1"); !served[fiberPath] {
			t.Errorf("route.%s = %q is not served (looked for %q)", name, pattern, fiberPath)
		}
	}
}
