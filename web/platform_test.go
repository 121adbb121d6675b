package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/catalog"
)

// Platform data (SPEC §1): the tool catalog and the model registry are shared by every
// organisation and changed only by platform operators; these helpers serve the
// isolation test (isolation_test.go) and the tests below.

const (
	msgOnlyOperatorsCatalog = `{"error":"Unauthorized: Only platform operators can change the tool catalog"}`
	msgOnlyOperatorsModels  = `{"error":"Unauthorized: Only platform operators can change the model registry"}`
)

// platformFingerprint digests everything an organisation validates against, sees or
// syncs to that no organisation owns: the catalog (current and history) and the models.
func platformFingerprint(t *testing.T, e *env) string {
	t.Helper()
	var sum string
	err := e.Store.DB.NewRaw(`SELECT md5(
		coalesce((SELECT string_agg(to_jsonb(c)::text, '|' ORDER BY name) FROM catalog_tools c), '') ||
		coalesce((SELECT string_agg(to_jsonb(v)::text, '|' ORDER BY name, version) FROM catalog_tool_versions v), '') ||
		coalesce((SELECT string_agg(to_jsonb(m)::text, '|' ORDER BY id) FROM models m), ''))`).Scan(context.Background(), &sum)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// catalogFile is the bundled catalog with one more property on each named tool, not loaded.
func catalogFile(t *testing.T, version string, tools ...string) []byte {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal(catalog.Bundled, &f); err != nil {
		t.Fatal(err)
	}
	f["catalogVersion"] = version
	native := f["native"].(map[string]any)
	for _, name := range tools {
		params := native[name].(map[string]any)["parameters"].(map[string]any)
		params["properties"].(map[string]any)["addedBy"+version] = map[string]any{"type": "string"}
	}
	raw, _ := json.Marshal(f)
	return raw
}

// rawAPI calls the API without the contract check: the isolation walk sends bodies a
// route does not expect, and only cares that nothing of the platform changes.
func (e *env) rawAPI(method, path, token, body string) int {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// upload posts a catalog file to the console's upload form (multipart, as a browser does).
func (c *client) upload(path string, file []byte, token string) (*http.Response, string) {
	c.e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", token)
	fw, _ := w.CreateFormFile("catalog", "catalog.json")
	fw.Write(file)
	w.Close()
	return c.do("POST", path, &buf, map[string]string{"Content-Type": w.FormDataContentType()})
}

// walkPlatformWrites sends every state-changing route of the router, API and console,
// as the given admin, with a catalog body and a model body, so that a route added later
// that reaches platform data is caught without a new test.
func walkPlatformWrites(t *testing.T, e *env, console *client, token, catalogBody, modelBody string) {
	t.Helper()
	csrf := console.csrf("/account")
	for _, r := range routesOf(e.App) {
		if r.Method == "GET" || r.Path == "/logout" || r.Path == "/login" {
			continue
		}
		path := fill(r.Path, "1")
		if isAPI(r.Path) {
			e.rawAPI(r.Method, path, token, catalogBody)
			e.rawAPI(r.Method, path, token, modelBody)
			continue
		}
		console.post(path, url.Values{"id": {"evil:model"}, "name": {"Evil"}, "role": {"admin"}}, csrf)
		console.upload(path, []byte(catalogBody), csrf)
	}
}

// auditEntries reads an organisation's audit log through the API.
func auditEntries(t *testing.T, e *env, token, action string) []db.AuditEntry {
	t.Helper()
	code, body := e.api("GET", "/api/audit?action="+action, token, "")
	if code != 200 {
		t.Fatalf("audit: %d %s", code, body)
	}
	var out struct {
		Entries []db.AuditEntry `json:"entries"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Entries
}

// TestPlatformOperatorConsole: the demo's operator (a reviewer in the demo organisation
// with the platform-operator flag) reaches the catalog and models pages from the nav and
// changes them; the demo admin sees the same pages read-only, with the reason.
func TestPlatformOperatorConsole(t *testing.T) {
	t.Parallel()
	e := start(t)
	op := e.client().mustLogin("operator@demo.test", "demo-operator-pass")
	adm := e.client().mustLogin("admin@demo.test", "demo-admin-pass")

	_, body := op.get("/agents")
	if !strings.Contains(body, `href="/admin/catalog"`) || !strings.Contains(body, `data-testid="platform-operator"`) {
		t.Fatal("the operator's nav does not lead to the platform pages")
	}
	if resp, _ := op.get("/admin/users"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the flag made a reviewer an organisation admin: %d", resp.StatusCode)
	}
	for _, path := range []string{"/admin/catalog", "/admin/models"} {
		resp, body := adm.get(path)
		if resp.StatusCode != 200 || !strings.Contains(body, `data-testid="operator-only"`) || strings.Contains(body, `action="`+path+`"`) {
			t.Fatalf("admin's %s is not read-only with a reason (%d)", path, resp.StatusCode)
		}
		resp, body = op.get(path)
		if resp.StatusCode != 200 || !strings.Contains(body, `action="`+path+`"`) {
			t.Fatalf("operator's %s has no form (%d)", path, resp.StatusCode)
		}
	}
	resp, body := op.upload("/admin/catalog", catalogFile(t, "console-op", "web_search"), op.csrf("/admin/catalog"))
	if resp.StatusCode != 200 || !strings.Contains(body, `data-testid="import-result"`) || !strings.Contains(body, "web_search") {
		t.Fatalf("operator upload: %d", resp.StatusCode)
	}
	resp, _ = op.post("/admin/models", url.Values{"id": {"acme:console-1"}, "name": {"Console One"}}, op.csrf("/admin/models"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("operator add model: %d", resp.StatusCode)
	}
	_, body = adm.get("/admin/audit")
	if !strings.Contains(body, "catalog.imported") || !strings.Contains(body, "model.added") || !strings.Contains(body, "operator@demo.test") {
		t.Fatal("the demo organisation's audit log does not show the platform changes")
	}
}

// TestPlatformDataLimits: a catalog of more than 500 tools, a tool with more than 64 KB
// of JSON Schema, and a 501st model are refused with a 400 naming the limit.
func TestPlatformDataLimits(t *testing.T) {
	t.Parallel()
	e := start(t)
	op := e.token("operator@demo.test")
	before := platformFingerprint(t, e)

	native := map[string]any{}
	for i := 0; i < catalog.MaxTools+1; i++ {
		native[fmt.Sprintf("tool_%d", i)] = map[string]any{"description": "d", "parameters": map[string]any{"type": "object"}}
	}
	many, _ := json.Marshal(map[string]any{"catalogVersion": "many", "native": native})
	if code, body := e.api("POST", "/api/tools/catalog", op, string(many)); code != 400 || !strings.Contains(body, "at most 500") {
		t.Fatalf("501 tools: %d %s", code, body)
	}
	props := map[string]any{}
	for i := 0; len(props)*40 < catalog.MaxSchemaBytes+1000; i++ {
		props[fmt.Sprintf("p%05d", i)] = map[string]any{"type": "string", "maxLength": 10}
	}
	big, _ := json.Marshal(map[string]any{"catalogVersion": "big", "native": map[string]any{
		"huge": map[string]any{"description": "d", "parameters": map[string]any{"type": "object", "properties": props}}}})
	if code, body := e.api("POST", "/api/tools/catalog", op, string(big)); code != 400 || !strings.Contains(body, "at most 64 KB") {
		t.Fatalf("a 64 KB+ schema: %d %.300s", code, body)
	}

	// Fill the registry to the limit, then one more is refused; an existing id is refused
	// as existing (not renamed, not "full").
	var have int
	e.Store.DB.NewRaw("SELECT count(*) FROM models").Scan(context.Background(), &have)
	fill := make([]db.Model, 0, db.MaxModels-have)
	for i := have; i < db.MaxModels; i++ {
		fill = append(fill, db.Model{ID: fmt.Sprintf("filler:m%d", i), DisplayName: "Filler"})
	}
	if err := e.Store.LoadModels(context.Background(), fill); err != nil {
		t.Fatal(err)
	}
	if code, body := e.api("POST", "/api/models", op, `{"id":"acme:one-too-many","name":"x"}`); code != 400 || !strings.Contains(body, "at most 500 models") {
		t.Fatalf("501st model: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/models", op, `{"id":"filler:m`+fmt.Sprint(have)+`","name":"Renamed"}`); code != 400 ||
		!strings.Contains(body, `"error":"Model filler:m`+fmt.Sprint(have)+` already exists (named \"Filler\")"`) {
		t.Fatalf("an existing id at the limit: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/models", op, `{"id":"acme:x","name":"`+strings.Repeat("n", 101)+`"}`); code != 400 || !strings.Contains(body, "at most 100 characters") {
		t.Fatalf("long name: %d %s", code, body)
	}
	if platformFingerprint(t, e) == before {
		t.Fatal("the fingerprint did not see the registry change (the test proves nothing)")
	}
}
