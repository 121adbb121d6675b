package db_test

import (
	"context"
	"fmt"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// TestOutdatedAgentsAgreeAcrossPredicates checks that the agents the sync and its
// preview take as outdated (agentOutdated: entryOutdated, tools looked up in the
// catalog by name) are those the counts take (OutdatedAgents: outdatedPredicate, a
// join per tool), with references, configs, an inline old copy, a deleted agent and a
// catalog change; and that the sync then changes exactly those.
func TestOutdatedAgentsAgreeAcrossPredicates(t *testing.T) {
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
	check := func(stage string, want int) {
		t.Helper()
		p, err := s.PreviewSync(ctx, admin.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := s.OutdatedAgents(ctx, admin.OrgID); len(p.Agents) != n || n != want {
			t.Fatalf("%s: preview lists %d agents, OutdatedAgents counts %d, want %d", stage, len(p.Agents), n, want)
		}
		// The catalog page's figures, from its two concurrent queries.
		tools, n, err := s.CatalogUsage(ctx, admin.OrgID)
		if err != nil || n != want {
			t.Fatalf("%s: catalog page says %d outdated agents (want %d): %v", stage, n, want, err)
		}
		for _, tool := range tools {
			if tool.Name == "scrape_url" && tool.Agents != 5 {
				t.Fatalf("%s: scrape_url used by %d agents, want the 5 live ones", stage, tool.Agents)
			}
		}
	}
	check("current catalog", 0)
	// An old inline copy on one agent: outdated by content, not by reference.
	s.DB.NewRaw(`UPDATE agents SET tools = jsonb_set(tools, '{scrape_url}', '{"description": "old copy", "parameters": {"type": "object"}}') WHERE id = ?`, ids[1]).Exec(ctx)
	check("inline copy", 1)
	bump(t, s, "2031.1", "web_search") // the two live agents holding it (one was deleted)
	check("catalog change", 3)
	if res, err := s.SyncTools(ctx, admin); err != nil || res.Updated != 3 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	check("after the sync", 0)
	usageAgrees(t, s, admin.OrgID, "after the sync")
}
