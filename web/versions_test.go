package web_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/uptrace/bun"

	"agentconsole/db/dbtest"
)

// setupDiff makes an agent whose versions 1 and 2 differ in prompt, one tool's schema,
// one tool's config and tags, over the API.
func setupDiff(t *testing.T, e *env) (agentID string) {
	t.Helper()
	tok := e.token("builder@demo.test")
	must := func(method, path, body string) map[string]any {
		code, resp := e.api(method, path, tok, body)
		if code != 200 {
			t.Fatalf("%s %s: %d %s", method, path, code, resp)
		}
		return decode(t, resp)
	}
	helper := itoa(int64(must("POST", "/api/agents", `{"name":"Helper"}`)["id"].(float64)))
	other := itoa(int64(must("POST", "/api/agents", `{"name":"Escalations"}`)["id"].(float64)))
	tag := itoa(int64(must("POST", "/api/agent-tags", `{"name":"Reviewed"}`)["id"].(float64)))
	a := must("POST", "/api/agents", `{"name":"Diffy","systemPrompt":"Be kind.\nAnswer briefly.\nSign off.",
		"tools":{"web_search":{},"call_agent":{"config":{"callableAgentIds":[`+helper+`]}}}}`)
	agentID = itoa(int64(a["id"].(float64)))
	// The platform ships a new web_search schema; the next save picks it up (seed 001).
	bumpCatalog(t, e, "2026.12.0", "web_search")
	must("PUT", "/api/agents/"+agentID, `{"systemPrompt":"Be kind.\nAnswer in detail.\nSign off.","tagIds":[`+tag+`],
		"tools":{"web_search":{},"call_agent":{"config":{"callableAgentIds":[`+helper+`,`+other+`]}}}}`)
	return agentID
}

func TestVersionsAPIDiffAndRestore(t *testing.T) {
	t.Parallel()
	e := start(t)
	id := setupDiff(t, e)
	r := e.token("reviewer@demo.test")
	code, body := e.api("GET", "/api/agents/versions?agentId="+id, r, "")
	if code != 200 || strings.Count(body, `"number"`) != 2 || !strings.Contains(body, `"number":2`) {
		t.Fatalf("versions: %d %s", code, body)
	}
	vs := decode(t, body)["versions"].([]any)
	v1 := itoa(int64(vs[1].(map[string]any)["id"].(float64)))
	code, body = e.api("GET", "/api/agents/"+id+"/diff", r, "")
	if code != 200 {
		t.Fatalf("diff: %d %s", code, body)
	}
	d := decode(t, body)["diff"].(map[string]any)
	fields := d["fields"].([]any)
	if len(fields) != 1 || fields[0].(map[string]any)["field"] != "tagIds" || fields[0].(map[string]any)["after"] != "Reviewed" {
		t.Fatalf("fields: %v", fields)
	}
	changed := d["toolsChanged"].([]any)
	if len(changed) != 2 || len(d["toolsAdded"].([]any)) != 0 || len(d["toolsRemoved"].([]any)) != 0 {
		t.Fatalf("tools: %v", d)
	}
	if !strings.Contains(body, `"path":"/callableAgentIds","before":"[\"Helper\"]","after":"[\"Escalations\",\"Helper\"]"`) ||
		!strings.Contains(body, `"path":"/parameters/properties/addedBy2026.12.0"`) || !strings.Contains(body, `"old":"Answer briefly.","new":"Answer in detail."`) {
		t.Fatalf("diff body: %s", body)
	}
	code, body = e.api("GET", "/api/agents/versions/"+v1, r, "")
	if code != 200 || !strings.Contains(body, `"systemPrompt":"Be kind.\nAnswer briefly.\nSign off."`) {
		t.Fatalf("version 1: %d %s", code, body)
	}
	if code, _ := e.api("POST", "/api/agents/"+id+"/versions/"+v1+"/restore", r, ""); code != 403 {
		t.Fatalf("reviewer restored: %d", code)
	}
	code, body = e.api("POST", "/api/agents/"+id+"/versions/"+v1+"/restore", e.token("builder@demo.test"), "")
	if code != 200 || !strings.Contains(body, `"systemPrompt":"Be kind.\nAnswer briefly.\nSign off."`) || !strings.Contains(body, `"tagIds":[]`) {
		t.Fatalf("restore: %d %s", code, body)
	}
	_, body = e.api("GET", "/api/agents/versions?agentId="+id, r, "")
	if !strings.Contains(body, `"number":3,"source":"restore"`) || !strings.Contains(body, `"summary":"restored version 1"`) {
		t.Fatalf("after restore: %s", body)
	}
	other, _ := e.otherOrg()
	if code, _ := e.api("GET", "/api/agents/versions/"+v1, e.token(other), ""); code != 404 {
		t.Fatal("another organisation read a version")
	}
}

func TestBrowserDiffPageShowsExactlyTheChanges(t *testing.T) {
	e := start(t)
	id := setupDiff(t, e)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "reviewer@demo.test", "demo-reviewer-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.Click(chromedp.CSS(`[data-testid=live-version]`)),
		waitText(`[data-testid=timeline]`, "v2"),
		chromedp.Click(chromedp.CSS(`[data-testid=diff-link]`)),
		waitText(`[data-testid=diff-title]`, "v1 → v2"),
	)
	if err != nil {
		t.Fatal(err)
	}
	fields := text(t, ctx, `[data-testid=diff-fields]`)
	// The console names fields by the form's labels (the API keeps JSON names).
	if !strings.Contains(fields, "Tags") || strings.Contains(fields, "tagIds") || !strings.Contains(fields, "Reviewed") || strings.Count(fields, "\n") > 6 {
		t.Fatalf("fields: %q", fields)
	}
	if got := text(t, ctx, `[data-testid=changed-line] ins`); got != "in detail" {
		t.Fatalf("word highlight: %q", got)
	}
	tools := text(t, ctx, `[data-testid=diff-tools]`)
	for _, want := range []string{"call_agent", "/callableAgentIds", "Escalations", "web_search", "/parameters/properties/addedBy2026.12.0"} {
		if !strings.Contains(tools, want) {
			t.Fatalf("tools section lacks %q: %q", want, tools)
		}
	}
	var unexpected int
	if err := chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		var err error
		unexpected, err = chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=tool-added], [data-testid=tool-removed], form[action*=restore]").length`)(ctx, tg)
		return chromedp.Void{}, err
	}); err != nil {
		t.Fatal(err)
	}
	if unexpected != 0 {
		t.Fatal("tools shown as added/removed, or a restore button offered to a reviewer")
	}
}

// TestThousandVersionsHistoryAndDiffUseBoundedQueries: the history page and a diff of
// any two versions cost a fixed number of statements whatever the history's length.
func TestThousandVersionsHistoryAndDiffUseBoundedQueries(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Long history","systemPrompt":"v0"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	// 999 more versions, written directly (the API path is covered elsewhere).
	if _, err := e.Store.DB.ExecContext(context.Background(), `INSERT INTO agent_versions (org_id, agent_id, number, source, author, summary, fields_ref, prompt_ref, tools_ref)
		SELECT v.org_id, v.agent_id, g, 'update', 'builder@demo.test', 'changed systemPrompt', v.fields_ref, agent_blob_put(to_jsonb('prompt ' || g)), v.tools_ref
		FROM agent_versions v, generate_series(2, 1000) g WHERE v.agent_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	var first, last int64
	e.Store.DB.NewRaw("SELECT min(id), max(id) FROM agent_versions WHERE agent_id = ?", id).Scan(context.Background(), &first, &last)
	c := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	hook := &dbtest.QueryCounter{}
	e.Store.AddQueryHook(hook)
	// Neither page shows the agent's prompt or tools: they read its name and state only.
	heavy := &queryWatch{match: "a.system_prompt"}
	e.Store.AddQueryHook(heavy)
	defer func() {
		if n := heavy.hits.Load(); n > 0 {
			t.Errorf("history and diff read the live agent's prompt and tools %d times", n)
		}
	}()
	// Round trips: the session, the agent's head, then the history in one statement;
	// the diff adds the version pair, every name it shows (one statement) and its picker.
	for path, most := range map[string]int64{"/agents/" + id + "/versions": 3, "/agents/" + id + "/diff?from=" + itoa(first) + "&to=" + itoa(last): 5, "/agents/" + id + "/diff?to=" + itoa(first+500): 5} {
		before := hook.Count()
		resp, page := c.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if n := hook.Count() - before; n > most {
			t.Errorf("%s: %d statements, want at most %d", path, n, most)
		}
		if strings.Contains(path, "diff?from") && !strings.Contains(page, "prompt 1000") {
			i := strings.Index(page, "diff-prompt")
			t.Errorf("diff lacks the newest prompt: %s", page[i:min(len(page), i+900)])
		}
	}
}

// queryWatch counts the statements whose SQL contains match.
type queryWatch struct {
	match string
	hits  atomic.Int64
}

func (q *queryWatch) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (q *queryWatch) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.Contains(e.Query, q.match) {
		q.hits.Add(1)
	}
}
