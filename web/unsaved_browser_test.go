package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserEditorWarnsBeforeLosingEdits: with an unsaved change, a boosted nav link
// asks first (htmx) and the Cancel link gets the browser's beforeunload dialog;
// dismissing either keeps the page and the edit. Saving the form asks nothing, and a
// clean page navigates without a question.
func TestBrowserEditorWarnsBeforeLosingEdits(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := e.api("POST", "/api/agents", e.token("builder@demo.test"), `{"name":"Careful","description":"Old"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	ctx := browser(t)
	dialogs := make(chan page.DialogType, 8)
	opening := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			go func(kind page.DialogType) {
				chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
				dialogs <- kind
			}(ev.Type)
		}
	}()
	expect := func(kind page.DialogType) {
		t.Helper()
		select {
		case got := <-dialogs:
			if got != kind {
				t.Fatalf("dialog %s, want %s", got, kind)
			}
		case <-time.After(30 * time.Second): // a guard against hanging, not a timing assertion
			t.Fatalf("no %s dialog before leaving with unsaved changes", kind)
		}
	}
	stayed := func() {
		t.Helper()
		if err := pollJS(ctx, `location.pathname === "/agents/`+id+`" && document.querySelector("#description").value.includes(", edited")`, 30*time.Second); err != nil {
			got, _ := js[string](ctx, `location.pathname + " " + JSON.stringify(document.querySelector("#description") && document.querySelector("#description").value)`)
			t.Fatalf("the page or the edit was lost (%s): %v", got, err)
		}
	}
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id),
		chromedp.WaitVisible(chromedp.CSS(`#description`)),
		settled(),
		chromedp.SendKeys(chromedp.CSS(`#description`), ", edited"),
		settled(),
		chromedp.Click(chromedp.CSS(`[data-testid=main-nav] a[href="/tags"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	expect(page.DialogTypeConfirm)
	stayed()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=agent-form] a[href="/agents"]`))); err != nil {
		t.Fatal(err)
	}
	expect(page.DialogTypeBeforeunload)
	stayed()
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)),
		waitText(`[data-testid=flashes]`, "Saved"),
		settled(),
		chromedp.Click(chromedp.CSS(`[data-testid=main-nav] a[href="/tags"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := pollJS(ctx, `location.pathname === "/tags"`, 30*time.Second); err != nil {
		t.Fatalf("a saved page did not navigate: %v", err)
	}
	select {
	case kind := <-dialogs:
		t.Fatalf("a %s dialog opened although nothing was unsaved", kind)
	default:
	}
}
