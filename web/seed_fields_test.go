package web_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Every documented field of seeds 001, 003 and 004 is stored and returned, or refused
// with 400 naming it: nothing is accepted and dropped.
func TestSeedFieldsAreKeptOrRefused(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	otherEmail, _ := e.otherOrg()
	other := e.token(otherEmail)

	code, body := e.api("POST", "/api/agents", tok, `{"name":"Intake"}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	a := decode(t, body)
	id, agentUUID, orgUUID := itoa(int64(a["id"].(float64))), a["uuid"].(string), a["organizationId"].(string)
	if !uuidRE.MatchString(agentUUID) || !uuidRE.MatchString(orgUUID) || a["status"] != "active" {
		t.Fatalf("uuid/organizationId/status: %s", body)
	}
	// Seed 003's array fields are arrays, never null.
	for _, k := range []string{"inputs", "conversationStarters", "integrations", "mcpServers", "contextDocs", "toolNames", "tagIds"} {
		if _, ok := a[k].([]any); !ok {
			t.Errorf("%s is %v, want an array", k, a[k])
		}
	}

	// inputs and tinesStoryImportId round-trip through PUT by UUID (seed 003's agentId).
	code, body = e.api("PUT", "/api/agents/"+agentUUID, tok, `{"inputs":[{"type":"text","name":"ticket","description":"The ticket id","required":true}],
		"tinesStoryImportId":"3C90C3CC-0D44-4B50-8888-8DD25736052A"}`)
	if code != 200 {
		t.Fatalf("PUT by uuid: %d %s", code, body)
	}
	_, body = e.api("GET", "/api/agents/"+id, tok, "")
	got := decode(t, body)
	inputs, _ := json.Marshal(got["inputs"])
	if string(inputs) != `[{"description":"The ticket id","name":"ticket","required":true,"type":"text"}]` ||
		got["tinesStoryImportId"] != "3c90c3cc-0d44-4b50-8888-8dd25736052a" || got["uuid"] != agentUUID {
		t.Fatalf("round trip: %s", body)
	}
	// They are versioned: the diff of the last save names them.
	_, body = e.api("GET", "/api/agents/"+agentUUID+"/diff", tok, "")
	if !strings.Contains(body, "inputs") || !strings.Contains(body, "tinesStoryImportId") {
		t.Fatalf("diff does not name the new fields: %s", body)
	}
	// null clears; an invalid UUID is refused naming the field.
	if code, body := e.api("PUT", "/api/agents/"+id, tok, `{"tinesStoryImportId":null}`); code != 200 || decode(t, body)["tinesStoryImportId"] != nil {
		t.Fatalf("clear: %d %s", code, body)
	}
	if code, body := e.api("PUT", "/api/agents/"+id, tok, `{"tinesStoryImportId":"not-a-uuid"}`); code != 400 ||
		body != `{"error":"Validation Error","details":[{"message":"Invalid uuid","path":["tinesStoryImportId"]}]}` {
		t.Fatalf("invalid uuid: %d %s", code, body)
	}
	if code, body := e.api("PUT", "/api/agents/"+id, tok, `{"inputs":[{"type":"colour","name":""}]}`); code != 400 ||
		!strings.Contains(body, `"path":["inputs",0,"name"]`) || !strings.Contains(body, `"path":["inputs",0,"type"]`) {
		t.Fatalf("invalid inputs: %d %s", code, body)
	}

	// Another organisation's UUID is not found, in the API and in the console.
	for _, m := range []string{"GET", "PUT"} {
		if code, _ := e.api(m, "/api/agents/"+agentUUID, other, `{"name":"x"}`); code != 404 {
			t.Fatalf("%s another org's uuid: %d", m, code)
		}
	}
	console := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	if resp, page := console.get("/agents/" + agentUUID); resp.StatusCode != 200 || !strings.Contains(page, "Intake") {
		t.Fatalf("console by uuid: %d", resp.StatusCode)
	}

	// Runtype's icon is logoUrl by another name; both at once must agree.
	code, body = e.api("PUT", "/api/agents/"+id, tok, `{"icon":"https://cdn.example.com/i.png"}`)
	if code != 200 || decode(t, body)["logoUrl"] != "https://cdn.example.com/i.png" || decode(t, body)["icon"] != "https://cdn.example.com/i.png" {
		t.Fatalf("icon: %d %s", code, body)
	}
	if code, body := e.api("PUT", "/api/agents/"+id, tok, `{"icon":"https://a.example.com/1.png","logoUrl":"https://a.example.com/2.png"}`); code != 400 ||
		!strings.Contains(body, `"path":["icon"]`) {
		t.Fatalf("icon and logoUrl disagree: %d %s", code, body)
	}

	// Unknown fields are refused, named; read-only ones are accepted and ignored.
	for _, path := range []string{"/api/agents/" + id} {
		if code, body := e.api("PUT", path, tok, `{"name":"Intake","colour":"red","primaryFlowId":"flow_1"}`); code != 400 ||
			body != `{"error":"Validation Error","details":[{"message":"Unrecognized key(s) in object: 'colour'","path":["colour"]},`+
				`{"message":"Unrecognized key(s) in object: 'primaryFlowId'","path":["primaryFlowId"]}]}` {
			t.Fatalf("unknown field: %d %s", code, body)
		}
	}
	if code, body := e.api("POST", "/api/agents", tok, `{"name":"Nope","triggerSummary":[]}`); code != 400 || !strings.Contains(body, "triggerSummary") {
		t.Fatalf("unknown field on create: %d %s", code, body)
	}

	// Seed 001's clone recipe with the whole GET body sent back: a new agent, its own UUID.
	_, body = e.api("GET", "/api/agents/"+id, tok, "")
	payload := decode(t, body)
	delete(payload, "id")
	payload["name"] = "Intake copy"
	raw, _ := json.Marshal(payload)
	code, body = e.api("POST", "/api/agents", tok, string(raw))
	if code != 200 {
		t.Fatalf("clone recipe: %d %s", code, body)
	}
	clone := decode(t, body)
	if clone["uuid"] == agentUUID || clone["name"] != "Intake copy" || clone["logoUrl"] != "https://cdn.example.com/i.png" {
		t.Fatalf("clone: %s", body)
	}
	cloneInputs, _ := json.Marshal(clone["inputs"])
	if string(cloneInputs) != string(inputs) {
		t.Fatalf("clone lost inputs: %s", cloneInputs)
	}

	// Status follows the agent: deleted, and an external agent's card health.
	if code, _ := e.api("DELETE", "/api/agents/"+agentUUID, tok, ""); code != 200 && code != 204 {
		t.Fatalf("delete by uuid: %d", code)
	}
	if _, body := e.api("GET", "/api/agents/"+id+"?includeDeleted=true", tok, ""); decode(t, body)["status"] != "deleted" {
		t.Fatalf("status after delete: %s", body)
	}
	_, body = e.api("POST", "/api/agents", tok, `{"name":"Remote","agentType":"external","externalConfig":{"agentCardUrl":"https://cards.example.com/a.json"}}`)
	if decode(t, body)["status"] != "pending" {
		t.Fatalf("external status before any fetch: %s", body)
	}
	_, body = e.api("GET", "/api/agents?perPage=100", tok, "")
	if !strings.Contains(body, `"status":"pending"`) || !strings.Contains(body, `"organizationId":"`+orgUUID+`"`) {
		t.Fatalf("list lacks status or organizationId: %s", body)
	}
}

// An export carries the agent's UUID: importing keeps it where it is free, and a second
// import into the same organisation gets a new one.
func TestImportKeepsUUIDWhereFree(t *testing.T) {
	t.Parallel()
	e := start(t)
	a := e.token("builder@demo.test")
	otherEmail, _ := e.otherOrg()
	b := e.token(otherEmail)
	_, body := e.api("POST", "/api/agents", a, `{"name":"Portable","inputs":[{"type":"number","name":"limit","required":false}]}`)
	src := decode(t, body)
	_, exported := e.api("GET", "/api/agents/"+itoa(int64(src["id"].(float64)))+"/export", a, "")
	if !strings.Contains(exported, `"uuid":"`+src["uuid"].(string)+`"`) || !strings.Contains(exported, `"name":"limit"`) {
		t.Fatalf("export lacks uuid or inputs: %s", exported)
	}
	importInto := func(tok string) map[string]any {
		code, body := e.api("POST", "/api/agents/import", tok, exported)
		if code != 200 {
			t.Fatalf("import: %d %s", code, body)
		}
		return decode(t, body)["agent"].(map[string]any)
	}
	first := importInto(b)
	if first["uuid"] != src["uuid"] {
		t.Fatalf("import into another organisation did not keep the uuid: %v vs %v", first["uuid"], src["uuid"])
	}
	second := importInto(b)
	if second["uuid"] == first["uuid"] || !uuidRE.MatchString(second["uuid"].(string)) {
		t.Fatalf("second import reused the uuid: %v", second["uuid"])
	}
	if again := importInto(a); again["uuid"] == src["uuid"] {
		t.Fatal("import into the source organisation reused the live agent's uuid")
	}
}
