package agents

import (
	"context"
	"strings"
	"testing"

	"agentconsole/views/layout"
)

// TestEditorBodyDrawsTheEditorPage: the kept drawing with a person's token spliced in
// is EditorPage's bytes, in every state the editor has, whatever the token holds.
func TestEditorBodyDrawsTheEditorPage(t *testing.T) {
	p, e := benchEditor(t)
	variants := map[string]func(e *Editor){
		"builder":  func(e *Editor) {},
		"reviewer": func(e *Editor) { e.CanEdit, e.CanDelete, e.CanCreate = false, false, false },
		"deleted":  func(e *Editor) { e.Deleted = true },
		"protected": func(e *Editor) {
			e.Protected = true
			e.OpenRequests = []OpenRequest{{ID: 3, Title: "t<", Href: "/r/3"}}
		},
		"external": func(e *Editor) { e.Form.AgentType = "external"; e.Card = &CardSummary{} },
		"new":      func(e *Editor) { e.ID, e.Version = 0, 0 },
		"no tools": func(e *Editor) { e.Tools = nil },
	}
	pages := []layout.Page{p, {Title: "A & B", CSRF: `tok"<&>'`, User: &layout.User{Name: "Zoë <b>", Role: "builder"},
		Flashes: []layout.Flash{{Kind: "success", Message: "Saved."}}, Crumbs: []layout.Crumb{{Label: "Agents", Href: "/agents"}, {Label: "A & B"}}}}
	for name, v := range variants {
		e := e
		v(&e)
		body, err := EditorBodyOf(e)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			var want, got strings.Builder
			if err := EditorPage(p, e).Render(context.Background(), &want); err != nil {
				t.Fatal(err)
			}
			if err := EditorPageFrom(p, body).Render(context.Background(), &got); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s, token %q: the kept drawing differs from EditorPage (%d bytes against %d)", name, p.CSRF, got.Len(), want.Len())
			}
			if strings.Contains(got.String(), csrfStandIn) {
				t.Errorf("%s: the stand-in reached the page", name)
			}
		}
		if n := strings.Count(want(e, pages[1]), "tok&#34;&lt;&amp;&gt;&#39;"); n < 2 && e.CanEdit {
			t.Errorf("%s: the token is in %d places", name, n)
		}
	}
}

func want(e Editor, p layout.Page) string {
	var b strings.Builder
	EditorPage(p, e).Render(context.Background(), &b)
	return b.String()
}
