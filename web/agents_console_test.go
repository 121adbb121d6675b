package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestConsoleEditorSavesEverySection: the editor form reaches every field the API has,
// and refuses what the API refuses, with the message under the field.
func TestConsoleEditorSavesEverySection(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/mcp-servers", tok, `{"name":"Jira","url":"https://mcp.example.com/jira"}`)
	mcp := itoa(int64(decode(t, body)["id"].(float64)))
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	form := url.Values{"name": {"Console agent"}, "systemPrompt": {"Be brief."}, "model": {"openai:gpt-4o"}, "maxToolRoundtrips": {"0"},
		"stage": {"development"}, "emailSlug": {"postmaster"}, "mcpServers": {mcp}, "showInChat": {"on"},
		"contextDocs": {"googleDocs | doc-1 | Runbook | text/plain"}, "conversationStarters": {"Hi\nHelp me"}, "toolNames": {"web_search"}}
	resp, page := c.post("/agents", form, c.csrf("/agents/new"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Number must be greater than or equal to 1") ||
		!strings.Contains(page, `Email slug &#34;postmaster&#34; is reserved and cannot be used`) {
		t.Fatalf("invalid form: %d", resp.StatusCode)
	}
	if !strings.Contains(page, `value="Console agent"`) {
		t.Fatal("the refused form lost what the user typed")
	}
	form.Set("maxToolRoundtrips", "12")
	form.Set("emailSlug", "console-agent")
	resp, _ = c.post("/agents", form, c.csrf("/agents/new"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, body = e.api("GET", "/api/agents?q=console", tok, "")
	for _, want := range []string{`"mcpServers":[` + mcp + `]`, `"contextDocs":[{"provider":"googleDocs","id":"doc-1","name":"Runbook","mimeType":"text/plain"}]`,
		`"conversationStarters":["Hi","Help me"]`, `"maxToolRoundtrips":12`, `"emailSlug":"console-agent"`, `"toolNames":["web_search"]`} {
		if !strings.Contains(body, want) {
			t.Errorf("saved agent lacks %s: %s", want, body)
		}
	}
}
