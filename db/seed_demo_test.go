package db_test

import (
	"context"
	"encoding/json"
	"testing"

	"agentconsole/db"
	"agentconsole/db/catalog"
	"agentconsole/db/dbtest"
)

// On a database that already has content — an agent with a demo agent's name, a demo
// slug taken, a newer catalog without web_search and get_weather — the seed adds what
// is missing around it, leaves the existing agent alone, and still leaves the catalog's
// current tools as they were.
func TestSeedDemoContentAddsOnlyWhatIsMissing(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	mine, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"Support Triage","emailSlug":"refunds"}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	json.Unmarshal(catalog.Bundled, &f)
	f["catalogVersion"] = "newer"
	delete(f["native"].(map[string]any), "get_weather")
	delete(f["native"].(map[string]any), "web_search")
	raw, _ := json.Marshal(f)
	c, err := catalog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCatalog(ctx, nil, c, raw, "cli"); err != nil {
		t.Fatal(err)
	}

	added, err := s.SeedDemoContent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if added.Agents < 30 {
		t.Fatalf("added %+v", added)
	}
	versions, _ := s.Versions(ctx, admin.OrgID, mine.ID, db.VersionFilter{})
	if len(versions) != 1 {
		t.Fatalf("the existing Support Triage got %d versions", len(versions))
	}
	var refunds struct {
		Slug  *string `bun:"email_slug"`
		Tools int     `bun:"tools"`
	}
	if err := s.DB.NewRaw(`SELECT email_slug, (SELECT count(*) FROM agents b WHERE b.org_id = a.org_id AND jsonb_exists(b.tools, 'get_weather')) AS tools
		FROM agents a WHERE org_id = ? AND name = 'Refund Specialist'`, admin.OrgID).Scan(ctx, &refunds); err != nil {
		t.Fatal(err)
	}
	if refunds.Slug != nil || refunds.Tools != 0 {
		t.Fatalf("Refund Specialist's slug %v (taken), agents with get_weather %d (not in the catalog)", refunds.Slug, refunds.Tools)
	}
	if n, err := s.OutdatedAgents(ctx, admin.OrgID); err != nil || n != 0 {
		t.Fatalf("outdated agents without web_search in the catalog: %d %v", n, err)
	}
	if again, err := s.SeedDemoContent(ctx); err != nil || *again != (db.DemoContent{}) {
		t.Fatalf("second run added %+v (%v)", again, err)
	}
	usageAgrees(t, s, admin.OrgID, "demo seeded")
}
