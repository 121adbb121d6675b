package web_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
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
	id, first, last := longHistory(t, e)
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
	// Round trips: the session, then the agent's head with the history in one
	// statement; the diff's second is the head with the version pair and its pickers'
	// versions, its third every name it shows. Without ?to= the head comes first on its
	// own (it names the live version).
	for path, most := range map[string]int64{"/agents/" + id + "/versions": 2, "/agents/" + id + "/diff?from=" + itoa(first) + "&to=" + itoa(last): 3,
		"/agents/" + id + "/diff?to=" + itoa(first+500): 3, "/agents/" + id + "/diff": 4} {
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

// longHistory makes an agent of 1,000 versions (every tenth a tags change, the rest
// prompt edits) and returns its id and its first and last version ids.
func longHistory(t *testing.T, e *env) (id string, first, last int64) {
	t.Helper()
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Long history","systemPrompt":"v0"}`)
	id = itoa(int64(decode(t, body)["id"].(float64)))
	// 999 more versions, written directly (the API path is covered elsewhere).
	if _, err := e.Store.DB.ExecContext(context.Background(), `INSERT INTO agent_versions (org_id, agent_id, number, source, author, summary, fields_ref, prompt_ref, tools_ref)
		SELECT v.org_id, v.agent_id, g, CASE WHEN g % 10 = 0 THEN 'tags' ELSE 'update' END, 'builder@demo.test', 'changed systemPrompt', v.fields_ref, agent_blob_put(to_jsonb('prompt ' || g)), v.tools_ref
		FROM agent_versions v, generate_series(2, 1000) g WHERE v.agent_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	e.Store.DB.NewRaw("SELECT min(id), max(id) FROM agent_versions WHERE agent_id = ?", id).Scan(context.Background(), &first, &last)
	return id, first, last
}

// TestHistoryPagesGoBothWaysAndDiffPickersShowOldChoices: an older page of the history
// links back to the newer one (filters and page size kept), and the diff's pickers show
// the versions compared even when they are older than the newest 200 they list.
func TestHistoryPagesGoBothWaysAndDiffPickersShowOldChoices(t *testing.T) {
	t.Parallel()
	e := start(t)
	id, first, last := longHistory(t, e)
	c := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	numbers := func(page string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`<span class="font-mono text-sm font-semibold">v([0-9]+)</span>`).FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	link := func(page, testid string) string {
		return html.UnescapeString(regexpFind(page, `<a href="([^"]*)" class="text-indigo-700 underline" data-testid="`+testid+`"`))
	}
	for _, tc := range []struct {
		query       string
		firstPage   []string // first and last number of each page, newest first
		pages, size int
	}{
		{"", []string{"1000", "951"}, 20, 50},
		{"?source=tags&limit=30", []string{"1000", "710"}, 4, 30}, // 100 tags versions: 30, 30, 30, 10
	} {
		resp, page := c.get("/agents/" + id + "/versions" + tc.query)
		if resp.StatusCode != 200 || link(page, "newer-versions") != "" {
			t.Fatalf("%q: first page %d, or it links to newer ones", tc.query, resp.StatusCode)
		}
		var seen [][]string
		for n := 0; ; n++ {
			got := numbers(page)
			if len(got) == 0 || (n+1 < tc.pages && len(got) != tc.size) {
				t.Fatalf("%q page %d: %v", tc.query, n, got)
			}
			seen = append(seen, got)
			older := link(page, "older-versions")
			if older == "" {
				break
			}
			_, page = c.get(older)
		}
		if len(seen) != tc.pages || seen[0][0] != tc.firstPage[0] || seen[0][len(seen[0])-1] != tc.firstPage[1] {
			t.Fatalf("%q: %d pages, first %v", tc.query, len(seen), seen[0])
		}
		// Back from the oldest page: each Newer link shows exactly the page before it.
		for n := len(seen) - 1; n > 0; n-- {
			newer := link(page, "newer-versions")
			if newer == "" {
				t.Fatalf("%q: page %d has no link to newer versions", tc.query, n)
			}
			_, page = c.get(newer)
			if got := numbers(page); strings.Join(got, " ") != strings.Join(seen[n-1], " ") {
				t.Fatalf("%q: newer than page %d shows %v, want %v", tc.query, n, got, seen[n-1])
			}
		}
		if link(page, "newer-versions") != "" {
			t.Fatalf("%q: the newest page links to newer versions", tc.query)
		}
	}
	// v1 is older than the pickers' 200 versions: it is offered (last) and chosen.
	_, page := c.get("/agents/" + id + "/diff?from=" + itoa(first) + "&to=" + itoa(last))
	from, to := selectOptions(t, page, "from"), selectOptions(t, page, "to")
	if len(from) != 201 || from[200] != itoa(first) || !strings.Contains(page, `<option value="`+itoa(first)+`" selected>v1 · Created · builder@demo.test (token)</option>`) ||
		strings.Count(page, `<option value="`+itoa(last)+`" selected>`) != 1 || len(to) != 201 {
		t.Fatalf("pickers: %d from options (last %s), %d to", len(from), from[len(from)-1], len(to))
	}
	// Both ends old: each offered once, newest first, each picker choosing its own.
	_, page = c.get("/agents/" + id + "/diff?from=" + itoa(first) + "&to=" + itoa(first+1))
	if from = selectOptions(t, page, "from"); len(from) != 202 || from[200] != itoa(first+1) || from[201] != itoa(first) ||
		strings.Count(page, " selected>") != 2 {
		t.Fatalf("two old versions: %v", from[198:])
	}
}

// TestDiffOffersIgnoreWhitespaceOnce: one control for the option, which picking other
// versions keeps.
func TestDiffOffersIgnoreWhitespaceOnce(t *testing.T) {
	t.Parallel()
	e := start(t)
	id, v1, v2, _ := setupWhitespace(t, e)
	c := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	_, page := c.get("/agents/" + id + "/diff?from=" + v1 + "&to=" + v2)
	if n := strings.Count(page, "Ignore whitespace"); n != 1 || strings.Contains(page, `name="ignoreWhitespace"`) {
		t.Fatalf("%d offers to ignore whitespace", n)
	}
	_, page = c.get("/agents/" + id + "/diff?from=" + v1 + "&to=" + v2 + "&ignoreWhitespace=true")
	if strings.Count(page, "Ignore whitespace") != 0 || strings.Count(page, "Show whitespace changes") != 1 ||
		!strings.Contains(page, `<input type="hidden" name="ignoreWhitespace" value="true">`) {
		t.Fatal("ignoring whitespace: not offered once to show it, or the version picker drops it")
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

// TestHistoryAndDiffNotFoundWithTheHeadFolded: the history and diff pages read the
// agent's head in their own statement, and still answer as they did: an agent of
// another organisation is Not Found, as an agent, before a wrong parameter is a 422;
// a version that is not the agent's is Not Found as a version; a deleted agent's
// history and diff still show.
func TestHistoryAndDiffNotFoundWithTheHeadFolded(t *testing.T) {
	t.Parallel()
	e := start(t)
	otherEmail, otherPass := e.otherOrg()
	other := e.client().mustLogin(otherEmail, otherPass)
	demo := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	tok := e.token("admin@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Folded head","systemPrompt":"v0"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	mustAPI(t, e, tok, "PUT", "/api/agents/"+id, `{"systemPrompt":"v1"}`)
	vs := decode(t, mustAPI(t, e, tok, "GET", "/api/agents/versions?agentId="+id, ""))["versions"].([]any)
	v2, v1 := itoa(int64(vs[0].(map[string]any)["id"].(float64))), itoa(int64(vs[1].(map[string]any)["id"].(float64)))
	pages := []string{"/versions", "/versions?limit=0", "/diff", "/diff?from=" + v1 + "&to=" + v2, "/diff?to=x", "/diff?to=" + v2}
	for _, p := range pages {
		resp, page := other.get("/agents/" + id + p)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(page, "Agent "+id) {
			t.Errorf("other organisation, %s: %d, not the agent Not Found", p, resp.StatusCode)
		}
	}
	for p, want := range map[string]int{"/versions?limit=0": http.StatusUnprocessableEntity, "/diff?to=x": http.StatusUnprocessableEntity, "/diff?from=" + v1 + "&to=999999999": http.StatusNotFound} {
		if resp, page := demo.get("/agents/" + id + p); resp.StatusCode != want || (want == http.StatusNotFound && !strings.Contains(page, "Version to compare")) {
			t.Errorf("%s: %d, want %d", p, resp.StatusCode, want)
		}
	}
	mustAPI(t, e, tok, "DELETE", "/api/agents/"+id, "")
	for _, p := range []string{"/versions", "/diff", "/diff?from=" + v1 + "&to=" + v2} {
		if resp, page := demo.get("/agents/" + id + p); resp.StatusCode != 200 || !strings.Contains(page, "Folded head") {
			t.Errorf("deleted agent, %s: %d", p, resp.StatusCode)
		}
	}
}
