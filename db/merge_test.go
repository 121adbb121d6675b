package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

const mergePrompt = "You are a helper.\nBe brief.\nCite sources.\nNever guess.\nSay thanks.\n"

// mergeFixture creates an agent and answers it with its first version's id (the base
// both people open).
func mergeFixture(t *testing.T, s *db.Store, admin *db.Actor, name string) (*db.Agent, string) {
	t.Helper()
	a, err := s.SaveAgent(context.Background(), admin, patch(t, `{"name":"`+name+`","description":"d0","systemPrompt":`+jsonQuote(mergePrompt)+`,
		"tools":{"web_search":{},"send_email":{"config":{"allowedDomains":["a.test"]}},"run_sql":{"config":{"readOnly":true}}}}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	return a, itoa(*a.PublishedVersionID)
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func saveFrom(t *testing.T, s *db.Store, actor *db.Actor, id int64, base, fields string) (*db.SaveOutcome, error) {
	t.Helper()
	return s.SaveAgentOutcome(context.Background(), actor, patch(t, `{"id":`+itoa(id)+`,"publishedVersionId":`+base+`,`+fields+`}`), db.SourceUpdate)
}

func conflictPaths(err error) [][]any {
	var ce *db.ConflictError
	if !errors.As(err, &ce) {
		return nil
	}
	var out [][]any
	for _, c := range ce.Conflicts {
		out = append(out, c.Path)
	}
	return out
}

func TestStaleSaveMergesThreeWays(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	builder, err := s.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("different fields both land", func(t *testing.T) {
		a, base := mergeFixture(t, s, admin, "Disjoint")
		if _, err := saveFrom(t, s, admin, a.ID, base, `"description":"by admin"`); err != nil {
			t.Fatal(err)
		}
		o, err := saveFrom(t, s, builder, a.ID, base, `"name":"Disjoint renamed"`)
		if err != nil {
			t.Fatal(err)
		}
		if o.Agent.Name != "Disjoint renamed" || *o.Agent.Description != "by admin" {
			t.Fatalf("merged agent: name %q description %q", o.Agent.Name, *o.Agent.Description)
		}
		if !reflect.DeepEqual(o.Merged, []string{"description"}) || !reflect.DeepEqual(o.MergedFrom, []string{"admin@demo.test"}) || o.Unchanged {
			t.Fatalf("outcome: %+v", o)
		}
		vs, _ := s.Versions(ctx, admin.OrgID, a.ID, db.VersionFilter{})
		if len(vs) != 3 {
			t.Fatalf("%d versions, want 3 (create, admin, merged save)", len(vs))
		}
	})

	t.Run("same field same value is no conflict", func(t *testing.T) {
		a, base := mergeFixture(t, s, admin, "Same value")
		saveFrom(t, s, admin, a.ID, base, `"description":"agreed"`)
		o, err := saveFrom(t, s, builder, a.ID, base, `"description":"agreed","stage":"released"`)
		if err != nil {
			t.Fatal(err)
		}
		if *o.Agent.Description != "agreed" || o.Agent.Stage != "released" {
			t.Fatalf("agent %+v", o.Agent)
		}
	})

	t.Run("same field different values conflicts", func(t *testing.T) {
		a, base := mergeFixture(t, s, admin, "Clash")
		saveFrom(t, s, admin, a.ID, base, `"description":"theirs"`)
		_, err := saveFrom(t, s, builder, a.ID, base, `"description":"mine","name":"Clash 2"`)
		if got := conflictPaths(err); !reflect.DeepEqual(got, [][]any{{"description"}}) {
			t.Fatalf("conflicts %v (err %v)", got, err)
		}
		var ce *db.ConflictError
		errors.As(err, &ce)
		if string(ce.Conflicts[0].Theirs) != `"theirs"` || string(ce.Conflicts[0].Yours) != `"mine"` || string(ce.Conflicts[0].Base) != `"d0"` {
			t.Fatalf("conflict values %+v", ce.Conflicts[0])
		}
		// The proposal keeps the non-colliding change and the person's side of the conflict.
		if ce.Merged.Name != "Clash 2" || *ce.Merged.Description != "mine" || ce.By != "admin@demo.test" || ce.Current.Name != "Clash" {
			t.Fatalf("merged proposal %+v, by %q", ce.Merged, ce.By)
		}
		now, _ := s.Agent(ctx, admin.OrgID, a.ID)
		if now.Name != "Clash" || *now.Description != "theirs" {
			t.Fatalf("a refused save changed the agent: %+v", now)
		}
		// Choosing "keep theirs" for the description: saved from the live version,
		// the description stays theirs and the other change lands.
		p := patch(t, `{"id":`+itoa(a.ID)+`,"publishedVersionId":`+itoa(*ce.Current.PublishedVersionID)+`,"name":"Clash 2","description":"mine"}`)
		p.KeepStored = [][]string{{"description"}}
		o, err := s.SaveAgentOutcome(ctx, builder, p, db.SourceUpdate)
		if err != nil || o.Agent.Name != "Clash 2" || *o.Agent.Description != "theirs" {
			t.Fatalf("keep theirs: %v %+v", err, o)
		}
	})

	t.Run("tools merge tool by tool", func(t *testing.T) {
		a, base := mergeFixture(t, s, admin, "Tools")
		// Theirs: a new tool and send_email's config; yours: web_search removed.
		if _, err := saveFrom(t, s, admin, a.ID, base, `"tools":{"web_search":{},"send_email":{"config":{"allowedDomains":["b.test"]}},"run_sql":{"config":{"readOnly":true}},"read_file":{}}`); err != nil {
			t.Fatal(err)
		}
		o, err := saveFrom(t, s, builder, a.ID, base, `"toolNames":["send_email","run_sql"]`)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for name := range o.Agent.Tools {
			got[name] = true
		}
		if !reflect.DeepEqual(got, map[string]bool{"send_email": true, "run_sql": true, "read_file": true}) {
			t.Fatalf("tools %v", got)
		}
		var cfg struct {
			Config struct{ AllowedDomains []string } `json:"config"`
		}
		json.Unmarshal(o.Agent.Tools["send_email"], &cfg)
		if !reflect.DeepEqual(cfg.Config.AllowedDomains, []string{"b.test"}) {
			t.Fatalf("send_email config %s", o.Agent.Tools["send_email"])
		}
		// Both change send_email's config differently, and one drops run_sql while the
		// other changes it: two conflicts, one per tool.
		base2 := itoa(*o.Agent.PublishedVersionID)
		saveFrom(t, s, admin, a.ID, base2, `"tools":{"send_email":{"config":{"allowedDomains":["c.test"]}},"run_sql":{"config":{"readOnly":false}},"read_file":{}}`)
		_, err = saveFrom(t, s, builder, a.ID, base2, `"tools":{"send_email":{"config":{"allowedDomains":["d.test"]}},"read_file":{}}`)
		if got := conflictPaths(err); !reflect.DeepEqual(got, [][]any{{"tools", "run_sql"}, {"tools", "send_email"}}) {
			t.Fatalf("conflicts %v (err %v)", got, err)
		}
	})

	t.Run("prompt lines disjoint merge, overlapping conflict", func(t *testing.T) {
		a, base := mergeFixture(t, s, admin, "Prompt")
		saveFrom(t, s, admin, a.ID, base, `"systemPrompt":"You are a careful helper.\nBe brief.\nCite sources.\nNever guess.\nSay thanks.\n"`)
		o, err := saveFrom(t, s, builder, a.ID, base, `"systemPrompt":"You are a helper.\nBe brief.\nCite sources.\nNever guess.\nSay thank you.\n"`)
		if err != nil {
			t.Fatal(err)
		}
		if want := "You are a careful helper.\nBe brief.\nCite sources.\nNever guess.\nSay thank you.\n"; *o.Agent.SystemPrompt != want {
			t.Fatalf("merged prompt %q", *o.Agent.SystemPrompt)
		}
		if !reflect.DeepEqual(o.Merged, []string{"systemPrompt"}) {
			t.Fatalf("merged %v", o.Merged)
		}
		base2 := itoa(*o.Agent.PublishedVersionID)
		saveFrom(t, s, admin, a.ID, base2, `"systemPrompt":"You are a careful helper.\nBe very brief.\nCite sources.\nNever guess.\nSay thank you.\n"`)
		_, err = saveFrom(t, s, builder, a.ID, base2, `"systemPrompt":"You are a careful helper.\nBe short.\nCite sources.\nNever guess.\nSay thank you.\n"`)
		if got := conflictPaths(err); !reflect.DeepEqual(got, [][]any{{"systemPrompt"}}) {
			t.Fatalf("conflicts %v (err %v)", got, err)
		}
	})

	t.Run("base of another agent is refused", func(t *testing.T) {
		a, _ := mergeFixture(t, s, admin, "One")
		_, otherBase := mergeFixture(t, s, admin, "Other")
		saveFrom(t, s, admin, a.ID, itoa(*a.PublishedVersionID), `"description":"moved on"`)
		_, err := saveFrom(t, s, admin, a.ID, otherBase, `"name":"One bis"`)
		var ve *db.ValidationError
		if !errors.As(err, &ve) || len(ve.Details) != 1 || ve.Details[0].Path[0] != "publishedVersionId" {
			t.Fatalf("got %v", err)
		}
		_, err = saveFrom(t, s, admin, a.ID, "987654321", `"name":"One bis"`)
		if !errors.As(err, &ve) || ve.Details[0].Path[0] != "publishedVersionId" {
			t.Fatalf("unknown base: got %v", err)
		}
	})

	t.Run("nothing to save", func(t *testing.T) {
		a, base := mergeFixture(t, s, admin, "Idle")
		saveFrom(t, s, admin, a.ID, base, `"description":"someone else"`)
		o, err := saveFrom(t, s, builder, a.ID, base, `"description":"d0"`)
		if err != nil || !o.Unchanged || *o.Agent.Description != "someone else" {
			t.Fatalf("stale save without changes: %v %+v", err, o)
		}
	})
}
