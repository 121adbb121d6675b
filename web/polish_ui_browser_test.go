package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// New-user findings in one browser: a tag added in the editor shows where a reload
// lists it (by name, not at the end); changing Type to native under the overview's card
// filter replaces its banner with what the combination means, live; at 390 px a table
// wider than its box shows an edge shadow; the phone menu shows the review count beside
// Reviews.
func TestBrowserNewUserPolish(t *testing.T) {
	e := start(t)
	admin := e.token("admin@demo.test")
	for _, n := range []string{"Beta", "Delta"} {
		mustAPI(t, e, admin, "POST", "/api/agent-tags", `{"name":"`+n+`"}`)
	}
	body := mustAPI(t, e, admin, "POST", "/api/agents", `{"name":"Tagged","description":"`+strings.Repeat("A fairly long description ", 8)+`"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	ctx := browserWithin(t, 4*time.Minute)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")

	order := func() string {
		o, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#tag-options label")].map(l => l.textContent.trim()).join(",")`))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents/"+id), chromedp.WaitVisible(chromedp.CSS(`#new-tag`)), settled()); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ add, want string }{
		{"Charlie", "Beta,Charlie,Delta"},
		{"alpha", "alpha,Beta,Charlie,Delta"},
		{"Zulu", "alpha,Beta,Charlie,Delta,Zulu"},
	} {
		if err := chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS(`#new-tag`), step.add),
			chromedp.Click(chromedp.CSS(`[data-testid=add-tag]`)),
			waitText(`[data-testid=tag-options]`, step.add),
			settled(),
		); err != nil {
			t.Fatal(err)
		}
		if got := order(); got != step.want {
			t.Errorf("after adding %s the tags read %s, want %s (the order a reload shows)", step.add, got, step.want)
		}
	}
	forgetUnsaved(ctx) // the ticked new tags are an unsaved edit: leave without the question
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents/"+id), chromedp.WaitVisible(chromedp.CSS(`#new-tag`)), settled()); err != nil {
		t.Fatal(err)
	}
	if got := order(); got != "alpha,Beta,Charlie,Delta,Zulu" {
		t.Errorf("after a reload the tags read %s", got)
	}

	// The overview's card filter, then Type native chosen in the live filters.
	forgetUnsaved(ctx)
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents?type=external&cardStatus=failed"),
		waitText(`[data-testid=flashes]`, "whose last card refresh failed"),
		settled(),
		chooseType("native"),
		waitText(`[data-testid=flashes]`, "only external agents have an agent card"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if f := text(t, ctx, `[data-testid=flashes]`); strings.Contains(f, "whose last card refresh failed") {
		t.Errorf("the failed-refresh banner stayed over a native list: %q", f)
	}

	// A phone: the list's table scrolls in its box and shows it has more to the right.
	protected, _ := protectedAgent(t, e, admin)
	if code, body := e.api("PUT", fmt.Sprintf("/api/agents/%d", protected), e.token("builder@demo.test"), `{"description":"proposed"}`); code != http.StatusAccepted {
		t.Fatalf("propose: %d %s", code, body)
	}
	err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(e.URL+"/agents"), settled())
	if err != nil {
		t.Fatal(err)
	}
	type cue struct {
		Scrolls    bool
		Image, Att string
	}
	c, err := chromedp.Run(ctx, chromedp.Evaluate[cue](`(() => { const b = document.querySelector("[data-testid=agents-scroll]"), s = getComputedStyle(b);
		return {scrolls: b.scrollWidth > b.clientWidth + 1, image: s.backgroundImage, att: s.backgroundAttachment}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Scrolls {
		t.Fatal("the agents table fits at 390 px: nothing to check")
	}
	if strings.Count(c.Image, "radial-gradient") != 2 || c.Att != "local, local, scroll, scroll" {
		t.Errorf("the scrolling table shows no edge shadow: background %q attached %q", c.Image, c.Att)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=menu-button]`)),
		waitText(`[data-testid=mobile-nav] [data-testid=review-count-menu]`, "1"),
	)
	if err != nil {
		t.Errorf("the phone menu shows no review count beside Reviews: %v", err)
	}
}

// chooseType picks a Type in the list's live filters as a person does (a change event).
func chooseType(v string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](`(() => { const s = document.querySelector("#type"); s.value = "`+v+`"; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// The editor's Clone pop-over has a Cancel, like every other question the console asks:
// it closes the pop-over and creates nothing; Escape does the same.
func TestBrowserCloneCancelCreatesNothing(t *testing.T) {
	e := start(t)
	admin := e.token("admin@demo.test")
	id := itoa(int64(decode(t, mustAPI(t, e, admin, "POST", "/api/agents", `{"name":"Original"}`))["id"].(float64)))
	total := func() float64 {
		return decode(t, mustAPI(t, e, admin, "GET", "/api/agents", ""))["total"].(float64)
	}
	before := total()
	ctx := browserWithin(t, 3*time.Minute)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	isOpen := func() bool {
		open, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("[data-testid=clone-dialog]").open`))
		if err != nil {
			t.Fatal(err)
		}
		return open
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents/"+id), chromedp.WaitVisible(chromedp.CSS(`[data-testid=clone-agent]`)), settled(),
		chromedp.Click(chromedp.CSS(`[data-testid=clone-agent]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=clone-cancel]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=clone-cancel]`)), settled()); err != nil {
		t.Fatal(err)
	}
	if isOpen() {
		t.Error("Cancel left the Clone pop-over open")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=clone-agent]`)), chromedp.WaitVisible(chromedp.CSS(`#clone-name`)),
		chromedp.KeyEvent("\x1b"), settled()); err != nil {
		t.Fatal(err)
	}
	if isOpen() {
		t.Error("Escape left the Clone pop-over open")
	}
	if after := total(); after != before {
		t.Fatalf("Cancel and Escape on Clone changed the number of agents: %v → %v", before, after)
	}
}
