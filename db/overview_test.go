package db_test

import (
	"context"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// TestOverviewIsSetBasedAndAgreesWithTheList: at 10,000 agents the overview costs the
// same two statements as at none, and each of its numbers is the total of the list
// filter it links to.
func TestOverviewIsSetBasedAndAgreesWithTheList(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	counter := &dbtest.QueryCounter{}
	s.AddQueryHook(counter)
	before := counter.Count()
	if _, err := s.Overview(ctx, admin.OrgID); err != nil {
		t.Fatal(err)
	}
	empty := counter.Count() - before
	// 10,000 agents: every third released, every fifth external (a card each, every
	// other one failed, the rest overdue), native ones holding a stale web_search.
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO agents (org_id, name, stage, agent_type, tools)
		SELECT ?, 'agent ' || g, CASE WHEN g % 3 = 0 THEN 'released' ELSE 'development' END,
			CASE WHEN g % 5 = 0 THEN 'external' ELSE 'native' END,
			CASE WHEN g % 5 = 0 THEN '{}' ELSE '{"web_search":{"description":"old","parameters":{}}}' END::jsonb
		FROM generate_series(1, 10000) g`, admin.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, `INSERT INTO agent_cards (agent_id, org_id, last_error, next_refresh_at)
		SELECT id, org_id, CASE WHEN id % 2 = 0 THEN 'could not fetch' ELSE '' END, now() - interval '1 hour'
		FROM agents WHERE org_id = ? AND agent_type = 'external'`, admin.OrgID); err != nil {
		t.Fatal(err)
	}
	before = counter.Count()
	start := time.Now()
	o, err := s.Overview(ctx, admin.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("overview of 10,000 agents: %v, %d statements", time.Since(start), counter.Count()-before)
	if n := counter.Count() - before; n != empty || n > 3 {
		t.Fatalf("%d statements at 10,000 agents, %d at none", n, empty)
	}
	if o.Total < 10000 || o.ByType["external"] != 2000 || o.CardFailed+o.CardOverdue != 2000 || o.Outdated < 8000 || len(o.Cards) != db.OverviewCardsShown {
		t.Fatalf("overview: %+v", o)
	}
	for _, c := range []struct {
		f    db.AgentFilter
		want int
	}{
		{db.AgentFilter{}, o.Total},
		{db.AgentFilter{Stage: "released"}, o.ByStage["released"]},
		{db.AgentFilter{Type: "external"}, o.ByType["external"]},
		{db.AgentFilter{Outdated: true}, o.Outdated},
		{db.AgentFilter{Type: "external", CardStatus: db.CardFailed}, o.CardFailed},
		{db.AgentFilter{Type: "external", CardStatus: db.CardOverdue}, o.CardOverdue},
		{db.AgentFilter{ChangedSinceRelease: true}, o.ChangedSinceRelease},
	} {
		page, err := s.Agents(ctx, admin.OrgID, c.f)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != c.want {
			t.Errorf("%+v: the list has %d, the overview says %d", c.f, page.Total, c.want)
		}
	}
}
