package web_test

import (
	"net/http"
	"net/url"
	"regexp"
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
		"contextDocs": {"googleDocs | doc-1 | Runbook | text/plain"}, "conversationStarters": {"Hi\nHelp me"}, "tools": {"web_search"},
		"inputs": {"ticket | text | required | The ticket id\r\nlimit | colour"}, "tinesStoryImportId": {"not-a-uuid"}}
	resp, page := c.post("/agents", form, c.csrf("/agents/new"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Number must be greater than or equal to 1") ||
		!strings.Contains(page, `Email slug &#34;postmaster&#34; is reserved and cannot be used`) {
		t.Fatalf("invalid form: %d", resp.StatusCode)
	}
	if !strings.Contains(page, "Line 2: Invalid enum value. Expected &#39;text&#39;") || !strings.Contains(page, "Invalid uuid") {
		t.Fatal("the refused form does not say which input line or that the Tines id is not a UUID")
	}
	if !strings.Contains(page, `value="Console agent"`) {
		t.Fatal("the refused form lost what the user typed")
	}
	form.Set("maxToolRoundtrips", "12")
	form.Set("emailSlug", "console-agent")
	form.Set("inputs", "ticket | text | required | The ticket id\r\nlimit | number")
	form.Set("tinesStoryImportId", "3c90c3cc-0d44-4b50-8888-8dd25736052a")
	resp, _ = c.post("/agents", form, c.csrf("/agents/new"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	_, body = e.api("GET", "/api/agents?q=console", tok, "")
	for _, want := range []string{`"mcpServers":[` + mcp + `]`, `"contextDocs":[{"provider":"googleDocs","id":"doc-1","name":"Runbook","mimeType":"text/plain"}]`,
		`"conversationStarters":["Hi","Help me"]`, `"maxToolRoundtrips":12`, `"emailSlug":"console-agent"`, `"toolNames":["web_search"]`, `"tinesStoryImportId":"3c90c3cc-0d44-4b50-8888-8dd25736052a"`,
		`"inputs":[{"type":"text","name":"ticket","description":"The ticket id","required":true},{"type":"number","name":"limit","description":"","required":false}]`} {
		if !strings.Contains(body, want) {
			t.Errorf("saved agent lacks %s: %s", want, body)
		}
	}
}

func TestConsoleStaleSaveShowsWhoSavedInBetween(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := e.api("POST", "/api/agents", e.token("builder@demo.test"), `{"name":"Shared"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	alice := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	bob := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	base := func(c *client) (url.Values, string) {
		_, page := c.get("/agents/" + id)
		v := regexpFind(page, `name="publishedVersionId" value="([0-9]+)"`)
		return url.Values{"name": {"Shared"}, "stage": {"development"}, "publishedVersionId": {v}, "id": {id}}, csrfRE.FindStringSubmatch(page)[1]
	}
	aliceForm, aliceTok := base(alice)
	bobForm, bobTok := base(bob)
	bobForm.Set("systemPrompt", "Bob's prompt")
	if resp, _ := bob.post("/agents/"+id, bobForm, bobTok); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob: %d", resp.StatusCode)
	}
	aliceForm.Set("systemPrompt", "Alice's prompt")
	resp, page := alice.post("/agents/"+id, aliceForm, aliceTok)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, `data-testid="conflict"`) || !strings.Contains(page, "admin@demo.test saved this agent") {
		t.Fatalf("alice's stale save: %d", resp.StatusCode)
	}
	if !strings.Contains(page, "Alice&#39;s prompt") {
		t.Fatal("alice's text was lost from the form")
	}
	if !strings.Contains(page, `data-testid="theirs-systemPrompt"`) || !strings.Contains(page, "Bob&#39;s prompt") {
		t.Fatal("the conflict does not show theirs")
	}
	_, body = e.api("GET", "/api/agents/"+id, e.token("reviewer@demo.test"), "")
	if !strings.Contains(body, `"systemPrompt":"Bob's prompt"`) {
		t.Fatalf("bob's save was overwritten: %s", body)
	}
	// Alice keeps Bob's prompt and renames: saved from the live version, the prompt
	// stays Bob's although her form still holds hers.
	live := regexpFind(page, `name="publishedVersionId" value="([0-9]+)"`)
	aliceForm.Set("publishedVersionId", live)
	aliceForm.Set("name", "Shared by two")
	aliceForm.Set("resolve:systemPrompt", "theirs")
	if resp, _ := alice.post("/agents/"+id, aliceForm, aliceTok); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("alice keeps theirs: %d", resp.StatusCode)
	}
	_, body = e.api("GET", "/api/agents/"+id, e.token("reviewer@demo.test"), "")
	if !strings.Contains(body, `"systemPrompt":"Bob's prompt"`) || !strings.Contains(body, `"name":"Shared by two"`) {
		t.Fatalf("keep theirs: %s", body)
	}
	// Saving the editor as it is says so, and appends nothing.
	_, page = alice.get("/agents/" + id)
	same := url.Values{"name": {"Shared by two"}, "stage": {"development"}, "systemPrompt": {"Bob's prompt"},
		"publishedVersionId": {regexpFind(page, `name="publishedVersionId" value="([0-9]+)"`)}, "id": {id}}
	alice.post("/agents/"+id, same, aliceTok)
	if _, page = alice.get("/agents/" + id); !strings.Contains(page, "No changes to save.") {
		t.Fatal("an unchanged save did not say so")
	}
}

func regexpFind(s, pattern string) string {
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
