package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	return m
}

func TestSeed001ExamplesAndErrors(t *testing.T) {
	t.Parallel()
	e := start(t)
	builder := e.token("builder@demo.test")
	// The seed's create example.
	code, body := e.api("POST", "/api/agents", builder, `{"name":"Customer Support Agent","description":"Handles customer inquiries",
		"model":"openai:gpt-4o","systemPrompt":"You are a helpful customer support agent.",
		"conversationStarters":["How can I help you today?"],"stage":"development","showInChat":true}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	a := decode(t, body)
	for _, k := range []string{"id", "name", "description", "logoUrl", "conversationStarters", "model", "maxToolRoundtrips", "systemPrompt",
		"tools", "mcpServers", "stage", "showInChat", "emailSlug", "publishedVersionId", "createdAt", "updatedAt", "tags"} {
		if _, ok := a[k]; !ok {
			t.Errorf("Agent response lacks %q", k)
		}
	}
	if a["stage"] != "development" || a["showInChat"] != true || a["logoUrl"] != nil || a["emailSlug"] != nil {
		t.Fatalf("create response: %s", body)
	}
	if !strings.HasSuffix(a["createdAt"].(string), "Z") || len(a["createdAt"].(string)) != len("2024-01-15T10:30:00.000Z") {
		t.Fatalf("time format: %v", a["createdAt"])
	}
	id := int64(a["id"].(float64))
	// The seed's update example.
	code, body = e.api("POST", "/api/agents", builder, `{"id":`+itoa(id)+`,"name":"Customer Support Agent v2","stage":"released"}`)
	if code != 200 || decode(t, body)["name"] != "Customer Support Agent v2" || decode(t, body)["stage"] != "released" {
		t.Fatalf("update: %d %s", code, body)
	}
	if decode(t, body)["systemPrompt"] != "You are a helpful customer support agent." {
		t.Fatal("update lost the prompt")
	}
	// The seed's error examples, body for body.
	errs := []struct{ req, want string }{
		{`{"description":"no name"}`, `{"error":"Validation Error","details":[{"message":"Required","path":["name"]}]}`},
		{`{"name":"A","emailSlug":"admin"}`, `{"error":"Email slug \"admin\" is reserved and cannot be used"}`},
	}
	for _, c := range errs {
		if code, body := e.api("POST", "/api/agents", builder, c.req); code != 400 || body != c.want {
			t.Errorf("%s → %d %s, want %s", c.req, code, body, c.want)
		}
	}
	if code, _ := e.api("POST", "/api/agents", builder, `{"name":"Bot","emailSlug":"support-bot"}`); code != 200 {
		t.Fatal("slug create failed")
	}
	if code, body := e.api("POST", "/api/agents", builder, `{"name":"Bot 2","emailSlug":"support-bot"}`); code != 400 ||
		body != `{"error":"Email slug \"support-bot\" is already in use by another agent"}` {
		t.Errorf("duplicate slug: %d %s", code, body)
	}
	reviewer := e.token("reviewer@demo.test")
	if code, body := e.api("POST", "/api/agents", reviewer, `{"name":"x"}`); code != 403 ||
		body != `{"error":"Unauthorized: User is not an admin in this organization"}` {
		t.Errorf("reviewer create: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agents", builder, `{"name":42}`); code != 400 || !strings.Contains(body, `"path":["name"]`) {
		t.Errorf("type error: %d %s", code, body)
	}
}

func TestSeed003PartialUpdateKeepsOtherFields(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Triage","description":"d","systemPrompt":"p","model":"openai:gpt-4o",
		"maxToolRoundtrips":7,"emailSlug":"triage","conversationStarters":["hi"],"planningMode":"auto"}`)
	before := decode(t, body)
	id := itoa(int64(before["id"].(float64)))
	code, body := e.api("PUT", "/api/agents/"+id, tok, `{"modelAlias":"anthropic:claude-sonnet-4-20250514","toolNames":["web_search","google:code_execution"],
		"contextDocs":[{"provider":"googleDocs","id":"doc1","name":"Runbook","mimeType":"text/plain"}]}`)
	if code != 200 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	after := decode(t, body)
	if after["model"] != "anthropic:claude-sonnet-4-20250514" || after["modelAlias"] != after["model"] {
		t.Fatalf("modelAlias not applied: %s", body)
	}
	for _, k := range []string{"name", "description", "systemPrompt", "maxToolRoundtrips", "emailSlug", "conversationStarters", "planningMode", "stage", "showInChat"} {
		bj, _ := json.Marshal(before[k])
		aj, _ := json.Marshal(after[k])
		if string(bj) != string(aj) {
			t.Errorf("%s changed: %s → %s", k, bj, aj)
		}
	}
	names, _ := json.Marshal(after["toolNames"])
	if string(names) != `["google:code_execution","web_search"]` {
		t.Fatalf("toolNames: %s", names)
	}
	if code, body := e.api("PUT", "/api/agents/"+id, tok, `{"modelAlias":"acme:nope"}`); code != 400 || !strings.Contains(body, `"path":["modelAlias"]`) {
		t.Fatalf("bad modelAlias: %d %s", code, body)
	}
}

func TestCloneByRecipeAndOneStep(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Helper"}`)
	helper := itoa(int64(decode(t, body)["id"].(float64)))
	_, body = e.api("POST", "/api/agents", tok, `{"name":"Orig","emailSlug":"orig","stage":"released",
		"tools":{"call_agent":{"description":"Call","parameters":{"type":"object"},"config":{"callableAgentIds":[`+helper+`]}}}}`)
	orig := decode(t, body)
	id := itoa(int64(orig["id"].(float64)))
	// Seed 001's recipe: GET, modify, POST without id (and without the unique slug).
	_, body = e.api("GET", "/api/agents/"+id, tok, "")
	payload := decode(t, body)
	delete(payload, "id")
	delete(payload, "emailSlug")
	payload["name"] = "Recipe copy"
	raw, _ := json.Marshal(payload)
	code, body := e.api("POST", "/api/agents", tok, string(raw))
	if code != 200 {
		t.Fatalf("recipe clone: %d %s", code, body)
	}
	// One step.
	code, body = e.api("POST", "/api/agents/"+id+"/clone", tok, `{"name":"One-step copy"}`)
	if code != 200 {
		t.Fatalf("clone: %d %s", code, body)
	}
	c := decode(t, body)
	ot, _ := json.Marshal(orig["tools"])
	ct, _ := json.Marshal(c["tools"])
	if c["emailSlug"] != nil || c["stage"] != "development" || string(ot) != string(ct) || c["name"] != "One-step copy" {
		t.Fatalf("clone: %s", body)
	}
}

func TestConcurrentSavesOneWinsOneConflicts(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Shared"}`)
	a := decode(t, body)
	id, base := itoa(int64(a["id"].(float64))), itoa(int64(a["publishedVersionId"].(float64)))
	var wg sync.WaitGroup
	codes := make(chan int, 2)
	for _, prompt := range []string{"first", "second"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _ := e.api("POST", "/api/agents", tok, `{"id":`+id+`,"publishedVersionId":`+base+`,"systemPrompt":"`+prompt+`"}`)
			codes <- code
		}()
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[200] != 1 || got[409] != 1 {
		t.Fatalf("status counts: %v", got)
	}
}

// Two clients read the agent; both save from what they read. Different fields merge
// (both 200, the agent holds both); the same field is a 409 naming it, with the live
// agent, and the first save stays.
func TestStaleSavesMergeOrNameTheConflict(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder := e.token("admin@demo.test"), e.token("builder@demo.test")
	a := decode(t, mustAPI(t, e, builder, "POST", "/api/agents", `{"name":"Shared","description":"d0"}`))
	id := itoa(int64(a["id"].(float64)))
	read := func(tok string) string {
		return itoa(int64(decode(t, mustAPI(t, e, tok, "GET", "/api/agents/"+id, ""))["publishedVersionId"].(float64)))
	}
	adminBase, builderBase := read(admin), read(builder)
	if code, body := e.api("PUT", "/api/agents/"+id, admin, `{"publishedVersionId":`+adminBase+`,"description":"from admin"}`); code != 200 {
		t.Fatalf("admin: %d %s", code, body)
	}
	code, body := e.api("POST", "/api/agents", builder, `{"id":`+id+`,"publishedVersionId":`+builderBase+`,"name":"Shared by two"}`)
	if code != 200 {
		t.Fatalf("builder's stale save of another field: %d %s", code, body)
	}
	got := decode(t, body)
	if got["name"] != "Shared by two" || got["description"] != "from admin" {
		t.Fatalf("merged agent lost an edit: %s", body)
	}
	// Both change the description from the same version: the second is refused.
	adminBase, builderBase = read(admin), read(builder)
	if code, body := e.api("PUT", "/api/agents/"+id, admin, `{"publishedVersionId":`+adminBase+`,"description":"admin again"}`); code != 200 {
		t.Fatalf("admin: %d %s", code, body)
	}
	code, body = e.api("PUT", "/api/agents/"+id, builder, `{"publishedVersionId":`+builderBase+`,"description":"builder's","stage":"released"}`)
	if code != 409 {
		t.Fatalf("same field: %d %s", code, body)
	}
	var conflict struct {
		Error   string `json:"error"`
		Details []struct {
			Message string `json:"message"`
			Path    []any  `json:"path"`
		} `json:"details"`
		Current map[string]any `json:"current"`
	}
	if err := json.Unmarshal([]byte(body), &conflict); err != nil {
		t.Fatal(err)
	}
	if len(conflict.Details) != 1 || len(conflict.Details[0].Path) != 1 || conflict.Details[0].Path[0] != "description" ||
		!strings.Contains(conflict.Details[0].Message, "admin@demo.test") || conflict.Current["description"] != "admin again" ||
		!strings.HasPrefix(conflict.Error, "Conflict: ") {
		t.Fatalf("409 body: %s", body)
	}
	if now := decode(t, mustAPI(t, e, builder, "GET", "/api/agents/"+id, "")); now["stage"] != "development" || now["description"] != "admin again" {
		t.Fatalf("a refused save changed the agent: %v", now)
	}
	// If-Match (strict) naming a version of another agent is no base at all: 400, not 412.
	other := decode(t, mustAPI(t, e, builder, "POST", "/api/agents", `{"name":"Other"}`))
	req, _ := http.NewRequest("PUT", e.URL+"/api/agents/"+id, strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Authorization", "Bearer "+builder)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", `"`+itoa(int64(other["publishedVersionId"].(float64)))+`"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	code, body = resp.StatusCode, string(b)
	checkContract(t, "PUT", "/api/agents/"+id, code, body)
	if code != 400 || !strings.Contains(body, `"path":["publishedVersionId"]`) {
		t.Fatalf("foreign base: %d %s", code, body)
	}
}

func TestListFiltersAndSoftDelete(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("admin@demo.test")
	for _, b := range []string{`{"name":"Alpha"}`, `{"name":"Beta","stage":"released"}`, `{"name":"Gamma","agentType":"external","externalConfig":{"agentCardUrl":"https://example.com/card.json"}}`} {
		if code, body := e.api("POST", "/api/agents", tok, b); code != 200 {
			t.Fatalf("%s: %s", b, body)
		}
	}
	count := func(q string) int {
		_, body := e.api("GET", "/api/agents"+q, tok, "")
		return int(decode(t, body)["total"].(float64))
	}
	if count("") != 3 || count("?stage=released") != 1 || count("?type=external") != 1 || count("?q=alp") != 1 {
		t.Fatal("filters wrong")
	}
	_, body := e.api("GET", "/api/agents?q=beta", tok, "")
	id := itoa(int64(decode(t, body)["agents"].([]any)[0].(map[string]any)["id"].(float64)))
	if code, _ := e.api("DELETE", "/api/agents/"+id, tok, ""); code != 200 {
		t.Fatal("delete")
	}
	if code, _ := e.api("GET", "/api/agents/"+id, tok, ""); code != 404 {
		t.Fatal("deleted agent still readable")
	}
	if count("") != 2 || count("?deleted=true") != 1 {
		t.Fatal("soft delete not reflected")
	}
	if code, _ := e.api("POST", "/api/agents/"+id+"/restore", tok, ""); code != 200 || count("") != 3 {
		t.Fatal("restore")
	}
}

// TestOperatorExtendsModelRegistry: the registry is platform data — a builder and an
// organisation admin are refused, a platform operator (a reviewer in the demo
// organisation with the flag) extends it for everyone.
func TestOperatorExtendsModelRegistry(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder, operator := e.token("admin@demo.test"), e.token("builder@demo.test"), e.token("operator@demo.test")
	for _, tok := range []string{builder, admin} {
		if code, body := e.api("POST", "/api/models", tok, `{"id":"acme:brain-1","name":"Acme Brain"}`); code != 403 ||
			body != `{"error":"Unauthorized: Only platform operators can change the model registry"}` {
			t.Fatalf("a non-operator extended the registry: %d %s", code, body)
		}
	}
	if code, body := e.api("POST", "/api/models", operator, `{"id":"no-colon","name":"x"}`); code != 400 || !strings.Contains(body, `"path":["id"]`) {
		t.Fatalf("bad id: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/models", operator, `{"id":"acme:`+strings.Repeat("m", 100)+`","name":"x"}`); code != 400 ||
		!strings.Contains(body, "at most 100 characters") {
		t.Fatalf("long id: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agents", builder, `{"name":"A","model":"acme:brain-1"}`); code != 400 {
		t.Fatalf("unknown model accepted: %s", body)
	}
	if code, body := e.api("POST", "/api/models", operator, `{"id":"acme:brain-1","name":"Acme Brain"}`); code != 200 {
		t.Fatalf("add: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agents", builder, `{"name":"A","model":"acme:brain-1"}`); code != 200 {
		t.Fatalf("registered model refused: %s", body)
	}
	// Adding an id that exists is refused, and the model keeps its name.
	if code, body := e.api("POST", "/api/models", operator, `{"id":"acme:brain-1","name":"Dup"}`); code != 400 ||
		!strings.Contains(body, `"error":"Model acme:brain-1 already exists (named \"Acme Brain\")"`) {
		t.Fatalf("an existing id: %d %s", code, body)
	}
	if _, body := e.api("GET", "/api/models", builder, ""); strings.Contains(body, "Dup") {
		t.Fatalf("the existing model was renamed: %s", body)
	}
	// A very long paste is told its length, whatever its shape.
	if code, body := e.api("POST", "/api/models", operator, `{"id":"`+strings.Repeat("m", 5000)+`","name":"x"}`); code != 400 ||
		!strings.Contains(body, "Model id must be at most 100 characters") {
		t.Fatalf("5,000-character id: %d %s", code, body)
	}
}
