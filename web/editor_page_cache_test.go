package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"agentconsole/db"
)

// TestEditorPagesFollowWhatTheyShow: the editor keeps its drawn content per
// organisation, agent and role (handlers' editorPageCache) and draws it again when
// anything it shows changed. Every view here is compared byte for byte with the same
// page drawn afresh (a query string skips the kept drawing), and each change — a save,
// a new tag, a new model, a review policy, a change request opened, a role changed, a
// deletion — shows on the next view. Two builders share a drawing, each with their own
// name and CSRF token; another organisation never sees the agent.
func TestEditorPagesFollowWhatTheyShow(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	admin := e.token("admin@demo.test")
	code, body := e.api("POST", "/api/agents", admin, `{"name":"Kept","description":"First words.","tools":{"web_search":{}}}`)
	if code != http.StatusOK {
		t.Fatalf("create: %d %s", code, body)
	}
	id := int64(decode(t, body)["id"].(float64))
	path := fmt.Sprintf("/agents/%d", id)
	b1, err := e.Store.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.CreateUser(ctx, b1.OrgID, "builder2@demo.test", "Second Builder", "second-builder-pass", db.RoleBuilder); err != nil {
		t.Fatal(err)
	}
	builders := []*client{e.client().mustLogin("builder@demo.test", "demo-builder-pass"), e.client().mustLogin("builder2@demo.test", "second-builder-pass")}
	reviewer := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")

	// view answers the page at path twice (the second from what the first kept) and
	// checks both against a fresh drawing.
	view := func(c *client, step string) string {
		t.Helper()
		var pages [3]string
		for i, p := range []string{path, path, path + "?fresh=1"} {
			resp, page := c.get(p)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: GET %s: %d", step, p, resp.StatusCode)
			}
			pages[i] = page
		}
		if pages[0] != pages[2] || pages[1] != pages[2] {
			t.Fatalf("%s: the kept editor differs from a fresh one (%d, %d, %d bytes)", step, len(pages[0]), len(pages[1]), len(pages[2]))
		}
		return pages[0]
	}
	has := func(page, step string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the editor does not show %q", step, w)
			}
		}
	}
	lacks := func(page, step string, unwanted ...string) {
		t.Helper()
		for _, w := range unwanted {
			if strings.Contains(page, w) {
				t.Errorf("%s: the editor still shows %q", step, w)
			}
		}
	}

	// Two builders, one drawing: each page carries its reader's name and token only.
	var tokens []string
	for i, c := range builders {
		page := view(c, "builder")
		has(page, "builder", "First words.", []string{b1.Name, "Second Builder"}[i])
		found := csrfRE.FindAllStringSubmatch(page, -1)
		if len(found) < 3 {
			t.Fatalf("builder %d: %d CSRF fields on the editor", i, len(found))
		}
		for _, m := range found {
			if m[1] != found[0][1] {
				t.Errorf("builder %d: two tokens on one page: %s, %s", i, m[1], found[0][1])
			}
		}
		tokens = append(tokens, found[0][1])
	}
	if tokens[0] == tokens[1] {
		t.Error("both builders were given one token")
	}
	lacks(view(builders[1], "second builder"), "second builder", tokens[0], ">"+b1.Name+"<")
	has(view(reviewer, "reviewer"), "reviewer", `data-testid="read-only-notice"`)
	lacks(view(builders[0], "builder after the reviewer"), "builder after the reviewer", `data-testid="read-only-notice"`)

	// Another organisation's admin: the agent is not theirs, kept or not.
	email, password := e.otherOrg()
	other := e.client().mustLogin(email, password)
	for _, p := range []string{path, path + "?fresh=1"} {
		if resp, page := other.get(p); resp.StatusCode != http.StatusNotFound || strings.Contains(page, "First words.") {
			t.Errorf("another organisation's GET %s: %d", p, resp.StatusCode)
		}
	}

	steps := []struct {
		name   string
		change func()
		want   []string
		gone   []string
	}{
		{"a save", func() {
			if code, body := e.api("PUT", "/api/agents/"+itoa(id), admin, `{"description":"Second words."}`); code != http.StatusOK {
				t.Fatalf("save: %d %s", code, body)
			}
		}, []string{"Second words."}, []string{"First words."}},
		{"a new tag", func() {
			if code, body := e.api("POST", "/api/agent-tags", admin, `{"name":"kept-fresh-tag"}`); code != http.StatusOK && code != http.StatusCreated {
				t.Fatalf("tag: %d %s", code, body)
			}
		}, []string{"kept-fresh-tag"}, nil},
		{"a new model", func() {
			if code, body := e.api("POST", "/api/models", e.token("operator@demo.test"), `{"id":"acme:kept-1","name":"Kept One"}`); code != http.StatusOK {
				t.Fatalf("model: %d %s", code, body)
			}
		}, []string{"Kept One (acme:kept-1)"}, nil},
		{"a review policy", func() {
			if code, body := e.api("PUT", "/api/review-policy", admin, `{"enabled":true,"protectReleased":false,"tagIds":[],"approvalsRequired":1}`); code != http.StatusOK {
				t.Fatalf("policy: %d %s", code, body)
			}
			if code, body := e.api("PUT", "/api/agents/"+itoa(id), admin, `{"stage":"released"}`); code != http.StatusOK {
				t.Fatalf("release: %d %s", code, body)
			}
			if code, body := e.api("PUT", "/api/review-policy", admin, `{"enabled":true,"protectReleased":true,"tagIds":[],"approvalsRequired":1}`); code != http.StatusOK {
				t.Fatalf("policy: %d %s", code, body)
			}
		}, []string{`data-testid="propose-change"`}, nil},
		{"a change request", func() {
			if code, body := e.api("PUT", "/api/agents/"+itoa(id), e.token("builder@demo.test"), `{"description":"Proposed words."}`); code != http.StatusAccepted {
				t.Fatalf("proposal: %d %s", code, body)
			}
		}, []string{`data-testid="open-requests"`}, nil},
		{"a role", func() {
			b2, err := e.Store.ActorByEmail(ctx, "builder2@demo.test")
			if err != nil {
				t.Fatal(err)
			}
			a, err := e.Store.ActorByEmail(ctx, "admin@demo.test")
			if err != nil {
				t.Fatal(err)
			}
			if err := e.Store.SetRole(ctx, a, b2.UserID, db.RoleReviewer); err != nil {
				t.Fatal(err)
			}
		}, nil, nil},
		{"a deletion", func() {
			if code, body := e.api("PUT", "/api/review-policy", admin, `{"enabled":false,"approvalsRequired":1}`); code != http.StatusOK {
				t.Fatalf("policy off: %d %s", code, body)
			}
			if code, body := e.api("DELETE", "/api/agents/"+itoa(id), admin, ""); code != http.StatusOK && code != http.StatusNoContent && code != http.StatusAccepted {
				t.Fatalf("delete: %d %s", code, body)
			}
		}, []string{`data-testid="deleted-banner"`}, nil},
	}
	for _, s := range steps {
		view(builders[0], "before "+s.name) // what the builders saw is kept
		view(builders[1], "before "+s.name)
		s.change()
		page := view(builders[0], "after "+s.name)
		has(page, s.name, s.want...)
		lacks(page, s.name, s.gone...)
		second := view(builders[1], "after "+s.name+", second builder")
		if s.name == "a role" {
			has(second, s.name, `data-testid="read-only-notice"`)
		}
	}
}
