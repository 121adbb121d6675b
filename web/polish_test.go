package web_test

import (
	"agentconsole/views/layout"
	"net/http"
	"strings"
	"testing"
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
