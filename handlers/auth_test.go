package handlers

import (
	"errors"
	"testing"

	"agentconsole/db"
)

func TestSafeNextStaysOnSite(t *testing.T) {
	cases := map[string]string{
		"/agents?tag=1":               "/agents?tag=1",
		"/agents?q=foo%20bar&tag=1,2": "/agents?q=foo%20bar&tag=1,2",
		"/agents/42/card#skills":      "/agents/42/card#skills",
		"/":                           "/",
		"":                            "",
		"https://evil.test/":          "",
		"//evil.test/":                "",
		"/\\evil.test":                "",
		"javascript:alert(1)":         "",
		"evil.test":                   "",
		"\t/evil.test":                "",
		" /agents":                    "",
		"/\t/evil.example":            "", // next=/%09/evil.example, decoded by the query parser
		"/\n/evil.example":            "",
		"/\r\n/evil.example":          "",
		"/%09/evil.example":           "", // decoded once more by someone
		"/%2F/evil.example":           "",
		"/%2f%2fevil.example":         "",
		"/%5Cevil.example":            "",
		"/%5cevil.example":            "",
		"/%0a/evil.example":           "",
		"/%zz":                        "",
		"/\\/evil.example":            "",
		"/x\\y":                       "",
		"/\x00/evil.example":          "",
		"/\x7f/evil.example":          "",
		"/\u00a0/evil.example":        "",
		"/\u2028/evil.example":        "",
		"/\u3000/evil.example":        "",
		"/\u200b/evil.example":        "",
		"/\ufeff/evil.example":        "",
		"/agents?next=//evil.example": "/agents?next=//evil.example", // a query is not a host
		"/agents?back=\t":             "",
		"https:/\t/evil.example":      "",
		"/ /evil.example":             "",
		"///evil.example":             "",
		"/.//evil.example":            "/.//evil.example", // path-relative: stays on this origin
	}
	for in, want := range cases {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContextDocsLinesRoundTrip(t *testing.T) {
	text := "googleDocs | doc-1 | Runbook | text/plain\nnotion | page-9"
	docs := parseContextDocs(text + "\n\n")
	if len(docs) != 2 || docs[0].Name != "Runbook" || docs[1].Provider != "notion" || docs[1].ID != "page-9" || docs[1].Name != "" {
		t.Fatalf("parse: %+v", docs)
	}
	if got := formatContextDocs(docs); got != text {
		t.Fatalf("format: %q", got)
	}
}

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
