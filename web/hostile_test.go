package web_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestHostileContentIsStoredOrRefusedAndShownEscaped: HTML and script in names,
// prompts, descriptions and tag names are stored and shown as text (no script runs,
// checked in the real browser); NUL bytes are refused with the seed's error shape.
func TestHostileContentIsStoredOrRefusedAndShownEscaped(t *testing.T) {
	e := start(t)
	b := e.token("builder@demo.test")
	xss := `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`
	rtl := "evil\u202Egnp.exe"
	long := strings.Repeat("W", 180)
	mustAPI(t, e, b, "POST", "/api/agent-tags", `{"name":"<b>bold</b>"}`)
	a := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"`+strings.ReplaceAll(xss, `"`, `\"`)+`","description":"`+rtl+` `+long+`",
		"systemPrompt":"</textarea><script>window.__pwned=3</script>","tagIds":[1]}`))
	id := itoa(int64(a["id"].(float64)))
	if code, body := e.api("POST", "/api/agents", b, `{"name":"nul\u0000byte"}`); code != 400 || !strings.Contains(body, `"path":["name"]`) {
		t.Fatalf("NUL byte: %d %s", code, body)
	}
	ctx := browser(t)
	var dialogs atomic.Int64
	chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			dialogs.Add(1)
		}
	})
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	for _, path := range []string{"/agents", "/agents/" + id, "/agents/" + id + "/versions", "/tags"} {
		var pwned any
		var overflow bool
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.URL+path),
			settled(),
			func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				var err error
				if pwned, err = chromedp.Evaluate[any](`window.__pwned || null`)(ctx, tg); err != nil {
					return chromedp.Void{}, err
				}
				overflow, err = chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)(ctx, tg)
				return chromedp.Void{}, err
			},
		)
		if err != nil {
			t.Fatal(err)
		}
		if pwned != nil {
			t.Errorf("%s: injected script ran (%v)", path, pwned)
		}
		if overflow {
			t.Errorf("%s: a long value breaks the layout (horizontal scroll)", path)
		}
	}
	if got := text(t, ctx, `[data-testid=tags]`); !strings.Contains(got, "<b>bold</b>") {
		t.Errorf("tag name not shown as text: %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents/"+id), settled()); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `[data-testid=editor-title]`); got != xss {
		t.Errorf("name not shown as text: %q", got)
	}
	if n := dialogs.Load(); n > 0 {
		t.Errorf("%d dialogs opened", n)
	}
}
