package web_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// fieldText is the unescaped text of the element with that id (a field error or a
// textarea) in a rendered page.
func fieldText(t *testing.T, page, tag, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<` + tag + `[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</` + tag + `>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no <%s id=%q> in the page", tag, id)
	}
	return html.UnescapeString(m[1])
}

// TestConsoleToolConfigErrorsBesideTheirField: a refused per-tool config is explained
// beside that tool's config field, naming the tool in words, and the text comes back
// exactly as typed; the API's error keeps its path.
func TestConsoleToolConfigErrorsBesideTheirField(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	typed := "{ \"readOnly\": \"yes\",\n  \"connectionId\": \"main\" }"
	form := url.Values{"name": {"Reporter"}, "stage": {"development"}, "tools": {"run_sql", "send_email", "call_agent"},
		"cfgjson-run_sql": {typed}, "cfgjson-send_email": {`{"allowedDomains": ["example.com",]}`}, "cfg-call_agent": {"999999"}}
	resp, page := c.post("/agents", form, c.csrf("/agents/new"))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused save: %d", resp.StatusCode)
	}
	for id, want := range map[string]string{
		"cfgjson-run_sql-error":    "Config of run_sql: readOnly must be a boolean, not a string",
		"cfgjson-send_email-error": "Config of send_email: not valid JSON (invalid character ']' looking for beginning of value, at character 35)",
		"cfg-call_agent-error":     "Config of call_agent: Agent 999999 does not belong to this organization (at callableAgentIds[0])",
	} {
		if got := fieldText(t, page, "p", id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	if got := fieldText(t, page, "p", "tools-error"); got != "" {
		t.Errorf("config problems still under the tool grid: %q", got)
	}
	if got := fieldText(t, page, "textarea", "cfgjson-run_sql"); got != typed {
		t.Errorf("textarea came back as %q, typed %q", got, typed)
	}
	if strings.Contains(page, "got string, want") {
		t.Error("the validator's raw wording reached the page")
	}
	// Inline validation answers the same message for the field being edited.
	vform := url.Values{"name": {"Reporter"}, "tools": {"run_sql"}, "cfgjson-run_sql": {typed}, "_csrf": {c.csrf("/agents/new")}}
	resp, frag := c.do("POST", "/agents/validate", strings.NewReader(vform.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "HX-Trigger-Name": "cfgjson-run_sql"})
	if resp.StatusCode != 200 || fieldText(t, frag, "p", "cfgjson-run_sql-error") != "Config of run_sql: readOnly must be a boolean, not a string" {
		t.Errorf("inline validation: %d %s", resp.StatusCode, frag)
	}
	// The API keeps the validator's message and the path into the config.
	code, body := e.api("POST", "/api/agents", e.token("builder@demo.test"), `{"name":"Reporter","tools":{"run_sql":{"config":{"readOnly":"yes"}}}}`)
	if code != 400 || !strings.Contains(body, `"path":["tools","run_sql","config","readOnly"]`) {
		t.Errorf("API: %d %s", code, body)
	}
}

// TestInvalidCatalogUploadSaysWhichToolAndWhy: the console's upload page and the API
// name the tool and the problem in words; no server path or validator dump.
func TestInvalidCatalogUploadSaysWhichToolAndWhy(t *testing.T) {
	t.Parallel()
	e := start(t)
	bad := `{"catalogVersion":"9","native":{"web_search":{"description":"Search","parameters":{"type":"object","properties":{"q":{"type":"strin"}}}}}}`
	want := "Invalid catalog: tool web_search: parameters: invalid JSON Schema: at /properties/q/type: value must be one of"
	c := e.client().mustLogin("operator@demo.test", "demo-operator-pass")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", c.csrf("/admin/catalog"))
	fw, _ := mw.CreateFormFile("catalog", "catalog.json")
	fw.Write([]byte(bad))
	mw.Close()
	resp, page := c.do("POST", "/admin/catalog", &body, map[string]string{"Content-Type": mw.FormDataContentType()})
	m := regexp.MustCompile(`(?s)data-testid="import-error">(.*?)</p>`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusUnprocessableEntity || m == nil || !strings.HasPrefix(html.UnescapeString(m[1]), want) {
		t.Fatalf("console upload: %d %v", resp.StatusCode, m)
	}
	code, answer := e.api("POST", "/api/tools/catalog", e.token("operator@demo.test"), bad)
	if code != 400 || !strings.Contains(answer, `"error":"`+want) {
		t.Fatalf("API upload: %d %s", code, answer)
	}
	for _, text := range []string{html.UnescapeString(m[1]), answer} {
		for _, leak := range []string{"file://", "/work", "schema.json", "metaschema", "jsonschema", "allOf"} {
			if strings.Contains(text, leak) {
				t.Errorf("the message shows %q: %s", leak, text)
			}
		}
	}
}

// TestCountsAgreeWithTheirNouns: one of something is singular on every page that
// counts ("1 agent holds", "1 external agent"), never "1 agents".
func TestCountsAgreeWithTheirNouns(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Solo","agentType":"external","externalConfig":{"endpointUrl":"https://solo.example/a2a"}}`)
	tag := decode(t, mustAPI(t, e, b, "POST", "/api/agent-tags", `{"name":"single"}`))
	mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Searcher","tools":{"web_search":{}},"tagIds":[`+itoa(int64(tag["id"].(float64)))+`]}`)
	bumpCatalog(t, e, "2099.1", "web_search") // Searcher now holds an outdated schema
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	for path, want := range map[string]string{
		"/admin/skill-roles": "1 external agent.",
		"/tags":              ">1 agent</a>",
		"/tools":             "1 agent holds an outdated schema",
		"/admin/sync":        "Sync 1 agent</button>",
	} {
		_, page := c.get(path)
		if !strings.Contains(page, want) {
			t.Errorf("%s lacks %q", path, want)
		}
		if m := regexp.MustCompile(`\b1 (agents|cards|members|external agents|unchanged fields)\b`).FindString(page); m != "" {
			t.Errorf("%s says %q", path, m)
		}
	}
}

// errorPage is the heading of the console's error page.
func errorPage(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)data-testid="error-page">.*?<h1[^>]*>(.*?)</h1>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no error page in %.300s", page)
	}
	return html.UnescapeString(m[1])
}

// TestRefusalsAndMissingPagesSayWhy: the console's 403 page says which role is needed
// (reviewers are read-only; builders are not admins), the 404 page says what was not
// found; the API keeps the seeds' bodies word for word.
func TestRefusalsAndMissingPagesSayWhy(t *testing.T) {
	t.Parallel()
	e := start(t)
	reviewer := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	builder := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	for _, c := range []struct {
		who    *client
		path   string
		status int
		want   string
	}{
		{reviewer, "/agents/new", 403, "Reviewers are read-only: creating agents needs the builder or admin role."},
		{reviewer, "/admin/users", 403, "Reviewers are read-only: administration needs the admin role."},
		{builder, "/admin/users", 403, "Administration needs the admin role; you are a builder."},
		{builder, "/agents/987654", 404, "Agent 987654 not found"},
		{builder, "/agents/abc/versions", 404, `Agent "abc" not found`},
		{builder, "/tools/no_such_tool", 404, `Tool "no_such_tool" not found`},
		{builder, "/agents/987654/card", 404, "Agent 987654 not found"},
		{builder, "/no/such/page", 404, "Page not found"},
	} {
		resp, page := c.who.get(c.path)
		if resp.StatusCode != c.status || errorPage(t, page) != c.want {
			t.Errorf("%s: %d %q, want %d %q", c.path, resp.StatusCode, errorPage(t, page), c.status, c.want)
		}
	}
	// A console write refused to a reviewer says the same.
	resp, page := reviewer.post("/tags/1/delete", url.Values{}, reviewer.csrf("/agents"))
	if resp.StatusCode != 403 || errorPage(t, page) != "Reviewers are read-only: changing agents needs the builder or admin role." {
		t.Errorf("reviewer's tag delete: %d %q", resp.StatusCode, errorPage(t, page))
	}
	resp, page = builder.post("/tags/987654", url.Values{"name": {"x"}, "color": {"red"}}, builder.csrf("/tags"))
	if resp.StatusCode != 404 || errorPage(t, page) != "Tag 987654 not found" {
		t.Errorf("missing tag: %d %q", resp.StatusCode, errorPage(t, page))
	}
	// The API's bodies are the seeds'.
	if code, body := e.api("POST", "/api/agents", e.token("reviewer@demo.test"), `{"name":"x"}`); code != 403 ||
		body != `{"error":"Unauthorized: User is not an admin in this organization"}` {
		t.Errorf("API 403: %d %s", code, body)
	}
	if code, body := e.api("GET", "/api/agents/987654", e.token("builder@demo.test"), ""); code != 404 || body != `{"error":"Not Found"}` {
		t.Errorf("API 404: %d %s", code, body)
	}
}

// TestSyncResultTellsSameNamedAgentsApart: two agents called the same are listed with
// their ids and a link to each, in the preview and in the result.
func TestSyncResultTellsSameNamedAgentsApart(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	var ids []string
	for range 2 {
		a := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Twin","tools":{"web_search":{}}}`))
		ids = append(ids, itoa(int64(a["id"].(float64))))
	}
	bumpCatalog(t, e, "2099.2", "web_search")
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	_, preview := c.get("/admin/sync")
	resp, result := c.post("/admin/sync", url.Values{}, c.csrf("/admin/sync"))
	if resp.StatusCode != 200 {
		t.Fatalf("sync: %d", resp.StatusCode)
	}
	for what, page := range map[string]string{"preview": preview, "result": result} {
		for _, id := range ids {
			if !strings.Contains(page, `href="/agents/`+id+`"`) || !strings.Contains(page, "#"+id+"<") {
				t.Errorf("%s does not tell agent %s apart", what, id)
			}
		}
	}
}

// TestCardPageSaysNoneInsteadOfEmptyHeadings: a card without capabilities, security
// schemes or per-skill modes says so rather than showing empty headings.
func TestCardPageSaysNoneInsteadOfEmptyHeadings(t *testing.T) {
	t.Parallel()
	e := start(t)
	p := newPeer(t) // no capabilities, no security schemes, skills without their own modes
	b := e.token("builder@demo.test")
	a := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Desk","agentType":"external","externalConfig":{"endpointUrl":"`+p.srv.URL+`/a2a"}}`))
	id := itoa(int64(a["id"].(float64)))
	if code, _, body := refresh(t, e, b, id); code != 200 {
		t.Fatalf("refresh: %d %s", code, body)
	}
	_, page := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass").get("/agents/" + id + "/card")
	for _, want := range []string{
		`data-testid="card-capabilities">none declared<`,
		`data-testid="card-security">none (no authentication declared)<`,
		`data-testid="card-modes">in: text/plain · out: text/plain<`,
		`>the card's defaults<`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("card page lacks %s", want)
		}
	}
	if strings.Contains(page, "in: <br") || regexp.MustCompile(`in: \s*<br/?>\s*out: \s*<`).MatchString(page) {
		t.Error("empty in:/out: modes shown")
	}
}

// TestBoostedFormRefusedByTheInputCheckKeepsThePage: a boosted form refused before its
// handler runs (a NUL byte) answers into the page's alert box naming the field, so the
// page and what the person typed stay; without htmx it is a 422 page saying the same.
func TestBoostedFormRefusedByTheInputCheckKeepsThePage(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	form := url.Values{"name": {"bad\x00name"}, "color": {"blue"}, "_csrf": {c.csrf("/tags")}}
	resp, body := c.do("POST", "/tags", strings.NewReader(form.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "HX-Boosted": "true"})
	if resp.StatusCode != http.StatusUnprocessableEntity || resp.Header.Get("HX-Retarget") != "#live-errors" ||
		resp.Header.Get("HX-Push-Url") != "false" || !strings.Contains(body, "name") || strings.Contains(body, "<html") {
		t.Fatalf("boosted refusal: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body = c.post("/tags", url.Values{"name": {"bad\x00name"}, "color": {"blue"}}, c.csrf("/tags"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "name") {
		t.Fatalf("plain refusal: %d", resp.StatusCode)
	}
}
