package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"agentconsole/handlers/openapi"
)

// The contract: every API response any test receives is checked against the OpenAPI
// document (env.api calls checkContract), so the document cannot drift from the code.
var (
	contractOnce sync.Once
	contractDoc  map[string]any
	contractErr  error
	schemaCache  sync.Map // pointer → *jsonschema.Schema
	compileMu    sync.Mutex
	compiler     *jsonschema.Compiler
)

func loadContract() {
	var doc any
	if contractErr = yaml.Unmarshal(openapi.YAML, &doc); contractErr != nil {
		return
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		contractErr = err
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		contractErr = err
		return
	}
	contractDoc = inst.(map[string]any)
	compiler = jsonschema.NewCompiler()
	contractErr = compiler.AddResource("openapi.json", inst)
}

// operation finds the documented path template matching a concrete API path.
func operation(method, path string) (template string, op map[string]any) {
	paths := contractDoc["paths"].(map[string]any)
	rel := strings.TrimPrefix(strings.SplitN(path, "?", 2)[0], "/api")
	if item, ok := paths[rel].(map[string]any); ok { // a literal path wins over a template
		op, _ := item[strings.ToLower(method)].(map[string]any)
		return rel, op
	}
	for tmpl, item := range paths {
		if segmentsMatch(tmpl, rel) {
			if o, ok := item.(map[string]any)[strings.ToLower(method)].(map[string]any); ok {
				return tmpl, o
			}
			return tmpl, nil
		}
	}
	return "", nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func checkContract(t testing.TB, method, path string, status int, body string) {
	t.Helper()
	contractOnce.Do(loadContract)
	if contractErr != nil {
		t.Fatalf("openapi.yaml: %v", contractErr)
	}
	tmpl, op := operation(method, path)
	if op == nil {
		t.Errorf("contract: %s %s is not in openapi.yaml", method, path)
		return
	}
	code := fmt.Sprint(status)
	responses := op["responses"].(map[string]any)
	resp, ok := responses[code].(map[string]any)
	if !ok && status == 503 { // documented once for every operation
		resp, ok = map[string]any{"$ref": "#/components/responses/ServiceUnavailable"}, true
	}
	if !ok {
		t.Errorf("contract: %s %s answered %d, which openapi.yaml does not document", method, tmpl, status)
		return
	}
	pointer := "#/paths/" + escapePointer(tmpl) + "/" + strings.ToLower(method) + "/responses/" + code
	if ref, ok := resp["$ref"].(string); ok {
		pointer = ref
		resp = contractDoc["components"].(map[string]any)["responses"].(map[string]any)[strings.TrimPrefix(ref, "#/components/responses/")].(map[string]any)
	}
	content, _ := resp["content"].(map[string]any)
	if _, ok := content["application/json"]; !ok {
		return
	}
	pointer += "/content/application~1json/schema"
	var sch *jsonschema.Schema
	if cached, ok := schemaCache.Load(pointer); ok {
		sch = cached.(*jsonschema.Schema)
	} else {
		compileMu.Lock()
		s, err := compiler.Compile("openapi.json" + pointer)
		compileMu.Unlock()
		if err != nil {
			t.Fatalf("contract: compile %s: %v", pointer, err)
		}
		schemaCache.Store(pointer, s)
		sch = s
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Errorf("contract: %s %s %d: body is not JSON: %q", method, tmpl, status, body)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("contract: %s %s %d does not match openapi.yaml: %v\nbody: %s", method, tmpl, status, err, body)
	}
}

// TestEveryAPIRouteIsDocumented: the router and the document list the same operations.
func TestEveryAPIRouteIsDocumented(t *testing.T) {
	t.Parallel()
	e := start(t)
	contractOnce.Do(loadContract)
	for _, r := range routesOf(e.App) {
		if !isAPI(r.Path) {
			continue
		}
		if _, op := operation(r.Method, fill(r.Path, "1")); op == nil {
			t.Errorf("%s %s is not in openapi.yaml", r.Method, r.Path)
		}
	}
	c := e.client()
	resp, body := c.get("/api/openapi.yaml")
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "openapi: 3.1.0") {
		t.Fatalf("served document: %d", resp.StatusCode)
	}
}

// segmentsMatch compares a path template ({id} matches any segment) with a path.
func segmentsMatch(tmpl, path string) bool {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i := range ts {
		if !strings.HasPrefix(ts[i], "{") && ts[i] != ps[i] {
			return false
		}
	}
	return true
}
