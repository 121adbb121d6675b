package web_test

import (
	"strings"
	"testing"

	"agentconsole/db/dbtest"
)

// TestListPageRunsThreeStatements: the agents list costs the session, its page (rows,
// total, tag ids, in-review counts) and one lookup (tags and models), whatever the page
// size: every round trip is a wait for a backend on a busy machine (make bench, 1).
func TestListPageRunsThreeStatements(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	for _, name := range []string{"Counted one", "Counted two"} {
		if code, body := e.api("POST", "/api/agents", tok, `{"name":"`+name+`","model":"openai:gpt-4o"}`); code != 200 && code != 201 {
			t.Fatalf("create: %d %s", code, body)
		}
	}
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	hook := &dbtest.QueryCounter{}
	e.Store.AddQueryHook(hook)
	for _, path := range []string{"/agents", "/agents?perPage=100&sort=name", "/agents?deleted=true"} {
		before := hook.Count()
		resp, page := c.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if n := hook.Count() - before; n > 3 {
			t.Errorf("%s: %d statements, want at most 3", path, n)
		}
		if path != "/agents?deleted=true" && (!strings.Contains(page, "Counted one") || !strings.Contains(page, `data-testid="bulk-model-choice"`)) {
			t.Errorf("%s: the rows or the bulk bar's models are missing", path)
		}
	}
}
