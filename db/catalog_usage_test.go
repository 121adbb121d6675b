package db_test

import (
	"context"
	"fmt"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// perEntryUsage is the catalog page's usage as it was computed before catalogSQL: each
// agent tool joined to its catalog row and tested with outdatedPredicate. The oracle.
const perEntryUsage = `SELECT t.key AS name, count(*) AS agents, count(*) FILTER (WHERE c.kind = 'native' AND c.removed_at IS NULL AND
		CASE WHEN jsonb_exists(t.value, '$def') THEN t.value ->> '$def' <> encode(c.definition_ref, 'hex') ELSE (t.value - 'config') <> c.definition END) AS outdated
	FROM agents a CROSS JOIN LATERAL jsonb_each(a.tools) t JOIN catalog_tools c ON c.name = t.key
	WHERE a.org_id = ? AND a.deleted_at IS NULL GROUP BY t.key`

// TestCatalogUsageMatchesPerEntryCounts checks the usage counts (entryOutdated, no
// join) against the joined ones, and the outdated-agents figure against OutdatedAgents
// (outdatedPredicate), so the sync, its preview and the counts agree, with
// references, configs, an inline old copy, a deleted agent and a catalog change.
func TestCatalogUsageMatchesPerEntryCounts(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	var ids []int64
	for i := 0; i < 6; i++ {
		body := fmt.Sprintf(`{"name":"u%d","tools":{"web_search":{"config":{"region":"r%d"}},"scrape_url":{},"google:code_execution":{"isProviderTool":true}}}`, i, i%2)
		if i%2 == 1 {
			body = fmt.Sprintf(`{"name":"u%d","tools":{"scrape_url":{}}}`, i)
		}
		a, err := s.SaveAgent(ctx, admin, patch(t, body), db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	if err := s.DeleteAgent(ctx, admin, ids[0]); err != nil {
		t.Fatal(err)
	}
	check := func(stage string, wantOutdatedAgents int) {
		t.Helper()
		tools, outdated, err := s.CatalogUsage(ctx, admin.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		var want []struct {
			Name             string `bun:"name"`
			Agents, Outdated int
		}
		if err := s.DB.NewRaw(perEntryUsage, admin.OrgID).Scan(ctx, &want); err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int{}
		for _, tool := range tools {
			if tool.Agents > 0 || tool.Outdated > 0 {
				got[tool.Name] = [2]int{tool.Agents, tool.Outdated}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%s: usage %v, per entry %+v", stage, got, want)
		}
		for _, w := range want {
			if got[w.Name] != [2]int{w.Agents, w.Outdated} {
				t.Fatalf("%s: %s counted %v, per entry %d/%d", stage, w.Name, got[w.Name], w.Agents, w.Outdated)
			}
		}
		if n, _ := s.OutdatedAgents(ctx, admin.OrgID); outdated != n || n != wantOutdatedAgents {
			t.Fatalf("%s: outdated agents %d, OutdatedAgents %d, want %d", stage, outdated, n, wantOutdatedAgents)
		}
	}
	check("current catalog", 0)
	// An old inline copy on one agent: outdated by content, not by reference.
	s.DB.NewRaw(`UPDATE agents SET tools = jsonb_set(tools, '{scrape_url}', '{"description": "old copy", "parameters": {"type": "object"}}') WHERE id = ?`, ids[1]).Exec(ctx)
	check("inline copy", 1)
	bump(t, s, "2031.1", "web_search") // the two live agents holding it (one was deleted)
	check("catalog change", 3)
}
