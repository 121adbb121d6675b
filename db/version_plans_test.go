package db_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
	"agentconsole/db/versiondiff"
)

// TestHistoryAndDiffKeepGenericPlans: prepared, every statement the history and diff
// pages run settles on PostgreSQL's generic plan after its trial executions, for each
// filter and pair they are asked, instead of being planned on every view. The diff's
// names statement was not (planning it was ~0.2 ms of PostgreSQL's CPU per diff, six
// times running it). One connection, so pg_prepared_statements is the statements' own
// session's.
func TestHistoryAndDiffKeepGenericPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, a, ag := historyFixture(t)
	s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 1, Statements: db.StatementsPrepared})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var ids []int64
	if err := s.DB.NewRaw("SELECT id FROM agent_versions WHERE agent_id = ? ORDER BY number", ag.ID).Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	named := 0
	for i := range 12 {
		if _, err := s.AgentHead(ctx, a.OrgID, ag.ID); err != nil {
			t.Fatal(err)
		}
		for _, f := range []db.VersionFilter{{}, {Author: a.Email, Limit: 5}, {Source: db.SourceUpdate, BeforeNumber: 20 - i, Limit: 5}} {
			if _, _, err := s.AgentHistory(ctx, a.OrgID, ag.ID, f); err != nil {
				t.Fatal(err)
			}
		}
		// Far pairs and near ones (from 0: the version before), as the diff page asks.
		// The page reads the head with the pair (AgentVersionPair), or, without ?to=, the
		// head first and then the pair alone (VersionPairAndChoices).
		for j, pair := range [][2]int64{{ids[i%3], ids[len(ids)-1-i]}, {0, ids[i+5]}} {
			var from, to *db.Version
			if (i+j)%2 == 0 {
				_, from, to, _, err = s.AgentVersionPair(ctx, a.OrgID, ag.ID, pair[0], pair[1], 200)
			} else {
				from, to, _, err = s.VersionPairAndChoices(ctx, a.OrgID, ag.ID, pair[0], pair[1], 200)
			}
			if err != nil {
				t.Fatal(err)
			}
			p, err := versiondiff.NewPair(from.Snapshot, to.Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.PairNames(ctx, a.OrgID, p)
			if err != nil {
				t.Fatal(err)
			}
			named += len(n.Tags) + len(n.Config["callableAgentIds"])
		}
	}
	if named < 24*2 {
		t.Fatalf("%d names in 24 diffs: the diffs do not name tags and callees, the test proves nothing", named)
	}
	rows, err := s.DB.QueryContext(ctx, "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement ~ 'agent_versions|knowledge_bases|FROM agents'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var statement string
		var generic, custom int64
		if err := rows.Scan(&statement, &generic, &custom); err != nil {
			t.Fatal(err)
		}
		seen++
		if generic == 0 || custom > 5 {
			t.Errorf("%d generic plans, %d custom: planned on every execution:\n%s", generic, custom, strings.Join(strings.Fields(statement), " "))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// The agent head, three history statements (one per filter shape, each with the
	// head), the pair with the head and without, and the names.
	if seen != 7 {
		t.Errorf("%d of the pages' statements prepared, want 7", seen)
	}
}

// historyFixture is the demo organisation with 10,000 more agents (on a few rows
// every plan looks cheap) and agent ag of 24 versions, each with other tags and callees
// than the last: every diff of two of them names ids of two kinds.
func historyFixture(t *testing.T) (dsn string, a *db.Actor, ag *db.Agent) {
	t.Helper()
	ctx := context.Background()
	dsn = dbtest.NewDatabase(t)
	seeder, err := db.Open(ctx, dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer seeder.Close()
	if _, err := seeder.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	a = demoAdmin(t, seeder)
	var tags []int64
	for i := range 4 {
		tag, err := seeder.SaveTag(ctx, a, 0, db.TagInput{Name: db.Some(fmt.Sprintf("plan %d", i))})
		if err != nil {
			t.Fatal(err)
		}
		tags = append(tags, tag.ID)
	}
	var callees []int64
	for _, name := range []string{"Callee", "Other callee"} {
		callee, err := seeder.SaveAgent(ctx, a, &db.AgentPatch{Name: db.Some(name)}, db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		callees = append(callees, callee.ID)
	}
	ag, err = seeder.SaveAgent(ctx, a, &db.AgentPatch{Name: db.Some("Planned")}, db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 23 {
		body := fmt.Sprintf(`{"id":%d,"systemPrompt":"prompt %d","tagIds":[%d],"tools":{"call_agent":{"config":{"callableAgentIds":[%d]}}}}`,
			ag.ID, i, tags[i%len(tags)], callees[i%2])
		if i%3 == 0 { // some versions say why
			body = strings.Replace(body, `{`, fmt.Sprintf(`{"message":"why <%d> & é",`, i), 1)
		}
		if _, err := seeder.SaveAgent(ctx, a, patch(t, body), db.SourceUpdate); err != nil {
			t.Fatal(err)
		}
	}
	owner := dbtest.Owner(t, seeder)
	if _, err := owner.DB.ExecContext(ctx, "INSERT INTO agents (org_id, name) SELECT ?, 'Bulk ' || g FROM generate_series(1, 10000) g", a.OrgID); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.DB.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	return dsn, a, ag
}

// TestHistoryAndDiffReadTheSameInEveryStatementMode: the history and diff reads (pgx
// with InitPlans and array arguments) answer the same in each statement mode.
func TestHistoryAndDiffReadTheSameInEveryStatementMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, a, ag := historyFixture(t)
	want := ""
	for _, m := range db.StatementModes {
		s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 2, Statements: m})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got := ""
		for range 2 { // a prepared statement's first use and its reuse
			head, h, err := s.AgentHistory(ctx, a.OrgID, ag.ID, db.VersionFilter{Source: db.SourceUpdate, BeforeNumber: 20, Limit: 5})
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			// The head as AgentHead reads it.
			alone, err := s.AgentHead(ctx, a.OrgID, ag.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(head, alone) || head.PublishedVersionID == nil {
				t.Errorf("%s: history's head %+v, AgentHead says %+v", m, head, alone)
			}
			got += fmt.Sprint(len(h.Versions), h.Authors, h.HasOlder, h.NewerBefore)
			// Every version as Versions (Bun) reads it.
			listed, err := s.Versions(ctx, a.OrgID, ag.ID, db.VersionFilter{Source: db.SourceUpdate, BeforeNumber: 20, Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(listed) != len(h.Versions) {
				t.Fatalf("%s: %d versions, Versions lists %d", m, len(h.Versions), len(listed))
			}
			for i, v := range h.Versions {
				w := listed[i]
				if !v.CreatedAt.Equal(w.CreatedAt) || v.CreatedAt.Location() != w.CreatedAt.Location() {
					t.Errorf("%s: version %d created %v, Versions says %v", m, v.Number, v.CreatedAt, w.CreatedAt)
				}
				if !reflect.DeepEqual(v, w) {
					t.Errorf("%s: version %+v, Versions says %+v", m, v, w)
				}
				got += fmt.Sprint(v.ID, v.Number, v.Source, v.Author, v.Summary, v.Message != nil && strings.Contains(*v.Message, "é"), v.CreatedAt.UnixMicro())
			}
			from, to, picks, err := s.VersionPairAndChoices(ctx, a.OrgID, ag.ID, 0, h.Versions[0].ID, 3)
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			// With the head: the same, and the head as AgentHead reads it.
			pairHead, hFrom, hTo, hPicks, err := s.AgentVersionPair(ctx, a.OrgID, ag.ID, 0, h.Versions[0].ID, 3)
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			if !reflect.DeepEqual(pairHead, alone) || !reflect.DeepEqual(hFrom, from) || !reflect.DeepEqual(hTo, to) || !reflect.DeepEqual(hPicks, picks) {
				t.Errorf("%s: with the head %+v: %+v %+v %+v, without: %+v %+v %+v", m, pairHead, hFrom, hTo, hPicks, from, to, picks)
			}
			p, err := versiondiff.NewPair(from.Snapshot, to.Snapshot)
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.PairNames(ctx, a.OrgID, p)
			if err != nil {
				t.Fatalf("%s: names: %v", m, err)
			}
			got += fmt.Sprint(from.Number, to.Number, n.Tags, n.Config["callableAgentIds"])
			// The pickers' choices: the newest versions as Versions (Bun) lists them.
			newest, err := s.Versions(ctx, a.OrgID, ag.ID, db.VersionFilter{Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(picks) != 3 {
				t.Fatalf("%s: %d choices, want 3", m, len(picks))
			}
			for i, p := range picks {
				w := newest[i]
				if p.ID != w.ID || p.AgentID != w.AgentID || p.Number != w.Number || p.Source != w.Source || p.Author != w.Author || p.Author == "" {
					t.Errorf("%s: choice %d is %+v, want %+v", m, i, p, w)
				}
			}
		}
		if want == "" {
			want = got
			if !strings.Contains(got, "plan ") || !strings.Contains(got, "callee") || !strings.Contains(got, "true") {
				t.Fatalf("%s: %q names no tags and callees, or no message: the test proves nothing", m, got)
			}
		}
		if got != want {
			t.Errorf("%s: %q, want %q", m, got, want)
		}
	}
}

// TestVersionHeadFoldedIntoHistoryAndPair: the history and diff statements read the
// agent's head as AgentHead does: none (ErrNotFound, no versions) for an agent of
// another organisation or no agent, and a deleted agent's head with its deletion.
func TestVersionHeadFoldedIntoHistoryAndPair(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := dbtest.Seeded(t)
	admin := demoAdmin(t, s)
	ag, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"Headed"}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAgent(ctx, admin, patch(t, fmt.Sprintf(`{"id":%d,"systemPrompt":"two"}`, ag.ID)), db.SourceUpdate); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Versions(ctx, admin.OrgID, ag.ID, db.VersionFilter{})
	if err != nil || len(vs) != 2 {
		t.Fatalf("%d versions, %v", len(vs), err)
	}
	for _, c := range []struct{ org, id int64 }{{admin.OrgID + 1000, ag.ID}, {admin.OrgID, ag.ID + 1000}} {
		head, h, err := s.AgentHistory(ctx, c.org, c.id, db.VersionFilter{})
		if !errors.Is(err, db.ErrNotFound) || head != nil || h != nil {
			t.Errorf("history of agent %d in org %d: %v, %v, %v", c.id, c.org, head, h, err)
		}
		head, from, to, picks, err := s.AgentVersionPair(ctx, c.org, c.id, vs[1].ID, vs[0].ID, 200)
		if !errors.Is(err, db.ErrNotFound) || head != nil || from != nil || to != nil || picks != nil {
			t.Errorf("pair of agent %d in org %d: %v, %v, %v, %v, %v", c.id, c.org, head, from, to, picks, err)
		}
	}
	// The agent there, a version not: the head, and the version Not Found.
	head, _, _, _, err := s.AgentVersionPair(ctx, admin.OrgID, ag.ID, 0, vs[0].ID+1000, 200)
	if !errors.Is(err, db.ErrNotFound) || head == nil || head.Name != "Headed" {
		t.Errorf("pair of a missing version: %+v, %v", head, err)
	}
	if err := s.DeleteAgent(ctx, admin, ag.ID); err != nil {
		t.Fatal(err)
	}
	alone, err := s.AgentHead(ctx, admin.OrgID, ag.ID)
	if err != nil || alone.DeletedAt == nil {
		t.Fatalf("deleted head: %+v, %v", alone, err)
	}
	head, h, err := s.AgentHistory(ctx, admin.OrgID, ag.ID, db.VersionFilter{})
	if err != nil || !reflect.DeepEqual(head, alone) || len(h.Versions) != 2 {
		t.Errorf("deleted agent's history: %+v (AgentHead %+v), %v", head, alone, err)
	}
	head, from, to, picks, err := s.AgentVersionPair(ctx, admin.OrgID, ag.ID, 0, vs[0].ID, 200)
	if err != nil || !reflect.DeepEqual(head, alone) || from.ID != vs[1].ID || to.ID != vs[0].ID || len(picks) != 2 {
		t.Errorf("deleted agent's pair: %+v (AgentHead %+v), %v", head, alone, err)
	}
}
