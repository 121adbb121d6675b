package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"agentconsole/db"
)

// protectedAgent creates an agent tagged "production" and turns the review policy on
// for that tag (through the API, as an admin would).
func protectedAgent(t *testing.T, e *env, adminToken string) (agentID, tagID int64) {
	t.Helper()
	code, body := e.api("POST", "/api/agent-tags", adminToken, `{"name":"production"}`)
	if code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("tag: %d %s", code, body)
	}
	var tag struct{ ID int64 }
	json.Unmarshal([]byte(body), &tag)
	code, body = e.api("POST", "/api/agents", adminToken, fmt.Sprintf(`{"name":"Guarded","systemPrompt":"Line one.\nLine two.\nLine three.","tagIds":[%d]}`, tag.ID))
	if code != http.StatusOK {
		t.Fatalf("create: %d %s", code, body)
	}
	var a struct{ ID int64 }
	json.Unmarshal([]byte(body), &a)
	code, body = e.api("PUT", "/api/review-policy", adminToken, fmt.Sprintf(`{"enabled":true,"protectReleased":false,"tagIds":[%d],"approvalsRequired":1}`, tag.ID))
	if code != http.StatusOK {
		t.Fatalf("policy: %d %s", code, body)
	}
	return a.ID, tag.ID
}

// Must-show 5 over HTTP: with the policy on, removing the protecting tag, publishing
// and deleting each answer 202 with a change request, and the agent is unchanged.
func TestReviewPolicyGatesAPIChanges(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder := e.token("admin@demo.test"), e.token("builder@demo.test")
	id, _ := protectedAgent(t, e, admin)
	path := fmt.Sprintf("/api/agents/%d", id)
	_, before := e.api("GET", path, admin, "")

	for _, c := range []struct{ method, path, body, kind string }{
		{"PUT", path, `{"tagIds":[]}`, db.ChangeEdit},
		{"POST", path + "/publish", ``, db.ChangeEdit},
		{"DELETE", path, ``, db.ChangeDelete},
	} {
		code, body := e.api(c.method, c.path, builder, c.body)
		var cr db.ChangeRequest
		if code != http.StatusAccepted || json.Unmarshal([]byte(body), &cr) != nil || cr.Kind != c.kind || cr.Status != db.StatusOpen || cr.AgentID != id {
			t.Fatalf("%s %s: %d %s", c.method, c.path, code, body)
		}
	}
	if _, after := e.api("GET", path, admin, ""); after != before {
		t.Fatalf("a gated change changed the agent:\n%s\n%s", before, after)
	}
	code, body := e.api("GET", fmt.Sprintf("/api/change-requests?agentId=%d", id), builder, "")
	if code != http.StatusOK || strings.Count(body, `"kind"`) != 3 {
		t.Fatalf("list: %d %s", code, body)
	}
	// The builder may not approve their own request; the reviewer may not merge.
	var list struct{ ChangeRequests []db.ChangeRequest }
	json.Unmarshal([]byte(body), &list)
	first := list.ChangeRequests[0].ID
	if code, body := e.api("POST", fmt.Sprintf("/api/change-requests/%d/approve", first), builder, ""); code != http.StatusForbidden {
		t.Fatalf("builder approves: %d %s", code, body)
	}
	reviewer := e.token("reviewer@demo.test")
	if code, body := e.api("POST", fmt.Sprintf("/api/change-requests/%d/merge", first), reviewer, ""); code != http.StatusForbidden {
		t.Fatalf("reviewer merges: %d %s", code, body)
	}
	// Off again: the same save is an ordinary 200.
	if code, body := e.api("PUT", "/api/review-policy", admin, `{"enabled":false}`); code != http.StatusOK {
		t.Fatalf("policy off: %d %s", code, body)
	}
	if code, body := e.api("PUT", path, builder, `{"description":"direct"}`); code != http.StatusOK {
		t.Fatalf("policy off save: %d %s", code, body)
	}
	if n, err := e.Store.ChangeRequests(context.Background(), 0, db.ChangeRequestFilter{}); err != nil || len(n) != 0 {
		t.Fatalf("another organisation's id sees requests: %d %v", len(n), err)
	}
}

// switchUser logs out and logs in as someone else in the same browser.
func switchUser(t *testing.T, ctx context.Context, base, email, password string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/agents"), settled(),
		chromedp.Click(chromedp.CSS(`[data-testid=logout]`)), chromedp.WaitVisible(chromedp.CSS(`#email`))); err != nil {
		t.Fatalf("logout: %v", err)
	}
	browserLogin(t, ctx, base, email, password)
}

// Must-show 1: a builder proposes a change to a protected agent; the reviewer finds it
// under Reviews, comments on a prompt line and approves; the builder edits again and the
// approval shows stale; the reviewer re-approves; the merge makes one version with
// source change_request and the live agent holds the change.
func TestBrowserChangeRequestJourney(t *testing.T) {
	e := start(t)
	id, _ := protectedAgent(t, e, e.token("admin@demo.test"))
	ctx := browser(t)
	base := e.URL
	browserLogin(t, ctx, base, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/agents/%d", base, id)),
		waitText(`[data-testid=save-agent]`, "Propose change"),
		clearInput(`#systemPrompt`),
		chromedp.SendKeys(chromedp.CSS(`#systemPrompt`), "Line one.\nLine two, politely.\nLine three."),
		chromedp.SendKeys(chromedp.CSS(`#changeTitle`), "Politer second line"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=review-title]`, "Politer second line"),
		waitText(`[data-testid=review-status]`, "open"),
	)
	if err != nil {
		t.Fatalf("propose: %v", err)
	}
	before := versionsOf(t, e, id)

	switchUser(t, ctx, base, "reviewer@demo.test", "demo-reviewer-pass")
	err = chromedp.Do(ctx,
		waitText(`[data-testid=review-count]`, "1"), // the header's count
		chromedp.Navigate(base+"/reviews"),
		waitText(`[data-testid=reviews-awaiting]`, "Politer second line"),
		chromedp.Click(chromedp.CSS(`[data-testid=reviews-awaiting] a`)),
		waitText(`[data-testid=review-title]`, "Politer second line"),
		selectValue(`#anchor`, "systemPrompt:2"),
		chromedp.SendKeys(chromedp.CSS(`#body`), "Good, but keep it short."),
		chromedp.Click(chromedp.CSS(`[data-testid=comment-submit]`)),
		waitText(`[data-line="2"] + [data-testid=line-comment]`, "keep it short"),
		chromedp.Click(chromedp.CSS(`[data-testid=approve]`)),
		waitText(`[data-testid=review-status]`, "approved"),
	)
	if err != nil {
		t.Fatalf("review: %v", err)
	}

	switchUser(t, ctx, base, "builder@demo.test", "demo-builder-pass")
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/reviews"),
		chromedp.Click(chromedp.CSS(`[data-testid=reviews-mine] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=edit-proposal]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=edit-proposal]`)),
		waitText(`[data-testid=save-agent]`, "Update proposal"),
		chromedp.SendKeys(chromedp.CSS(`#description`), "Now with a description."),
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=review-status]`, "open"),
		waitText(`[data-testid=stale]`, "stale"),
		waitText(`[data-testid=review-approvals]`, "0 of 1"),
	)
	if err != nil {
		t.Fatalf("edit again: %v", err)
	}
	crURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	switchUser(t, ctx, base, "reviewer@demo.test", "demo-reviewer-pass")
	err = chromedp.Do(ctx, chromedp.Navigate(crURL),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=approve]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=approve]`)),
		waitText(`[data-testid=review-approvals]`, "1 of 1"),
	)
	if err != nil {
		t.Fatalf("re-approve: %v", err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=merge]").length`)); err != nil || n != 0 {
		t.Fatalf("a reviewer is offered merge: %d %v", n, err)
	}

	switchUser(t, ctx, base, "builder@demo.test", "demo-builder-pass")
	err = chromedp.Do(ctx, chromedp.Navigate(crURL), settled(), acceptConfirms(),
		chromedp.Click(chromedp.CSS(`[data-testid=merge]`)),
		waitText(`[data-testid=review-status]`, "merged"),
	)
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	after := versionsOf(t, e, id)
	if len(after) != len(before)+1 || after[0].Source != db.SourceChangeRequest {
		t.Fatalf("want one new change_request version, got %d → %d (%s)", len(before), len(after), after[0].Source)
	}
	a, err := e.Store.Agent(context.Background(), orgOf(t, e), id)
	if err != nil || *a.SystemPrompt != "Line one.\nLine two, politely.\nLine three." || a.Description == nil || *a.Description != "Now with a description." {
		t.Fatalf("live agent after merge: %+v %v", a, err)
	}
}

func orgOf(t *testing.T, e *env) int64 {
	t.Helper()
	a, err := e.Store.ActorByEmail(context.Background(), "admin@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	return a.OrgID
}

func versionsOf(t *testing.T, e *env, id int64) []db.Version {
	t.Helper()
	vs, err := e.Store.Versions(context.Background(), orgOf(t, e), id, db.VersionFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// selectValue chooses an option of a select by its value.
func selectValue(sel, value string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](`document.querySelector("`+sel+`").value = "`+value+`"`)(ctx, tg)
		return chromedp.Void{}, err
	}
}
