package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"agentconsole/views/layout"
)

// A deleted agent's editor is read-only: the fields are in a disabled fieldset, no
// Save, no tag Add, and Restore is the one action offered.
func TestDeletedAgentEditorIsReadOnly(t *testing.T) {
	e := start(t)
	tok := e.token("admin@demo.test")
	code, body := e.api("POST", "/api/agents", tok, `{"name":"Gone soon"}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	id := itoa(int64(decode(t, body)["id"].(float64)))
	if code, body := e.api("DELETE", "/api/agents/"+id, tok, ""); code/100 != 2 {
		t.Fatalf("delete: %d %s", code, body)
	}
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	resp, page := c.get("/agents/" + id)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("editor: %d", resp.StatusCode)
	}
	for _, bad := range []string{`data-testid="save-agent"`, `data-testid="save-agent-bottom"`, `id="new-tag-form"`, `data-testid="delete-agent"`} {
		if strings.Contains(page, bad) {
			t.Errorf("deleted agent's editor offers %s", bad)
		}
	}
	if !strings.Contains(page, `data-testid="restore-agent"`) {
		t.Error("no Restore")
	}
	// An editor left open before the deletion still posts: the answer says why nothing
	// was saved and shows the read-only editor, not "Page not found".
	resp, _ = c.post("/agents/"+id, url.Values{"id": {id}, "name": {"Renamed"}}, c.csrf("/agents/"+id))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("stale save: %d", resp.StatusCode)
	}
	if _, page := c.get(resp.Header.Get("Location")); !strings.Contains(page, "This agent was deleted, so nothing was saved. Restore it to change it.") {
		t.Errorf("stale save's answer: %s", page)
	}
	// The Deleted view says when and by whom, not who last edited it.
	_, trash := c.get("/agents?deleted=true")
	if !strings.Contains(trash, `<span class="whitespace-nowrap">Deleted `) || !strings.Contains(trash, `data-testid="deleted-by">by admin@demo.test`) ||
		strings.Contains(trash, `data-testid="updated-by"`) || !strings.Contains(trash, `data-testid="sort-updated"`) {
		t.Errorf("Deleted view: %s", trash)
	}
}

// Every admin page, /admin included, refuses a reviewer and a builder in one wording:
// the list comes from the layout's admin navigation, so a new admin page is covered.
func TestAdminPagesRefuseInOneWording(t *testing.T) {
	t.Parallel()
	e := start(t)
	for _, who := range []struct{ email, pass, want string }{
		{"reviewer@demo.test", "demo-reviewer-pass", "Reviewers are read-only: administration needs the admin role."},
		{"builder@demo.test", "demo-builder-pass", "Administration needs the admin role; you are a builder."},
	} {
		c := e.client().mustLogin(who.email, who.pass)
		paths := []string{"/admin"}
		for _, l := range layout.AdminNav {
			paths = append(paths, l.Href)
		}
		for _, path := range paths {
			resp, page := c.get(path)
			if resp.StatusCode != 403 || errorPage(t, page) != who.want {
				t.Errorf("%s %s: %d %q, want %q", who.email, path, resp.StatusCode, errorPage(t, page), who.want)
			}
		}
	}
}

// A list narrowed by any filter, the overview's included, says none match rather
// than "No agents yet." when empty.
func TestEmptyFilteredListSaysNoneMatch(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	for _, q := range []string{"outdated=true", "changedSinceRelease=true", "cardStatus=failed", "stage=released", "q=nothing-like-this"} {
		_, page := c.get("/agents?" + q)
		if !strings.Contains(page, "No agents match these filters.") || strings.Contains(page, "No agents yet.") {
			t.Errorf("/agents?%s: empty list does not say none match", q)
		}
	}
}

// The review page: Merge is disabled with the reason while approvals are missing (an
// admin gets the override with a reason instead); "Request changes" needs a comment,
// and a refused one records nothing.
func TestReviewPageMergeReasonAndRequestChangesComment(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder := e.token("admin@demo.test"), e.token("builder@demo.test")
	id, _ := protectedAgent(t, e, admin)
	code, body := e.api("PUT", fmt.Sprintf("/api/agents/%d", id), builder, `{"description":"proposed"}`)
	if code != http.StatusAccepted {
		t.Fatalf("propose: %d %s", code, body)
	}
	crID := itoa(int64(decode(t, body)["id"].(float64)))
	page := "/reviews/" + crID
	b := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	_, html := b.get(page)
	if !strings.Contains(html, `data-testid="merge-blocked">Needs 1 approval of the current proposal; has 0.</p>`) ||
		!regexp.MustCompile(`<button[^>]*data-testid="merge"[^>]*disabled`).MatchString(html) {
		t.Errorf("builder's Merge is not disabled with its reason: %s", html)
	}
	a := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	if _, html := a.get(page); !strings.Contains(html, `data-testid="override"`) || regexp.MustCompile(`<button[^>]*data-testid="merge"[^>]*disabled`).MatchString(html) {
		t.Errorf("admin is not offered the override")
	}
	// Merging anyway is refused in the same words.
	resp, _ := b.post(page+"/merge", url.Values{}, b.csrf(page))
	if _, html := b.get(resp.Header.Get("Location")); !strings.Contains(html, "Needs 1 approval of the current proposal; has 0.") {
		t.Errorf("merge refusal wording: %s", html)
	}

	r := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	resp, _ = r.post(page+"/review", url.Values{"verdict": {"changes_requested"}, "comment": {"  "}}, r.csrf(page))
	if _, html := r.get(resp.Header.Get("Location")); !strings.Contains(html, "comment: Required") {
		t.Errorf("request changes without a comment: %d %s", resp.StatusCode, html)
	}
	if cr, _ := e.api("GET", "/api/change-requests/"+crID, admin, ""); cr != 200 {
		t.Fatal(cr)
	}
	if _, body := e.api("GET", "/api/change-requests/"+crID, admin, ""); strings.Contains(body, "changes_requested") {
		t.Errorf("a refused request-changes recorded a verdict: %s", body)
	}
	resp, _ = r.post(page+"/review", url.Values{"verdict": {"changes_requested"}, "comment": {"Say why."}}, r.csrf(page))
	if _, html := r.get(resp.Header.Get("Location")); !strings.Contains(html, "Changes requested.") || !strings.Contains(html, "Say why.") {
		t.Errorf("request changes with a comment: %d %s", resp.StatusCode, html)
	}
}

// A change request's default title names fields by their console labels and follows
// the proposal as it is revised; a title the author typed stays.
func TestChangeRequestDefaultTitleUsesLabelsAndFollowsTheProposal(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder := e.token("admin@demo.test"), e.token("builder@demo.test")
	id, _ := protectedAgent(t, e, admin)
	code, body := e.api("PUT", fmt.Sprintf("/api/agents/%d", id), builder, `{"systemPrompt":"Other."}`)
	if code != http.StatusAccepted {
		t.Fatalf("propose: %d %s", code, body)
	}
	cr := "/api/change-requests/" + itoa(int64(decode(t, body)["id"].(float64)))
	title := func() string { _, b := e.api("GET", cr, builder, ""); return decode(t, b)["title"].(string) }
	if got := title(); got != "Guarded: changed Prompt" {
		t.Fatalf("default title %q", got)
	}
	if code, body := e.api("PUT", cr, builder, `{"agent":{"description":"Now described."}}`); code != 200 {
		t.Fatalf("revise: %d %s\n%s", code, body, e.Logs.String())
	}
	if got := title(); got != "Guarded: changed Description, Prompt" {
		t.Errorf("revised default title %q", got)
	}
	e.api("PUT", cr, builder, `{"title":"Shorter prompt"}`)
	e.api("PUT", cr, builder, `{"agent":{"model":"gpt-4o"}}`)
	if got := title(); got != "Shorter prompt" {
		t.Errorf("a typed title was replaced: %q", got)
	}
}

// A refused audit filter renders the page with the error naming the field by its label
// and no entries (opened directly as well as from the form); filtering by an action
// finds its bulk form too.
func TestAuditRefusedFilterAndBulkActions(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("admin@demo.test")
	var ids []string
	for _, n := range []string{"One", "Two", "Three"} {
		_, body := e.api("POST", "/api/agents", tok, `{"name":"`+n+`"}`)
		ids = append(ids, itoa(int64(decode(t, body)["id"].(float64))))
	}
	if code, body := e.api("DELETE", "/api/agents/"+ids[0], tok, ""); code/100 != 2 {
		t.Fatalf("delete: %d %s", code, body)
	}
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	tok2 := c.csrf("/agents")
	resp, _ := c.post("/agents-bulk", url.Values{"action": {"delete"}, "agentIds": {ids[1], ids[2]}, "back": {"/agents"}}, tok2)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk delete: %d", resp.StatusCode)
	}
	_, page := c.get("/admin/audit?action=agent.deleted")
	if n := strings.Count(page, `data-testid="audit-row"`); n < 2 || !strings.Contains(page, "agent.bulk_deleted") {
		t.Errorf("agent.deleted finds %d entries, bulk included: %v", n, strings.Contains(page, "agent.bulk_deleted"))
	}

	resp, page = c.get("/admin/audit?from=2026-05-02&to=2026-05-01")
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "To: the end date is before the start date.") ||
		strings.Contains(page, `data-testid="audit-row"`) || !strings.Contains(page, `id="to" name="to" type="date" value="2026-05-01"`) {
		t.Errorf("refused filter: %d %s", resp.StatusCode, page)
	}
}

// Revoking a token names it in the confirmation, on the admin page and the account's.
func TestRevokeConfirmationNamesTheToken(t *testing.T) {
	t.Parallel()
	e := start(t)
	e.token("admin@demo.test") // named "test"
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	for _, path := range []string{"/admin/tokens", "/account"} {
		if _, page := c.get(path); !strings.Contains(page, `hx-confirm="Revoke the token “test”? Clients using it will be refused at once."`) {
			t.Errorf("%s: the revoke confirmation does not name the token", path)
		}
	}
}

// The external agent editor names each refused field and puts the message beside it,
// all of them in one save; the refresh interval's message does not contradict itself.
func TestExternalEditorErrorsNameTheirFields(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Remote","agentType":"external","externalConfig":{"agentCardUrl":"https://example.com/card.json"}}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	for _, minutes := range []string{"-5", "1.5"} {
		form := url.Values{"id": {id}, "name": {"Remote"}, "stage": {"development"}, "agentType": {"external"},
			"agentCardUrl": {"not a url"}, "endpointUrl": {"ftp://x"}, "refreshIntervalMinutes": {minutes}}
		resp, page := c.post("/agents/"+id, form, c.csrf("/agents/"+id))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: save answered %d", minutes, resp.StatusCode)
		}
		refresh := "Use a whole number from 1 to 43200 (30 days), or leave it empty for the default of 60"
		for _, want := range []string{
			`>Agent card URL</a>: Invalid url`, `>Endpoint URL (card at /.well-known/agent-card.json)</a>: Invalid url`,
			`>Refresh every (minutes)</a>: ` + refresh,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the summary lacks %q", minutes, want)
			}
		}
		for _, field := range []string{"agentCardUrl", "endpointUrl", "refreshIntervalMinutes"} {
			if !regexp.MustCompile(`id="` + field + `-error"[^>]*>[^<]*\S`).MatchString(page) {
				t.Errorf("%s: no message beside %s", minutes, field)
			}
		}
	}
}

// History says a stage change as what it is ("Released", "Back to development"), not
// "changed Stage"; the snapshot page's breadcrumb goes through History.
func TestHistorySaysReleasedAndSnapshotCrumbs(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Stager"}`)
	id := int64(decode(t, body)["id"].(float64))
	path := "/api/agents/" + itoa(id)
	for _, b := range []string{`{"stage":"released"}`, `{"stage":"development","description":"Again."}`} {
		if code, body := e.api("PUT", path, tok, b); code != 200 {
			t.Fatalf("%s: %d %s", b, code, body)
		}
	}
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	_, page := c.get("/agents/" + itoa(id) + "/versions")
	if !strings.Contains(page, "Released") || !strings.Contains(page, "Back to development; changed Description") || strings.Contains(page, "changed Stage") {
		t.Errorf("history summaries: %v", regexp.MustCompile(`(Released|Back to development|changed)[^<]*`).FindAllString(page, -1))
	}
	v := versionsOf(t, e, id)[0]
	_, page = c.get("/agents/" + itoa(id) + "/versions/" + itoa(v.ID))
	if got, want := crumbsOf(t, page), "Agents(/agents) › Stager(/agents/"+itoa(id)+") › History(/agents/"+itoa(id)+"/versions) › Snapshot"; got != want {
		t.Errorf("snapshot breadcrumbs %q, want %q", got, want)
	}
}
