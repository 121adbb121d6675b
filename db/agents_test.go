package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

func demoAdmin(t *testing.T, s *db.Store) *db.Actor {
	t.Helper()
	a, err := s.ActorByEmail(context.Background(), "admin@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func patch(t *testing.T, body string) *db.AgentPatch {
	t.Helper()
	p := new(db.AgentPatch)
	if err := json.Unmarshal([]byte(body), p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSaveAgentValidationAndVersions(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	a, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"Support","model":"openai:gpt-4o","emailSlug":"support-bot"}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	if a.Stage != "development" || !a.ShowInChat || a.PublishedVersionID == nil {
		t.Fatalf("defaults: %+v", a)
	}
	v1 := *a.PublishedVersionID
	// No-op save: no new version.
	same, err := s.SaveAgent(ctx, admin, patch(t, `{"id":`+itoa(a.ID)+`,"name":"Support"}`), db.SourceUpdate)
	if err != nil || *same.PublishedVersionID != v1 {
		t.Fatalf("no-op save appended a version: %v", err)
	}
	cases := map[string]string{
		`{"name":"x","emailSlug":"admin"}`:        `Email slug "admin" is reserved and cannot be used`,
		`{"name":"x","emailSlug":"support-bot"}`:  `Email slug "support-bot" is already in use by another agent`,
		`{"name":"x","emailSlug":"-bad"}`:         "Email slug must be lowercase alphanumeric with hyphens and cannot start or end with a hyphen",
		`{"name":"x","emailSlug":"agent-12"}`:     `Email slug "agent-12" matches a reserved system pattern and cannot be used`,
		`{"description":"no name"}`:               "Validation Error",
		`{"name":"x","maxToolRoundtrips":0}`:      "Validation Error",
		`{"name":"x","model":"acme:unknown"}`:     "Validation Error",
		`{"name":"x","tagIds":[424242]}`:          "Validation Error",
		`{"name":"x","stage":"live"}`:             "Validation Error",
		`{"name":"x","logoUrl":"javascript:x()"}`: "Validation Error",
	}
	for body, want := range cases {
		_, err := s.SaveAgent(ctx, admin, patch(t, body), db.SourceCreate)
		var ve *db.ValidationError
		if !errors.As(err, &ve) || ve.Message != want {
			t.Errorf("%s: got %v, want %q", body, err, want)
		}
	}
	var n int
	s.DB.NewRaw("SELECT count(*) FROM agents").Scan(ctx, &n)
	if n != 1 {
		t.Fatalf("refused saves left %d agents", n)
	}
}

func TestStaleSaveConflictsAndSlugRaceHasOneWinner(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	a, _ := s.SaveAgent(ctx, admin, patch(t, `{"name":"Racer"}`), db.SourceCreate)
	base := itoa(*a.PublishedVersionID)
	var wg sync.WaitGroup
	results := make(chan error, 2)
	for _, name := range []string{"First", "Second"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SaveAgent(ctx, admin, patch(t, `{"id":`+itoa(a.ID)+`,"publishedVersionId":`+base+`,"name":"`+name+`"}`), db.SourceUpdate)
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	var ok, conflicts int
	for err := range results {
		var ce *db.ConflictError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &ce):
			conflicts++
		default:
			t.Fatal(err)
		}
	}
	if ok != 1 || conflicts != 1 {
		t.Fatalf("ok=%d conflicts=%d", ok, conflicts)
	}
	// Ten racers for one slug: exactly one gets it.
	results = make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"slugger","emailSlug":"race-slug"}`), db.SourceCreate)
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	ok = 0
	for err := range results {
		var ve *db.ValidationError
		if err == nil {
			ok++
		} else if !errors.As(err, &ve) || ve.Message != `Email slug "race-slug" is already in use by another agent` {
			t.Fatalf("loser got %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d winners", ok)
	}
}

func TestCloneDeleteRestore(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	tag, err := s.SaveTag(ctx, admin, 0, db.TagInput{Name: db.Some("Production")})
	if err != nil {
		t.Fatal(err)
	}
	helper, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"Helper"}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"Bad","tools":{"call_agent":{"config":{"callableAgentIds":[999]}}}}`), db.SourceCreate); err == nil {
		t.Fatal("callableAgentIds outside the organisation accepted")
	}
	src, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"Orig","stage":"released","emailSlug":"orig","tagIds":[`+itoa(tag.ID)+`],
		"tools":{"call_agent":{"description":"d","parameters":{},"config":{"callableAgentIds":[`+itoa(helper.ID)+`]}}}}`), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	clone, err := s.CloneAgent(ctx, admin, src.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if clone.Name != "Copy of Orig" || clone.EmailSlug != nil || clone.Stage != "development" ||
		len(clone.TagIDs) != 1 || !jsonEqual(clone.Tools["call_agent"], src.Tools["call_agent"]) {
		t.Fatalf("clone: %+v", clone)
	}
	if err := s.DeleteAgent(ctx, admin, clone.ID); err != nil {
		t.Fatal(err)
	}
	page, _ := s.Agents(ctx, admin.OrgID, db.AgentFilter{})
	if page.Total != 2 {
		t.Fatalf("deleted agent still listed: %d", page.Total)
	}
	if _, err := s.RestoreAgent(ctx, admin, clone.ID); err != nil {
		t.Fatal(err)
	}
	page, _ = s.Agents(ctx, admin.OrgID, db.AgentFilter{TagIDs: []int64{tag.ID}})
	if page.Total != 2 {
		t.Fatalf("after restore, tag filter finds %d", page.Total)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func jsonEqual(a, b []byte) bool {
	var x, y any
	json.Unmarshal(a, &x)
	json.Unmarshal(b, &y)
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}
