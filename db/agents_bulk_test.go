package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/db/dbtest"
)

// bulkFixture makes three development agents and answers their ids.
func bulkFixture(t *testing.T, s *db.Store, actor *db.Actor, names ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, n := range names {
		a, err := s.SaveAgent(context.Background(), actor, patch(t, `{"name":"`+n+`","model":"openai:gpt-4o"}`), db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}

func countRows(t *testing.T, s *db.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBulkPublishVersionsEachAgentWithOneAuditEntry(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	ids := bulkFixture(t, s, admin, "One", "Two", "Three")
	// One is released already: publishing it again changes nothing, as the single action.
	if _, err := s.SaveAgent(ctx, admin, &db.AgentPatch{ID: db.Some(ids[0]), Stage: db.Some(agentspec.StageReleased)}, db.SourcePublish); err != nil {
		t.Fatal(err)
	}
	res, err := s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkPublish, AgentIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Changed) != 2 || res.Selected != 3 {
		t.Fatalf("result: %+v", res)
	}
	for _, id := range ids {
		if n := countRows(t, s, "SELECT count(*) FROM agent_versions WHERE agent_id = ? AND source = 'publish'", id); n != 1 {
			t.Errorf("agent %d: %d publish versions, want 1", id, n)
		}
		a, err := s.Agent(ctx, admin.OrgID, id)
		if err != nil || a.Stage != agentspec.StageReleased {
			t.Errorf("agent %d: %v %v", id, a, err)
		}
	}
	if n := countRows(t, s, "SELECT count(*) FROM audit_log WHERE action = 'agent.bulk_published' AND org_id = ?", admin.OrgID); n != 1 {
		t.Errorf("%d bulk audit entries, want 1", n)
	}
	// The single publish before wrote its own entry; the bulk one wrote no per-agent entries.
	if n := countRows(t, s, "SELECT count(*) FROM audit_log WHERE action = 'agent.published' AND org_id = ?", admin.OrgID); n != 1 {
		t.Errorf("%d agent.published entries, want 1 (the single publish)", n)
	}
}

func TestBulkIsAllOrNothingAndNamesTheAgent(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	ids := bulkFixture(t, s, admin, "Good", "Broken", "Fine")
	// An agent stored before a rule existed: its next save fails validation.
	if _, err := s.DB.ExecContext(ctx, "UPDATE agents SET agent_type = 'external', external_config = NULL WHERE id = ?", ids[1]); err != nil {
		t.Fatal(err)
	}
	before := countRows(t, s, "SELECT count(*) FROM agent_versions WHERE org_id = ?", admin.OrgID)
	_, err := s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkChangeModel, AgentIDs: ids, Model: "anthropic:claude-sonnet-4-20250514"})
	var ve *db.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	if d := ve.Details[0]; !strings.Contains(d.Message, "“Broken”") || !strings.Contains(d.Message, "externalConfig") || d.Path[0] != "agentIds" || d.Path[1] != 1 {
		t.Fatalf("detail: %+v", d)
	}
	if after := countRows(t, s, "SELECT count(*) FROM agent_versions WHERE org_id = ?", admin.OrgID); after != before {
		t.Errorf("versions %d → %d: a refused bulk action changed something", before, after)
	}
	if n := countRows(t, s, "SELECT count(*) FROM agents WHERE id = ANY(?) AND model = 'openai:gpt-4o'", pgIDs(ids)); n != 3 {
		t.Errorf("%d agents kept their model, want 3", n)
	}
	// Another organisation's agent or a deleted one refuses the whole request too.
	if err := s.DeleteAgent(ctx, admin, ids[2]); err != nil {
		t.Fatal(err)
	}
	_, err = s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkDelete, AgentIDs: []int64{ids[0], ids[2], 999999}})
	if !errors.As(err, &ve) || len(ve.Details) != 2 || !strings.Contains(ve.Details[0].Message, "“Fine”") || !strings.Contains(ve.Details[1].Message, "999999") {
		t.Fatalf("delete: %v %+v", err, ve)
	}
	if a, _ := s.Agent(ctx, admin.OrgID, ids[0]); a.DeletedAt != nil {
		t.Fatal("a refused bulk delete deleted an agent")
	}
}

func TestBulkDeleteRecordsWhoAndRestoreClears(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	ids := bulkFixture(t, s, admin, "A", "B")
	if _, err := s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkDelete, AgentIDs: ids}); err != nil {
		t.Fatal(err)
	}
	page, err := s.Agents(ctx, admin.OrgID, db.AgentFilter{Deleted: true, Summary: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Agents) != 2 || page.Agents[0].DeletedBy == nil || *page.Agents[0].DeletedBy != admin.Label() || page.Agents[0].DeletedAt == nil {
		t.Fatalf("deleted view: %+v", page.Agents)
	}
	if _, err := s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkRestore, AgentIDs: ids}); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "SELECT count(*) FROM agents WHERE id = ANY(?) AND deleted_at IS NULL AND deleted_by IS NULL", pgIDs(ids)); n != 2 {
		t.Fatalf("%d restored, want 2", n)
	}
	if n := countRows(t, s, "SELECT count(*) FROM audit_log WHERE action IN ('agent.bulk_deleted', 'agent.bulk_restored') AND org_id = ?", admin.OrgID); n != 2 {
		t.Fatalf("%d audit entries, want 2", n)
	}
}

// Every sort, either way, reads the page in index order: with sorting made
// prohibitively expensive the plan still has no Sort step.
func TestEveryListSortReadsAnIndexInOrder(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	for _, sort := range agentspec.Sorts {
		for _, dir := range agentspec.SortDirs {
			q, args := db.AgentFilter{Sort: sort, Dir: dir, Summary: true, PerPage: 50}.PageSQL(admin.OrgID)
			tx, err := s.DB.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			_, err = tx.ExecContext(ctx, "SET LOCAL enable_sort = off; SET LOCAL enable_seqscan = off")
			if err == nil {
				err = tx.NewRaw("EXPLAIN "+q, args...).Scan(ctx, &plan)
			}
			tx.Rollback()
			if err != nil {
				t.Fatalf("%s %s: %v", sort, dir, err)
			}
			joined := strings.Join(plan, "\n")
			if strings.Contains(joined, "Sort") || !strings.Contains(joined, "Index") {
				t.Errorf("sort %s %s sorts instead of reading an index:\n%s", sort, dir, joined)
			}
		}
	}
}

func pgIDs(ids []int64) any { return pgdialect.Array(ids) }

// A bulk model change says so in each agent's history ("bulk model change: from → to"),
// not a plain edit of the Model field; an agent already on the model gets no version.
func TestBulkModelChangeSaysWhatHappenedInHistory(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	ids := bulkFixture(t, s, admin, "One", "Two")
	to := "anthropic:claude-sonnet-4-20250514"
	if _, err := s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkChangeModel, AgentIDs: ids[:1], Model: to}); err != nil {
		t.Fatal(err)
	}
	res, err := s.BulkAgents(ctx, admin, db.BulkRequest{Action: agentspec.BulkChangeModel, AgentIDs: ids, Model: to})
	if err != nil || len(res.Changed) != 1 || res.Changed[0] != ids[1] {
		t.Fatalf("second bulk change: %+v %v", res, err)
	}
	for i, id := range ids {
		var summaries []string
		if err := s.DB.NewRaw("SELECT summary FROM agent_versions WHERE agent_id = ? AND source = 'update' ORDER BY number", id).Scan(ctx, &summaries); err != nil {
			t.Fatal(err)
		}
		want := []string{"bulk model change: openai:gpt-4o → " + to}
		if strings.Join(summaries, "|") != strings.Join(want, "|") {
			t.Errorf("agent %d: update versions %q, want %q", i, summaries, want)
		}
	}
}
