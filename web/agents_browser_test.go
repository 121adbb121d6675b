package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// waitText waits until the element's text contains want ("" waits for it to be
// empty). It polls itself, so a navigation in between is just another try.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		js := `(() => { const el = document.querySelector(` + "`" + sel + "`" + `); if (!el) return false; const t = el.textContent.trim(); ` +
			`return ` + "`" + want + "`" + ` === "" ? t === "" : t.includes(` + "`" + want + "`" + `); })()`
		deadline := time.Now().Add(45 * time.Second) // a guard against hanging: Chromium shares two loaded cores
		for {
			ok, err := chromedp.Evaluate[bool](js)(ctx, tg)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			if time.Now().After(deadline) {
				return chromedp.Void{}, fmt.Errorf("%s never showed %q (last error %v)", sel, want, err)
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// acceptConfirms makes window.confirm answer yes (the delete button asks first).
func acceptConfirms() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](`window.confirm = () => true`)(ctx, tg)
		return chromedp.Void{}, err
	}
}

func TestBrowserAgentCreateValidateCloneDeleteRestore(t *testing.T) {
	e := start(t)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=agents-empty]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=new-agent]`)),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		settled(),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Helpdesk"),
		chromedp.SendKeys(chromedp.CSS(`#emailSlug`), "admin"),
		// Inline validation, as the user types, with the seed's message.
		waitText(`#emailSlug-error`, `Email slug "admin" is reserved and cannot be used`),
		settled(),
		clearInput(`#emailSlug`),
		chromedp.SendKeys(chromedp.CSS(`#emailSlug`), "helpdesk-bot"),
		waitText(`#emailSlug-error`, ""),
		settled(),
		chromedp.SendKeys(chromedp.CSS(`#systemPrompt`), "You answer helpdesk tickets."),
		waitText(`[data-testid=prompt-count]`, "28 characters"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=flashes]`, "Saved “Helpdesk”"),
		waitText(`[data-testid=email-address]`, "helpdesk-bot@"),
		chromedp.Click(chromedp.CSS(`[data-testid=clone-agent]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=clone-submit]`)),
		waitText(`[data-testid=editor-title]`, "Copy of Helpdesk"),
		waitText(`[data-testid=flashes]`, "Cloned"),
		acceptConfirms(),
		chromedp.Click(chromedp.CSS(`[data-testid=delete-agent]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=deleted-banner]`)),
		chromedp.Navigate(e.URL+"/agents"),
		waitText(`[data-testid=agents-total]`, "1 total"),
		chromedp.Navigate(e.URL+"/agents?deleted=true"),
		chromedp.Click(chromedp.CSS(`[data-testid=restore-agent]`)),
		waitText(`[data-testid=flashes]`, "Restored “Copy of Helpdesk”"),
		chromedp.Navigate(e.URL+"/agents"),
		waitText(`[data-testid=agents-total]`, "2 total"),
	)
	if err != nil {
		t.Fatal(err)
	}
	list := text(t, ctx, `[data-testid=agents-table]`)
	if !strings.Contains(list, "Helpdesk") || !strings.Contains(list, "Copy of Helpdesk") {
		t.Fatalf("list: %q", list)
	}
	// The copy has no email slug; the original kept its own.
	_, body := e.api("GET", "/api/agents?q=copy", e.token("builder@demo.test"), "")
	if !strings.Contains(body, `"emailSlug":null`) || !strings.Contains(body, `"systemPrompt":"You answer helpdesk tickets."`) {
		t.Fatalf("copy over the API: %s", body)
	}
}

func TestBrowserReviewerSeesEditorReadOnly(t *testing.T) {
	e := start(t)
	code, body := e.api("POST", "/api/agents", e.token("builder@demo.test"), `{"name":"Read me"}`)
	if code != 200 {
		t.Fatal(body)
	}
	id := itoa(int64(decode(t, body)["id"].(float64)))
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "reviewer@demo.test", "demo-reviewer-pass")
	var nodes int
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=agent-form]`)),
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			var err error
			nodes, err = chromedp.Evaluate[int](`document.querySelectorAll("[data-testid=save-agent], [data-testid=delete-agent], [data-testid=clone-agent], [data-testid=new-agent]").length + (document.querySelector("fieldset").disabled ? 0 : 100)`)(ctx, tg)
			return chromedp.Void{}, err
		},
	)
	if err != nil {
		t.Fatal(err)
	}
	if nodes != 0 {
		t.Fatalf("reviewer sees %d write controls (or an enabled form)", nodes)
	}
}

// clearInput empties a field the way select-all + delete would.
func clearInput(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](`document.querySelector("`+sel+`").value = ""`)(ctx, tg)
		return chromedp.Void{}, err
	}
}
