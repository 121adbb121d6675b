package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

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

// The console's summary page (scanned by pgx, tags named from the organisation's list)
// shows each row as the API's page does: the same tags in the same order (by name, not
// by id) with their colours, and the open change requests of the "in review" badge.
func TestAgentsSummaryPageAgreesWithTheFullPage(t *testing.T) {
	t.Parallel()
	s, admin, builder, _, _, a, prodTag := reviewFixture(t)
	ctx := context.Background()
	var tagIDs []int64
	for _, name := range []string{"Beta", "alpha"} { // created after "production", named before it
		tag, err := s.SaveTag(ctx, admin, 0, db.TagInput{Name: db.Some(name), Color: db.Some("green")})
		if err != nil {
			t.Fatal(err)
		}
		tagIDs = append(tagIDs, tag.ID)
	}
	if _, err := s.DB.ExecContext(ctx, "INSERT INTO agent_tags (agent_id, tag_id) SELECT ?, unnest(?::bigint[])", a.ID, pgIDs(tagIDs)); err != nil {
		t.Fatal(err)
	}
	_, err := s.SaveAgent(ctx, builder, patch(t, `{"id":`+itoa(a.ID)+`,"description":"proposed"}`), db.SourceUpdate)
	proposed(t, err)
	bulkFixture(t, s, admin, "Another", "Zed") // rows without tags or requests

	full, err := s.Agents(ctx, admin.OrgID, db.AgentFilter{Sort: "name", PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := s.Agents(ctx, admin.OrgID, db.AgentFilter{Sort: "name", PerPage: 100, Summary: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Agents) != len(full.Agents) || sum.Total != full.Total || len(sum.Agents) < 3 {
		t.Fatalf("summary %d of %d, full %d of %d", len(sum.Agents), sum.Total, len(full.Agents), full.Total)
	}
	for i, f := range full.Agents {
		g := sum.Agents[i]
		if fmt.Sprint(g.ID, g.Name, g.TagIDs, g.Tags, g.LiveVersion, *g.PublishedVersionID) != fmt.Sprint(f.ID, f.Name, f.TagIDs, f.Tags, f.LiveVersion, *f.PublishedVersionID) {
			t.Errorf("row %d: summary %+v, full %+v", i, g, f)
		}
		want := 0
		if g.ID == a.ID {
			want = 1
		}
		if g.OpenRequests != want {
			t.Errorf("agent %q: %d open requests, want %d", g.Name, g.OpenRequests, want)
		}
		if g.ID == a.ID && fmt.Sprint(g.TagIDs) != fmt.Sprint([]int64{tagIDs[1], tagIDs[0], prodTag}) {
			t.Errorf("tags of %q: %v, want alpha, Beta, production", g.Name, g.Tags)
		}
	}
	tags, _ := s.Tags(ctx, admin.OrgID)
	models, _ := s.Models(ctx)
	if fmt.Sprint(sum.Tags) != fmt.Sprint(tags) || fmt.Sprint(sum.Models) != fmt.Sprint(models) || len(sum.Models) == 0 {
		t.Errorf("lookups: %v %v, want %v %v", sum.Tags, sum.Models, tags, models)
	}
}

// The API's page holds every field as the single-agent read does, NULLs and JSON
// columns included, and the same tags (read as JSON with the row there, by loadTags here).
func TestAgentsFullPageAgreesWithTheAgentRead(t *testing.T) {
	t.Parallel()
	s, admin, _, _, _, a, _ := reviewFixture(t)
	ctx := context.Background()
	ids := bulkFixture(t, s, admin, "Plain", "External")
	if _, err := s.DB.ExecContext(ctx, `UPDATE agents SET conversation_starters = '["hi", "there"]', integrations = '["slack"]',
		mcp_servers = '{7,8}', context_docs = '[{"provider":"gdrive","id":"d1","name":"Doc"}]', inputs = '[{"type":"string","name":"q","description":"","required":true}]',
		email_slug = 'rich-one', planning_mode = 'auto', max_tool_roundtrips = 3, tines_story_import_id = gen_random_uuid(), logo_url = 'https://x/l.png'
		WHERE id = ?`, a.ID); err != nil {
		t.Fatal(err)
	}
	// Empty and JSON-null values decode as Bun decodes them (the API answers [] for both).
	if _, err := s.DB.ExecContext(ctx, `UPDATE agents SET mcp_servers = '{}', conversation_starters = '[]', integrations = 'null', inputs = '[]', context_docs = '[]'
		WHERE id = ?`, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.ExecContext(ctx, `UPDATE agents SET agent_type = 'external', external_config = '{"agentCardUrl":"https://x/card","refreshIntervalMinutes":5}' WHERE id = ?`, ids[1]); err != nil {
		t.Fatal(err)
	}
	page, err := s.Agents(ctx, admin.OrgID, db.AgentFilter{Sort: "name", PerPage: 100})
	if err != nil || len(page.Agents) != 3 {
		t.Fatalf("page: %v %v", page, err)
	}
	for _, g := range page.Agents {
		w, err := s.Agent(ctx, admin.OrgID, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(w)
		got := fmt.Sprint(string(gj), g.UUID, g.OrgID, g.CardHealth, g.LiveVersion, g.Tags, g.CreatedAt.Equal(w.CreatedAt))
		want := fmt.Sprint(string(wj), w.UUID, w.OrgID, w.CardHealth, w.LiveVersion, w.Tags, true)
		if got != want {
			t.Errorf("agent %q:\n page %s\n read %s", g.Name, got, want)
		}
		// Field for field, nil and empty apart (the page is read by pgx, the agent by Bun).
		row := *g
		row.ListTotal = 0
		if !reflect.DeepEqual(&row, w) {
			t.Errorf("agent %q:\n page %#v\n read %#v", g.Name, row, *w)
		}
	}
}

// TestAgentsPageKeepsAGenericPlan: prepared, the list's page statement settles on
// PostgreSQL's generic plan after its trial executions, for the filters the list
// serves most (a tag, several tags, a stage, the next page), instead of being planned
// on every view (~1 ms of PostgreSQL's CPU per page against ~3 running it: make bench's
// CPU budget). With its values visible, a custom plan estimated one tag's agents and
// the generic plan "= ANY(unknown array)" ten tags' worth, so it was never chosen. One
// connection, so pg_prepared_statements is the statements' own session's.
func TestAgentsPageKeepsAGenericPlan(t *testing.T) {
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
	a, err := seeder.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	// An organisation of realistic size (make bench's: 10,000 agents, 50 tags, a few
	// each): on a few rows every plan looks cheap and any plan is kept.
	owner := dbtest.Owner(t, seeder)
	for _, q := range []string{
		"INSERT INTO tags (org_id, name) SELECT ?, 'bulk-tag-' || g FROM generate_series(1, 50) g",
		"INSERT INTO agents (org_id, name, stage) SELECT ?, 'Bulk ' || g, (ARRAY['development', 'released'])[1 + g % 2] FROM generate_series(1, 10000) g",
		"INSERT INTO agent_tags (agent_id, tag_id) SELECT a.id, t.id FROM agents a JOIN tags t ON t.org_id = a.org_id AND (a.id + t.id) % 17 = 0 WHERE a.org_id = ?",
	} {
		if _, err := owner.DB.ExecContext(ctx, q, a.OrgID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := owner.DB.ExecContext(ctx, "ANALYZE agents; ANALYZE agent_tags; ANALYZE tags"); err != nil {
		t.Fatal(err)
	}
	var tags []int64
	if err := seeder.DB.NewRaw("SELECT id FROM tags WHERE org_id = ? AND name LIKE 'bulk-tag-%' ORDER BY id", a.OrgID).Scan(ctx, &tags); err != nil {
		t.Fatal(err)
	}
	s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 1, Statements: db.StatementsPrepared})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	filters := map[string]func(i int) db.AgentFilter{
		"one tag":    func(i int) db.AgentFilter { return db.AgentFilter{TagIDs: tags[i : i+1]} },
		"tags":       func(i int) db.AgentFilter { return db.AgentFilter{TagIDs: tags[i : i+3]} },
		"stage":      func(i int) db.AgentFilter { return db.AgentFilter{Stage: "released"} },
		"later page": func(i int) db.AgentFilter { return db.AgentFilter{Page: 2 + i} },
	}
	for name, filter := range filters {
		var query string
		for i := range 12 { // different values, as different views send
			f := filter(i)
			f.Summary, f.PerPage = true, 50
			page, err := s.Agents(ctx, a.OrgID, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Agents) == 0 {
				t.Fatalf("%s: an empty page proves nothing", name)
			}
			query, _ = f.PageSQL(a.OrgID)
		}
		var generic, custom int64
		// The statement's text as prepared: Bun's placeholders numbered.
		parts := strings.Split(query, "?")
		for i := 1; i < len(parts); i++ {
			parts[i] = "$" + strconv.Itoa(i) + parts[i]
		}
		if err := s.DB.NewRaw("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = ?", strings.Join(parts, "")).Scan(ctx, &generic, &custom); err != nil {
			t.Fatalf("%s: the page statement among the session's prepared statements: %v", name, err)
		}
		if generic == 0 || custom > 5 {
			t.Errorf("%s, 12 pages: %d generic plans, %d custom: planned on every view", name, generic, custom)
		}
	}
}

// TestAgentsSeenAgreesWithAgents: the console's list page, its tags and models from the
// caches, is the page Agents reads with its lookup statement, and once the caches hold
// them it costs the page statement alone.
func TestAgentsSeenAgreesWithAgents(t *testing.T) {
	t.Parallel()
	s, admin, _, _, _, _, _ := reviewFixture(t)
	ctx := context.Background()
	sid, err := s.CreateSession(ctx, admin, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.ActorBySession(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	f := db.AgentFilter{Sort: "name", PerPage: 100, Summary: true}
	want, err := s.Agents(ctx, admin.OrgID, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AgentsSeen(ctx, a, f); err != nil { // fills the caches
		t.Fatal(err)
	}
	counter := &dbtest.QueryCounter{}
	s.AddQueryHook(counter)
	got, err := s.AgentsSeen(ctx, a, f)
	if err != nil {
		t.Fatal(err)
	}
	if n := counter.Count(); n != 1 {
		t.Errorf("a list page with its lookups cached ran %d statements, want 1", n)
	}
	if len(want.Agents) == 0 || len(want.Tags) == 0 || len(want.Models) == 0 {
		t.Fatalf("the fixture has no rows, tags or models: the test proves nothing")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AgentsSeen:\n%+v\nAgents:\n%+v", got, want)
	}
}

// TestEveryListFilterReadsTheSameInEachStatementMode: each filter, sort and page the
// list offers (its values as InitPlans, literals or parameters) answers the same rows
// and total prepared, described and simple (values written in by pgx).
func TestEveryListFilterReadsTheSameInEachStatementMode(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t)
	ctx := context.Background()
	seeder, err := db.Open(ctx, dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer seeder.Close()
	if _, err := seeder.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := seeder.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	var tags []int64
	for _, name := range []string{"modes-a", "modes-b"} {
		tag, err := seeder.SaveTag(ctx, a, 0, db.TagInput{Name: db.Some(name)})
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, tag.ID)
	}
	var ids []int64
	for i := range 7 {
		ag, err := seeder.SaveAgent(ctx, a, &db.AgentPatch{Name: db.Some(fmt.Sprintf("Mode %d 50%s", i, []string{"%_x", " xx"}[i%2]))}, db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ag.ID)
	}
	for i, tag := range tags {
		if _, err := seeder.BulkTag(ctx, a, tag, ids[i*3:i*3+4], false); err != nil {
			t.Fatal(err)
		}
	}
	filters := []db.AgentFilter{
		{}, {TagIDs: tags[:1]}, {TagIDs: tags}, {TagIDs: tags, AllTags: true}, {Query: "50%_"}, {Query: "mode"}, {Stage: "released"},
		{Type: "native"}, {Type: "external"}, {CardStatus: db.CardOverdue}, {CardStatus: db.CardFailed}, {Outdated: true}, {ChangedSinceRelease: true},
		{Deleted: true}, {Page: 2, PerPage: 3}, {Page: 3, PerPage: 3, Sort: "name", Dir: "desc"}, {TagIDs: tags[1:], Stage: "development", Sort: "created"},
	}
	var want []string
	for _, m := range db.StatementModes {
		s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 2, Statements: m})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		for i, f := range filters {
			var got string
			for _, summary := range []bool{true, false} {
				f.Summary = summary
				page, err := s.Agents(ctx, a.OrgID, f)
				if err != nil {
					t.Fatalf("%s: %+v: %v", m, f, err)
				}
				got += fmt.Sprint(page.Total, ":")
				for _, ag := range page.Agents {
					got += fmt.Sprint(ag.ID, ag.TagIDs, " ")
				}
			}
			if m == db.StatementModes[0] {
				want = append(want, got)
			} else if got != want[i] {
				t.Errorf("%s: %+v reads %s, %s reads %s", m, f, got, db.StatementModes[0], want[i])
			}
		}
	}
	if want[1] == want[0] || want[2] == want[1] || want[3] == want[1] || want[4] == want[0] || want[4] == "0:0:" {
		t.Fatalf("the filters do not narrow: %v", want)
	}
}
