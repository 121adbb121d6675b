package web_test

import (
	"context"
	"encoding/json"
	"testing"

	"agentconsole/db/catalog"
)

// bumpCatalog loads a catalog in which each named tool's parameters gained one more
// property ("addedBy<version>"), as a platform release would. It returns the file.
func bumpCatalog(t *testing.T, e *env, version string, tools ...string) []byte {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal(catalog.Bundled, &f); err != nil {
		t.Fatal(err)
	}
	f["catalogVersion"] = version
	native := f["native"].(map[string]any)
	for _, name := range tools {
		params := native[name].(map[string]any)["parameters"].(map[string]any)
		params["properties"].(map[string]any)["addedBy"+version] = map[string]any{"type": "string", "description": "new in " + version}
	}
	raw, _ := json.Marshal(f)
	c, err := catalog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.ImportCatalog(context.Background(), nil, c, raw, "cli"); err != nil {
		t.Fatal(err)
	}
	return raw
}

// usageAgrees fails the test when any organisation's maintained tool usage counts
// (migration 034: the catalog page's and /api/tools' figures) differ from a full
// recount of its agents' tools.
func usageAgrees(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	var orgs []int64
	if err := e.Store.DB.NewRaw("SELECT id FROM organizations ORDER BY id").Scan(ctx, &orgs); err != nil {
		t.Fatal(err)
	}
	for _, org := range orgs {
		if diff, err := e.Store.ToolUsageMismatch(ctx, org); err != nil || diff != "" {
			t.Fatalf("organisation %d: tool usage counts differ from the recount: %s %v", org, diff, err)
		}
	}
}
