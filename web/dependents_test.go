package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// depsAgent creates an agent over the API whose call_agent may call the agents named by
// id (none: no tools) and answers its id.
func depsAgent(t *testing.T, e *env, tok, name string, calls ...int64) int64 {
	t.Helper()
	body := `{"name":"` + name + `"}`
	if len(calls) > 0 {
		body = fmt.Sprintf(`{"name":%q,"tools":{"call_agent":{"config":{"callableAgentIds":%s}}}}`, name, idsJSON(calls))
	}
	return int64(decode(t, mustAPI(t, e, tok, "POST", "/api/agents", body))["id"].(float64))
}

func idsJSON(ids []int64) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// callableIDs reads the agent's callableAgentIds over the API.
func callableIDs(t *testing.T, e *env, tok string, id int64) string {
	t.Helper()
	var a struct {
		Tools map[string]struct {
			Config map[string]json.RawMessage `json:"config"`
		} `json:"tools"`
		PublishedVersionID int64 `json:"publishedVersionId"`
	}
	if err := json.Unmarshal([]byte(mustAPI(t, e, tok, "GET", "/api/agents/"+itoa(id)+"?includeDeleted=true", "")), &a); err != nil {
		t.Fatal(err)
	}
	return string(a.Tools["call_agent"].Config["callableAgentIds"])
}

type dependentsBody struct {
	Agent    struct{ ID int64 } `json:"agent"`
	CalledBy []struct {
		ID    int64  `json:"id"`
		Name  string `json:"name"`
		Depth int    `json:"depth"`
		Path  []struct {
			ID int64 `json:"id"`
		} `json:"path"`
	} `json:"calledBy"`
	Uses struct {
		Agents         []struct{ ID int64 } `json:"agents"`
		KnowledgeBases []struct{ ID int64 } `json:"knowledgeBases"`
		MCPServers     []struct{ ID int64 } `json:"mcpServers"`
	} `json:"uses"`
}

func TestDependentsDirectTransitiveCycleAndOrgScoped(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	kb := int64(decode(t, mustAPI(t, e, b, "POST", "/api/knowledge-bases", `{"name":"Docs"}`))["id"].(float64))
	mcp := int64(decode(t, mustAPI(t, e, b, "POST", "/api/mcp-servers", `{"name":"Jira","url":"https://mcp.example.com"}`))["id"].(float64))
	target := depsAgent(t, e, b, "Target")
	direct := depsAgent(t, e, b, "Direct", target)
	second := depsAgent(t, e, b, "Second", direct)
	third := depsAgent(t, e, b, "Third", second)
	both := depsAgent(t, e, b, "Both", second, target) // direct and through Second: listed once, directly
	depsAgent(t, e, b, "Unrelated")
	deletedCaller := depsAgent(t, e, b, "Deleted caller", target)
	mustAPI(t, e, b, "DELETE", "/api/agents/"+itoa(deletedCaller), "")
	// A cycle: Target calls Third, which (through Second and Direct) calls Target.
	mustAPI(t, e, b, "PUT", "/api/agents/"+itoa(target), fmt.Sprintf(`{"mcpServers":[%d],"tools":{"call_agent":{"config":{"callableAgentIds":[%d]}},
		"search_knowledge_base":{"config":{"accessibleKnowledgeBaseIds":[%d]}}}}`, mcp, third, kb))
	// Another organisation's agent naming Target (forged past validation) never shows.
	other, _ := e.otherOrg()
	o := e.token(other)
	theirs := depsAgent(t, e, o, "Theirs")
	if _, err := e.Store.DB.ExecContext(context.Background(),
		`UPDATE agents SET tools = jsonb_build_object('call_agent', jsonb_build_object('config', jsonb_build_object('callableAgentIds', jsonb_build_array(?::bigint)))) WHERE id = ?`, target, theirs); err != nil {
		t.Fatal(err)
	}

	var d dependentsBody
	if err := json.Unmarshal([]byte(mustAPI(t, e, b, "GET", "/api/agents/"+itoa(target)+"/dependents", "")), &d); err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, c := range d.CalledBy {
		path := []string{}
		for _, p := range c.Path {
			path = append(path, itoa(p.ID))
		}
		got[c.ID] = fmt.Sprintf("%d:%s", c.Depth, strings.Join(path, ">"))
	}
	want := map[int64]string{
		direct: fmt.Sprintf("1:%d>%d", direct, target),
		both:   fmt.Sprintf("1:%d>%d", both, target),
		second: fmt.Sprintf("2:%d>%d>%d", second, direct, target),
		third:  fmt.Sprintf("3:%d>%d>%d>%d", third, second, direct, target),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("calledBy = %v, want %v (the agent itself, deleted callers and other organisations never appear)", got, want)
	}
	if d.Agent.ID != target || len(d.Uses.Agents) != 1 || d.Uses.Agents[0].ID != third ||
		len(d.Uses.KnowledgeBases) != 1 || d.Uses.KnowledgeBases[0].ID != kb || len(d.Uses.MCPServers) != 1 || d.Uses.MCPServers[0].ID != mcp {
		t.Fatalf("uses: %+v", d)
	}
	// Another organisation asks about our agent: 404, by id and by UUID alike.
	if code, body := e.api("GET", "/api/agents/"+itoa(target)+"/dependents", o, ""); code != 404 || body != `{"error":"Not Found"}` {
		t.Fatalf("other org: %d %s", code, body)
	}
	if code, body := e.api("GET", "/api/agents/"+itoa(theirs)+"/dependents", b, ""); code != 404 {
		t.Fatalf("their agent from here: %d %s", code, body)
	}
}

func TestDependentsDeleteRemovesReferencesOnRequest(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	target := depsAgent(t, e, b, "Target")
	other := depsAgent(t, e, b, "Other")
	caller := depsAgent(t, e, b, "Caller", target, other)
	if code, body := e.api("DELETE", "/api/agents/"+itoa(target)+"?removeReferences=yes", b, ""); code != 400 || !strings.Contains(body, `"path":["removeReferences"]`) {
		t.Fatalf("bad removeReferences: %d %s", code, body)
	}
	// Without the parameter: exactly as before (seed 003), and the caller keeps the id.
	if code, body := e.api("DELETE", "/api/agents/"+itoa(target), b, ""); code != 200 || body != `{"id":`+itoa(target)+`,"success":true}` {
		t.Fatalf("plain delete: %d %s", code, body)
	}
	if got := callableIDs(t, e, b, caller); got != fmt.Sprintf("[%d,%d]", target, other) {
		t.Fatalf("plain delete changed the caller: %s", got)
	}
	mustAPI(t, e, b, "POST", "/api/agents/"+itoa(target)+"/restore", "")
	_, before := e.api("GET", "/api/agents/versions?agentId="+itoa(caller), b, "")
	code, body := e.api("DELETE", "/api/agents/"+itoa(target)+"?removeReferences=true", b, "")
	if code != 200 || !strings.Contains(body, `"updatedAgents":[{"id":`+itoa(caller)+`,`) {
		t.Fatalf("delete removing references: %d %s", code, body)
	}
	if got := callableIDs(t, e, b, caller); got != fmt.Sprintf("[%d]", other) {
		t.Fatalf("callable agents after: %s", got)
	}
	_, after := e.api("GET", "/api/agents/versions?agentId="+itoa(caller), b, "")
	if strings.Count(after, `"number"`) != strings.Count(before, `"number"`)+1 || !strings.Contains(after, "removed deleted agent “Target”") {
		t.Fatalf("one new version expected:\nbefore %s\nafter %s", before, after)
	}
	// The new version is the agent as it now is: saving it unchanged appends nothing.
	live := decode(t, mustAPI(t, e, b, "GET", "/api/agents/"+itoa(caller), ""))["publishedVersionId"]
	if snap := mustAPI(t, e, b, "GET", fmt.Sprintf("/api/agents/versions/%v", live), ""); !strings.Contains(snap, fmt.Sprintf(`"callableAgentIds":[%d]`, other)) {
		t.Fatalf("the version's snapshot: %s", snap)
	}
	if _, body := e.api("PUT", "/api/agents/"+itoa(caller), b, `{"name":"Caller"}`); decode(t, body)["publishedVersionId"] != live {
		t.Fatalf("an unchanged save appended a version: %s", body)
	}
	// The caller saves again (it would have failed while naming a deleted agent).
	if code, body := e.api("PUT", "/api/agents/"+itoa(caller), b, `{"description":"still works"}`); code != 200 {
		t.Fatalf("save after: %d %s", code, body)
	}
	_, audit := e.api("GET", "/api/audit?action=agent.deleted", e.token("admin@demo.test"), "")
	if !strings.Contains(audit, "removed from the callable agents of 1 agent: Caller") {
		t.Fatalf("audit: %s", audit)
	}
	// Reviewers may not; another organisation's agent is 404.
	if code, _ := e.api("DELETE", "/api/agents/"+itoa(other)+"?removeReferences=true", e.token("reviewer@demo.test"), ""); code != 403 {
		t.Fatalf("reviewer: %d", code)
	}
	theirs, _ := e.otherOrg()
	if code, _ := e.api("DELETE", "/api/agents/"+itoa(other)+"?removeReferences=true", e.token(theirs), ""); code != 404 {
		t.Fatalf("other org: %d", code)
	}
}

func TestKnowledgeBasesRenameDeleteAndUsers(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	id := func(body string) string { return itoa(int64(decode(t, body)["id"].(float64))) }
	kb := id(mustAPI(t, e, b, "POST", "/api/knowledge-bases", `{"name":"Docs"}`))
	keep := id(mustAPI(t, e, b, "POST", "/api/knowledge-bases", `{"name":"Keep"}`))
	uses := `{"name":"%s","tools":{"search_knowledge_base":{"config":{"accessibleKnowledgeBaseIds":[` + kb + `,` + keep + `]}}}}`
	live := id(mustAPI(t, e, b, "POST", "/api/agents", fmt.Sprintf(uses, "Searcher")))
	gone := id(mustAPI(t, e, b, "POST", "/api/agents", fmt.Sprintf(uses, "Gone searcher")))
	mustAPI(t, e, b, "DELETE", "/api/agents/"+gone, "")
	for _, c := range []struct{ body, want string }{
		{`{"name":""}`, `{"error":"Validation Error","details":[{"message":"Required","path":["name"]}]}`},
		{`{"name":"` + strings.Repeat("x", 201) + `"}`, `"path":["name"]`},
		{`{"name":7}`, `"path":["name"]`},
	} {
		if code, body := e.api("PUT", "/api/knowledge-bases/"+kb, b, c.body); code != 400 || !strings.Contains(body, c.want) {
			t.Fatalf("PUT %s: %d %s", c.body, code, body)
		}
	}
	if code, body := e.api("PUT", "/api/knowledge-bases/"+kb, b, `{"name":"Manuals"}`); code != 200 || body != `{"id":`+kb+`,"name":"Manuals"}` {
		t.Fatalf("rename: %d %s", code, body)
	}
	if code, _ := e.api("PUT", "/api/knowledge-bases/"+kb, e.token("reviewer@demo.test"), `{"name":"Nope"}`); code != 403 {
		t.Fatalf("reviewer renamed: %d", code)
	}
	other, _ := e.otherOrg()
	o := e.token(other)
	for _, m := range []string{"PUT", "DELETE"} {
		if code, body := e.api(m, "/api/knowledge-bases/"+kb, o, `{"name":"Mine"}`); code != 404 || body != `{"error":"Not Found"}` {
			t.Fatalf("other org %s: %d %s", m, code, body)
		}
	}
	code, body := e.api("DELETE", "/api/knowledge-bases/"+kb, b, "")
	if code != 200 || !strings.Contains(body, `"name":"Searcher"`) || !strings.Contains(body, `"name":"Gone searcher","deleted":true`) {
		t.Fatalf("delete: %d %s", code, body)
	}
	for _, a := range []string{live, gone} {
		_, body := e.api("GET", "/api/agents/"+a+"?includeDeleted=true", b, "")
		if !strings.Contains(body, `"accessibleKnowledgeBaseIds":[`+keep+`]`) {
			t.Fatalf("agent %s still names the knowledge base: %s", a, body)
		}
	}
	if _, body := e.api("GET", "/api/knowledge-bases", b, ""); strings.Contains(body, "Manuals") {
		t.Fatalf("still listed: %s", body)
	}
	if code, _ := e.api("DELETE", "/api/knowledge-bases/"+kb, b, ""); code != 404 {
		t.Fatalf("second delete: %d", code)
	}
}

func TestMCPServersUpdateDeleteAndUsers(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	id := func(body string) string { return itoa(int64(decode(t, body)["id"].(float64))) }
	m := id(mustAPI(t, e, b, "POST", "/api/mcp-servers", `{"name":"Jira","url":"https://mcp.example.com/jira"}`))
	agent := id(mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Ticketer","mcpServers":[`+m+`]}`))
	_, before := e.api("GET", "/api/agents/"+agent, b, "")
	for _, c := range []struct{ body, path string }{
		{`{"url":"ftp://x"}`, `"path":["url"]`},
		{`{"name":""}`, `"path":["name"]`},
		{`{"url":"https://` + strings.Repeat("x", 2000) + `"}`, `"path":["url"]`},
	} {
		if code, body := e.api("PUT", "/api/mcp-servers/"+m, b, c.body); code != 400 || !strings.Contains(body, c.path) {
			t.Fatalf("PUT %s: %d %s", c.body, code, body)
		}
	}
	if code, body := e.api("PUT", "/api/mcp-servers/"+m, b, `{"url":"https://mcp.example.com/v2"}`); code != 200 || body != `{"id":`+m+`,"name":"Jira","url":"https://mcp.example.com/v2"}` {
		t.Fatalf("update: %d %s", code, body)
	}
	other, _ := e.otherOrg()
	for _, meth := range []string{"PUT", "DELETE"} {
		if code, _ := e.api(meth, "/api/mcp-servers/"+m, e.token(other), `{"name":"Mine"}`); code != 404 {
			t.Fatalf("other org %s: %d", meth, code)
		}
	}
	if code, _ := e.api("DELETE", "/api/mcp-servers/"+m, e.token("reviewer@demo.test"), ""); code != 403 {
		t.Fatalf("reviewer deleted: %d", code)
	}
	if code, body := e.api("DELETE", "/api/mcp-servers/"+m, b, ""); code != 200 || !strings.Contains(body, `"name":"Ticketer"`) {
		t.Fatalf("delete: %d %s", code, body)
	}
	_, after := e.api("GET", "/api/agents/"+agent, b, "")
	live := decode(t, after)["publishedVersionId"]
	if !strings.Contains(after, `"mcpServers":[]`) || live == decode(t, before)["publishedVersionId"] {
		t.Fatalf("agent after: %s", after)
	}
	if _, body := e.api("PUT", "/api/agents/"+agent, b, `{"mcpServers":[]}`); decode(t, body)["publishedVersionId"] != live {
		t.Fatalf("an unchanged save appended a version: %s", body)
	}
	if code, body := e.api("PUT", "/api/agents/"+agent, b, `{"description":"saves"}`); code != 200 {
		t.Fatalf("save after: %d %s", code, body)
	}
}

func TestDependentsBrowserDeleteNamesCallers(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	target := depsAgent(t, e, b, "Billing core")
	first := depsAgent(t, e, b, "Front desk", target)
	second := depsAgent(t, e, b, "Refunds", target)
	ctx := browser(t)
	d := handleDialogs(ctx, t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+itoa(target)),
		waitText(`[data-testid=used-by-link]`, "Used by 2"),
		chromedp.Click(chromedp.CSS(`[data-testid=delete-agent]`)),
		waitText(`[data-testid=delete-callers]`, "“Front desk” and “Refunds”"),
		waitText(`[data-testid=called-by]`, "Refunds"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Cancel changes nothing.
	d.answer(false)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=confirm-delete-agent]`))); err != nil {
		t.Fatal(err)
	}
	if msg := d.wait(30 * time.Second); !strings.Contains(msg, "“Front desk” and “Refunds” may call it") ||
		!strings.Contains(msg, "unless you untick the box") { // the box is ticked by default
		t.Fatalf("confirmation: %q", msg)
	}
	if err := chromedp.Do(ctx, settled()); err != nil {
		t.Fatal(err)
	}
	if code, _ := e.api("GET", "/api/agents/"+itoa(target), b, ""); code != 200 {
		t.Fatal("cancel deleted the agent")
	}
	// Accept with the box ticked (the default): deleted, and taken out of both callers.
	d.answer(true)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=confirm-delete-agent]`)),
		waitText(`[data-testid=deleted-banner]`, "This agent is deleted."),
		waitText(`main`, "removed from the callable agents of 2 agents"),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []int64{first, second} {
		if got := callableIDs(t, e, b, c); got != "[]" {
			t.Fatalf("caller %d still names it: %s", c, got)
		}
	}
}
