package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// countSel counts the elements matching a CSS selector on the current page.
func countSel(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("`+sel+`").length`))
	if err != nil {
		t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// TestBrowserConsoleSaveStoresLFAndChangesOnlyThePrompt: browsers submit textareas
// with CRLF. A console save of an API-created agent that changes one word on line 2
// stores the prompt with LF only, diffs as exactly one changed line, and its version
// names only systemPrompt (lists the API left absent are not "changed" to []).
func TestBrowserConsoleSaveStoresLFAndChangesOnlyThePrompt(t *testing.T) {
	e := start(t)
	tok := e.token("builder@demo.test")
	code, body := e.api("POST", "/api/agents", tok, `{"name":"Lines","model":"openai:gpt-4o",
		"systemPrompt":"You are the billing assistant.\nAnswer questions about invoices politely.\nNever promise refunds.\nSign off with the team name."}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	id := itoa(int64(decode(t, body)["id"].(float64)))
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`#systemPrompt`)),
		settled(),
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Evaluate[any](`(() => { const p = document.querySelector("#systemPrompt");
				p.value = p.value.replace("invoices politely", "invoices briefly"); })()`)(ctx, tg)
			return chromedp.Void{}, err
		},
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=flashes]`, "Saved “Lines”"),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := "You are the billing assistant.\nAnswer questions about invoices briefly.\nNever promise refunds.\nSign off with the team name."
	_, body = e.api("GET", "/api/agents/"+id, tok, "")
	if got, _ := decode(t, body)["systemPrompt"].(string); got != want {
		t.Fatalf("prompt over the API: %q", got)
	}
	var stored string
	if err := e.Store.DB.NewRaw("SELECT system_prompt FROM agents WHERE id = ?", id).Scan(context.Background(), &stored); err != nil {
		t.Fatal(err)
	}
	if stored != want {
		t.Fatalf("prompt in the database: %q", stored)
	}
	_, body = e.api("GET", "/api/agents/versions?agentId="+id, tok, "")
	versions := decode(t, body)["versions"].([]any)
	if len(versions) != 2 || versions[0].(map[string]any)["summary"] != "changed systemPrompt" {
		t.Fatalf("versions: %s", body)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents/"+id+"/diff"), waitText(`[data-testid=diff-title]`, "v1 → v2")); err != nil {
		t.Fatal(err)
	}
	if n := countSel(t, ctx, "[data-testid=changed-line]"); n != 1 {
		t.Fatalf("%d changed lines, want 1: %s", n, text(t, ctx, `[data-testid=diff-prompt]`))
	}
	if n := countSel(t, ctx, "[data-testid=removed-line], [data-testid=added-line]"); n != 0 {
		t.Fatalf("%d removed/added lines, want none: %s", n, text(t, ctx, `[data-testid=diff-prompt]`))
	}
	if got := text(t, ctx, `[data-testid=changed-line] ins`); got != "briefly" {
		t.Fatalf("word highlight: %q", got)
	}
	if countSel(t, ctx, "[data-testid=diff-fields]") != 0 {
		t.Fatalf("fields shown as changed: %s", text(t, ctx, `[data-testid=diff-fields]`))
	}
}

// TestAPIStoresLFLineEndings: CRLF and lone CR in multi-line fields become LF on every
// entry point of the API (create, partial update), and come back as LF.
func TestAPIStoresLFLineEndings(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	code, body := e.api("POST", "/api/agents", tok, `{"name":"CR","systemPrompt":"one\r\ntwo\rthree\n","description":"a\r\nb",
		"conversationStarters":["Hi\r\nthere"]}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	a := decode(t, body)
	id := itoa(int64(a["id"].(float64)))
	if a["systemPrompt"] != "one\ntwo\nthree\n" || a["description"] != "a\nb" || a["conversationStarters"].([]any)[0] != "Hi\nthere" {
		t.Fatalf("create answered: %s", body)
	}
	code, body = e.api("PUT", "/api/agents/"+id, tok, `{"systemPrompt":"first\r\nsecond\r\n"}`)
	if code != 200 || decode(t, body)["systemPrompt"] != "first\nsecond\n" {
		t.Fatalf("PUT: %d %s", code, body)
	}
	_, body = e.api("GET", "/api/agents/"+id, tok, "")
	if decode(t, body)["systemPrompt"] != "first\nsecond\n" || strings.Contains(body, `\r`) {
		t.Fatalf("GET: %s", body)
	}
	// The same prompt in CRLF is no change at all: no new version.
	code, body = e.api("PUT", "/api/agents/"+id, tok, `{"systemPrompt":"first\r\nsecond\r\n","conversationStarters":["Hi\rthere"]}`)
	if code != 200 {
		t.Fatalf("PUT again: %d %s", code, body)
	}
	_, body = e.api("GET", "/api/agents/versions?agentId="+id, tok, "")
	if n := strings.Count(body, `"number"`); n != 2 {
		t.Fatalf("%d versions after an equal save, want 2: %s", n, body)
	}
}

// TestDiffPagePairsOnlySimilarLines: replacing line 4 with two unrelated lines is one
// removal and two additions on the diff page, not "changed" lines.
func TestDiffPagePairsOnlySimilarLines(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("builder@demo.test")
	_, body := e.api("POST", "/api/agents", tok, `{"name":"Pairs","systemPrompt":"You help the sales team.\nKeep answers short.\nUse the product catalog.\nAlways cite your sources.\nEnd with a question."}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	if code, body := e.api("PUT", "/api/agents/"+id, tok, `{"systemPrompt":"You help the sales team.\nKeep answers short.\nUse the product catalog.\nEscalate billing disputes to a human.\nNever reveal internal pricing.\nEnd with a question."}`); code != 200 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	c := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	resp, page := c.get("/agents/" + id + "/diff")
	if resp.StatusCode != 200 {
		t.Fatalf("diff page: %d", resp.StatusCode)
	}
	i := strings.Index(page, `data-testid="diff-prompt"`)
	if i < 0 {
		t.Fatalf("no prompt diff: %s", page)
	}
	prompt := page[i:]
	if n := strings.Count(prompt, `data-testid="changed-line"`); n != 0 {
		t.Fatalf("%d changed lines, want none", n)
	}
	removed, added := strings.Count(prompt, `data-testid="removed-line"`), strings.Count(prompt, `data-testid="added-line"`)
	if removed != 1 || added != 2 || !strings.Contains(prompt, "Always cite your sources.") ||
		!strings.Contains(prompt, "Never reveal internal pricing.") {
		t.Fatalf("removed %d, added %d: %s", removed, added, prompt)
	}
}
