package web_test

import (
	"strings"
	"testing"

	"agentconsole/db/dbtest"
)

// TestListPageRunsTwoStatements: the agents list costs the session and its page (rows,
// total, tag ids, in-review counts), whatever the page size; the tags and models come
// from the caches the session's change counters check: every round trip is a wait for
// a backend on a busy machine (make bench, 1).
func TestListPageRunsTwoStatements(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	for _, name := range []string{"Counted one", "Counted two"} {
		if code, body := e.api("POST", "/api/agents", tok, `{"name":"`+name+`","model":"openai:gpt-4o"}`); code != 200 && code != 201 {
			t.Fatalf("create: %d %s", code, body)
		}
	}
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	if resp, _ := c.get("/agents"); resp.StatusCode != 200 { // the first view fills the caches
		t.Fatalf("/agents: %d", resp.StatusCode)
	}
	hook := &dbtest.QueryCounter{}
	e.Store.AddQueryHook(hook)
	for _, path := range []string{"/agents", "/agents?perPage=100&sort=name", "/agents?deleted=true"} {
		before := hook.Count()
		resp, page := c.get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if n := hook.Count() - before; n > 2 {
			t.Errorf("%s: %d statements, want at most 2", path, n)
		}
		if path != "/agents?deleted=true" && (!strings.Contains(page, "Counted one") || !strings.Contains(page, `data-testid="bulk-model-choice"`)) {
			t.Errorf("%s: the rows or the bulk bar's models are missing", path)
		}
	}
}
