package agents

import (
	"context"
	"strings"
	"testing"
	"time"

	"agentconsole/views/layout"
)

// TestListRowsAsTemplWroteThem: the rows written in Go are byte for byte what the templ
// component wrote, for every branch (selectable or not, the trash, logos, versions,
// requests, tags in palette and custom colours) and hostile text in every field.
func TestListRowsAsTemplWroteThem(t *testing.T) {
	hostile := `<script>alert("x&y")</script> 'q' ünï 🙂`
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600))
	rows := []Row{
		{ID: 1, Name: "Plain", Stage: "development", Type: "native", UpdatedAt: at, CreatedAt: at},
		{ID: 9_007_199_254_740_993, Name: hostile, Description: hostile, LogoURL: "https://x.example/l.png?a=1&b=\"2\"", Stage: "released", Type: "external",
			Model: hostile, UpdatedBy: hostile, Version: 1234, OpenRequests: 3, UpdatedAt: at, CreatedAt: at.Add(-time.Hour),
			Tags: []Tag{{ID: 1, Name: hostile, Color: "green"}, {ID: 2, Name: "b", Color: "#a1b2c3"}, {ID: 3, Name: "c", Color: "#A1B2C3"}, {ID: 4, Name: "d", Color: "nope"}}},
		{ID: 3, Name: "", Stage: "weird", Version: -1, OpenRequests: -2, Deleted: true, DeletedAt: at, DeletedBy: hostile},
		{ID: 4, Name: "émile", Deleted: true, DeletedAt: at},
		{ID: 5, Name: "\xff\xfeabc"},
		{ID: 6, Name: "\xed\xa0\x80 surrogate"},
	}
	p := layout.Page{CSRF: `tok"<`}
	for _, l := range []List{
		{Rows: rows, CanDelete: true, CanUpdate: true, CanTag: true},
		{Rows: rows},
		{Rows: rows, Trash: true, CanDelete: true},
		{Rows: rows, Trash: true},
		{},
	} {
		var want, got strings.Builder
		if err := refListRows(p, l).Render(context.Background(), &want); err != nil {
			t.Fatal(err)
		}
		if err := listRows(p, &l).Render(context.Background(), &got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("trash %v, selectable %v: the Go rows differ from templ's:\n%s\n%s", l.Trash, l.Selectable(), got.String(), want.String())
		}
	}
}

// TestAppendStampAsTimeFormats: the list's dates as stamp (time's layout) writes them.
func TestAppendStampAsTimeFormats(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 12, 1, 23, 59, 59, 999, time.FixedZone("x", -5*3600)), time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 0, 0, time.UTC), time.Date(999, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-44, 3, 15, 12, 0, 0, 0, time.UTC), {}, time.Unix(1<<40, 0),
	} {
		if got, want := string(appendStamp(nil, at)), stamp(at); got != want {
			t.Errorf("%v: %q, want %q", at, got, want)
		}
	}
}
