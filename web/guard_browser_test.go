package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowserConfirmationsAskBeforeHtmxStarts: confirmations are htmx's hx-confirm, and
// htmx starts only once the page is parsed and its scripts have run. The browser here
// holds htmx back, so the Delete button is on screen with no htmx behind it, as on a
// slow connection: Cancel must still delete nothing, and OK must still delete.
func TestBrowserConfirmationsAskBeforeHtmxStarts(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	target := depsAgent(t, e, b, "Billing core")
	depsAgent(t, e, b, "Front desk", target)
	ctx := browser(t)
	d := handleDialogs(ctx, t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")

	held := make(chan fetch.RequestID, 8)
	go func() {
		for ev, err := range chromedp.Events(ctx, fetch.RequestPaused) {
			if err != nil {
				return
			}
			held <- ev.RequestID
		}
	}()
	t.Cleanup(func() { // let the held scripts go, so the page can finish
		for {
			select {
			case id := <-held:
				chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
			default:
				return
			}
		}
	})
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/js/htmx.min.*"}}}); err != nil {
		t.Fatal(err)
	}
	// page.Navigate, not chromedp.Navigate: the load event waits for the held script.
	if _, err := chromedp.Call(ctx, page.Navigate, page.NavigateParams{URL: e.URL + "/agents/" + itoa(target) + "/dependents"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-held: // answered by Cleanup
	case <-time.After(60 * time.Second): // a guard against hanging, not a timing assertion
		t.Fatal("the page never asked for htmx")
	}
	d.answer(false)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=confirm-delete-agent]`))); err != nil {
		t.Fatal(err)
	}
	if msg := d.wait(60 * time.Second); !strings.Contains(msg, "“Front desk” may call it") {
		t.Fatalf("no confirmation before htmx started (dialog %q)", msg)
	}
	if started, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.htmx !== "undefined"`)); err != nil || started {
		t.Fatalf("htmx had started (%v, %v): the test proves nothing", started, err)
	}
	if code, _ := e.api("GET", "/api/agents/"+itoa(target), b, ""); code != 200 {
		t.Fatal("Cancel before htmx started deleted the agent")
	}
	d.answer(true)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=confirm-delete-agent]`))); err != nil {
		t.Fatal(err)
	}
	if msg := d.wait(60 * time.Second); msg == "" {
		t.Fatal("no confirmation the second time")
	}
	deadline := time.Now().Add(60 * time.Second)
	for code, _ := e.api("GET", "/api/agents/"+itoa(target), b, ""); code == 200; code, _ = e.api("GET", "/api/agents/"+itoa(target), b, "") {
		if time.Now().After(deadline) {
			t.Fatal("OK before htmx started did not delete the agent")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
