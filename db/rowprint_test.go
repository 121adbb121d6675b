package db_test

import (
	"context"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// TestEditorReadsTellAnUnchangedRow: in every statement mode, the editor's two reads
// given the print of the row they answered last answer nothing to decode while the
// row is the same, and the new row (decoded, with a new print) once anything in it
// changed: a save, a tag, a clone's name taken, a new caller.
func TestEditorReadsTellAnUnchangedRow(t *testing.T) {
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
	a, err := seeder.ActorByEmail(ctx, "admin@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range db.StatementModes {
		s, err := db.OpenWith(ctx, dsn, db.Options{MaxConns: 2, Statements: mode})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ag, err := s.SaveAgent(ctx, a, patch(t, `{"name":"Printed `+string(mode)+`","description":"one"}`), db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		// agentChanged reads the agent given the last print: whether it was decoded.
		var agentPrint db.RowPrint
		agentChanged := func(step string) bool {
			t.Helper()
			got, p, err := s.AgentForEditorUnless(ctx, a.OrgID, ag.ID, agentPrint)
			if err != nil {
				t.Fatalf("%s, %s: %v", mode, step, err)
			}
			if got != nil && (got.ID != ag.ID || len(p) == 0) {
				t.Fatalf("%s, %s: agent %d with a print of %d bytes", mode, step, got.ID, len(p))
			}
			agentPrint = p
			return got != nil
		}
		q := db.EditorSideQuery{AgentID: ag.ID, CopyBase: "Copy of " + ag.Name}
		var sidePrint db.RowPrint
		var copyName string
		sideChanged := func(step string) bool {
			t.Helper()
			side, err := s.EditorSideUnless(ctx, a.OrgID, q, sidePrint)
			if err != nil {
				t.Fatalf("%s, %s: %v", mode, step, err)
			}
			if side != nil {
				sidePrint, copyName = side.Print, side.CopyName
			}
			return side != nil
		}
		for _, c := range []struct {
			step         string
			change       func()
			agent, side  bool
			wantCopyName string
		}{
			{"first read", func() {}, true, true, "Copy of " + ag.Name},
			{"read again", func() {}, false, false, "Copy of " + ag.Name},
			{"saved", func() {
				if _, err := s.SaveAgent(ctx, a, patch(t, `{"id":`+itoa(ag.ID)+`,"description":"two"}`), db.SourceUpdate); err != nil {
					t.Fatal(err)
				}
			}, true, false, "Copy of " + ag.Name},
			{"its clone's name taken", func() {
				if _, err := s.SaveAgent(ctx, a, patch(t, `{"name":"Copy of `+ag.Name+`"}`), db.SourceCreate); err != nil {
					t.Fatal(err)
				}
			}, false, true, "Copy of " + ag.Name + " (2)"},
			{"a caller", func() {
				if _, err := s.SaveAgent(ctx, a, patch(t, `{"name":"Caller `+string(mode)+`","tools":{"call_agent":{"config":{"callableAgentIds":[`+itoa(ag.ID)+`]}}}}`), db.SourceCreate); err != nil {
					t.Fatal(err)
				}
			}, false, true, "Copy of " + ag.Name + " (2)"},
			{"read again", func() {}, false, false, "Copy of " + ag.Name + " (2)"},
		} {
			c.change()
			if got := agentChanged(c.step); got != c.agent {
				t.Errorf("%s, %s: agent decoded %v, want %v", mode, c.step, got, c.agent)
			}
			if got := sideChanged(c.step); got != c.side {
				t.Errorf("%s, %s: side decoded %v, want %v", mode, c.step, got, c.side)
			}
			if copyName != c.wantCopyName {
				t.Errorf("%s, %s: clone name %q, want %q", mode, c.step, copyName, c.wantCopyName)
			}
		}
	}
}
