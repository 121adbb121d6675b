package web_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// listAgents creates development agents through the API and answers their ids.
func listAgents(t *testing.T, e *env, token string, bodies ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, b := range bodies {
		code, body := e.api("POST", "/api/agents", token, b)
		if code != 200 {
			t.Fatalf("create %s: %d %s", b, code, body)
		}
		ids = append(ids, int64(decode(t, body)["id"].(float64)))
	}
	return ids
}

// dbCount runs a count query on the test's database.
func dbCount(t *testing.T, e *env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.Store.DB.NewRaw(q, args...).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rowNames are the agent names of the list's rows, in order.
const rowNamesJS = `[...document.querySelectorAll("[data-testid=agent-link]")].map(a => a.textContent.trim())`

func TestListBulkPublishWithSelectAllAndConfirm(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	ids := listAgents(t, e, b, `{"name":"Pub one"}`, `{"name":"Pub two"}`, `{"name":"Pub three"}`)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents"), chromedp.WaitReady(chromedp.CSS(`[data-testid=agents-table]`)), settled()); err != nil {
		t.Fatal(err)
	}
	// Nothing selected: no bulk bar.
	if err := pollJS(ctx, `document.querySelector("[data-testid=bulk-form]").hidden === true`, 20*time.Second); err != nil {
		t.Fatalf("the bulk bar shows with nothing selected: %v", err)
	}
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=select-all]`)),
		waitText(`[data-testid=bulk-count]`, "3 selected"),
		checkRows("Pub two"), // untick one: the header box is mixed
		waitText(`[data-testid=bulk-count]`, "2 selected"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if mixed, _ := js[bool](ctx, `document.querySelector("[data-testid=select-all]").indeterminate && !document.querySelector("[data-testid=bulk-form]").hidden`); !mixed {
		t.Fatal("with two of three selected the select-all box is not mixed or the bar is hidden")
	}
	// Dismissing the confirmation sends nothing; accepting publishes all three.
	if _, err := js[any](ctx, `window.confirm = q => { window.__asked = q; return false; }`); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=select-all]`)),
		waitText(`[data-testid=bulk-count]`, "3 selected"),
		chromedp.Click(chromedp.CSS(`[data-testid=bulk-publish]`)),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if asked, _ := js[string](ctx, `window.__asked || ""`); asked != "Publish 3 agents (stage released)?" { // says how many
		t.Fatalf("publish asked %q", asked)
	}
	if n := dbCount(t, e, "SELECT count(*) FROM agent_versions WHERE source = 'publish'"); n != 0 {
		t.Fatalf("a dismissed confirmation published: %d versions", n)
	}
	err = chromedp.Do(ctx,
		acceptConfirms(),
		chromedp.Click(chromedp.CSS(`[data-testid=bulk-publish]`)),
		waitText(`[data-testid=flashes]`, "Published 3 of 3 selected agents."),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if n := dbCount(t, e, "SELECT count(*) FROM agent_versions v JOIN agents a ON a.id = v.agent_id WHERE v.agent_id = ? AND v.source = 'publish' AND a.stage = 'released'", id); n != 1 {
			t.Errorf("agent %d: %d publish versions, want 1", id, n)
		}
	}
	if n := dbCount(t, e, "SELECT count(*) FROM audit_log WHERE action = 'agent.bulk_published'"); n != 1 {
		t.Errorf("%d bulk audit entries, want 1", n)
	}
	if n := dbCount(t, e, "SELECT count(*) FROM audit_log WHERE action = 'agent.published'"); n != 0 {
		t.Errorf("%d per-agent publish entries, want none (the bulk entry records them)", n)
	}
	if stages := text(t, ctx, `[data-testid=agents-table]`); strings.Count(stages, "released") != 3 {
		t.Errorf("list after publishing: %q", stages)
	}
}

func TestListSortableHeaders(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	listAgents(t, e, b, `{"name":"Bravo","model":"openai:gpt-4o"}`, `{"name":"alpha","model":"anthropic:claude-opus-4-20250514"}`, `{"name":"Charlie"}`)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents"), chromedp.WaitReady(chromedp.CSS(`[data-testid=agents-table]`)), settled()); err != nil {
		t.Fatal(err)
	}
	// The default: updated, newest first, marked on its heading.
	if got, _ := js[string](ctx, `document.querySelector("[data-testid=col-updated]").getAttribute("aria-sort")`); got != "descending" {
		t.Fatalf("updated heading aria-sort %q", got)
	}
	for _, step := range []struct {
		col, aria string
		want      []string
	}{
		{"name", "ascending", []string{"alpha", "Bravo", "Charlie"}},
		{"name", "descending", []string{"Charlie", "Bravo", "alpha"}},
		{"model", "ascending", []string{"alpha", "Bravo", "Charlie"}}, // anthropic, openai, none last
		{"model", "descending", []string{"Charlie", "Bravo", "alpha"}},
	} {
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=sort-`+step.col+`]`)), settled())
		if err != nil {
			t.Fatal(err)
		}
		cond := fmt.Sprintf(`document.querySelector("[data-testid=col-%s]").getAttribute("aria-sort") === %q`, step.col, step.aria)
		if err := pollJS(ctx, cond, 20*time.Second); err != nil {
			t.Fatalf("%s %s: heading not marked: %v", step.col, step.aria, err)
		}
		names, err := js[[]string](ctx, rowNamesJS)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names, step.want) {
			t.Errorf("sorted by %s %s: %v, want %v", step.col, step.aria, names, step.want)
		}
		others, _ := js[int](ctx, `[...document.querySelectorAll("th[aria-sort=ascending], th[aria-sort=descending]")].length`)
		if others != 1 {
			t.Errorf("%d headings claim the sort, want 1", others)
		}
		loc, _ := js[string](ctx, `location.search`)
		q, _ := url.ParseQuery(strings.TrimPrefix(loc, "?"))
		if q.Get("sort") != step.col || q.Get("dir") != map[string]string{"ascending": "asc", "descending": "desc"}[step.aria] {
			t.Errorf("URL %q does not say the sort", loc)
		}
	}
	// The API sorts the same way.
	_, body := e.api("GET", "/api/agents?sort=name&dir=desc", b, "")
	var got []string
	for _, a := range decode(t, body)["agents"].([]any) {
		got = append(got, a.(map[string]any)["name"].(string))
	}
	if !slices.Equal(got, []string{"Charlie", "Bravo", "alpha"}) {
		t.Errorf("API name desc: %v", got)
	}
	if code, _ := e.api("GET", "/api/agents?dir=sideways", b, ""); code != 400 {
		t.Errorf("unknown dir: %d, want 400", code)
	}
}

func TestListLiveFilterUpdatesURL(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	listAgents(t, e, b, `{"name":"Alpha helper"}`, `{"name":"Beta"}`, `{"name":"Gamma"}`)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents?sort=name"),
		waitText(`[data-testid=agents-total]`, "3 total"),
		settled(),
		chromedp.SendKeys(chromedp.CSS(`#q`), "alp"), // no Enter, no button: typing is enough
		waitText(`[data-testid=agents-total]`, "1 total"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := pollJS(ctx, `new URLSearchParams(location.search).get("q") === "alp"`, 20*time.Second); err != nil {
		loc, _ := js[string](ctx, `location.href`)
		t.Fatalf("URL not kept in sync: %s", loc)
	}
	// The sort survives filtering, and typing kept the focus in the search box.
	if ok, _ := js[bool](ctx, `new URLSearchParams(location.search).get("sort") === "name" && document.activeElement.id === "q"`); !ok {
		loc, _ := js[string](ctx, `location.href + " focus=" + document.activeElement.id`)
		t.Errorf("after filtering: %s", loc)
	}
	// A select applies on change: the page size.
	if _, err := js[any](ctx, `(() => { const s = document.getElementById("perPage"); s.value = "50"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`); err != nil {
		t.Fatal(err)
	}
	if err := pollJS(ctx, `new URLSearchParams(location.search).get("perPage") === "50" && new URLSearchParams(location.search).get("q") === "alp"`, 20*time.Second); err != nil {
		loc, _ := js[string](ctx, `location.href`)
		t.Fatalf("page size not in the URL: %s", loc)
	}
	// Back to the unfiltered list: the history holds each state.
	if err := chromedp.Do(ctx, chromedp.NavigateBack(), settled()); err != nil {
		t.Fatal(err)
	}
	if err := pollJS(ctx, `new URLSearchParams(location.search).get("perPage") !== "50" && new URLSearchParams(location.search).get("q") === "alp"`, 20*time.Second); err != nil {
		loc, _ := js[string](ctx, `location.href + " history=" + history.length`)
		t.Errorf("back did not return to the previous filter: %v (%s)", err, loc)
	}
}

func TestListAt390PxScrollsInsideItsBox(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	long := strings.Repeat("W", 200) // one unbroken word as long as a name may be
	ids := listAgents(t, e, b, `{"name":"`+long+`","description":"`+strings.Repeat("d", 2000)+`","model":"openai:gpt-4o"}`, `{"name":"Short"}`)
	if code, body := e.api("POST", "/api/agents/bulk", b, fmt.Sprintf(`{"action":"delete","agentIds":[%d]}`, ids[1])); code != 200 {
		t.Fatal(body)
	}
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/agents", "/agents?deleted=true"} {
		err := chromedp.Do(ctx, chromedp.Navigate(e.URL+page), chromedp.WaitReady(chromedp.CSS(`[data-testid=agents-table]`)), settled(),
			chromedp.Click(chromedp.CSS(`[data-testid=select-all]`)), settled()) // the bulk bar showing too
		if err != nil {
			t.Fatal(err)
		}
		type widths struct{ Doc, Inner, Box, BoxScroll int }
		w, err := js[widths](ctx, `(() => { const box = document.querySelector("[data-testid=agents-scroll]");
			return {Doc: document.documentElement.scrollWidth, Inner: window.innerWidth, Box: box.clientWidth, BoxScroll: box.scrollWidth}; })()`)
		if err != nil {
			t.Fatal(err)
		}
		if w.Doc > w.Inner {
			t.Errorf("%s at 390 px: the page scrolls sideways (%d > %d)", page, w.Doc, w.Inner)
		}
		if w.BoxScroll <= w.Box {
			t.Errorf("%s at 390 px: the table fits its box (%d ≤ %d), so this test shows nothing", page, w.BoxScroll, w.Box)
		}
	}
	// The Deleted view says when and by whom.
	if by := text(t, ctx, `[data-testid=deleted-info]`); !strings.Contains(by, "by builder@demo.test") || !strings.Contains(by, time.Now().UTC().Format("2006-")) {
		t.Errorf("deleted info: %q", by)
	}
}

func TestBulkAPIAllOrNothing(t *testing.T) {
	e := start(t)
	b, r := e.token("builder@demo.test"), e.token("reviewer@demo.test")
	ids := listAgents(t, e, b, `{"name":"Api one"}`, `{"name":"Api two"}`, `{"name":"Api three"}`)
	all := fmt.Sprintf("[%d,%d,%d]", ids[0], ids[1], ids[2])
	if code, body := e.api("POST", "/api/agents/bulk", r, `{"action":"publish","agentIds":`+all+`}`); code != 403 {
		t.Fatalf("reviewer: %d %s", code, body)
	}
	// An agent stored before a rule existed: saving it again is refused.
	if _, err := e.Store.DB.ExecContext(context.Background(), "UPDATE agents SET agent_type = 'external', external_config = NULL WHERE id = ?", ids[1]); err != nil {
		t.Fatal(err)
	}
	versions := dbCount(t, e, "SELECT count(*) FROM agent_versions")
	code, body := e.api("POST", "/api/agents/bulk", b, `{"action":"publish","agentIds":`+all+`}`)
	if code != 400 || !strings.Contains(body, `"path":["agentIds",1,"externalConfig"]`) || !strings.Contains(body, "Api two") {
		t.Fatalf("one refused agent: %d %s", code, body)
	}
	if n := dbCount(t, e, "SELECT count(*) FROM agent_versions"); n != versions {
		t.Fatalf("a refused bulk publish wrote %d versions", n-versions)
	}
	if n := dbCount(t, e, "SELECT count(*) FROM agents WHERE stage = 'released'"); n != 0 {
		t.Fatalf("a refused bulk publish released %d agents", n)
	}
	if _, err := e.Store.DB.ExecContext(context.Background(), "UPDATE agents SET agent_type = 'native' WHERE id = ?", ids[1]); err != nil {
		t.Fatal(err)
	}
	code, body = e.api("POST", "/api/agents/bulk", b, `{"action":"publish","agentIds":`+all+`}`)
	if code != 200 || !strings.Contains(body, `"updated":3`) || !strings.Contains(body, `"total":3`) {
		t.Fatalf("publish: %d %s", code, body)
	}
	// Change model: the registry decides, and each agent gets a version.
	if code, body := e.api("POST", "/api/agents/bulk", b, `{"action":"changeModel","agentIds":`+all+`,"model":"acme:nope"}`); code != 400 || !strings.Contains(body, "not in the model registry") {
		t.Fatalf("unknown model: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agents/bulk", b, `{"action":"changeModel","agentIds":`+all+`}`); code != 400 || !strings.Contains(body, `"path":["model"]`) {
		t.Fatalf("no model: %d %s", code, body)
	}
	code, body = e.api("POST", "/api/agents/bulk", b, `{"action":"changeModel","agentIds":`+all+`,"model":"openai:gpt-4o"}`)
	if code != 200 || dbCount(t, e, "SELECT count(*) FROM agents WHERE model = 'openai:gpt-4o'") != 3 || dbCount(t, e, "SELECT count(*) FROM agent_versions WHERE summary LIKE '%model%'") != 3 {
		t.Fatalf("change model: %d %s", code, body)
	}
	// Delete and restore; deleting a deleted agent again is refused, naming it.
	if code, body := e.api("POST", "/api/agents/bulk", b, fmt.Sprintf(`{"action":"delete","agentIds":[%d,%d]}`, ids[0], ids[1])); code != 200 {
		t.Fatalf("delete: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agents/bulk", b, `{"action":"delete","agentIds":`+all+`}`); code != 400 || !strings.Contains(body, "Api one") || dbCount(t, e, "SELECT count(*) FROM agents WHERE deleted_at IS NULL") != 1 {
		t.Fatalf("delete again: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agents/bulk", b, fmt.Sprintf(`{"action":"restore","agentIds":[%d,%d]}`, ids[0], ids[1])); code != 200 || dbCount(t, e, "SELECT count(*) FROM agents WHERE deleted_at IS NULL") != 3 {
		t.Fatalf("restore: %d %s", code, body)
	}
	if n := dbCount(t, e, "SELECT count(*) FROM audit_log WHERE action LIKE 'agent.bulk_%'"); n != 4 {
		t.Errorf("%d bulk audit entries, want 4 (publish, model, delete, restore)", n)
	}
	// Another organisation's agents are not there to act on.
	other := createOtherOrgAgent(t, e)
	if code, body := e.api("POST", "/api/agents/bulk", b, fmt.Sprintf(`{"action":"delete","agentIds":[%d]}`, other)); code != 400 || !strings.Contains(body, "does not belong to this organization") {
		t.Fatalf("other organisation: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agents/bulk", b, `{"action":"explode","agentIds":`+all+`}`); code != 400 || !strings.Contains(body, "Invalid enum value") {
		t.Fatalf("unknown action: %d %s", code, body)
	}
}

// createOtherOrgAgent makes an agent in a second organisation and answers its id.
func createOtherOrgAgent(t *testing.T, e *env) int64 {
	t.Helper()
	email, _ := e.otherOrg()
	return listAgents(t, e, e.token(email), `{"name":"Theirs"}`)[0]
}

// Without JavaScript: the filters are a plain GET form and the bulk bar a plain POST.
func TestListWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	ids := listAgents(t, e, b, `{"name":"Nojs alpha"}`, `{"name":"Nojs beta"}`)
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	resp, body := c.get("/agents?q=alpha&sort=name&dir=desc&perPage=50")
	if resp.StatusCode != 200 || !strings.Contains(body, "Nojs alpha") || strings.Contains(body, "Nojs beta") || !strings.Contains(body, `aria-sort="descending"`) {
		t.Fatalf("plain GET filter: %d", resp.StatusCode)
	}
	token := c.csrf("/agents")
	resp, _ = c.post("/agents-bulk", url.Values{"action": {"delete"}, "agentIds": {itoa(ids[0]), itoa(ids[1])}, "back": {"/agents"}}, token)
	if resp.StatusCode != 303 || dbCount(t, e, "SELECT count(*) FROM agents WHERE deleted_at IS NOT NULL AND deleted_by = 'builder@demo.test'") != 2 {
		t.Fatalf("bulk delete: %d", resp.StatusCode)
	}
	_, body = c.get("/agents?deleted=true")
	if !strings.Contains(body, "Deleted 2 agents.") || strings.Count(body, `data-testid="deleted-by">by builder@demo.test`) != 2 {
		t.Fatalf("deleted view after a bulk delete lacks the flash or who deleted")
	}
	// A reviewer may not; a refusal changes nothing and says which agent.
	rc := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	resp, _ = rc.post("/agents-bulk", url.Values{"action": {"restore"}, "agentIds": {itoa(ids[0])}}, rc.csrf("/agents"))
	if resp.StatusCode != 403 {
		t.Fatalf("reviewer bulk restore: %d", resp.StatusCode)
	}
	resp, _ = c.post("/agents-bulk", url.Values{"action": {"publish"}, "agentIds": {itoa(ids[0])}}, token)
	_, body = c.get("/agents")
	if resp.StatusCode != 303 || !strings.Contains(body, "Agent “Nojs alpha”") || !strings.Contains(body, "Nothing was changed.") {
		t.Fatalf("publishing a deleted agent: %d", resp.StatusCode)
	}
}

func TestListBulkChangeModelInTheConsole(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	ids := listAgents(t, e, b, `{"name":"Model one","model":"openai:gpt-4o"}`, `{"name":"Model two"}`)
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	token := c.csrf("/agents")
	form := url.Values{"action": {"changeModel"}, "agentIds": {itoa(ids[0]), itoa(ids[1])}, "model": {""}}
	c.post("/agents-bulk", form, token)
	if _, body := c.get("/agents"); !strings.Contains(body, "Choose the model to change to.") {
		t.Fatal("no model chosen: no message")
	}
	form.Set("model", "anthropic:claude-opus-4-20250514")
	c.post("/agents-bulk", form, token)
	if _, body := c.get("/agents"); !strings.Contains(body, "Set the model to anthropic:claude-opus-4-20250514 on 2 of 2 selected agents.") {
		t.Fatal("change model: no success message")
	}
	// Each agent's history says it was a bulk model change, from what to what.
	if n := dbCount(t, e, "SELECT count(*) FROM agent_versions WHERE source = 'update' AND summary LIKE 'bulk model change: %anthropic:claude-opus-4-20250514'"); n != 2 {
		t.Fatalf("%d bulk model change versions, want 2", n)
	}
	if _, body := c.get(fmt.Sprintf("/agents/%d/versions", ids[0])); !strings.Contains(body, "bulk model change: openai:gpt-4o → anthropic:claude-opus-4-20250514") {
		t.Error("the history does not say the version was a bulk model change")
	}
}
