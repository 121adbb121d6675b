package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"agentconsole/db"
)

func TestExportImportAcrossOrganisations(t *testing.T) {
	t.Parallel()
	e := start(t)
	a := e.token("builder@demo.test")
	otherEmail, _ := e.otherOrg()
	b := e.token(otherEmail)
	id := func(body string) string { return itoa(int64(decode(t, body)["id"].(float64))) }
	mustPost := func(tok, path, body string) string {
		code, resp := e.api("POST", path, tok, body)
		if code != 200 {
			t.Fatalf("POST %s: %d %s", path, code, resp)
		}
		return resp
	}
	// Organisation A: an agent referring to a knowledge base, an MCP server, another agent and a tag.
	kb := id(mustPost(a, "/api/knowledge-bases", `{"name":"Runbooks"}`))
	mcp := id(mustPost(a, "/api/mcp-servers", `{"name":"Jira","url":"https://mcp.example.com/jira"}`))
	helper := id(mustPost(a, "/api/agents", `{"name":"Escalations"}`))
	tag, err := e.Store.SaveTag(t.Context(), mustActor(t, e, "builder@demo.test"), 0, db.TagInput{Name: db.Some("Production")})
	if err != nil {
		t.Fatal(err)
	}
	src := id(mustPost(a, "/api/agents", `{"name":"Ops bot","model":"openai:gpt-4o","systemPrompt":"Handle incidents.","mcpServers":[`+mcp+`],
		"tools":{"call_agent":{"description":"Call","parameters":{"type":"object"},"config":{"callableAgentIds":[`+helper+`]}},
		"search_knowledge_base":{"description":"Search","parameters":{"type":"object"},"config":{"accessibleKnowledgeBaseIds":[`+kb+`]}},
		"google:code_execution":{"isProviderTool":true}}}`))
	if code, body := e.api("PUT", "/api/agents/"+src, a, `{"tagIds":[`+itoa(tag.ID)+`]}`); code != 200 {
		t.Fatal(body)
	}
	code, exported := e.api("GET", "/api/agents/"+src+"/export", a, "")
	if code != 200 || strings.Contains(exported, `"id"`) || !strings.Contains(exported, `"callableAgentNames":["Escalations"]`) {
		t.Fatalf("export: %d %s", code, exported)
	}
	// Organisation B lacks the callable agent: imported, and reported unresolved.
	mustPost(b, "/api/knowledge-bases", `{"name":"Runbooks"}`)
	mustPost(b, "/api/mcp-servers", `{"name":"Jira","url":"https://mcp.example.com/jira"}`)
	res := decode(t, mustPost(b, "/api/agents/import", exported))
	un, _ := json.Marshal(res["unresolved"])
	if string(un) != `[{"kind":"agent","name":"Escalations","path":["tools","call_agent","config","callableAgentNames",0]}]` {
		t.Fatalf("unresolved: %s", un)
	}
	// With everything present, the imported agent exports exactly as the original.
	mustPost(b, "/api/agents", `{"name":"Escalations"}`)
	res = decode(t, mustPost(b, "/api/agents/import", exported))
	if un, _ := json.Marshal(res["unresolved"]); string(un) != `[]` {
		t.Fatalf("unresolved: %s", un)
	}
	newID := itoa(int64(res["agent"].(map[string]any)["id"].(float64)))
	_, reexported := e.api("GET", "/api/agents/"+newID+"/export", b, "")
	// The first import into B kept the UUID; this second one could not, so it has its own.
	if u := decode(t, reexported)["agent"].(map[string]any)["uuid"]; u == decode(t, exported)["agent"].(map[string]any)["uuid"] || u == "" {
		t.Fatalf("second import into one organisation kept the UUID: %v", u)
	}
	if agentPart(t, reexported, "uuid") != agentPart(t, exported, "uuid") {
		t.Fatalf("round trip differs:\n%s\n%s", agentPart(t, exported), agentPart(t, reexported))
	}
	// B cannot export A's agent.
	if code, _ := e.api("GET", "/api/agents/"+src+"/export", b, ""); code != 404 {
		t.Fatalf("cross-org export: %d", code)
	}
}

// agentPart is the export's agent as canonical JSON, without the fields named.
func agentPart(t *testing.T, doc string, without ...string) string {
	t.Helper()
	var d struct {
		Agent map[string]any `json:"agent"`
	}
	json.Unmarshal([]byte(doc), &d)
	for _, k := range without {
		delete(d.Agent, k)
	}
	b, _ := json.Marshal(d.Agent)
	return string(b)
}
