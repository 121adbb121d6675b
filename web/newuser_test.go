package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"agentconsole/db/catalog"
)

// TestPasswordsAreAtMost72Bytes: bcrypt reads only 72 bytes, so a longer password can
// be neither set (a message on the field, not a 500) nor used to sign in (it would be
// checked by its prefix). The refused login costs the same bcrypt work as any other.
func TestPasswordsAreAtMost72Bytes(t *testing.T) {
	t.Parallel()
	e := start(t)
	reviewer := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	long := strings.Repeat("p", 73)
	resp, page := reviewer.post("/account/password", url.Values{"current": {"demo-reviewer-pass"}, "password": {long}, "confirm": {long}}, reviewer.csrf("/account"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(fieldText(t, page, "p", "password-error"), "Use at most 72 bytes") {
		t.Fatalf("73-byte new password: %d %q", resp.StatusCode, fieldText(t, page, "p", "password-error"))
	}
	// 72 × p is allowed; 5,000 × p starts with it and must not sign in.
	exact := strings.Repeat("p", 72)
	if resp, _ := reviewer.post("/account/password", url.Values{"current": {"demo-reviewer-pass"}, "password": {exact}, "confirm": {exact}}, reviewer.csrf("/account")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("72-byte password: %d", resp.StatusCode)
	}
	before := e.Store.PasswordChecks()
	if resp := e.client().login("reviewer@demo.test", strings.Repeat("p", 5000)); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("5,000 × p signed in as the 72 × p account: %d", resp.StatusCode)
	}
	after := e.Store.PasswordChecks()
	var n int
	for cost := range after {
		n += after[cost] - before[cost]
	}
	if n != 1 {
		t.Errorf("the refused long password made %d hash comparisons, want 1 like any other", n)
	}
	e.client().mustLogin("reviewer@demo.test", exact)

	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	for _, c := range []struct{ field, email, name, password, want string }{
		{"password", "new1@demo.test", "New", long, "Use at most 72 bytes"},
		{"name", "new2@demo.test", strings.Repeat("n", 5000), "a-long-password", "Use a name of at most 200 characters."},
		{"email", strings.Repeat("e", 250) + "@demo.test", "New", "a-long-password", "Use an email address of at most 254 characters."},
	} {
		resp, page := admin.post("/admin/users", url.Values{"email": {c.email}, "name": {c.name}, "role": {"builder"}, "password": {c.password}}, admin.csrf("/admin/users"))
		if got := fieldText(t, page, "p", c.field+"-error"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.HasPrefix(got, c.want) {
			t.Errorf("add user, bad %s: %d %q, want %q", c.field, resp.StatusCode, got, c.want)
		}
	}
}

// flashAfter follows a 303 and answers the page it leads to (where the flash shows).
func flashAfter(t *testing.T, c *client, post func() (*http.Response, string)) string {
	t.Helper()
	resp, body := post()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("want a redirect, got %d: %.300s", resp.StatusCode, body)
	}
	_, page := c.get(resp.Header.Get("Location"))
	return page
}

// TestSkillRoleRuleSaysWhetherItAddedOrReplaced: saving a tag that already has a rule
// says it updated that rule and what the roles were; empty entries are dropped and odd
// roles refused with a message.
func TestSkillRoleRuleSaysWhetherItAddedOrReplaced(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	save := func(roles string) (*http.Response, string) {
		return admin.post("/admin/skill-roles", url.Values{"match": {"booking"}, "roles": {roles}}, admin.csrf("/admin/skill-roles"))
	}
	if page := flashAfter(t, admin, func() (*http.Response, string) { return save("a, ,b") }); !strings.Contains(page, "Added a rule for booking: a, b.") {
		t.Errorf("first save: %s", flashOf(page))
	}
	page := flashAfter(t, admin, func() (*http.Response, string) { return save("c") })
	if !strings.Contains(page, "Updated the rule for booking: c (was a, b).") {
		t.Errorf("second save: %s", flashOf(page))
	}
	if _, users := admin.get("/admin/users"); !regexp.MustCompile(`href="/admin/skill-roles"[^>]*>Skill roles<`).MatchString(users) {
		t.Error("the admin tab to /admin/skill-roles is not named Skill roles")
	}
	resp, page := save("ok, <b>!")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(page), `Role "<b>!": use letters, digits, spaces and - _ . : / only`) {
		t.Errorf("odd role: %d", resp.StatusCode)
	}
	if code, body := e.api("POST", "/api/skill-role-rules", e.token("admin@demo.test"), `{"match":"x","roles":["a","","b"]}`); code != 200 || !strings.Contains(body, `"roles":["a","b"]`) {
		t.Errorf("API with an empty role: %d %s", code, body)
	}
}

// flashOf is the flashes region of a page, for failure messages.
func flashOf(page string) string {
	if i := strings.Index(page, `data-testid="flashes"`); i >= 0 {
		return page[i:min(len(page), i+400)]
	}
	return "(no flashes)"
}

// TestEditorLineFieldsSayWhatIsWrong: an input's third part is required, optional or
// empty (never silently turned into optional), and a context document missing a part
// says which, on its line — on save and in the inline check alike.
func TestEditorLineFieldsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	form := url.Values{"name": {"Lines"}, "stage": {"development"}, "inputs": {"city | text | required | where\nname | text | maybe | desc"}, "contextDocs": {"just-one-field"}}
	resp, page := c.post("/agents", form, c.csrf("/agents/new"))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	for id, want := range map[string]string{
		"inputs-error":      `Line 2: the third part must be required or optional (or empty), not "maybe"`,
		"contextDocs-error": "Line 1: id is required",
	} {
		if got := fieldText(t, page, "p", id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	form.Set("_csrf", c.csrf("/agents/new"))
	resp, frag := c.do("POST", "/agents/validate", strings.NewReader(form.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true", "HX-Trigger-Name": "inputs"})
	if resp.StatusCode != 200 || !strings.Contains(html.UnescapeString(frag), `not "maybe"`) {
		t.Errorf("inline check: %d %s", resp.StatusCode, frag)
	}
	// Empty and "optional" are optional; the agent saves.
	form.Set("inputs", "city | text | | where\nname | text | optional | desc")
	form.Set("contextDocs", "googleDocs | doc-1")
	if resp, body := c.post("/agents", form, c.csrf("/agents/new")); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("valid lines refused: %d %s", resp.StatusCode, fieldText(t, body, "p", "inputs-error"))
	}
}

// TestTagFormsKeepWhatWasTypedAndSayWhy: a refused rename keeps the typed name in its
// box; a tag's description can be edited in its row; the editor's tag box and the
// bulk "Remove tag" say why nothing happened; a token without a name is "Required".
func TestTagFormsKeepWhatWasTypedAndSayWhy(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	tok := e.token("admin@demo.test")
	var first, second struct{ ID int64 }
	mustJSON(t, e, tok, "POST", "/api/agent-tags", `{"name":"alpha"}`, &first)
	mustJSON(t, e, tok, "POST", "/api/agent-tags", `{"name":"beta"}`, &second)
	row := "/tags/" + itoa(second.ID)
	resp, page := admin.post(row, url.Values{"name": {"Alpha"}, "color": {"red"}, "description": {"typed"}}, admin.csrf("/tags"))
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("rename to an existing name: %d", resp.StatusCode)
	}
	if !strings.Contains(page, `id="tag-name-`+itoa(second.ID)+`" name="name" value="Alpha"`) ||
		!strings.Contains(page, `name="description" value="typed"`) {
		t.Errorf("the refused row lost what was typed: %s", fieldText(t, page, "p", "tag-name-"+itoa(second.ID)+"-error"))
	}
	if resp, _ := admin.post(row, url.Values{"name": {"beta"}, "color": {"red"}, "description": {"Now described"}}, admin.csrf("/tags")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("describe: %d", resp.StatusCode)
	}
	if _, body := e.api("GET", "/api/agent-tags", tok, ""); !strings.Contains(body, `"description":"Now described"`) {
		t.Errorf("description not saved: %s", body)
	}
	// The editor's tag box: empty is "Type a tag name.", too long says the limit.
	for typed, want := range map[string]string{"": "Type a tag name.", strings.Repeat("t", 51): "Use a tag name of at most 50 characters."} {
		_, frag := admin.do("POST", "/tags/inline", strings.NewReader(url.Values{"newTag": {typed}, "_csrf": {admin.csrf("/tags")}}.Encode()),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
		if !strings.Contains(frag, want) {
			t.Errorf("tag box %q: %s", typed, frag)
		}
	}
	// Bulk remove of a tag none of the selected agents has.
	var a1, a2 struct{ ID int64 }
	mustJSON(t, e, tok, "POST", "/api/agents", `{"name":"Bulk one"}`, &a1)
	mustJSON(t, e, tok, "POST", "/api/agents", `{"name":"Bulk two"}`, &a2)
	page = flashAfter(t, admin, func() (*http.Response, string) {
		return admin.post("/agents-bulk/tags", url.Values{"tagId": {itoa(first.ID)}, "agentIds": {itoa(a1.ID), itoa(a2.ID)}, "action": {"remove"}, "back": {"/agents"}}, admin.csrf("/agents"))
	})
	if !strings.Contains(page, "None of the 2 selected agents had tag “alpha”.") {
		t.Errorf("bulk remove of an absent tag: %s", flashOf(page))
	}
	resp, page = admin.post("/admin/tokens", url.Values{"name": {""}, "expires": {""}}, admin.csrf("/admin/tokens"))
	if got := fieldText(t, page, "p", "name-error"); resp.StatusCode != http.StatusUnprocessableEntity || got != "Required" {
		t.Errorf("token without a name: %d %q", resp.StatusCode, got)
	}
}

// mustJSON calls the API, wants 200 and decodes the answer into out.
func mustJSON(t *testing.T, e *env, tok, method, path, body string, out any) {
	t.Helper()
	if err := json.Unmarshal([]byte(mustAPI(t, e, tok, method, path, body)), out); err != nil {
		t.Fatal(err)
	}
}

// TestPagePastTheEndGoesToTheLastPage: /agents?page=99 is not "No agents yet".
func TestPagePastTheEndGoesToTheLastPage(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	tok := e.token("admin@demo.test")
	for i := 0; i < 3; i++ {
		mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Paged `+itoa(int64(i))+`"}`)
	}
	resp, _ := c.get("/agents?perPage=2&page=99")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("page 99 of 2: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	q, _ := url.ParseQuery(strings.TrimPrefix(loc, "/agents?"))
	if q.Get("page") != "2" || q.Get("perPage") != "2" {
		t.Fatalf("sent to %s, want the last page with the same filters", loc)
	}
	_, page := c.get(loc)
	if !strings.Contains(page, "There are no agents on page 99: 3 agents fill 2 pages. This is the last page.") || strings.Contains(page, "No agents yet") {
		t.Errorf("last page: %s", flashOf(page))
	}
}

// TestCatalogPageShowsTheFormatAndTheCurrentFile: /admin/catalog shows a short example
// that is itself a valid catalog, and the current catalog downloads in the format a load
// takes (loading it back changes nothing).
func TestCatalogPageShowsTheFormatAndTheCurrentFile(t *testing.T) {
	t.Parallel()
	e := start(t)
	op := e.client().mustLogin("operator@demo.test", "demo-operator-pass")
	_, page := op.get("/admin/catalog")
	m := regexp.MustCompile(`(?s)<pre[^>]*>(.*?)</pre>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `href="/api/tools/catalog"`) {
		t.Fatal("no example or download link on /admin/catalog")
	}
	if _, err := catalog.Parse([]byte(html.UnescapeString(m[1]))); err != nil {
		t.Errorf("the example is not a valid catalog: %v", err)
	}
	resp, file := op.get("/api/tools/catalog")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	checkContract(t, "GET", "/api/tools/catalog", 200, file)
	code, body := e.api("POST", "/api/tools/catalog", e.token("operator@demo.test"), file)
	if code != 200 || !strings.Contains(body, `"added":[],"changed":[],"removed":[]`) {
		t.Errorf("loading the downloaded catalog back: %d %s", code, body)
	}
}
