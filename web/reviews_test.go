package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

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
