package web_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// preferColorScheme emulates the operating system's light or dark preference.
func preferColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}

// textColoursJS reports, for body, main, the first table's header and data cells and
// every visible element in main that holds text of its own, the computed text colour
// and the background it is drawn on (the nearest ancestor's opaque background, the
// page's when none), as [label, "r,g,b", "r,g,b"] triples.
const textColoursJS = `(() => {
	const rgb = (s) => { const m = s.match(/[\d.]+/g) || []; return { c: m.slice(0, 3).join(","), a: m.length > 3 ? +m[3] : 1 }; };
	const bgOf = (el) => {
		for (let e = el; e; e = e.parentElement) { const b = rgb(getComputedStyle(e).backgroundColor); if (b.a >= 0.99) return b.c; }
		return rgb(getComputedStyle(document.documentElement).backgroundColor).c;
	};
	const out = [];
	if (!document.querySelector("main")) return out; // a fragment (progress), not a page
	const add = (label, el) => { if (el) out.push([label, rgb(getComputedStyle(el).color).c, bgOf(el)]); };
	add("body", document.body);
	add("main", document.querySelector("main"));
	add("table th", document.querySelector("main table th"));
	add("table td", document.querySelector("main table td"));
	for (const el of document.querySelectorAll("main *, header *")) {
		const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "");
		const r = el.getBoundingClientRect();
		if (!own || r.width <= 1 || r.height <= 1 || getComputedStyle(el).visibility === "hidden" || el.closest("[hidden], option, select")) continue;
		add(el.tagName.toLowerCase() + "." + String(el.className).split(" ").slice(0, 4).join(".") + " «" + el.textContent.trim().slice(0, 20) + "»", el);
	}
	return out;
})()`

// luminance is WCAG 2's relative luminance of "r,g,b".
func luminance(t *testing.T, c string) float64 {
	t.Helper()
	var r, g, b float64
	if _, err := fmt.Sscanf(c, "%g,%g,%g", &r, &g, &b); err != nil {
		t.Fatalf("colour %q: %v", c, err)
	}
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2's contrast ratio of two colours.
func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// TestDarkThemeIsReadable: with prefers-color-scheme: dark every console page the
// router serves (the crawl's fixture: one of everything) has a dark background with
// light text, and every text on it (body, main, table headers and cells, chips, links,
// buttons, badges, hints) has a contrast of at least 4.5:1; with the light preference
// pages are light, with the same contrast.
func TestDarkThemeIsReadable(t *testing.T) {
	t.Parallel()
	e := start(t)
	f := buildCrawlFixture(t, e)
	pages := crawlPages(t, e, f)
	ctx := browserWithin(t, 6*time.Minute)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	for _, scheme := range []string{"light", "dark"} {
		if err := chromedp.Do(ctx, preferColorScheme(scheme)); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for i, pg := range pages {
			if scheme == "light" && i%4 != 0 { // light is axe-checked elsewhere: a sample shows the scheme switch
				continue
			}
			if checkTextContrast(t, ctx, e.URL, scheme, pg.URL) {
				checked++
			}
		}
		if scheme == "dark" && checked < 20 {
			t.Errorf("only %d of %d pages checked in the dark scheme", checked, len(pages))
		}
	}
}

// checkTextContrast loads path and checks every text's contrast and the page's scheme;
// false for a fragment (no page shell to check).
func checkTextContrast(t *testing.T, ctx context.Context, base, scheme, path string) bool {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+path), settled()); err != nil {
		t.Fatal(err)
	}
	triples, err := chromedp.Run(ctx, chromedp.Evaluate[[][3]string](textColoursJS))
	if err != nil {
		t.Fatal(err)
	}
	if len(triples) == 0 {
		return false
	}
	seen := map[string]bool{}
	for _, tr := range triples {
		label, fg, bg := tr[0], tr[1], tr[2]
		seen[label] = true
		if r := contrast(t, fg, bg); r < 4.5 {
			t.Errorf("%s %s: %s on %s has contrast %.2f:1", scheme, path, label, bg, r)
		}
		if dark := luminance(t, bg) < 0.05; label == "body" && dark != (scheme == "dark") {
			t.Errorf("%s %s: the page background is %s", scheme, path, bg)
		}
	}
	for _, must := range []string{"body", "main"} {
		if !seen[must] {
			t.Errorf("%s %s: no colours for %s", scheme, path, must)
		}
	}
	if (path == "/agents" || path == "/admin/users") && !seen["table td"] {
		t.Errorf("%s %s: no table cell checked", scheme, path)
	}
	return true
}

// TestHeaderMenuAtPhoneWidth: at 390 px the main navigation is behind a menu button
// that opens and closes from the keyboard (Enter, Escape) and leads to each section; at
// desktop width the inline navigation shows and the button does not.
func TestHeaderMenuAtPhoneWidth(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	visible := func(sel string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const el = document.querySelector("`+sel+`"); return !!el && el.checkVisibility({visibilityProperty: true}); })()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.URL+"/agents"), settled()); err != nil {
		t.Fatal(err)
	}
	if visible("[data-testid=main-nav]") || !visible("[data-testid=menu-button]") || visible("[data-testid=mobile-nav]") {
		t.Fatalf("at 390 px: the inline nav shows (%v), or the menu button does not (%v), or the menu is open (%v)", visible("[data-testid=main-nav]"), visible("[data-testid=menu-button]"), visible("[data-testid=mobile-nav]"))
	}
	// Keyboard: Tab reaches the button (after the skip link and the logo), Enter opens it.
	err := chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](`document.activeElement && document.activeElement.blur()`)(ctx, tg)
			return err
		}),
		chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab),
	)
	if err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.dataset.testid || document.activeElement.outerHTML.slice(0, 80)`))
	if err != nil || focused != "menu-button" {
		t.Fatalf("three Tabs reach %q, not the menu button (%v)", focused, err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if !visible("[data-testid=mobile-nav] a[href='/tags']") || !visible("[data-testid=mobile-nav] a[href='/admin']") {
		t.Fatal("Enter on the menu button does not show the sections")
	}
	expanded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("[data-testid=menu]").open`))
	if err != nil || !expanded {
		t.Fatalf("the menu is not open: %v", err)
	}
	// Open, it stays inside the phone's width (a w-56 box hung from the button reached 421 px).
	if fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.querySelector("[data-testid=mobile-nav]").getBoundingClientRect();
		return r.left >= 0 && r.right <= window.innerWidth && document.documentElement.scrollWidth <= window.innerWidth; })()`)); err != nil || !fits {
		t.Fatalf("the open menu overflows the 390 px window (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if visible("[data-testid=mobile-nav]") {
		t.Fatal("Escape does not close the menu")
	}
	focused, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.dataset.testid || ""`))
	if focused != "menu-button" {
		t.Errorf("after Escape the focus is on %q, not the menu button", focused)
	}
	// Open it again and follow a link: the section opens.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter), chromedp.Click(chromedp.CSS(`[data-testid=mobile-nav] a[href='/tags']`)), settled()); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/tags") {
		t.Fatalf("the menu's Tags link led to %q (%v)", loc, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(e.URL+"/agents"), settled()); err != nil {
		t.Fatal(err)
	}
	if !visible("[data-testid=main-nav]") || visible("[data-testid=menu-button]") {
		t.Fatal("at 1280 px: the inline nav is hidden or the menu button shows")
	}
}

// TestTagColourSwatches: the tags page picks a colour with radio swatches from the
// keyboard (Tab into the group, arrow keys between colours) or a custom #rrggbb; the
// tag then shows in its colour on the tags page, in the list's filter and rows and in
// the editor, a custom colour painted with readable text. The API takes and normalises
// the same colours.
func TestTagColourSwatches(t *testing.T) {
	t.Parallel()
	e := start(t)
	tok := e.token("admin@demo.test")
	if code, body := e.api("POST", "/api/agent-tags", tok, `{"name":"Hexed","color":"#A1B2C3"}`); code != 200 || !strings.Contains(body, `"color":"#a1b2c3"`) {
		t.Fatalf("custom colour over the API: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agent-tags", tok, `{"name":"Bad","color":"#12345"}`); code != 400 || !strings.Contains(body, `"path":["color"]`) {
		t.Fatalf("a bad colour: %d %s", code, body)
	}
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	// The first swatch (slate) is checked; focus it, then ArrowRight twice: amber.
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/tags"), settled(),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Keyboarded"),
		chromedp.Focus(chromedp.CSS(`#color-0`)),
		chromedp.KeyEvent(kb.ArrowRight), chromedp.KeyEvent(kb.ArrowRight),
	)
	if err != nil {
		t.Fatal(err)
	}
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("form[action='/tags'] input[name=color]:checked").value`))
	if err != nil || checked != "amber" {
		t.Fatalf("after two ArrowRight the checked swatch is %q (%v)", checked, err)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action='/tags'] button[type=submit]`)), settled(),
		chromedp.WaitVisible(chromedp.CSS(`[data-flash=success]`)))
	if err != nil {
		t.Fatal(err)
	}
	// A custom colour: choosing it in the colour input selects "custom".
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#name`), "Customised"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[any](`(() => { const i = document.querySelector("#color-custom"); i.value = "#0b5d1e"; i.dispatchEvent(new Event("input", {bubbles: true})); })()`)(ctx, tg)
			return err
		}),
		chromedp.Click(chromedp.CSS(`form[action='/tags'] button[type=submit]`)), settled(),
		chromedp.WaitVisible(chromedp.CSS(`[data-flash=success]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := e.Store.Tags(context.Background(), mustActor(t, e, "admin@demo.test").OrgID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, tg := range tags {
		ids[tg.Name] = tg.Color
	}
	if ids["Keyboarded"] != "amber" || ids["Customised"] != "#0b5d1e" {
		t.Fatalf("stored colours: %v", ids)
	}
	code, body := e.api("POST", "/api/agents", tok, `{"name":"Coloured"}`)
	if code != 200 {
		t.Fatalf("agent: %d %s", code, body)
	}
	agent := itoa(int64(decode(t, body)["id"].(float64)))
	// chipJS: the computed background and text colour of the chips named Customised and
	// Keyboarded under sel, as "bg|fg" pairs.
	chipJS := func(sel string) string {
		return `[...document.querySelectorAll("` + sel + `")].filter(el => /Customised|Keyboarded/.test(el.textContent)).map(el => el.textContent.trim() + "=" + getComputedStyle(el).backgroundColor + "|" + getComputedStyle(el).color).sort().join(" ")`
	}
	for _, c := range []struct{ path, sel string }{
		{"/tags", "[data-testid=tag-chip]"},
		{"/agents", "[data-testid=tag-filter-chip]"},
		{"/agents/" + agent, "[data-testid=tag-option]"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+c.path), settled()); err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](chipJS(c.sel)))
		if err != nil {
			t.Fatal(err)
		}
		// amber-100 with amber-900 text; #0b5d1e (dark green) with white text.
		want := "Customised=rgb(11, 93, 30)|rgb(255, 255, 255) Keyboarded=rgb(254, 243, 199)|rgb(120, 53, 15)"
		if got != want {
			t.Errorf("%s chips: %q, want %q", c.path, got, want)
		}
	}
}
