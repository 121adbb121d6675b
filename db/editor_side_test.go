package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/db/dbtest"
)

// TestEditorSideAgreesWithTheSeparateReads: for every demo agent (callers, a protected
// one with an open request, pickers with ids) the editor's one-statement side read
// answers what the separate store reads answer; the clone name is made unique with
// LIKE's wildcards taken literally.
func TestEditorSideAgreesWithTheSeparateReads(t *testing.T) {
	t.Parallel()
	s, _, builder, _, _, guarded, _ := reviewFixture(t)
	ctx := context.Background()
	_, err := s.SaveAgent(ctx, builder, patch(t, `{"id":`+itoa(guarded.ID)+`,"description":"proposed"}`), db.SourceUpdate)
	proposed(t, err) // an open request on the protected agent
	if _, err := s.SaveAgent(ctx, builder, patch(t, `{"name":"Caller","tools":{"call_agent":{"config":{"callableAgentIds":[`+itoa(guarded.ID)+`]}}}}`), db.SourceCreate); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := s.DB.NewRaw("SELECT id FROM agents WHERE org_id = ? ORDER BY id", builder.OrgID).Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	policy, err := s.ReviewPolicy(ctx, builder.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	var sawCallers, sawOpen, sawNames bool
	for _, id := range ids {
		ag, err := s.Agent(ctx, builder.OrgID, id)
		if err != nil {
			t.Fatal(err)
		}
		q := db.EditorSideQuery{AgentID: id, Chosen: map[string][]int64{db.MCPServerRef.Table: ag.MCPServers}}
		for _, r := range agentspec.ConfigRefs {
			q.Chosen[r.Table] = db.ConfigRefIDs(ag.Tools[r.Tool], r.IDKey)
		}
		side, err := s.EditorSide(ctx, builder.OrgID, q)
		if err != nil {
			t.Fatal(err)
		}
		callers, err := s.UsedBy(ctx, builder.OrgID, db.RefAgent, id)
		if err != nil {
			t.Fatal(err)
		}
		if side.CalledBy != len(callers) {
			t.Errorf("agent %d: side says %d callers, UsedBy %d", id, side.CalledBy, len(callers))
		}
		open, err := s.ChangeRequests(ctx, builder.OrgID, db.ChangeRequestFilter{AgentID: id, Statuses: db.OpenStatuses, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		var want []db.OpenRequestRef
		for _, cr := range open {
			want = append(want, db.OpenRequestRef{ID: cr.ID, Title: cr.Title})
		}
		if !slices.Equal(side.Open, want) {
			t.Errorf("agent %d: open requests %v, want %v", id, side.Open, want)
		}
		if side.Policy.Protects(ag.Stage, ag.TagIDs) != policy.Protects(ag.Stage, ag.TagIDs) || side.Policy.Enabled != policy.Enabled {
			t.Errorf("agent %d: the side's policy %+v differs from %+v", id, side.Policy, policy)
		}
		for table, chosen := range q.Chosen {
			for _, c := range chosen {
				var name string
				if err := s.DB.NewRaw("SELECT name FROM "+table+" WHERE org_id = ? AND id = ?", builder.OrgID, c).Scan(ctx, &name); err != nil {
					t.Fatal(err)
				}
				if side.Names[table][c] != name {
					t.Errorf("agent %d: %s %d named %q, want %q", id, table, c, side.Names[table][c], name)
				}
				sawNames = true
			}
		}
		sawCallers = sawCallers || len(callers) > 0
		sawOpen = sawOpen || len(want) > 0
	}
	if !sawCallers || !sawOpen || !sawNames || !policy.Enabled {
		t.Fatalf("the demo no longer has callers (%v), open requests (%v), chosen ids (%v) and a policy (%v): the test proves nothing",
			sawCallers, sawOpen, sawNames, policy.Enabled)
	}

	// The clone name: taken names and their numbered copies, % and _ meaning themselves.
	for _, name := range []string{"Copy of 50%_off", "Copy of 50%_off (2)", "Copy of 50xyoff (3)", "Copy of 50xyoff"} {
		if _, err := s.SaveAgent(ctx, builder, &db.AgentPatch{Name: db.Some(name)}, db.SourceCreate); err != nil {
			t.Fatal(err)
		}
	}
	side, err := s.EditorSide(ctx, builder.OrgID, db.EditorSideQuery{AgentID: ids[0], CopyBase: "Copy of 50%_off"})
	if err != nil {
		t.Fatal(err)
	}
	if side.CopyName != "Copy of 50%_off (3)" {
		t.Errorf("clone name %q, want %q", side.CopyName, "Copy of 50%_off (3)")
	}
	if side, err = s.EditorSide(ctx, builder.OrgID, db.EditorSideQuery{AgentID: ids[0], CopyBase: "Copy of nothing like it"}); err != nil || side.CopyName != "Copy of nothing like it" {
		t.Errorf("a free clone name: %q %v", side.CopyName, err)
	}
}

// TestAgentForEditorKeepsNamesAndConfigs: the editor's read leaves tools unexpanded but
// has every field of Agent, the same tool names and the same configs.
func TestAgentForEditorKeepsNamesAndConfigs(t *testing.T) {
	t.Parallel()
	s, _, builder, _, _, guarded, tagID := reviewFixture(t)
	ctx := context.Background()
	caller, err := s.SaveAgent(ctx, builder, patch(t, `{"name":"Caller","tools":{"web_search":{},"call_agent":{"config":{"callableAgentIds":[`+itoa(guarded.ID)+`]}}}}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	// Every field set (the editor's read scans each column itself), and an external
	// agent and a bare one (NULLs and empty lists).
	mcp, err := s.CreateMCPServer(ctx, builder, "Docs", "https://mcp.example.com")
	if err != nil {
		t.Fatal(err)
	}
	rich, err := s.SaveAgent(ctx, builder, patch(t, `{"name":"Rich","description":"d","logoUrl":"https://x.example/l.png","conversationStarters":["a","b"],
		"model":"openai:gpt-4o","maxToolRoundtrips":4,"systemPrompt":"p","integrations":["slack"],"mcpServers":[`+itoa(mcp.ID)+`],
		"emailSlug":"rich-one","planningMode":"auto","showInChat":false,"contextDocs":[{"provider":"gdrive","id":"1","name":"n","mimeType":"text/plain"}],
		"inputs":[{"type":"text","name":"who","description":"d","required":true}],"tinesStoryImportId":"3c90c3cc-0d44-4b50-8888-8dd25736052a",
		"tagIds":[`+itoa(tagID)+`],"tools":{"web_search":{}}}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	external, err := s.SaveAgent(ctx, builder, patch(t, `{"name":"Far","agentType":"external","externalConfig":{"endpointUrl":"https://agent.example.com","refreshIntervalMinutes":60}}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	bare, err := s.SaveAgent(ctx, builder, patch(t, `{"name":"Bare"}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAgent(ctx, builder, bare.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{guarded.ID, caller.ID, rich.ID, external.ID, bare.ID} {
		full, err := s.Agent(ctx, builder.OrgID, id)
		if err != nil {
			t.Fatal(err)
		}
		ed, err := s.AgentForEditor(ctx, builder.OrgID, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(ed.Tools) != len(full.Tools) {
			t.Fatalf("agent %d: %d tools for the editor, %d in full", id, len(ed.Tools), len(full.Tools))
		}
		for name, def := range full.Tools {
			var a, b struct {
				Config json.RawMessage `json:"config"`
			}
			json.Unmarshal(def, &a)
			json.Unmarshal(ed.Tools[name], &b)
			if string(a.Config) != string(b.Config) {
				t.Errorf("agent %d tool %s: config %s for the editor, %s in full", id, name, b.Config, a.Config)
			}
		}
		full.Tools, ed.Tools = nil, nil
		if !reflect.DeepEqual(full, ed) {
			t.Errorf("agent %d: the editor's read differs beyond tools:\n%+v\n%+v", id, ed, full)
		}
	}
	if _, err := s.AgentForEditor(ctx, builder.OrgID+1000, guarded.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("another organisation's agent: %v", err)
	}
}

// TestEditorSideKeepsAGenericPlan: prepared, the editor's side statement settles on
// PostgreSQL's generic plan after its trial executions instead of being planned on every
// view (planning it cost ~0.8 ms of PostgreSQL's CPU per view, over five times running
// it). One connection, so pg_prepared_statements is the statement's own session's.
func TestEditorSideKeepsAGenericPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := dbtest.NewDatabase(t)
	seeder, err := db.Open(ctx, dsn, 4) // seeding needs more than one connection
	if err != nil {
		t.Fatal(err)
	}
	defer seeder.Close()
	if _, err := seeder.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 1, Statements: db.StatementsPrepared})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := seeder.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, name := range []string{"one", "two", "three"} {
		ag, err := seeder.SaveAgent(ctx, a, &db.AgentPatch{Name: db.Some(name)}, db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ag.ID)
	}
	// An organisation of realistic size: on a few rows every estimate is small and any
	// plan looks cheap; on 10,000 the generic plan's callers estimate (jsonb @> of an
	// unknown id) is 100 rows against a custom plan's 1.
	owner := dbtest.Owner(t, seeder)
	if _, err := owner.DB.ExecContext(ctx, "INSERT INTO agents (org_id, name) SELECT ?, 'Bulk ' || g FROM generate_series(1, 10000) g", a.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.DB.ExecContext(ctx, "ANALYZE agents"); err != nil {
		t.Fatal(err)
	}
	// Different agents, names and chosen ids, as views of different agents send.
	for i := range 12 {
		id := ids[i%len(ids)]
		q := db.EditorSideQuery{AgentID: id, CopyBase: fmt.Sprintf("Copy of agent %d", i), Chosen: map[string][]int64{"agents": ids[:i%3]}}
		if _, err := s.EditorSide(ctx, a.OrgID, q); err != nil {
			t.Fatal(err)
		}
	}
	var generic, custom int64
	if err := s.DB.NewRaw("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%) callers%'").Scan(ctx, &generic, &custom); err != nil {
		t.Fatalf("the side statement among the session's prepared statements: %v", err)
	}
	if generic == 0 || custom > 5 {
		t.Errorf("12 executions: %d generic plans, %d custom: planned on every view", generic, custom)
	}
}

// TestEditorReadsKeepAGenericPlan: the other two statements every editor view runs,
// the session's actor (every console request runs it) and the agent with its tags,
// settle on PostgreSQL's generic plan after its five trial executions, on 10,000
// sessions and 10,000 agents, as the side read does (checked on make bench's data too:
// 7 generic plans of 12, planning 0.005–0.013 ms). Their arguments are index keys whose
// estimates do not depend on the value, so they need no InitPlans; this keeps it so.
func TestEditorReadsKeepAGenericPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := dbtest.NewDatabase(t)
	seeder, err := db.Open(ctx, dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer seeder.Close()
	if _, err := seeder.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 1, Statements: db.StatementsPrepared})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := seeder.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var sessions []string
	for _, name := range []string{"one", "two", "three"} {
		ag, err := seeder.SaveAgent(ctx, a, &db.AgentPatch{Name: db.Some(name)}, db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ag.ID)
		sid, err := seeder.CreateSession(ctx, a, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, sid)
	}
	owner := dbtest.Owner(t, seeder)
	for _, q := range []string{
		"INSERT INTO agents (org_id, name) SELECT ?, 'Bulk ' || g FROM generate_series(1, 10000) g",
		"INSERT INTO sessions (id_hash, user_id, org_id, expires_at) SELECT sha256(g::text::bytea), " + itoa(a.UserID) + ", ?, now() + interval '1 hour' FROM generate_series(1, 10000) g",
		"ANALYZE agents, sessions",
	} {
		if _, err := owner.DB.ExecContext(ctx, strings.Replace(q, "?", itoa(a.OrgID), 1)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 12 {
		if _, err := s.AgentForEditor(ctx, a.OrgID, ids[i%len(ids)]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ActorBySession(ctx, sessions[i%len(sessions)]); err != nil {
			t.Fatal(err)
		}
	}
	for name, like := range map[string]string{"actor": "%CROSS JOIN platform_changes pc%", "agent": "%one_tag_colors%a.id = $1 AND a.org_id = $2%"} {
		var generic, custom int64
		if err := s.DB.NewRaw("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE ?", like).Scan(ctx, &generic, &custom); err != nil {
			t.Fatalf("the %s statement among the session's prepared statements: %v", name, err)
		}
		if generic == 0 || custom > 5 {
			t.Errorf("%s, 12 executions: %d generic plans, %d custom: planned on every view", name, generic, custom)
		}
	}
}
