package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

func TestTenSavesTenVersionsRestoreAppends(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	builder, _ := s.ActorByEmail(ctx, "builder@demo.test")
	tok, _, _ := s.CreateToken(ctx, builder, builder.UserID, "ci")
	builderToken := *builder
	builderToken.TokenID = tok.ID
	tag, _ := s.SaveTag(ctx, admin, 0, db.TagInput{Name: db.Some("T")})

	a, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"V","systemPrompt":"p1"}`), db.SourceCreate) // 1
	if err != nil {
		t.Fatal(err)
	}
	id := itoa(a.ID)
	steps := []func() error{
		func() error {
			_, err := s.SaveAgent(ctx, &builderToken, patch(t, `{"id":`+id+`,"systemPrompt":"p2"}`), db.SourceUpdate)
			return err
		}, // 2
		func() error {
			_, err := s.SaveAgent(ctx, admin, patch(t, `{"id":`+id+`,"systemPrompt":"p3","stage":"released"}`), db.SourceUpdate)
			return err
		}, // 3
		func() error { _, err := s.BulkTag(ctx, admin, tag.ID, []int64{a.ID}, false); return err }, // 4
		func() error {
			_, err := s.SaveAgent(ctx, admin, &db.AgentPatch{ID: db.Some(a.ID), Stage: db.Some("development")}, db.SourceUpdate)
			return err
		}, // 5
		func() error {
			_, err := s.SaveAgent(ctx, admin, &db.AgentPatch{ID: db.Some(a.ID), Stage: db.Some("released")}, db.SourcePublish)
			return err
		}, // 6
		func() error {
			_, err := s.SaveAgent(ctx, &builderToken, patch(t, `{"id":`+id+`,"tools":{"web_search":{"description":"d","parameters":{}}}}`), db.SourceUpdate)
			return err
		}, // 7
		func() error {
			_, err := s.SaveAgent(ctx, admin, patch(t, `{"id":`+id+`,"maxToolRoundtrips":5}`), db.SourceUpdate)
			return err
		}, // 8
		func() error { _, err := s.BulkTag(ctx, admin, tag.ID, []int64{a.ID}, true); return err }, // 9
		func() error {
			_, err := s.SaveAgent(ctx, admin, patch(t, `{"id":`+id+`,"name":"V2"}`), db.SourceUpdate)
			return err
		}, // 10
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+2, err)
		}
	}
	// A no-op save and a refused save add nothing.
	if _, err := s.SaveAgent(ctx, admin, patch(t, `{"id":`+id+`,"name":"V2"}`), db.SourceUpdate); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAgent(ctx, admin, patch(t, `{"id":`+id+`,"maxToolRoundtrips":0}`), db.SourceUpdate); err == nil {
		t.Fatal("invalid save accepted")
	}
	vs, err := s.Versions(ctx, admin.OrgID, a.ID, db.VersionFilter{})
	if err != nil || len(vs) != 10 {
		t.Fatalf("versions: %d %v", len(vs), err)
	}
	wantSources := []string{"create", "update", "update", "tags", "update", "publish", "update", "update", "tags", "update"}
	for i, v := range vs {
		n := 10 - i
		if v.Number != n || v.Source != wantSources[n-1] {
			t.Errorf("version %d: number %d source %s, want %s", n, v.Number, v.Source, wantSources[n-1])
		}
	}
	if vs[8].Author != "builder@demo.test (token)" || vs[9].Author != "admin@demo.test" {
		t.Fatalf("authors: %q %q", vs[8].Author, vs[9].Author)
	}
	// Restore version 3: the agent equals version 3, as version 11.
	v3 := vs[7]
	restored, err := s.RestoreVersion(ctx, admin, a.ID, v3.ID)
	if err != nil {
		t.Fatal(err)
	}
	full3, _ := s.Version(ctx, admin.OrgID, v3.ID)
	full11, _ := s.Version(ctx, admin.OrgID, *restored.PublishedVersionID)
	if full11.Number != 11 || full11.Source != "restore" || !sameJSON(full3.Snapshot, full11.Snapshot) {
		t.Fatalf("restore: v%d %s\n%s\n%s", full11.Number, full11.Source, full3.Snapshot, full11.Snapshot)
	}
	if *restored.SystemPrompt != "p3" || restored.Name != "V" || restored.Stage != "released" || len(restored.Tools) != 0 {
		t.Fatalf("restored agent: %+v", restored)
	}
	// History is immutable.
	if _, err := s.DB.ExecContext(ctx, "UPDATE agent_versions SET summary = 'x'"); err == nil {
		t.Fatal("versions can be rewritten")
	}
}

func TestVersionStorageSharesUnchangedParts(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	prompt := fmt.Sprintf("%0*d", 6000, 7) // a 6 KB prompt
	a, _ := s.SaveAgent(ctx, admin, patch(t, `{"name":"Big","systemPrompt":"`+prompt+`","tools":{"web_search":{"description":"d","parameters":{"type":"object"}}}}`), db.SourceCreate)
	for i := 0; i < 20; i++ {
		if _, err := s.SaveAgent(ctx, admin, patch(t, fmt.Sprintf(`{"id":%d,"maxToolRoundtrips":%d}`, a.ID, i+1)), db.SourceUpdate); err != nil {
			t.Fatal(err)
		}
	}
	var promptBlobs, bytes int
	s.DB.NewRaw("SELECT count(*) FROM agent_blobs WHERE jsonb_typeof(body) = 'string' AND length(body #>> '{}') = 6000").Scan(ctx, &promptBlobs)
	s.DB.NewRaw("SELECT sum(pg_column_size(v.*)) FROM agent_versions v WHERE agent_id = ?", a.ID).Scan(ctx, &bytes)
	if promptBlobs != 1 {
		t.Fatalf("the prompt is stored %d times for 21 versions", promptBlobs)
	}
	if bytes/21 > 300 {
		t.Fatalf("a version row costs %d bytes", bytes/21)
	}
}

func sameJSON(a, b json.RawMessage) bool { return jsonEqual(a, b) }
