package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSolidButtonsStaySolidInTheDarkTheme: Delete and the primary button keep a dark,
// saturated background with white text in the dark scheme (the flipping palette made
// them light pastel blocks); the editor's sticky bar stays one short row at 390 px.
func TestSolidButtonsStaySolidInTheDarkTheme(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, body := e.api("POST", "/api/agents", e.token("admin@demo.test"), `{"name":"Dark"}`)
	id := itoa(int64(decode(t, body)["id"].(float64)))
	ctx := browserWithin(t, 2*time.Minute)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	if err := chromedp.Do(ctx, preferColorScheme("dark"), chromedp.Navigate(e.URL+"/agents/"+id), settled()); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []string{"[data-testid=delete-agent]", "[data-testid=save-agent]"} {
		colours, err := chromedp.Run(ctx, chromedp.Evaluate[[2]string](`(() => { const s = getComputedStyle(document.querySelector("`+sel+`")); const rgb = c => c.match(/\d+/g).slice(0, 3).join(","); return [rgb(s.backgroundColor), rgb(s.color)]; })()`))
		if err != nil {
			t.Fatal(err)
		}
		if bg, fg := luminance(t, colours[0]), luminance(t, colours[1]); bg > 0.2 || fg < 0.9 {
			t.Errorf("%s in the dark theme: %s text on %s", sel, colours[1], colours[0])
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 900), chromedp.Navigate(e.URL+"/agents/"+id), settled()); err != nil {
		t.Fatal(err)
	}
	h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector("[data-testid=editor-bar]").getBoundingClientRect().height`))
	if err != nil || h > 90 {
		t.Errorf("the editor's sticky bar at 390 px is %.0f px tall (%v)", h, err)
	}
	// The diff's Fields table fits its card at 390 px (nothing hidden past its right edge).
	e.api("PUT", "/api/agents/"+id, e.token("admin@demo.test"), `{"description":"`+strings.Repeat("A long description ", 20)+`","conversationStarters":["Hello there"]}`)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents/"+id+"/diff"), settled()); err != nil {
		t.Fatal(err)
	}
	fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector("[data-testid=diff-fields]"); return !!s && s.scrollWidth <= s.clientWidth; })()`))
	if err != nil || !fits {
		t.Errorf("the diff's Fields table is wider than its card at 390 px (%v)", err)
	}
}
