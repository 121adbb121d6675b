package agents

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"agentconsole/views/layout"
)

// BenchmarkListPage renders the agents list page with 50 rows (scenario 1's template work).
func BenchmarkListPage(b *testing.B) {
	l := List{Total: 10000, Page: 3, Pages: 200, CanCreate: true, CanTag: true, CanDelete: true, PrevURL: "/agents?page=2", NextURL: "/agents?page=4"}
	for i := 0; i < 50; i++ {
		l.Tags = append(l.Tags, Tag{ID: int64(i), Name: fmt.Sprintf("tag-%02d", i)})
	}
	for i := 0; i < 50; i++ {
		l.Rows = append(l.Rows, Row{ID: int64(i), Name: fmt.Sprintf("Agent %05d", i), Description: "Handles billing requests", Stage: "released",
			Type: "native", UpdatedAt: time.Now(), Version: 20, Tags: []Tag{{ID: 1, Name: "tag-01", Color: "green"}, {ID: 2, Name: "tag-02", Color: "blue"}}})
	}
	p := layout.Page{Title: "Agents", Active: "agents", CSRF: "token", User: &layout.User{Name: "Demo", Email: "d@x", Role: "builder", OrgName: "Demo Org"}}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := ListPage(p, l).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
