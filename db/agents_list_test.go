package db_test

import (
	"context"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

func TestAgentsListQueryCountIsBoundedAt10000Agents(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	// 10,000 agents and 50 tags, each agent with 0–4 tags, in three statements.
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO tags (org_id, name) SELECT ?, 'tag-' || g FROM generate_series(1, 50) g`, admin.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO agents (org_id, name, system_prompt, tools)
		SELECT ?, 'agent ' || g, repeat('prompt ', 200), '{"web_search":{"description":"d","parameters":{}}}' FROM generate_series(1, 10000) g`, admin.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO agent_tags (agent_id, tag_id)
		SELECT a.id, t.id FROM agents a JOIN tags t ON (a.id + t.id) % 17 = 0`); err != nil {
		t.Fatal(err)
	}
	counter := &dbtest.QueryCounter{}
	s.AddQueryHook(counter)
	var counts []int64
	for _, perPage := range []int{10, 50, 100} {
		before := counter.Count()
		page, err := s.Agents(ctx, admin.OrgID, db.AgentFilter{PerPage: perPage, Page: 3})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 10000 || len(page.Agents) != perPage {
			t.Fatalf("page: total %d, %d rows", page.Total, len(page.Agents))
		}
		counts = append(counts, counter.Count()-before)
	}
	if counts[0] != counts[1] || counts[1] != counts[2] || counts[0] > 3 {
		t.Fatalf("queries per page size 10/50/100: %v (want the same, ≤ 3)", counts)
	}
}
