package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"agentconsole/db"
)

// selectOptions is the values of the <option>s of the <select> with the given id.
func selectOptions(t *testing.T, page, id string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<select id="` + id + `"[^>]*>(.*?)</select>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no select #%s in the page", id)
	}
	var out []string
	for _, o := range regexp.MustCompile(`<option value="([^"]*)"`).FindAllStringSubmatch(m[1], -1) {
		if o[1] != "" {
			out = append(out, o[1])
		}
	}
	return out
}

// TestFiltersOfferEveryValueWritten: the history's source filter and the audit log's
// object type filter offer exactly the declared lists that every write is checked
// against (db.VersionSources, db.AuditObjectTypes; see db's TestVocabulariesAreListed),
// so a kind of version or audit entry that is written is a kind the filter offers.
func TestFiltersOfferEveryValueWritten(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := e.api("POST", "/api/agents", e.token("admin@demo.test"), `{"name":"Filtered"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	_, page := c.get("/agents/" + id + "/versions")
	if got := selectOptions(t, page, "source"); !slices.Equal(got, db.VersionSources) {
		t.Errorf("history source filter offers %v, want %v", got, db.VersionSources)
	}
	for _, s := range []string{db.SourceCapability, db.SourceSync, db.SourceCardRefresh} {
		if !slices.Contains(selectOptions(t, page, "source"), s) {
			t.Errorf("history source filter lacks %q", s)
		}
	}
	_, page = c.get("/admin/audit")
	if got := selectOptions(t, page, "object"); !slices.Equal(got, db.AuditObjectTypes) {
		t.Errorf("audit object type filter offers %v, want %v", got, db.AuditObjectTypes)
	}
	for _, s := range []string{"skill_rule", "organization"} {
		if !strings.Contains(strings.Join(selectOptions(t, page, "object"), " "), s) {
			t.Errorf("audit object type filter lacks %q", s)
		}
	}
}

// TestRefusedSaveKeepsTheStoredNameInTheHeading: a refused rename shows the stored name
// in the heading and title and the typed one only in the form, with a summary on top
// linking to the field; every field with a known server limit shows a counter against
// it, and none carries maxlength (which silently cuts a pasted value).
func TestRefusedSaveKeepsTheStoredNameInTheHeading(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := e.api("POST", "/api/agents", e.token("admin@demo.test"), `{"name":"Stored name"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	long := strings.Repeat("A", 5000)
	resp, page := c.post("/agents/"+id, url.Values{"name": {long}, "stage": {"development"}}, c.csrf("/agents/"+id))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !regexp.MustCompile(`data-testid="editor-title">\s*Stored name\s*</h1>`).MatchString(page) || !strings.Contains(page, "<title>Stored name · agentconsole</title>") {
		t.Error("the heading or title of the refused save is not the stored name")
	}
	if strings.Count(page, long) != 1 || !strings.Contains(page, `value="`+long+`"`) {
		t.Error("the typed name should be in the form, and only there")
	}
	if !strings.Contains(page, `data-testid="name-count"`) || !strings.Contains(page, "5000 characters (limit 200): 4800 over the limit") {
		t.Error("the name's counter does not show the typed name over the limit")
	}
	summary := regexp.MustCompile(`(?s)data-testid="form-errors".*?</div>`).FindString(page)
	if !strings.Contains(summary, `href="#name"`) || !strings.Contains(summary, "Name</a>: String must contain at most 200 character(s)") {
		t.Errorf("error summary does not link to the name: %q", summary)
	}
	if strings.Index(page, `data-testid="form-errors"`) > strings.Index(page, `data-testid="agent-form"`) {
		t.Error("the error summary is below the form's start")
	}
	for field, limit := range map[string]int{"name": db.MaxName, "description": db.MaxDescription, "systemPrompt": db.MaxPrompt, "emailSlug": db.MaxSlug, "logoUrl": db.MaxURL} {
		if !regexp.MustCompile(`id="` + field + `"[^>]*data-limit="` + strconv.Itoa(limit) + `"`).MatchString(page) {
			t.Errorf("#%s lacks its counter's limit %d", field, limit)
		}
		if regexp.MustCompile(`id="` + field + `"[^>]*maxlength=`).MatchString(page) {
			t.Errorf("#%s has maxlength: a pasted value would be cut silently", field)
		}
	}
}

// TestEditorSaysWhatIsReadOnlyAndWhatIsIgnored: a reviewer is told why the editor is
// greyed out; a call_agent config chosen without the tool says it is ignored instead of
// a bare "No changes to save."; the tools section says unticking drops the config.
func TestEditorSaysWhatIsReadOnlyAndWhatIsIgnored(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("admin@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Caller"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	_, body = e.api("POST", "/api/agents", tok, `{"name":"Callee"}`)
	callee := itoa(int64(decode(t, body)["id"].(float64)))
	const notice = "You can read this agent; changing it needs the builder or admin role."
	_, page := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass").get("/agents/" + id)
	if !strings.Contains(page, notice) {
		t.Error("the reviewer's read-only editor has no notice")
	}
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	_, page = c.get("/agents/" + id)
	if strings.Contains(page, notice) || strings.Contains(page, "configs are kept") || !strings.Contains(page, "A tool you untick is removed from the agent with its config") {
		t.Error("the admin's editor shows the read-only notice, or the tools section promises kept configs")
	}
	version := regexp.MustCompile(`name="publishedVersionId" value="(\d+)"`).FindStringSubmatch(page)[1]
	resp, _ := c.post("/agents/"+id, url.Values{"id": {id}, "name": {"Caller"}, "stage": {"development"}, "showInChat": {"on"},
		"publishedVersionId": {version}, "cfg-call_agent": {callee}}, c.csrf("/agents/"+id))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, page = c.get("/agents/" + id)
	if !strings.Contains(page, "call_agent is not selected: its config is ignored.") {
		t.Errorf("no hint that the call_agent config was ignored: %s", regexp.MustCompile(`(?s)data-testid="flashes".{0,400}`).FindString(page))
	}
}

// TestConsoleDiffIsReadable: the console's diff shows values as text (no \u003c, a list
// of objects one item per line), an added tool's config by name and a removed tool's
// config, and field labels in the history summary.
func TestConsoleDiffIsReadable(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("admin@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Escalations"}`)
	callee := itoa(int64(decode(t, body)["id"].(float64)))
	_, body = e.api("POST", "/api/agents", tok, `{"name":"Differ","tools":{"create_ticket":{"config":{"projectKey":"IT"}}}}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	code, body := e.api("PUT", "/api/agents/"+id, tok, `{"maxToolRoundtrips":3,"inputs":[{"name":"😀","type":"text","description":"<script>x</script>"},{"name":"b","type":"text"}],
		"tools":{"call_agent":{"config":{"callableAgentIds":[`+callee+`]}},"http_request":{"config":{"allowedHosts":["api.example.com"]}}}}`)
	if code != 200 {
		t.Fatalf("update: %d %s", code, body)
	}
	c := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	_, page := c.get("/agents/" + id + "/diff")
	if strings.Contains(page, `\u003c`) || !strings.Contains(page, `&lt;script&gt;x&lt;/script&gt;`) {
		t.Error("the diff shows JSON escapes instead of the text")
	}
	if !regexp.MustCompile(`😀[^\n<]*}\n\{`).MatchString(page) {
		t.Error("the inputs are not shown one per line")
	}
	tools := regexp.MustCompile(`(?s)data-testid="diff-tools".*?</section>`).FindString(page)
	for _, want := range []string{"call_agent", "/callableAgentIds", "Escalations", "http_request", "api.example.com", "create_ticket", "/projectKey", "IT"} {
		if !strings.Contains(tools, want) {
			t.Errorf("the tools section lacks %q", want)
		}
	}
	if !strings.Contains(page, "Max tool roundtrips") || !strings.Contains(page, "Inputs") {
		t.Error("the diff does not name fields by their labels")
	}
	_, page = c.get("/agents/" + id + "/versions")
	if !strings.Contains(page, "changed Inputs, Max tool roundtrips, Tools") {
		t.Errorf("history summary: %s", regexp.MustCompile(`changed [^<]*`).FindString(page))
	}
}
