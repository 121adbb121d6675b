package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

func TestTagCRUDAndDeleteVersionsEveryCarrier(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	prod, err := s.SaveTag(ctx, admin, 0, db.TagInput{Name: db.Some("Production"), Color: db.Some("green")})
	if err != nil {
		t.Fatal(err)
	}
	var ve *db.ValidationError
	if _, err := s.SaveTag(ctx, admin, 0, db.TagInput{Name: db.Some("production")}); !errors.As(err, &ve) || ve.Message != `Tag "production" already exists` {
		t.Fatalf("case-insensitive duplicate: %v", err)
	}
	if _, err := s.SaveTag(ctx, admin, 0, db.TagInput{Name: db.Some("x"), Color: db.Some("neon")}); !errors.As(err, &ve) {
		t.Fatalf("colour outside the palette: %v", err)
	}
	renamed, err := s.SaveTag(ctx, admin, prod.ID, db.TagInput{Name: db.Some("Prod")})
	if err != nil || renamed.Name != "Prod" || renamed.Color != "green" {
		t.Fatalf("rename: %+v %v", renamed, err)
	}
	a1, _ := s.SaveAgent(ctx, admin, patch(t, `{"name":"one","tagIds":[`+itoa(prod.ID)+`]}`), db.SourceCreate)
	a2, _ := s.SaveAgent(ctx, admin, patch(t, `{"name":"two"}`), db.SourceCreate)
	changed, err := s.DeleteTag(ctx, admin, prod.ID)
	if err != nil || changed != 1 {
		t.Fatalf("delete: %d %v", changed, err)
	}
	got, _ := s.Agent(ctx, admin.OrgID, a1.ID)
	if len(got.TagIDs) != 0 || *got.PublishedVersionID == *a1.PublishedVersionID {
		t.Fatalf("tag not removed with a version: %+v", got)
	}
	var snap string
	s.DB.NewRaw("SELECT agent_snapshot(fields_ref, prompt_ref, tools_ref)::text FROM agent_versions WHERE id = ?", *got.PublishedVersionID).Scan(ctx, &snap)
	if !strings.Contains(snap, `"tagIds": []`) || !strings.Contains(snap, `"name": "one"`) {
		t.Fatalf("new snapshot: %s", snap)
	}
	untouched, _ := s.Agent(ctx, admin.OrgID, a2.ID)
	if *untouched.PublishedVersionID != *a2.PublishedVersionID {
		t.Fatal("an agent without the tag got a version")
	}
}

func TestBulkTagThousandAgentsSetBasedAllOrNothing(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	tag, _ := s.SaveTag(ctx, admin, 0, db.TagInput{Name: db.Some("Bulk")})
	// 1,000 agents, each with a first version, in three statements.
	for _, q := range []string{
		`INSERT INTO agents (org_id, name) SELECT ?, 'bulk ' || g FROM generate_series(1, 1000) g`,
		`INSERT INTO agent_versions (org_id, agent_id, number, source, fields_ref)
			SELECT org_id, id, 1, 'create', agent_blob_put(jsonb_build_object('name', name, 'tagIds', '[]'::jsonb)) FROM agents WHERE org_id = ?`,
		`UPDATE agents a SET published_version_id = v.id FROM agent_versions v WHERE v.agent_id = a.id AND a.org_id = ?`,
	} {
		if _, err := s.DB.NewRaw(q, admin.OrgID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	s.DB.NewRaw("SELECT id FROM agents WHERE org_id = ? ORDER BY id", admin.OrgID).Scan(ctx, &ids)
	// One foreign id makes the whole batch fail, and nothing changes.
	if _, err := s.BulkTag(ctx, admin, tag.ID, append(append([]int64{}, ids...), 987654321), false); err == nil {
		t.Fatal("foreign agent id accepted")
	}
	var n int
	s.DB.NewRaw("SELECT count(*) FROM agent_tags").Scan(ctx, &n)
	if n != 0 {
		t.Fatalf("partial bulk tag: %d rows", n)
	}
	counter := &dbtest.QueryCounter{}
	s.AddQueryHook(counter)
	changed, err := s.BulkTag(ctx, admin, tag.ID, ids, false)
	if err != nil || changed != 1000 {
		t.Fatalf("bulk: %d %v", changed, err)
	}
	if q := counter.Count(); q > 8 {
		t.Fatalf("bulk tag of 1,000 agents took %d statements", q)
	}
	var versions int
	s.DB.NewRaw("SELECT count(*) FROM agent_versions WHERE source = 'tags'").Scan(ctx, &versions)
	if versions != 1000 {
		t.Fatalf("versions: %d", versions)
	}
	// Again: nothing changes, no version, still one audit entry.
	if changed, _ := s.BulkTag(ctx, admin, tag.ID, ids, false); changed != 0 {
		t.Fatalf("second bulk changed %d", changed)
	}
	page, _ := s.Agents(ctx, admin.OrgID, db.AgentFilter{TagIDs: []int64{tag.ID}})
	if page.Total != 1000 {
		t.Fatalf("filter: %d", page.Total)
	}
}
