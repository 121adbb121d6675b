package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

func TestParseStatementMode(t *testing.T) {
	for in, want := range map[string]db.StatementMode{"": db.StatementsAuto, "auto": db.StatementsAuto, " Describe ": db.StatementsDescribe,
		"prepared": db.StatementsPrepared, "simple": db.StatementsSimple} {
		if got, err := db.ParseStatementMode(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := db.ParseStatementMode("exec"); err == nil {
		t.Error("an unknown mode is accepted")
	}
}

// On a direct connection auto picks prepared; every mode answers the hot reads the
// same, with slice arguments (the tag filter) and twice over (from each mode's cache).
func TestStatementModesReadTheSame(t *testing.T) {
	t.Parallel()
	dsn := dbtest.NewDatabase(t)
	ctx := context.Background()
	var want, editorWant, sid string
	for _, m := range append([]db.StatementMode{db.StatementsAuto}, db.StatementModes...) {
		s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 2, Statements: m})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if m == db.StatementsAuto {
			if s.Statements() != db.StatementsPrepared || s.Proxied() {
				t.Errorf("auto on a direct connection: %q, proxied %v", s.Statements(), s.Proxied())
			}
			if _, err := s.SeedDemo(ctx); err != nil {
				t.Fatal(err)
			}
			a, _ := s.ActorByEmail(ctx, "builder@demo.test")
			tag, err := s.SaveTag(ctx, a, 0, db.TagInput{Name: db.Some("modes")})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, name := range []string{"one", "two", "three"} {
				ag, err := s.SaveAgent(ctx, a, &db.AgentPatch{Name: db.Some(name)}, db.SourceCreate)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, ag.ID)
			}
			if _, err := s.BulkTag(ctx, a, tag.ID, ids[:2], false); err != nil {
				t.Fatal(err)
			}
			if sid, err = s.CreateSession(ctx, a, time.Hour); err != nil {
				t.Fatal(err)
			}
		}
		// Every console request's actor (pgx, in the store's mode).
		if sa, err := s.ActorBySession(ctx, sid); err != nil || sa.Email != "builder@demo.test" || sa.Role != db.RoleBuilder || sa.OrgUUID == "" {
			t.Fatalf("%s: session actor %+v %v", m, sa, err)
		}
		if _, err := s.ActorBySession(ctx, "no-such-session"); !errors.Is(err, db.ErrNotFound) {
			t.Fatalf("%s: unknown session: %v", m, err)
		}
		a, err := s.ActorByEmail(ctx, "builder@demo.test")
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		tags, err := s.TagsWithCounts(ctx, a.OrgID)
		if err != nil || len(tags) != 1 {
			t.Fatalf("%s: tags %v %v", m, tags, err)
		}
		for i := range 4 { // the API's page (Bun) and the console's summary page (pgx), twice each
			page, err := s.Agents(ctx, a.OrgID, db.AgentFilter{TagIDs: []int64{tags[0].ID}, Sort: "name", Summary: i%2 == 1})
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			got := fmt.Sprint(page.Total)
			for _, ag := range page.Agents {
				got += " " + ag.Name + fmt.Sprint(ag.TagIDs, ag.Tags, ag.OpenRequests, ag.CreatedAt.Unix())
			}
			if want == "" {
				want = got
			}
			if got != want || page.Total != 2 {
				t.Errorf("%s: %q, want %q (2 agents)", m, got, want)
			}
		}
		// The editor's two reads (pgx, slice arguments), twice each.
		for range 2 {
			page, err := s.Agents(ctx, a.OrgID, db.AgentFilter{TagIDs: []int64{tags[0].ID}, Sort: "name"})
			if err != nil || len(page.Agents) == 0 {
				t.Fatalf("%s: %v", m, err)
			}
			ag, err := s.AgentForEditor(ctx, a.OrgID, page.Agents[0].ID)
			if err != nil {
				t.Fatalf("%s: editor: %v", m, err)
			}
			side, err := s.EditorSide(ctx, a.OrgID, db.EditorSideQuery{AgentID: ag.ID, CopyBase: "Copy of " + ag.Name,
				Chosen: map[string][]int64{"agents": {ag.ID, page.Agents[1].ID}, "mcp_servers": {}}})
			if err != nil {
				t.Fatalf("%s: editor side: %v", m, err)
			}
			got := fmt.Sprint(ag.Name, ag.TagIDs, ag.Tags, ag.LiveVersion, side.CopyName, side.CalledBy, side.Names["agents"], side.Policy.Enabled)
			if editorWant == "" {
				editorWant = got
			}
			if got != editorWant {
				t.Errorf("%s: editor %q, want %q", m, got, editorWant)
			}
		}
	}
}
