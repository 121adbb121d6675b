package db

import (
	"encoding/json"
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
