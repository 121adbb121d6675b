package agents

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"agentconsole/views/layout"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/list_page_trash_*.golden.html")

// TestListPageAsItWas: the whole list page (filters, bulk bar with its tag and model
// choices, rows, paging) is byte for byte what it was before its parts were written in
// Go (testdata/list_page_trash_*.golden.html, rendered by the templ components). Only
// the page's <main> is compared: the shell around it (asset hashes, scripts) has its
// own tests and changes with every stylesheet.
func TestListPageAsItWas(t *testing.T) {
	hostile := `<b>"x" & 'y'</b>`
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	l := List{Total: 10000, Page: 3, Pages: 200, CanCreate: true, CanTag: true, CanDelete: true, CanUpdate: true, PrevURL: "/agents?page=2&q=%3C",
		NextURL: "/agents?page=4", Query: hostile, Stage: "released", Sort: "name", Dir: "asc", PerPage: 50, PerPageChoices: []int{10, 25, 50, 100},
		Back: "/agents?q=" + hostile, ClearURL: "/agents", Kept: []Param{{Name: "outdated", Value: "true"}}}
	for i := range 12 {
		l.Tags = append(l.Tags, Tag{ID: int64(i + 1), Name: fmt.Sprintf("tag-%02d %s", i, hostile), Color: []string{"green", "#a1b2c3", "x"}[i%3], Selected: i%4 == 0})
		l.Models = append(l.Models, Option{Value: fmt.Sprintf("p:m-%d&%s", i, hostile), Label: hostile})
	}
	for i := range 7 {
		l.Rows = append(l.Rows, Row{ID: int64(1000 + i), Name: fmt.Sprintf("Agent %d %s", i, hostile), Description: hostile, Stage: []string{"released", "development"}[i%2],
			Type: "native", Model: "openai:gpt-4o", UpdatedAt: at, CreatedAt: at, Version: int64(i), OpenRequests: i % 3, UpdatedBy: hostile, Tags: l.Tags[i : i+2]})
	}
	l.Headers = map[string]SortHeader{}
	for _, k := range []string{"name", "type", "model", "stage", "updated", "created"} {
		l.Headers[k] = SortHeader{Key: k, Label: k, URL: "/agents?sort=" + k, AriaSort: "none"}
	}
	p := layout.Page{Title: "Agents", Active: "agents", CSRF: "token", User: &layout.User{Name: "Demo", Email: "d@x", Role: "builder", OrgName: "Demo Org"}}
	for _, trash := range []bool{false, true} {
		l.Trash = trash
		var page strings.Builder
		if err := ListPage(p, l).Render(context.Background(), &page); err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		got.WriteString(mainOf(t, page.String()))
		golden := fmt.Sprintf("testdata/list_page_trash_%v.golden.html", trash)
		if *updateGolden {
			if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want) {
			i := 0
			for i < len(want) && i < got.Len() && want[i] == got.String()[i] {
				i++
			}
			t.Errorf("trash %v: the list page differs from %s at byte %d:\n%.300s\nwant:\n%.300s", trash, golden, i, got.String()[max(0, i-100):], want[max(0, i-100):])
		}
	}
}

// mainOf is the page's <main> element.
func mainOf(t *testing.T, page string) string {
	start, end := strings.Index(page, "<main"), strings.LastIndex(page, "</main>")
	if start < 0 || end < start {
		t.Fatalf("no <main> in the page:\n%.300s", page)
	}
	return page[start : end+len("</main>")]
}
