package versions

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"testing"

	"github.com/a-h/templ/runtime"

	"agentconsole/views/layout"
)

// benchHistory is the bench's history page (scenario 5a): 50 rows, one live, some
// with messages, restore allowed.
func benchHistory() (layout.Page, History) {
	h := History{AgentID: 1, AgentName: "Agent <00001>", Sources: []string{"create", "update", "sync"}, Authors: []string{"builder@demo.test"},
		CanRestore: true, OlderURL: "/agents/1/versions?author=&before=951&source=", NewerURL: "/agents/1/versions?author=&before=1001&source="}
	for i := 0; i < 50; i++ {
		r := Row{ID: int64(201180 - i), Number: int64(1000 - i), Source: "update", Author: "builder@demo.test", When: "2026-11-01 12:00:00 UTC",
			Summary: "changed System prompt", Live: i == 0}
		if i%7 == 0 {
			r.Message = "Fix the \"tone\" & <format> " + strconv.Itoa(i)
		}
		h.Rows = append(h.Rows, r)
	}
	return layout.Page{Title: "History", Active: "agents", CSRF: "token&", User: &layout.User{Name: "Demo", Email: "d@x", Role: "builder", OrgName: "Demo Org"}}, h
}

// benchChoices is the diff's pickers' 200 versions (scenario 5b).
func benchChoices() []Choice {
	out := make([]Choice, 200)
	for i := range out {
		out[i] = NewChoice(int64(201180-i), int64(1000-i), "update", "builder@demo.test")
	}
	return out
}

// BenchmarkHistoryRows renders the history's 50 rows (the page's own markup) through
// templ's buffered writer into memory, as a page renders them into the response.
func BenchmarkHistoryRows(b *testing.B) {
	p, h := benchHistory()
	ctx := context.Background()
	var sink bytes.Buffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sink.Reset()
		w, _ := runtime.GetBuffer(&sink)
		if err := timelineRows(h, p.CSRF).Render(ctx, w); err != nil {
			b.Fatal(err)
		}
		runtime.ReleaseBuffer(w)
	}
}

// BenchmarkVersionOptions renders the diff page's two pickers of 200 versions.
func BenchmarkVersionOptions(b *testing.B) {
	choices := benchChoices()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		options := newChoiceOptions(choices)
		for _, selected := range []int64{201000, 201180} {
			if err := versionOptions(options, selected).Render(ctx, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkVersionOptionsBefore is the same, each picker written option by option.
func BenchmarkVersionOptionsBefore(b *testing.B) {
	choices := benchChoices()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, selected := range []int64{201000, 201180} {
			if err := refVersionOptions(choices, selected).Render(ctx, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	}
}
