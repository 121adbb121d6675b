package db_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// reviewFixture turns the policy on for agents tagged "production" and creates one
// such agent (with the policy still off, so it is created directly).
func reviewFixture(t *testing.T) (s *db.Store, admin, builder, reviewer, operator *db.Actor, a *db.Agent, tagID int64) {
	t.Helper()
	s = dbtest.Seeded(t)
	ctx := context.Background()
	actors := map[string]*db.Actor{}
	for _, e := range []string{"admin", "builder", "reviewer", "operator"} {
		act, err := s.ActorByEmail(ctx, e+"@demo.test")
		if err != nil {
			t.Fatal(err)
		}
		actors[e] = act
	}
	admin, builder, reviewer, operator = actors["admin"], actors["builder"], actors["reviewer"], actors["operator"]
	tag, _, err := s.FindOrCreateTag(ctx, admin, "production")
	if err != nil {
		t.Fatal(err)
	}
	a, _ = mergeFixture(t, s, admin, "Guarded")
	if a, err = s.SaveAgent(ctx, admin, patch(t, `{"id":`+itoa(a.ID)+`,"tagIds":[`+itoa(tag.ID)+`]}`), db.SourceUpdate); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetReviewPolicy(ctx, admin, db.ReviewPolicy{Enabled: true, TagIDs: []int64{tag.ID}, ApprovalsRequired: 1}); err != nil {
		t.Fatal(err)
	}
	return s, admin, builder, reviewer, operator, a, tag.ID
}

// proposed answers the change request a refused change opened.
func proposed(t *testing.T, err error) *db.ChangeRequest {
	t.Helper()
	var rr *db.ReviewRequired
	if !errors.As(err, &rr) || rr.Request == nil {
		t.Fatalf("want a change request, got %v", err)
	}
	return rr.Request
}

func versionCount(t *testing.T, s *db.Store, orgID, agentID int64) int {
	t.Helper()
	vs, err := s.Versions(context.Background(), orgID, agentID, db.VersionFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return len(vs)
}

// Must-show 5 (store side): with the policy on, removing the protecting tag,
// publishing and deleting each open a change request and change nothing.
func TestChangeRequestsGateEveryChange(t *testing.T) {
	t.Parallel()
	s, admin, builder, _, _, a, _ := reviewFixture(t)
	ctx := context.Background()
	before := versionCount(t, s, admin.OrgID, a.ID)

	_, err := s.SaveAgent(ctx, builder, patch(t, `{"id":`+itoa(a.ID)+`,"tagIds":[]}`), db.SourceUpdate)
	if cr := proposed(t, err); cr.Kind != db.ChangeEdit || cr.Status != db.StatusOpen || cr.Author != "builder@demo.test" {
		t.Fatalf("untag: %+v", cr)
	}
	_, err = s.SaveAgent(ctx, admin, patch(t, `{"id":`+itoa(a.ID)+`,"stage":"released"}`), db.SourcePublish)
	proposed(t, err) // admins' changes are reviewed too
	if cr := proposed(t, s.DeleteAgent(ctx, builder, a.ID)); cr.Kind != db.ChangeDelete {
		t.Fatalf("delete: %+v", cr)
	}
	_, err = s.AddCapability(ctx, builder, a.ID, "get_weather", nil)
	proposed(t, err)

	live, err := s.Agent(ctx, admin.OrgID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if live.DeletedAt != nil || live.Stage != "development" || len(live.TagIDs) != 1 || versionCount(t, s, admin.OrgID, a.ID) != before {
		t.Fatalf("a gated change changed the agent: %+v", live)
	}
	open, err := s.ChangeRequests(ctx, admin.OrgID, db.ChangeRequestFilter{AgentID: a.ID})
	if err != nil || len(open) != 4 {
		t.Fatalf("want 4 requests, got %d (%v)", len(open), err)
	}
	// An unchanged save changes nothing and opens nothing.
	if _, err := s.SaveAgent(ctx, builder, patch(t, `{"id":`+itoa(a.ID)+`,"name":"Guarded"}`), db.SourceUpdate); err != nil {
		t.Fatal(err)
	}
	// Bulk tagging a protected agent is refused as a whole.
	other, _ := mergeFixture(t, s, admin, "Free")
	tag2, _, _ := s.FindOrCreateTag(ctx, admin, "misc")
	var se *db.ReviewStateError
	if _, err := s.BulkTag(ctx, builder, tag2.ID, []int64{other.ID, a.ID}, false); !errors.As(err, &se) {
		t.Fatalf("bulk tag of a protected agent: %v", err)
	}
	if n, err := s.BulkTag(ctx, builder, tag2.ID, []int64{other.ID}, false); err != nil || n != 1 {
		t.Fatalf("bulk tag of an unprotected agent: %d %v", n, err)
	}
}

// Must-show 2: self-approval refused; stale approvals do not count; two racing merges
// make one version; a moved live agent merges disjoint changes and blocks overlaps.
func TestChangeRequestReviewAndMerge(t *testing.T) {
	t.Parallel()
	s, admin, builder, reviewer, operator, a, _ := reviewFixture(t)
	ctx := context.Background()

	_, err := s.SaveAgent(ctx, builder, patch(t, `{"id":`+itoa(a.ID)+`,"description":"proposed"}`), db.SourceUpdate)
	cr := proposed(t, err)
	var denied *db.ReviewDenied
	if _, err := s.ReviewChangeRequest(ctx, builder, cr.ID, db.VerdictApproved); !errors.As(err, &denied) {
		t.Fatalf("a builder without the flag approved: %v", err)
	}
	if err := s.SetApprover(ctx, admin, builder.UserID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReviewChangeRequest(ctx, builder, cr.ID, db.VerdictApproved); !errors.As(err, &denied) || !strings.Contains(denied.Message, "own") {
		t.Fatalf("self-approval: %v", err)
	}
	var state *db.ReviewStateError
	if _, err := s.MergeChangeRequest(ctx, builder, cr.ID, ""); !errors.As(err, &state) {
		t.Fatalf("merge without approval: %v", err)
	}
	got, err := s.ReviewChangeRequest(ctx, reviewer, cr.ID, db.VerdictApproved)
	if err != nil || got.Status != db.StatusApproved || got.Approvals != 1 {
		t.Fatalf("approve: %+v %v", got, err)
	}
	// Approving again (a double click) records one approval, not two lines.
	got, err = s.ReviewChangeRequest(ctx, reviewer, cr.ID, db.VerdictApproved)
	if err != nil || got.Approvals != 1 || len(got.Reviews) != 1 {
		t.Fatalf("approve twice: %+v %v", got, err)
	}
	// An edit makes the approval stale.
	got, err = s.UpdateChangeRequest(ctx, builder, cr.ID, db.ChangeRequestUpdate{Agent: patch(t, `{"description":"proposed again"}`)})
	if err != nil || got.Status != db.StatusOpen || got.Approvals != 0 || !got.Reviews[0].Stale || got.Revision != 2 {
		t.Fatalf("edit after approval: %+v %v", got, err)
	}
	if _, err := s.ReviewChangeRequest(ctx, operator, cr.ID, db.VerdictApproved); err != nil {
		t.Fatal(err)
	}

	// Meanwhile someone else's request changes another field and is merged first: the
	// live agent moves.
	_, err = s.SaveAgent(ctx, admin, patch(t, `{"id":`+itoa(a.ID)+`,"name":"Guarded 2"}`), db.SourceUpdate)
	other := proposed(t, err)
	if _, err := s.MergeChangeRequest(ctx, admin, other.ID, "hotfix"); err != nil {
		t.Fatal(err)
	}
	before := versionCount(t, s, admin.OrgID, a.ID)

	// Two approvers race to merge: exactly one version.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, who := range []*db.Actor{admin, builder} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.MergeChangeRequest(ctx, who, cr.ID, "")
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("want exactly one merge to win: %v / %v", errs[0], errs[1])
	}
	if n := versionCount(t, s, admin.OrgID, a.ID); n != before+1 {
		t.Fatalf("versions: %d, want %d", n, before+1)
	}
	vs, _ := s.Versions(ctx, admin.OrgID, a.ID, db.VersionFilter{Limit: 1})
	live, _ := s.Agent(ctx, admin.OrgID, a.ID)
	if vs[0].Source != db.SourceChangeRequest || *live.Description != "proposed again" || live.Name != "Guarded 2" {
		t.Fatalf("merged: source %s, live %q %q", vs[0].Source, *live.Description, live.Name)
	}
	merged, _ := s.ChangeRequest(ctx, admin.OrgID, cr.ID)
	if merged.Status != db.StatusMerged || merged.MergedVersionID == nil || *merged.MergedVersionID != vs[0].ID {
		t.Fatalf("request after merge: %+v", merged)
	}
	overridden, _ := s.ChangeRequest(ctx, admin.OrgID, other.ID)
	if overridden.OverrideReason == nil || *overridden.OverrideReason != "hotfix" {
		t.Fatalf("override not recorded: %+v", overridden)
	}

	// Overlap: two requests change the description from the same base; the second blocks.
	_, err = s.SaveAgent(ctx, builder, patch(t, `{"id":`+itoa(a.ID)+`,"description":"first"}`), db.SourceUpdate)
	first := proposed(t, err)
	_, err = s.SaveAgent(ctx, builder, patch(t, `{"id":`+itoa(a.ID)+`,"description":"second"}`), db.SourceUpdate)
	second := proposed(t, err)
	for _, id := range []int64{first.ID, second.ID} {
		if _, err := s.ReviewChangeRequest(ctx, reviewer, id, db.VerdictApproved); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.MergeChangeRequest(ctx, builder, first.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MergeChangeRequest(ctx, builder, second.ID, ""); !errors.As(err, &state) || len(state.Conflicts) != 1 {
		t.Fatalf("overlapping merge: %v", err)
	}
	if still, _ := s.ChangeRequest(ctx, admin.OrgID, second.ID); still.Status != db.StatusApproved {
		t.Fatalf("a blocked merge changed the request: %s", still.Status)
	}
}

// The demo organisation shows the flow: policy on for "production", one open request,
// and seeding again adds nothing.
func TestDemoSeedOpensOneChangeRequest(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := s.SeedDemoContent(ctx); err != nil {
			t.Fatal(err)
		}
	}
	admin := demoAdmin(t, s)
	pol, err := s.ReviewPolicy(ctx, admin.OrgID)
	if err != nil || !pol.Enabled || len(pol.TagIDs) != 1 {
		t.Fatalf("policy: %+v %v", pol, err)
	}
	open, err := s.ChangeRequests(ctx, admin.OrgID, db.ChangeRequestFilter{Statuses: []string{db.StatusOpen}})
	if err != nil || len(open) != 1 || open[0].Author != "builder@demo.test" {
		t.Fatalf("open requests: %+v %v", open, err)
	}
}
