package db

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// packageConsts is every string constant of this package whose name starts with
// prefix, read from the source: a constant added anywhere is seen without a list.
func packageConsts(t *testing.T, prefix string) map[string]string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range pkgs["db"].Files {
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, prefix) || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						out[name.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			}
		}
	}
	return out
}

// Every version source and audit object type declared is on the list the console's
// filters offer; writing one that is not fails (checkVersionSource, checkAuditObjectType).
func TestVocabulariesAreListed(t *testing.T) {
	// Version source constants live in agentspec, whose own test checks them against
	// agentspec.VersionSources; here, that every db alias is on the list.
	for _, v := range []string{SourceCreate, SourceUpdate, SourceClone, SourceRestore, SourcePublish, SourceImport, SourceTags,
		SourceSync, SourceCapability, SourceCardRefresh} {
		if !slices.Contains(VersionSources, v) {
			t.Errorf("%q is not in VersionSources: the history filter would not offer it", v)
		}
	}
	types := packageConsts(t, "Audit")
	for name, v := range types {
		if !slices.Contains(AuditObjectTypes, v) {
			t.Errorf("%s = %q is not in AuditObjectTypes", name, v)
		}
	}
	if err := checkVersionSource("no-such-source"); err == nil {
		t.Error("an unlisted version source was accepted")
	}
	if err := checkAuditObjectType("no_such_type"); err == nil {
		t.Error("an unlisted audit object type was accepted")
	}
}

func TestLabelSummary(t *testing.T) {
	for in, want := range map[string]string{
		"changed maxToolRoundtrips, model, systemPrompt": "changed Max tool roundtrips, Model, Prompt",
		"changed tagIds":       "changed Tags",
		"restored version 3":   "restored version 3",
		"created":              "created",
		"changed somethingNew": "changed somethingNew",
	} {
		if got := LabelSummary(in); got != want {
			t.Errorf("LabelSummary(%q) = %q, want %q", in, got, want)
		}
	}
}
