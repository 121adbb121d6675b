package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"agentconsole/db/catalog"
)

// TestEditorToolRowsFollowTheCatalog: the editor draws the rows of tools an agent does
// not have once per catalog and reuses them (handlers' toolRowCache), and its model
// options once per model registry. A catalog load or a new model shows on the next
// view, and what is reused holds nothing of one agent or another: each editor's
// call_agent picker excludes its own agent, and a tool one agent has is ticked with
// its config there and unticked and empty on the other.
func TestEditorToolRowsFollowTheCatalog(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("admin@demo.test")
	ids := map[string]string{}
	for name, tools := range map[string]string{"Plain": `{}`, "Searcher": `{"web_search":{},"create_ticket":{"config":{"projectKey":"OPS-7"}}}`} {
		code, body := e.api("POST", "/api/agents", tok, `{"name":"`+name+`","tools":`+tools+`}`)
		if code != 200 {
			t.Fatalf("create %s: %d %s", name, code, body)
		}
		ids[name] = itoa(int64(decode(t, body)["id"].(float64)))
	}
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	const before = "Search the web and return the top results with snippets."
	for range 2 { // the second round reads the rows the first one drew
		for name, id := range ids {
			_, page := c.get("/agents/" + id)
			if !strings.Contains(page, before) {
				t.Fatalf("%s: web_search's description is not on the page", name)
			}
			if !strings.Contains(page, "/picker?for=call_agent&amp;exclude="+id+`"`) {
				t.Errorf("%s: the call_agent picker does not exclude the agent itself", name)
			}
			for other, otherID := range ids {
				if other != name && strings.Contains(page, "exclude="+otherID+`"`) {
					t.Errorf("%s's editor excludes %s", name, other)
				}
			}
			ticked := strings.Contains(page, `value="web_search" checked`) && strings.Contains(page, `value="create_ticket" checked`)
			configured := strings.Contains(page, `OPS-7`)
			if want := name == "Searcher"; ticked != want || configured != want {
				t.Errorf("%s: web_search and create_ticket ticked %v, its config shown %v; want %v", name, ticked, configured, want)
			}
		}
	}

	var f map[string]any
	if err := json.Unmarshal(catalog.Bundled, &f); err != nil {
		t.Fatal(err)
	}
	f["catalogVersion"] = "editor-rows"
	const after = "Search the web, newly worded for the editor test."
	f["native"].(map[string]any)["web_search"].(map[string]any)["description"] = after
	raw, _ := json.Marshal(f)
	if code, body := e.api("POST", "/api/tools/catalog", e.token("operator@demo.test"), string(raw)); code != 200 {
		t.Fatalf("catalog load: %d %s", code, body)
	}
	// The model select's options are kept per registry too (handlers' modelOptionCache).
	const model = `<option value="acme:editor-1">Editor One (acme:editor-1)</option>`
	if code, body := e.api("POST", "/api/models", e.token("operator@demo.test"), `{"id":"acme:editor-1","name":"Editor One"}`); code != 200 {
		t.Fatalf("model add: %d %s", code, body)
	}
	for name, id := range ids {
		_, page := c.get("/agents/" + id)
		if !strings.Contains(page, model) {
			t.Errorf("%s: the editor does not offer the model added since", name)
		}
		if !strings.Contains(page, after) || strings.Contains(page, before) {
			t.Errorf("%s: the editor does not show the catalog loaded since (new wording %v, old %v)", name,
				strings.Contains(page, after), strings.Contains(page, before))
		}
	}
}
