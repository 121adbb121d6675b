package db

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestApplyRulesWithoutDatabase(t *testing.T) {
	cases := map[string]string{
		`{"name":"  "}`:                          "name",
		`{"name":"x","logoUrl":"ftp://x"}`:       "logoUrl",
		`{"name":"x","maxToolRoundtrips":0}`:     "maxToolRoundtrips",
		`{"name":"x","stage":"live"}`:            "stage",
		`{"name":"x","planningMode":"maybe"}`:    "planningMode",
		`{"name":"x","emailSlug":"Bad_Slug"}`:    "emailSlug",
		`{"name":"x","agentType":"external"}`:    "externalConfig",
		`{"name":"x","contextDocs":[{"id":""}]}`: "contextDocs",
		`{"name":"x","tools":{"a":[]}}`:          "tools",
	}
	for body, field := range cases {
		var p AgentPatch
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		issues := p.Apply(&Agent{})
		if len(issues) == 0 || issues[0].Path[0] != field {
			t.Errorf("%s: %+v, want an issue on %s", body, issues, field)
		}
	}
}

// TestApplyStoresLFAndEmptyListsAsAbsent: every entry point decodes into a patch that
// Apply merges, so this is where line endings and empty lists are made canonical.
func TestApplyStoresLFAndEmptyListsAsAbsent(t *testing.T) {
	var p AgentPatch
	body := `{"name":"x","systemPrompt":"a\r\nb\rc\n","description":"d\r\ne","conversationStarters":[],"contextDocs":[],"mcpServers":[],"integrations":[]}`
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	a := &Agent{}
	if issues := p.Apply(a); len(issues) > 0 {
		t.Fatal(issues)
	}
	if *a.SystemPrompt != "a\nb\nc\n" || *a.Description != "d\ne" {
		t.Fatalf("line endings kept: %q %q", *a.SystemPrompt, *a.Description)
	}
	if a.ConversationStarters != nil || a.ContextDocs != nil || a.MCPServers != nil || a.Integrations != nil {
		t.Fatalf("empty lists stored as lists: %+v", a)
	}
	// A row saved before (with [] lists) equals the same agent with absent lists.
	stored := *a
	stored.ConversationStarters, stored.ContextDocs, stored.MCPServers, stored.Integrations = []string{}, []ContextDoc{}, []int64{}, []string{}
	if string(snapshot(&stored)) != string(snapshot(a)) {
		t.Fatalf("[] and absent differ:\n%s\n%s", snapshot(&stored), snapshot(a))
	}
	// The length limit applies to what is stored: CRLF counts once.
	p = AgentPatch{Name: Some("x"), SystemPrompt: Some(strings.Repeat("a\r\n", maxPrompt/2))}
	if issues := p.Apply(&Agent{}); len(issues) > 0 {
		t.Fatalf("a prompt of %d stored characters refused: %+v", maxPrompt, issues)
	}
}

// BenchmarkValidate is the pure part of validating a full seed 001 body.
func BenchmarkValidate(b *testing.B) {
	body := []byte(`{"name":"Customer Support Agent","description":"Handles customer inquiries","model":"openai:gpt-4o","maxToolRoundtrips":50,
		"systemPrompt":"You are a helpful customer support agent.","conversationStarters":["How can I help you today?"],"stage":"development",
		"showInChat":true,"emailSlug":"support-bot","tagIds":[1,2],"tools":{"web_search":{},"call_agent":{"config":{"callableAgentIds":[3]}}}}`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var p AgentPatch
		json.Unmarshal(body, &p)
		p.Apply(&Agent{})
	}
}
