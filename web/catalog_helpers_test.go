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
