package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Operations over many agents and the review policy: while any agent they would change
// is protected they are refused as a whole (409 naming those agents, nothing changed,
// no change request opened); the console says so on the page where the person acted.

// agentsFingerprint is every agent's state and the number of versions and change
// requests: a refused operation leaves it as it was.
func agentsFingerprint(t *testing.T, e *env) string {
	t.Helper()
	var fp string
	err := e.Store.DB.QueryRowContext(context.Background(), `SELECT
		(SELECT coalesce(string_agg(id || ':' || stage || ':' || coalesce(model, '') || ':' || (deleted_at IS NULL) || ':' || tools::text || ':' || coalesce(mcp_servers::text, ''), ',' ORDER BY id), '') FROM agents)
		|| '|' || (SELECT count(*) FROM agent_versions) || '|' || (SELECT count(*) FROM agent_tags) || '|' || (SELECT count(*) FROM change_requests)
		|| '|' || (SELECT count(*) FROM tags) || '|' || (SELECT count(*) FROM knowledge_bases) || '|' || (SELECT coalesce(string_agg(url, ',' ORDER BY id), '') FROM mcp_servers)`).Scan(&fp)
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// setPolicy sets the review policy over the API as an admin.
func setPolicy(t *testing.T, e *env, admin, body string) {
	t.Helper()
	if code, resp := e.api("PUT", "/api/review-policy", admin, body); code != http.StatusOK {
		t.Fatalf("policy %s: %d %s", body, code, resp)
	}
}

// refused checks a 409 naming the agent (and, for a bulk request, its index).
func refused(t *testing.T, what string, code int, body, name string, index int) {
	t.Helper()
	var got struct {
		Error   string
		Details []struct {
			Message string
			Path    []any
		}
	}
	if code != http.StatusConflict || json.Unmarshal([]byte(body), &got) != nil || !strings.Contains(got.Error, "“"+name+"”") ||
		!strings.Contains(got.Error, "protected by the review policy") {
		t.Fatalf("%s: %d %s", what, code, body)
	}
	if index < 0 {
		return
	}
	if len(got.Details) != 1 || fmt.Sprint(got.Details[0].Path) != fmt.Sprintf("[agentIds %d]", index) {
		t.Fatalf("%s: details %+v", what, got.Details)
	}
}

func TestReviewPolicyRefusesBulkActionsOnProtectedAgents(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder := e.token("admin@demo.test"), e.token("builder@demo.test")
	guarded, tag := protectedAgent(t, e, admin)
	free := listAgents(t, e, builder, `{"name":"Free"}`)[0]
	// A protected agent already deleted (deleted while the policy was off).
	setPolicy(t, e, admin, `{"enabled":false}`)
	gone := listAgents(t, e, builder, fmt.Sprintf(`{"name":"Gone guarded","tagIds":[%d]}`, tag))[0]
	mustAPI(t, e, builder, "DELETE", "/api/agents/"+itoa(gone), "")
	setPolicy(t, e, admin, fmt.Sprintf(`{"enabled":true,"protectReleased":false,"tagIds":[%d]}`, tag))

	before := agentsFingerprint(t, e)
	bulk := func(body string) (int, string) { return e.api("POST", "/api/agents/bulk", builder, body) }
	code, body := bulk(fmt.Sprintf(`{"action":"publish","agentIds":[%d,%d]}`, free, guarded))
	refused(t, "bulk publish", code, body, "Guarded", 1)
	code, body = bulk(fmt.Sprintf(`{"action":"changeModel","model":"anthropic:claude-opus-4-20250514","agentIds":[%d,%d]}`, guarded, free))
	refused(t, "bulk change model", code, body, "Guarded", 0)
	code, body = bulk(fmt.Sprintf(`{"action":"delete","agentIds":[%d,%d]}`, free, guarded))
	refused(t, "bulk delete", code, body, "Guarded", 1)
	code, body = bulk(fmt.Sprintf(`{"action":"restore","agentIds":[%d]}`, gone))
	refused(t, "bulk restore", code, body, "Gone guarded", 0)
	if after := agentsFingerprint(t, e); after != before {
		t.Fatalf("a refused bulk action changed something:\n%s\n%s", before, after)
	}

	// The console: a message on the list naming the agent, not an error page.
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	token := c.csrf("/agents")
	for _, form := range []url.Values{
		{"action": {"publish"}, "agentIds": {itoa(free), itoa(guarded)}, "back": {"/agents"}},
	} {
		resp, _ := c.post("/agents-bulk", form, token)
		_, page := c.get("/agents")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(page, fmt.Sprintf("Agent “Guarded” (%d) is protected by the review policy", guarded)) ||
			!strings.Contains(page, "Nothing was changed.") {
			t.Fatalf("console bulk %s: %d", form.Get("action"), resp.StatusCode)
		}
	}
	// Bulk untagging (the review engineer's 409) is a message on the list too.
	resp, _ := c.post("/agents-bulk/tags", url.Values{"tagId": {itoa(tag)}, "action": {"remove"}, "agentIds": {itoa(guarded)}, "back": {"/agents"}}, token)
	if _, page := c.get("/agents"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(page, "“Guarded”") || !strings.Contains(page, "Nothing was changed.") {
		t.Fatalf("console bulk untag: %d", resp.StatusCode)
	}
	// So is a skill's roles on a protected agent: back to its card page with the message.
	resp, _ = c.post("/agents/"+itoa(guarded)+"/card/skills/s1/roles", url.Values{"roles": {"ops"}}, token)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/agents/"+itoa(guarded)+"/card" {
		t.Fatalf("console skill roles: %d %s", resp.StatusCode, loc)
	}
	// (Guarded is native, so its card page is a 404: the flash shows on the next page.)
	if _, page := c.get("/agents"); !strings.Contains(page, "“Guarded”") || !strings.Contains(page, "Nothing was changed.") {
		t.Fatal("console skill roles: no message")
	}
	if after := agentsFingerprint(t, e); after != before {
		t.Fatalf("a refused console action changed something:\n%s\n%s", before, after)
	}

	// Unprotected agents are unaffected; publishing makes an agent protected when the
	// policy protects released agents, so that is refused too.
	if code, body := bulk(fmt.Sprintf(`{"action":"changeModel","model":"anthropic:claude-opus-4-20250514","agentIds":[%d]}`, free)); code != http.StatusOK {
		t.Fatalf("unprotected change model: %d %s", code, body)
	}
	setPolicy(t, e, admin, fmt.Sprintf(`{"enabled":true,"protectReleased":true,"tagIds":[%d]}`, tag))
	code, body = bulk(fmt.Sprintf(`{"action":"publish","agentIds":[%d]}`, free))
	refused(t, "bulk publish into protection", code, body, "Free", 0)
	// Policy off: the bulk actions are exactly as before.
	setPolicy(t, e, admin, `{"enabled":false}`)
	if code, body := bulk(fmt.Sprintf(`{"action":"delete","agentIds":[%d,%d]}`, free, guarded)); code != http.StatusOK || !strings.Contains(body, `"updated":2`) {
		t.Fatalf("policy off: %d %s", code, body)
	}
}

func TestReviewPolicyRefusesRemovingReferencesFromProtectedAgents(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder := e.token("admin@demo.test"), e.token("builder@demo.test")
	guarded, production := protectedAgent(t, e, admin)
	kb := int64(decode(t, mustAPI(t, e, builder, "POST", "/api/knowledge-bases", `{"name":"Handbook"}`))["id"].(float64))
	mcp := int64(decode(t, mustAPI(t, e, builder, "POST", "/api/mcp-servers", `{"name":"Jira","url":"https://mcp.example.com"}`))["id"].(float64))
	beta := int64(decode(t, mustAPI(t, e, builder, "POST", "/api/agent-tags", `{"name":"beta"}`))["id"].(float64))
	callee := listAgents(t, e, builder, `{"name":"Callee"}`)[0]
	// Guarded calls Callee and uses the knowledge base, the MCP server and tag beta
	// (set while the policy is off).
	setPolicy(t, e, admin, `{"enabled":false}`)
	mustAPI(t, e, builder, "PUT", "/api/agents/"+itoa(guarded), fmt.Sprintf(`{"mcpServers":[%d],"tagIds":[%d,%d],"tools":{"call_agent":{"config":{"callableAgentIds":[%d]}},
		"search_knowledge_base":{"config":{"accessibleKnowledgeBaseIds":[%d]}}}}`, mcp, production, beta, callee, kb))
	setPolicy(t, e, admin, fmt.Sprintf(`{"enabled":true,"protectReleased":false,"tagIds":[%d]}`, production))

	before := agentsFingerprint(t, e)
	code, body := e.api("DELETE", "/api/agents/"+itoa(callee)+"?removeReferences=true", builder, "")
	refused(t, "delete removing references", code, body, "Guarded", -1)
	code, body = e.api("DELETE", "/api/knowledge-bases/"+itoa(kb), builder, "")
	refused(t, "delete knowledge base", code, body, "Guarded", -1)
	code, body = e.api("DELETE", "/api/mcp-servers/"+itoa(mcp), builder, "")
	refused(t, "delete MCP server", code, body, "Guarded", -1)
	code, body = e.api("PUT", "/api/mcp-servers/"+itoa(mcp), builder, `{"url":"https://elsewhere.example.com"}`)
	refused(t, "MCP server URL", code, body, "Guarded", -1)
	code, body = e.api("DELETE", "/api/agent-tags/"+itoa(beta), builder, "")
	refused(t, "delete a tag of a protected agent", code, body, "Guarded", -1)
	code, body = e.api("DELETE", "/api/agent-tags/"+itoa(production), builder, "")
	if code != http.StatusConflict || !strings.Contains(body, "take it out of the policy first") {
		t.Fatalf("delete the protecting tag: %d %s", code, body)
	}
	if after := agentsFingerprint(t, e); after != before {
		t.Fatalf("a refused operation changed something:\n%s\n%s", before, after)
	}
	// A rename changes no agent (they refer by id): never refused.
	if code, body := e.api("PUT", "/api/mcp-servers/"+itoa(mcp), builder, `{"name":"Jira cloud"}`); code != http.StatusOK {
		t.Fatalf("rename MCP server: %d %s", code, body)
	}

	// The console says it where the person acted.
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	token := c.csrf("/agents")
	for _, tc := range []struct{ post, back string }{
		{"/agents/" + itoa(callee) + "/dependents/delete", "/agents/" + itoa(callee) + "/dependents"},
		{"/knowledge-bases/" + itoa(kb) + "/delete", "/knowledge-bases/" + itoa(kb)},
		{"/mcp-servers/" + itoa(mcp) + "/delete", "/mcp-servers/" + itoa(mcp)},
		{"/tags/" + itoa(production) + "/delete", "/tags"},
	} {
		resp, _ := c.post(tc.post, url.Values{"removeReferences": {"true"}}, token)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != tc.back {
			t.Fatalf("console %s: %d %s", tc.post, resp.StatusCode, loc)
		}
		if _, page := c.get(tc.back); !strings.Contains(page, "protect") || !strings.Contains(page, "Nothing was changed.") {
			t.Fatalf("console %s: no message on %s", tc.post, tc.back)
		}
	}
	if after := agentsFingerprint(t, e); after != before {
		t.Fatalf("a refused console operation changed something:\n%s\n%s", before, after)
	}

	// Policy off: deleting the tag works, and the policy forgets it.
	setPolicy(t, e, admin, fmt.Sprintf(`{"enabled":false,"tagIds":[%d]}`, production))
	if code, body := e.api("DELETE", "/api/agent-tags/"+itoa(production), builder, ""); code != http.StatusOK {
		t.Fatalf("policy off, delete tag: %d %s", code, body)
	}
	if code, body := e.api("GET", "/api/review-policy", admin, ""); code != http.StatusOK || !strings.Contains(body, `"tagIds":[]`) {
		t.Fatalf("policy after its tag was deleted: %d %s", code, body)
	}
	if code, body := e.api("DELETE", "/api/knowledge-bases/"+itoa(kb), builder, ""); code != http.StatusOK || !strings.Contains(body, "Guarded") {
		t.Fatalf("policy off, delete knowledge base: %d %s", code, body)
	}
}
