package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/db/dbtest"
)

// usageAgrees fails the test when the organisation's maintained tool usage counts
// (migration 034) differ from a full recount of its agents' tools, or when the catalog
// page's outdated figure differs from the agents the sync preview lists and the
// overview counts.
func usageAgrees(t *testing.T, s *db.Store, orgID int64, stage string) {
	t.Helper()
	ctx := context.Background()
	diff, err := s.ToolUsageMismatch(ctx, orgID)
	if err != nil || diff != "" {
		t.Fatalf("%s: tool usage counts differ from the recount: %s %v", stage, diff, err)
	}
	_, outdated, err := s.CatalogUsage(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PreviewSync(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Overview(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if outdated != len(p.Agents) || outdated != o.Outdated {
		t.Fatalf("%s: catalog page says %d outdated agents, the sync preview lists %d, the overview counts %d", stage, outdated, len(p.Agents), o.Outdated)
	}
}

// TestToolUsageMatchesTheRecount drives every kind of write that changes an agent's
// tools — create, save, capabilities, an inline copy written by hand, delete, restore,
// clone, import, bulk delete and restore, catalog loads, a failed (rolled back) write,
// the sync, concurrent saves — and compares the maintained counts with the full
// recount after each.
func TestToolUsageMatchesTheRecount(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	org := admin.OrgID
	usageAgrees(t, s, org, "seeded")
	var ids []int64
	for i := 0; i < 6; i++ {
		body := fmt.Sprintf(`{"name":"u%d","tools":{"web_search":{"config":{"region":"r%d"}},"scrape_url":{},"google:code_execution":{"isProviderTool":true}}}`, i, i%2)
		if i%3 == 1 {
			body = fmt.Sprintf(`{"name":"u%d","tools":{"scrape_url":{}}}`, i)
		}
		a, err := s.SaveAgent(ctx, admin, patch(t, body), db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	usageAgrees(t, s, org, "created")
	if _, err := s.SaveAgent(ctx, admin, patch(t, fmt.Sprintf(`{"id":%d,"tools":{"send_email":{},"scrape_url":{}}}`, ids[0])), db.SourceUpdate); err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "tools saved")
	if _, err := s.AddCapability(ctx, admin, ids[1], "web_search", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveCapability(ctx, admin, ids[2], "scrape_url"); err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "capabilities")
	// An old inline copy, written as no store method would: outdated by content.
	if _, err := s.DB.NewRaw(`UPDATE agents SET tools = jsonb_set(tools, '{scrape_url}', '{"description": "old copy", "parameters": {"type": "object"}}') WHERE id IN (?, ?)`, ids[3], ids[4]).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "inline copies")
	if err := s.DeleteAgent(ctx, admin, ids[3]); err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "deleted")
	if _, err := s.RestoreAgent(ctx, admin, ids[3]); err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "restored")
	clone, err := s.CloneAgent(ctx, admin, ids[4], "u4 copy")
	if err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "cloned")
	doc, err := s.ExportAgent(ctx, org, ids[5])
	if err != nil {
		t.Fatal(err)
	}
	doc.Agent.Name, doc.Agent.UUID = "u5 imported", ""
	if _, _, err := s.ImportAgent(ctx, admin, doc, db.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "imported")
	if _, err := s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkDelete, AgentIDs: []int64{ids[0], clone.ID}}); err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "bulk deleted")
	if _, err := s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkRestore, AgentIDs: []int64{clone.ID}}); err != nil {
		t.Fatal(err)
	}
	usageAgrees(t, s, org, "bulk restored")
	bump(t, s, "2031.1", "web_search", "scrape_url")
	usageAgrees(t, s, org, "catalog changed")

	// A write that fails after changing tools leaves the counts as they were.
	_, before, _ := s.CatalogUsage(ctx, org)
	boom := errors.New("boom")
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw(`UPDATE agents SET tools = '{}' WHERE org_id = ?`, org).Exec(ctx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("the failing write: %v", err)
	}
	if _, after, _ := s.CatalogUsage(ctx, org); after != before || before == 0 {
		t.Fatalf("outdated agents %d before a rolled-back write, %d after", before, after)
	}
	usageAgrees(t, s, org, "rolled back")

	if res, err := s.SyncTools(ctx, admin); err != nil || res.Updated == 0 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	usageAgrees(t, s, org, "synced")
	bump(t, s, "2031.2", "web_search", "scrape_url")
	usageAgrees(t, s, org, "catalog changed again")
	concurrentToolSaves(t, s, admin, ids[1:]) // ids[0] is deleted
	usageAgrees(t, s, org, "concurrent saves")
}

// concurrentToolSaves saves the agents' tools from several connections at once, enough
// times for writers to fold the organisation's rows, and checks they were folded.
func concurrentToolSaves(t *testing.T, s *db.Store, admin *db.Actor, ids []int64) {
	t.Helper()
	ctx := context.Background()
	tools := []string{`{"send_email":{}}`, `{"web_search":{},"scrape_url":{}}`, `{"scrape_url":{},"read_file":{}}`, `{}`}
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for w, id := range ids {
		wg.Add(1)
		go func(w int, id int64) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				body := fmt.Sprintf(`{"id":%d,"tools":%s}`, id, tools[(w+i)%len(tools)])
				if _, err := s.SaveAgent(ctx, admin, patch(t, body), db.SourceUpdate); err != nil {
					errs <- err
					return
				}
			}
		}(w, id)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var rows int
	if err := s.DB.NewRaw("SELECT count(*) FROM tool_usage WHERE org_id = ?", admin.OrgID).Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	// 200 saves wrote several rows each; folding keeps the organisation near one row a
	// tool (the threshold, 256, plus what one save adds).
	if rows > 300 {
		t.Fatalf("%d usage rows after concurrent saves: the writers did not fold them", rows)
	}
}
