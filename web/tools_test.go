package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestSeed000SyncToolsContract(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin, builder := e.token("admin@demo.test"), e.token("builder@demo.test")
	for _, tok := range []string{builder, e.token("reviewer@demo.test")} {
		if code, body := e.api("POST", "/api/agents/sync-tools", tok, ""); code != 403 || body != `{"error":"Unauthorized: Only admins can sync agent tools"}` {
			t.Fatalf("non-admin sync: %d %s", code, body)
		}
	}
	kb := decode(t, mustAPI(t, e, builder, "POST", "/api/knowledge-bases", `{"name":"Docs"}`))["id"].(float64)
	var ids []string
	for i, tools := range []string{
		`{"web_search":{},"search_knowledge_base":{"config":{"accessibleKnowledgeBaseIds":[` + itoa(int64(kb)) + `]}}}`,
		`{"send_email":{"config":{"allowedDomains":["example.com"]}},"google:code_execution":{"isProviderTool":true}}`,
		`{"scrape_url":{}}`,
	} {
		a := decode(t, mustAPI(t, e, builder, "POST", "/api/agents", `{"name":"agent `+itoa(int64(i))+`","tools":`+tools+`}`))
		ids = append(ids, itoa(int64(a["id"].(float64))))
	}
	configBefore := toolConfig(t, e, builder, ids[1], "send_email")
	bumpCatalog(t, e, "2027.3", "search_knowledge_base", "send_email")
	_, preview := e.api("GET", "/api/agents/sync-tools/preview", admin, "")
	code, body := e.api("POST", "/api/agents/sync-tools", admin, "")
	if code != 200 || body != `{"success":true,"updated":2,"total":3,"agents":[{"id":`+ids[0]+`,"name":"agent 0"},{"id":`+ids[1]+`,"name":"agent 1"}]}` {
		t.Fatalf("sync: %d %s", code, body)
	}
	if !strings.Contains(preview, `"agents":[{"id":`+ids[0]+`,"name":"agent 0"},{"id":`+ids[1]+`,"name":"agent 1"}]`) {
		t.Fatalf("preview did not list what the sync changed: %s", preview)
	}
	if got := toolConfig(t, e, builder, ids[1], "send_email"); got != configBefore {
		t.Fatalf("config changed: %s → %s", configBefore, got)
	}
	if code, body := e.api("POST", "/api/agents/sync-tools", admin, ""); code != 200 || !strings.Contains(body, `"updated":0`) {
		t.Fatalf("second sync: %s", body)
	}
	_, body = e.api("GET", "/api/agents/versions?agentId="+ids[2], builder, "")
	if strings.Contains(body, `"source":"sync"`) {
		t.Fatal("an agent without changed tools got a sync version")
	}
	usageAgrees(t, e)
}

func TestCapabilitiesAndToolsAPI(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	_, body := e.api("GET", "/api/tools", b, "")
	var cat struct {
		Tools map[string]struct {
			Description string          `json:"description"`
			Parameters  json.RawMessage `json:"parameters"`
			Kind        string          `json:"kind"`
		} `json:"tools"`
	}
	json.Unmarshal([]byte(body), &cat)
	if len(cat.Tools) < 20 || cat.Tools["web_search"].Kind != "native" || cat.Tools["google:code_execution"].Kind != "provider" {
		t.Fatalf("catalog: %d tools", len(cat.Tools))
	}
	a := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"cap"}`))
	id := itoa(int64(a["id"].(float64)))
	got := decode(t, mustAPI(t, e, b, "POST", "/api/agents/"+id+"/capabilities", `{"name":"send_email","config":{"allowedDomains":["acme.test"]}}`))
	tool, _ := json.Marshal(got["tools"].(map[string]any)["send_email"])
	if !strings.Contains(string(tool), `"allowedDomains":["acme.test"]`) || !strings.Contains(string(tool), `"parameters"`) {
		t.Fatalf("capability: %s", tool)
	}
	if code, body := e.api("POST", "/api/agents/"+id+"/capabilities", b, `{"name":"teleport"}`); code != 400 || !strings.Contains(body, `Unknown tool \"teleport\"`) {
		t.Fatalf("unknown capability: %d %s", code, body)
	}
	if code, _ := e.api("DELETE", "/api/agents/"+id+"/capabilities/send_email", b, ""); code != 200 {
		t.Fatal("remove capability")
	}
	if code, _ := e.api("DELETE", "/api/agents/"+id+"/capabilities/send_email", b, ""); code != 404 {
		t.Fatal("removing a missing capability")
	}
	_, body = e.api("GET", "/api/agents/versions?agentId="+id, b, "")
	if strings.Count(body, `"source":"capability"`) != 2 {
		t.Fatalf("capability versions: %s", body)
	}
	usageAgrees(t, e)
}

func TestBrowserCatalogToolConfigAndSync(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	helper := itoa(int64(decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Escalations"}`))["id"].(float64)))
	target := itoa(int64(decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Front desk"}`))["id"].(float64)))
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/tools?q=call_agent"),
		chromedp.Click(chromedp.CSS(`[data-testid=tool-link]`)),
		waitText(`[data-testid=tool-name]`, "call_agent"),
		waitText(`[data-testid=params-table]`, "agentId"),
		// Add it to an agent with a config chosen by name.
		chromedp.Navigate(e.URL+"/agents/"+target),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=tool-call_agent]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=tool-call_agent]`)),
		pick("cfg-call_agent", "Escal", helper),
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=flashes]`, "Saved"),
	)
	if err != nil {
		t.Fatal(err)
	}
	_, body := e.api("GET", "/api/agents/"+target, b, "")
	if !strings.Contains(body, `"callableAgentIds":[`+helper+`]`) {
		t.Fatalf("config not saved: %s", body)
	}
	bumpCatalog(t, e, "2027.4", "call_agent")
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/tools"),
		waitText(`[data-testid=outdated-agents]`, "1 agent holds an outdated schema"),
		chromedp.Navigate(e.URL+"/admin/sync"),
		waitText(`[data-testid=sync-summary]`, "1 of 2 agents will change"),
		waitText(`[data-testid=sync-group]`, "/parameters/properties/addedBy2027.4"),
		waitText(`[data-testid=sync-group]`, "Front desk"),
		chromedp.Click(chromedp.CSS(`[data-testid=run-sync]`)),
		waitText(`[data-testid=sync-result]`, "Updated 1 of 2 agents."),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text(t, ctx, `[data-testid=sync-result]`), "Front desk") {
		t.Fatal("result does not link the changed agent")
	}
	_, body = e.api("GET", "/api/agents/"+target, b, "")
	if !strings.Contains(body, "addedBy2027.4") || !strings.Contains(body, `"callableAgentIds":[`+helper+`]`) {
		t.Fatalf("after sync: %s", body)
	}
	usageAgrees(t, e)
}

func mustAPI(t *testing.T, e *env, tok, method, path, body string) string {
	t.Helper()
	code, resp := e.api(method, path, tok, body)
	if code != 200 {
		t.Fatalf("%s %s: %d %s", method, path, code, resp)
	}
	return resp
}

func toolConfig(t *testing.T, e *env, tok, id, tool string) string {
	t.Helper()
	_, body := e.api("GET", "/api/agents/"+id, tok, "")
	var a struct {
		Tools map[string]struct {
			Config json.RawMessage `json:"config"`
		} `json:"tools"`
	}
	json.Unmarshal([]byte(body), &a)
	return string(a.Tools[tool].Config)
}

// selectOption selects one option (by value) of a multi-select.
func selectOption(sel, value string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](`document.querySelector("`+sel+`").querySelector('option[value="`+value+`"]').selected = true`)(ctx, tg)
		return chromedp.Void{}, err
	}
}
