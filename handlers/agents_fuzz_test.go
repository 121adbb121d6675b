package handlers

import (
	"errors"
	"testing"

	"agentconsole/db"
)

// FuzzAgentBody: any body is either a patch or a validation error — never a panic —
// and the validator never panics on what the decoder accepts (seeds 001/003 bodies).
func FuzzAgentBody(f *testing.F) {
	f.Add(`{"name":"Customer Support Agent","description":"Handles customer inquiries","model":"openai:gpt-4o","systemPrompt":"You are helpful.","conversationStarters":["How can I help you today?"],"stage":"development","showInChat":true}`)
	f.Add(`{"id":1,"name":"Customer Support Agent v2","stage":"released"}`)
	f.Add(`{"toolNames":["web_search"],"modelAlias":"openai:gpt-4o","contextDocs":[{"provider":"googleDocs","id":"x"}],"planningMode":"never"}`)
	f.Add(`{"emailSlug":"admin","tagIds":[1,2],"mcpServers":[3],"tools":{"call_agent":{"config":{"callableAgentIds":[1]}}}}`)
	f.Add(`{"name":null,"maxToolRoundtrips":"x","externalConfig":{"agentCardUrl":"javascript:1"},"agentType":"external"}`)
	f.Fuzz(func(t *testing.T, body string) {
		p, err := decodeAgentPatch([]byte(body))
		if err != nil {
			var ve *db.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("decoder error is not a validation error: %v", err)
			}
			return
		}
		p.Apply(&db.Agent{})
	})
}
