package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestTagsAPICRUDAndIsolation(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	code, body := e.api("POST", "/api/agent-tags", b, `{"name":"Production","color":"green","description":"Live agents"}`)
	if code != 200 {
		t.Fatalf("create: %d %s", code, body)
	}
	tag := itoa(int64(decode(t, body)["id"].(float64)))
	if code, body := e.api("POST", "/api/agent-tags", b, `{"name":"PRODUCTION"}`); code != 400 || body != `{"error":"Tag \"PRODUCTION\" already exists"}` {
		t.Fatalf("duplicate: %d %s", code, body)
	}
	_, body = e.api("POST", "/api/agents", b, `{"name":"Tagged","tagIds":[`+tag+`]}`)
	agent := decode(t, body)
	if tags := agent["tags"].([]any); len(tags) != 1 || tags[0].(map[string]any)["name"] != "Production" {
		t.Fatalf("tags on the agent: %s", body)
	}
	if code, body := e.api("PUT", "/api/agent-tags/"+tag, b, `{"name":"Prod","color":"blue"}`); code != 200 || !strings.Contains(body, `"agentCount":1`) {
		t.Fatalf("update: %d %s", code, body)
	}
	if code, _ := e.api("POST", "/api/agent-tags", e.token("reviewer@demo.test"), `{"name":"x"}`); code != 403 {
		t.Fatal("reviewer created a tag")
	}
	// Another organisation's tag id is refused with the seed's error shape.
	other, _ := e.otherOrg()
	o := e.token(other)
	_, body = e.api("POST", "/api/agent-tags", o, `{"name":"Theirs"}`)
	theirs := itoa(int64(decode(t, body)["id"].(float64)))
	code, body = e.api("POST", "/api/agents", b, `{"name":"Sneaky","tagIds":[`+theirs+`]}`)
	if code != 400 || body != `{"error":"Validation Error","details":[{"message":"Tag `+theirs+` does not belong to this organization","path":["tagIds",0]}]}` {
		t.Fatalf("foreign tag: %d %s", code, body)
	}
	if code, _ := e.api("PUT", "/api/agent-tags/"+theirs, b, `{"name":"Mine now"}`); code != 404 {
		t.Fatal("renamed another organisation's tag")
	}
	if code, _ := e.api("POST", "/api/agent-tags/"+tag+"/agents", o, `{"agentIds":[1],"action":"add"}`); code != 404 {
		t.Fatal("bulk-tagged with another organisation's tag")
	}
	// Delete: removed from the agent, with a new version; the agent stays.
	code, body = e.api("DELETE", "/api/agent-tags/"+tag, b, "")
	if code != 200 || !strings.Contains(body, `"agentsUpdated":1`) {
		t.Fatalf("delete: %d %s", code, body)
	}
	_, body = e.api("GET", "/api/agents/"+itoa(int64(agent["id"].(float64))), b, "")
	after := decode(t, body)
	if len(after["tags"].([]any)) != 0 || after["publishedVersionId"] == agent["publishedVersionId"] {
		t.Fatalf("after delete: %s", body)
	}
}

func TestBrowserTagInlineBulkAssignAndFilter(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	for _, n := range []string{"Alpha", "Beta", "Gamma"} {
		if code, body := e.api("POST", "/api/agents", b, `{"name":"`+n+`"}`); code != 200 {
			t.Fatal(body)
		}
	}
	_, body := e.api("GET", "/api/agents?q=alpha", b, "")
	alpha := itoa(int64(decode(t, body)["agents"].([]any)[0].(map[string]any)["id"].(float64)))
	ctx := browser(t)
	d := handleDialogs(ctx, t)
	d.answer(true)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		// Inline: create the tag from the editor and save it on the agent.
		chromedp.Navigate(e.URL+"/agents/"+alpha),
		chromedp.WaitVisible(chromedp.CSS(`#new-tag`)),
		settled(),
		chromedp.SendKeys(chromedp.CSS(`#new-tag`), "Urgent"),
		chromedp.Click(chromedp.CSS(`[data-testid=add-tag]`)),
		waitText(`[data-testid=tag-options]`, "Urgent"),
		settled(),
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=flashes]`, "Saved"),
		// Bulk: select the two other agents in the list and add the tag.
		chromedp.Navigate(e.URL+"/agents?sort=name"),
		chromedp.WaitReady(chromedp.CSS(`[data-testid=bulk-form]`)), // shown once something is selected
		checkRows("Beta", "Gamma"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=bulk-add]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=bulk-add]`)),
		chromedp.Action[chromedp.Void](func(context.Context, *chromedp.Target) (chromedp.Void, error) { // asked first, as the other bulk actions are
			if q, want := d.wait(15*time.Second), "Add the tag “Urgent” to 2 agents? Each one changed gets a new version."; q != want {
				return chromedp.Void{}, fmt.Errorf("bulk add asked %q, want %q", q, want)
			}
			return chromedp.Void{}, nil
		}),
		waitText(`[data-testid=flashes]`, "Tagged 2 of 2 selected agents."),
		// Filter by the tag: all three.
		chromedp.Navigate(e.URL+"/tags"),
		waitText(`[data-testid=tag-count]`, "3 agents"),
		chromedp.Click(chromedp.CSS(`[data-testid=tag-count]`)),
		waitText(`[data-testid=agents-total]`, "3 total"),
	)
	if err != nil {
		t.Fatal(err)
	}
	chips := text(t, ctx, `[data-testid=agents-table]`)
	if strings.Count(chips, "Urgent") != 3 {
		t.Fatalf("chips: %q", chips)
	}
	// One version per changed agent, and one audit entry for the bulk action.
	_, audit := e.api("GET", "/api/audit?action=tag.bulk_assigned", e.token("admin@demo.test"), "")
	if strings.Count(audit, `"action":"tag.bulk_assigned"`) != 1 {
		t.Fatalf("audit: %s", audit)
	}
}

// checkRows ticks the list's selection box of the rows with these agent names.
func checkRows(names ...string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		js := `(() => { const want = new Set(` + jsonList(names) + `); let n = 0;
			document.querySelectorAll("[data-testid=agent-row]").forEach(r => {
				if (want.has(r.querySelector("[data-testid=agent-link]").textContent.trim())) { r.querySelector("[data-testid=select-agent]").click(); n++; }
			}); return n; })()`
		_, err := chromedp.Evaluate[int](js)(ctx, tg)
		return chromedp.Void{}, err
	}
}

func jsonList(items []string) string {
	return `["` + strings.Join(items, `","`) + `"]`
}
