package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestConsoleCrawl walks every console page of the router in one Chromium (see
// crawl_test.go) and checks four properties a new page or form inherits for free:
// Enter in an inline sub-form never submits the enclosing form; every confirmation,
// dismissed, changes nothing (and accepted, on a fresh fixture, does); every form can
// be refused and then shows the server's message, never a generic one or a stale
// success; and no page is wider than the window at 1366 and 390 px with 5,000-character
// unbroken texts stored.
func TestConsoleCrawl(t *testing.T) {
	e := start(t)
	f := buildCrawlFixture(t, e)
	ctx := browserWithin(t, 8*time.Minute)
	d := handleDialogs(ctx, t)
	pages := crawlPages(t, e, f)
	t.Logf("crawl: %d pages from the router", len(pages))

	t.Run("enter", func(t *testing.T) { crawlEnter(t, ctx, e, f, pages) })
	t.Run("inline-errors", func(t *testing.T) { inlineErrors(t, ctx, e, f) })
	t.Run("confirmations", func(t *testing.T) { crawlConfirmations(t, ctx, d, e, pages) })
	t.Run("refused-forms", func(t *testing.T) { crawlRefusedForms(t, ctx, d, e, pages) })
	t.Run("layout", func(t *testing.T) { crawlLayout(t, ctx) })
}

const settledJS = `document.readyState === "complete" && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")`

// textInputs are the fields where Enter means "submit" to a browser.
const textInputs = `[...document.querySelectorAll('input:not([type]), input[type=text], input[type=search], input[type=email], input[type=url], input[type=number], input[type=password], input[type=tel]')].filter(el => !el.disabled && el.getClientRects().length > 0)`

// crawlEnter: Enter in a text field may submit only the field's own action, where
// "own" is, precisely: the request of an htmx widget (not a form) that names the field
// in its hx-include by id — the field is that widget's input — else the submission of
// the field's form owner (input.form, which the form attribute sets). Submissions and
// htmx requests are recorded and cancelled, so nothing is saved while sweeping.
func crawlEnter(t *testing.T, ctx context.Context, e *env, f crawlFixture, pages []crawlPage) {
	crawlLogin(t, ctx, e)
	checked := 0
	for _, p := range pages {
		if err := visit(ctx, e.URL, p); err != nil {
			t.Error(err)
			continue
		}
		n, err := js[int](ctx, textInputs+`.length`)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js[bool](ctx, `(() => { window.__enter = [];
			document.addEventListener("submit", ev => { const f = ev.target;
				window.__enter.push((f.getAttribute("method") || "get").toUpperCase() + " " + new URL(f.getAttribute("action") || "", location.href).pathname);
				ev.preventDefault(); ev.stopImmediatePropagation(); }, true);
			document.addEventListener("htmx:beforeRequest", ev => {
				window.__enter.push((ev.detail.requestConfig.verb || "").toUpperCase() + " " + ev.detail.pathInfo.requestPath); ev.preventDefault(); }, true);
			return true; })()`); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			type field struct {
				Name, Own, Live string
			}
			fd, err := js[field](ctx, fmt.Sprintf(`(() => { const el = %s[%d]; window.__enter = []; el.focus();
				let own = "";
				if (el.id) for (const w of document.querySelectorAll("[hx-include]")) {
					if (w.tagName !== "FORM" && w.getAttribute("hx-include").split(",").map(s => s.trim()).includes("#" + el.id))
						own = w.getAttribute("hx-post") ? "POST " + w.getAttribute("hx-post") : "GET " + w.getAttribute("hx-get");
				}
				if (!own && el.form) own = (el.form.getAttribute("method") || "get").toUpperCase() + " " + new URL(el.form.getAttribute("action") || "", location.href).pathname;
				const live = el.getAttribute("hx-post") ? "POST " + el.getAttribute("hx-post") : "";
				return {name: el.name || el.id, own, live}; })()`, textInputs, i))
			if err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
				t.Fatal(err)
			}
			got, err := js[[]string](ctx, `window.__enter`)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for _, g := range got {
				if g != fd.Own && g != fd.Live {
					t.Errorf("%s: Enter in %q sent %s; its own action is %q", p.URL, fd.Name, g, fd.Own)
				}
			}
		}
	}
	t.Logf("enter: %d text fields pressed Enter in", checked)

	// The journey the issue names: half an edit typed, then Enter in "Add a tag"
	// creates the tag and ticks it, and the agent is not saved.
	agentBefore := fingerprint(t, e)
	forgetUnsaved(ctx)
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+itoa(f.Native)),
		chromedp.WaitVisible(chromedp.CSS(`#new-tag`)),
		settled(),
		chromedp.SendKeys(chromedp.CSS(`#description`), " (half-finished)"),
		chromedp.SendKeys(chromedp.CSS(`#new-tag`), "Urgent"+kb.Enter),
		waitText(`[data-testid=tag-options]`, "Urgent"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	state, err := js[map[string]any](ctx, `(() => ({desc: document.querySelector("#description").value, box: document.querySelector("#new-tag").value,
		checked: [...document.querySelectorAll("#tag-options label")].filter(l => l.textContent.includes("Urgent") && l.querySelector("input").checked).length}))()`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(state["desc"].(string), "(half-finished)") || state["box"] != "" || state["checked"].(float64) != 1 {
		t.Errorf("after Enter in the tag box: %v (want the edit kept, the box empty, Urgent ticked)", state)
	}
	after := fingerprint(t, e)
	for _, tb := range fingerprintDiff(agentBefore, after) {
		if tb == "agents" || tb == "agent_versions" {
			t.Errorf("Enter in the tag box saved the agent: %s changed", tb)
		}
	}
}

const confirmSel = `[hx-confirm], [data-confirm]`

// crawlConfirmations dismisses every confirmation on every page and checks the
// database did not change; then, per kind of confirmed action, accepts one on a fresh
// fixture and checks it did change (so this test can fail).
func crawlConfirmations(t *testing.T, ctx context.Context, d *dialogs, e *env, pages []crawlPage) {
	crawlLogin(t, ctx, e)
	d.answer(false)
	d.drain()
	base := fingerprint(t, e)
	type found struct {
		page, index int
		action      string
	}
	var kinds []found
	seen := map[string]bool{}
	dismissed := 0
	for pi, p := range pages {
		if err := visit(ctx, e.URL, p); err != nil {
			t.Error(err)
			continue
		}
		n, err := js[int](ctx, `document.querySelectorAll("`+confirmSel+`").length`)
		if err != nil {
			t.Fatal(err)
		}
		// Whatever deletes, revokes or deactivates asks first.
		unasked, err := js[[]string](ctx, `[...document.querySelectorAll("form[method=post]")].filter(f =>
			/\/(delete|revoke|deactivate)$/.test(new URL(f.action, location.href).pathname) && !f.closest("[hx-confirm]")).map(f => f.getAttribute("action"))`)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range unasked {
			t.Errorf("%s: POST %s deletes, revokes or deactivates without a confirmation", p.URL, a)
		}
		// The list's bulk bar asks before every action on the selected agents (tagging as
		// publishing does: a version each); only restoring from Deleted is one click.
		bulkUnasked, err := js[[]string](ctx, `[...document.querySelectorAll("[data-bulk-bar] button[type=submit]")].filter(b =>
			b.value !== "restore" && !b.hasAttribute("hx-confirm")).map(b => b.value)`)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range bulkUnasked {
			t.Errorf("%s: the bulk action %q runs without a confirmation", p.URL, a)
		}
		for i := 0; i < n; i++ {
			action, question, err := triggerConfirm(ctx, i, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := d.wait(15 * time.Second)
			if got == "" {
				t.Errorf("%s: %s (%q) did not ask", p.URL, action, question)
				continue
			}
			if got != question {
				t.Errorf("%s: %s asked %q, want %q", p.URL, action, got, question)
			}
			dismissed++
			if err := pollJS(ctx, settledJS, 20*time.Second); err != nil {
				t.Fatal(err)
			}
			if still, _ := js[bool](ctx, `document.getElementById("main")?.dataset.crawlMark === "1"`); !still {
				t.Errorf("%s: dismissing %q still submitted %s (the page changed)", p.URL, question, action)
				if err := visit(ctx, e.URL, p); err != nil {
					t.Fatal(err)
				}
			}
			if changed := fingerprintDiff(base, fingerprint(t, e)); len(changed) > 0 {
				t.Errorf("%s: dismissing %q still ran %s: %v changed", p.URL, question, action, changed)
				base = fingerprint(t, e)
			}
			method, path, _ := strings.Cut(action, " ")
			if k := actionPattern(method, path); !seen[k] {
				seen[k] = true
				kinds = append(kinds, found{pi, i, k})
			}
		}
	}
	if changed := fingerprintDiff(base, fingerprint(t, e)); len(changed) > 0 {
		t.Errorf("after all dismissals the database changed: %v", changed)
	}
	if len(kinds) == 0 {
		t.Fatal("no confirmation found on any page")
	}
	t.Logf("confirmations: %d dismissed on %d pages, %d kinds", dismissed, len(pages), len(kinds))

	// Accepting must act: one fresh fixture per kind, so each starts from the same data.
	d.answer(true)
	defer d.answer(false)
	for _, k := range kinds {
		e2 := start(t)
		f2 := buildCrawlFixture(t, e2)
		pages2 := crawlPages(t, e2, f2)
		crawlLogin(t, ctx, e2)
		p := pages2[k.page]
		if err := visit(ctx, e2.URL, p); err != nil {
			t.Fatal(err)
		}
		before := fingerprint(t, e2)
		// The protected agent stays unselected: a bulk action touching it is refused as a
		// whole (review policy), which its own test checks; here accepting must act.
		if _, _, err := triggerConfirm(ctx, k.index, []int64{f2.Guarded}); err != nil {
			t.Fatal(err)
		}
		if d.wait(15*time.Second) == "" {
			t.Errorf("%s: %s did not ask when accepting", p.URL, k.action)
			continue
		}
		deadline := time.Now().Add(20 * time.Second)
		for len(fingerprintDiff(before, fingerprint(t, e2))) == 0 {
			if time.Now().After(deadline) {
				t.Errorf("%s: accepting %s changed nothing", p.URL, k.action)
				break
			}
			time.Sleep(100 * time.Millisecond) // polling the database for a condition, with a deadline
		}
		if err := pollJS(ctx, settledJS, 20*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("confirmations: %d kinds accepted on fresh fixtures: %v", len(kinds), func() []string {
		var s []string
		for _, k := range kinds {
			s = append(s, k.action)
		}
		return s
	}())
}

// triggerConfirm clicks the submit button of the i-th confirmation on the page (from a
// timer, so the dialog does not block this call) and says what it would do.
func triggerConfirm(ctx context.Context, i int, unselected []int64) (action, question string, err error) {
	type out struct{ Action, Question string }
	skip, _ := json.Marshal(append([]int64{}, unselected...)) // never null
	o, err := js[out](ctx, fmt.Sprintf(`(() => { const el = document.querySelectorAll(%q)[%d];
		// A bulk button says how many it acts on (data-confirm-count, {n} the count and noun)
		// and, when it names one (data-choice: the tag), what it applies: {choice}.
		const question = (el, form) => { const q = el.getAttribute("data-confirm-count");
			if (!q || !form) return el.getAttribute("hx-confirm") || el.getAttribute("data-confirm");
			const n = [...form.elements].filter(x => x.matches("[data-select-item]") && x.checked).length;
			const c = el.dataset.choice && document.getElementById(el.dataset.choice);
			return q.replace("{n}", n === 1 ? "1 agent" : n + " agents").replace("{choice}", c ? c.options[c.selectedIndex].text : "{choice}"); };
		document.getElementById("main").dataset.crawlMark = "1";
		const form = el.tagName === "FORM" ? el : el.form;
		// A confirmation that acts on a selection (the list's bulk bar) acts on all of it
		// but the unselected agents.
		const skip = %s.map(String);
		if (el.hasAttribute("data-acts-on-selection") && form) [...form.elements].filter(x => x.matches("[data-select-item]") && !skip.includes(x.value)).forEach(x => { x.checked = true; });
		// A button that needs a choice (data-needs: Change model's model) gets the first one.
		const needed = el.dataset.needs && document.getElementById(el.dataset.needs);
		if (needed && !needed.value) needed.value = ([...needed.options].find(o => o.value) || {}).value || "";
		setTimeout(() => { if (el.tagName === "FORM") { const b = [...el.elements].find(x => x.type === "submit"); b ? b.click() : el.requestSubmit(); } else el.click(); }, 0);
		return {action: form ? (form.getAttribute("method") || "get").toUpperCase() + " " + new URL(el.getAttribute("formaction") || form.getAttribute("action") || "", location.href).pathname
			: "POST " + (el.getAttribute("hx-post") || ""), question: question(el, form)}; })()`, confirmSel, i, skip))
	return o.Action, o.Question, err
}

// unrefusable forms, with the reason each cannot be refused. Every other form must be
// refused by one of the hostile submissions below.
var unrefusable = map[string]string{
	"POST /logout":                                "signs out; no input",
	"POST /agents/:id/clone":                      "one button, no input",
	"POST /agents/:id/delete":                     "one confirmed button, no input (see the confirmations)",
	"POST /agents/:id/restore":                    "one button, no input",
	"POST /agents/:id/versions/:id/restore":       "one confirmed button, no input",
	"POST /tags/:id/delete":                       "one confirmed button, no input",
	"POST /agents/:id/dependents/delete":          "one confirmed button and a checkbox: anything but removeReferences=true keeps the references",
	"POST /knowledge-bases/:id/delete":            "one confirmed button, no input",
	"POST /mcp-servers/:id/delete":                "one confirmed button, no input",
	"POST /admin/tokens/:id/revoke":               "one confirmed button, no input",
	"POST /admin/skill-roles/:id/delete":          "one confirmed button, no input",
	"POST /admin/users/:id/deactivate":            "one confirmed button, no input",
	"POST /admin/users/:id/reactivate":            "one button, no input",
	"POST /account/tokens/:id/revoke":             "one confirmed button, no input",
	"POST /agents/:id/card/refresh":               "one button; a failed fetch is the remote card's fault, shown as an error flash",
	"POST /admin/cards/refresh-all":               "one button, no input",
	"POST /admin/sync":                            "one button, no input",
	"POST /agents/:id/card/skills/:skillId/roles": "roles are free text; empty clears them",
	"GET /agents":                                 "filters: every value is a query",
	"GET /tools":                                  "filters: every value is a query",
	"GET /admin/audit":                            "filters: every value is a query",
	"GET /agents/:id/versions":                    "filters: every value is a query",
	"GET /agents/:id/diff":                        "picks two versions to compare; nothing is stored",
	"POST /reviews/:id/review":                    "one button (approve or request changes), no input",
	"POST /reviews/:id/merge":                     "one confirmed button (with an admin's optional override reason)",
	"POST /reviews/:id/close":                     "one confirmed button, no input",
	"POST /admin/review-policy/approvers/:id":     "one button, no input",
}

// hostile values: empty, over-long, and weird unicode (NUL-free: right-to-left
// override, zero-width and combining marks, a family emoji, mathematical letters),
// with number fields given words and selects a value they do not offer.
var refusalVariants = []string{"empty", "long", "unicode"}

const fillAndSubmitJS = `((i, variant) => {
	const f = document.forms[i];
	window.__crawlWin = true; window.__crawlDone = false;
	if (!window.__crawlHooked) { window.__crawlHooked = true; document.addEventListener("htmx:afterRequest", () => { window.__crawlDone = true; }); }
	document.querySelector("[data-testid=flashes]").insertAdjacentHTML("beforeend", '<p data-flash="success" data-crawl-stale>Earlier success</p>');
	const text = {empty: "", long: "x".repeat(6000), unicode: "Z\u0351\u0334a\u202egö \u200b\ufeff👩‍👩‍👧 𝕏 ﷽"}[variant];
	for (const el of [...f.elements]) {
		if (el.disabled) continue;
		if (el.tagName === "SELECT") {
			if (variant === "long") continue;
			const o = document.createElement("option"); o.value = variant === "empty" ? "" : text; o.textContent = "?"; el.appendChild(o);
			if (el.multiple) o.selected = true; else el.value = o.value;
			continue;
		}
		if (el.tagName === "TEXTAREA") { el.value = text; continue; }
		if (el.tagName !== "INPUT") continue;
		const ty = (el.getAttribute("type") || "text").toLowerCase();
		if (["hidden", "submit", "button", "checkbox", "radio", "file", "image", "reset"].includes(ty)) continue;
		if (ty === "number") { el.type = "text"; el.value = {empty: "", long: "9".repeat(400), unicode: "three ٣"}[variant]; continue; }
		el.value = text;
	}
	f.noValidate = true;
	const b = [...f.elements].find(x => x.type === "submit" && !x.disabled);
	setTimeout(() => f.requestSubmit(b || undefined), 0);
	return true;
})`

const outcomeJS = `(() => {
	const msgs = [];
	document.querySelectorAll(".field-error, [role=alert], [data-flash=error]").forEach(el => {
		const t = el.textContent.trim(); if (t && el.getClientRects().length > 0) msgs.push(t); });
	const ep = document.querySelector("[data-testid=error-page]");
	return {messages: msgs, stale: !!document.querySelector("[data-crawl-stale]"),
		errorPage: ep ? ep.textContent.trim().replace(/\s+/g, " ") : "", url: location.pathname};
})()`

// crawlRefusedForms submits every form of every page (each kind once) empty and with
// hostile values. A submission is refused when the page then shows a message (under a
// field, in an alert, or as an error flash). Whatever the answer, the page must never
// be an error page nor say only "Something went wrong"; a refusal must not leave an
// earlier success flash on screen; and every form not on the allow-list must be refused
// by at least one submission.
func crawlRefusedForms(t *testing.T, ctx context.Context, d *dialogs, e *env, pages []crawlPage) {
	crawlLogin(t, ctx, e)
	d.answer(false)
	seen := map[string]bool{}
	forms, refusals, allowed := 0, 0, 0
	for _, p := range pages {
		if err := visit(ctx, e.URL, p); err != nil {
			t.Error(err)
			continue
		}
		type form struct {
			Index        int
			Method, Path string
		}
		list, err := js[[]form](ctx, `[...document.forms].map((f, i) => ({index: i, method: f.getAttribute("method") || "get", path: new URL(f.getAttribute("action") || "", location.href).pathname}))`)
		if err != nil {
			t.Fatal(err)
		}
		for _, fm := range list {
			key := actionPattern(fm.Method, fm.Path)
			if seen[key] {
				continue
			}
			seen[key] = true
			if _, ok := unrefusable[key]; ok {
				allowed++
				continue
			}
			forms++
			refused := false
			for _, variant := range refusalVariants {
				if err := visit(ctx, e.URL, p); err != nil {
					t.Fatal(err)
				}
				if _, err := js[bool](ctx, fmt.Sprintf(`%s(%d, %q)`, fillAndSubmitJS, fm.Index, variant)); err != nil {
					t.Fatal(err)
				}
				if err := pollJS(ctx, `!window.__crawlWin || window.__crawlDone`, 20*time.Second); err != nil {
					t.Errorf("%s on %s (%s): no answer: %v", key, p.URL, variant, err)
					continue
				}
				if err := pollJS(ctx, settledJS, 20*time.Second); err != nil {
					t.Fatal(err)
				}
				type outcome struct {
					Messages       []string
					Stale          bool
					ErrorPage, URL string
				}
				o, err := js[outcome](ctx, outcomeJS)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case o.ErrorPage != "":
					t.Errorf("%s on %s (%s): answered with an error page %q, not the form with its message", key, p.URL, variant, o.ErrorPage)
				case strings.Contains(strings.Join(o.Messages, "|"), "Something went wrong"):
					t.Errorf("%s on %s (%s): only the generic message: %q", key, p.URL, variant, o.Messages)
				case len(o.Messages) > 0:
					refused = true
					refusals++
					if o.Stale {
						t.Errorf("%s on %s (%s): refused (%q) but the earlier success flash stayed", key, p.URL, variant, o.Messages)
					}
				}
				d.drain()
			}
			if !refused {
				t.Errorf("%s on %s: no empty or hostile submission was refused; if it cannot be, put it on the allow-list with the reason", key, p.URL)
			}
		}
	}
	t.Logf("refused forms: %d forms submitted %d ways each, %d refusals shown with the server's message; %d forms allow-listed", forms, len(refusalVariants), refusals, allowed)
}

// crawlLayout stores 5,000-character unbroken texts everywhere a page shows one (below
// the API's limits, so through SQL) on a fresh fixture and checks that no page is wider
// than the window at a laptop's and a phone's width; tables may scroll in their box.
func crawlLayout(t *testing.T, ctx context.Context) {
	e := start(t)
	f := buildCrawlFixture(t, e)
	long := strings.Repeat("P", 5000)
	mustAPI(t, e, e.token("admin@demo.test"), "PUT", "/api/agents/"+itoa(f.Native), `{"systemPrompt":"`+long+`"}`)
	for _, q := range []string{
		`UPDATE agents SET name = id || repeat('N', 5000), description = repeat('D', 5000), system_prompt = repeat('P', 5000)`,
		`UPDATE tags SET name = id || repeat('T', 5000), description = repeat('E', 5000)`,
		`UPDATE users SET name = repeat('U', 5000) WHERE email = 'builder@demo.test'`,
		`UPDATE api_tokens SET name = repeat('K', 5000)`,
		`UPDATE knowledge_bases SET name = repeat('B', 5000)`,
		`UPDATE mcp_servers SET name = repeat('M', 5000)`,
		`UPDATE skill_role_rules SET match = id || repeat('R', 5000), roles = ARRAY[repeat('O', 5000)]`,
		`UPDATE models SET display_name = repeat('L', 5000) WHERE id = 'acme:crawl-1'`,
		`UPDATE agent_skill_roles SET roles = ARRAY[repeat('O', 5000)]`,
		`UPDATE agent_cards SET card = jsonb_set(jsonb_set(jsonb_set(jsonb_set(card,
			'{skills,0,name}', to_jsonb(repeat('S', 5000))), '{skills,0,description}', to_jsonb(repeat('S', 5000))),
			'{skills,0,tags}', jsonb_build_array(repeat('G', 5000))), '{description}', to_jsonb(repeat('C', 5000)))`,
		`UPDATE card_refreshes SET new_card = jsonb_set(new_card, '{skills,0,description}', to_jsonb(repeat('S', 5000)))`,
		`UPDATE organizations SET name = repeat('O', 5000)`,
		`UPDATE catalog_tools SET description = repeat('C', 5000), category = repeat('c', 5000) WHERE name = 'web_search'`,
		`INSERT INTO audit_log (org_id, actor, action, object_type, object_id, summary, route)
			SELECT id, repeat('a', 5000), repeat('x', 5000), 'agent', repeat('1', 5000), repeat('S', 5000), '/' || repeat('r', 5000) FROM organizations`,
	} {
		if _, err := e.Store.DB.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	pages := crawlPages(t, e, f)
	crawlLogin(t, ctx, e)
	checked := 0
	var wide, split, unhinted []string
	for _, w := range []int64{1366, 390} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900)); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			if err := visit(ctx, e.URL, p); err != nil {
				t.Error(err)
				continue
			}
			type report struct {
				ScrollWidth, InnerWidth int
				Worst                   string
			}
			// Open every disclosure first (the header's Menu, dialogs in <details>): an open
			// menu wider than the phone is as much an overflow as a wide table.
			r, err := js[*report](ctx, `(() => {
				document.querySelectorAll("details").forEach(d => { d.open = true; });
				const W = window.innerWidth, sw = document.documentElement.scrollWidth;
				if (sw <= W) return null;
				const contained = el => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
					const ox = getComputedStyle(p).overflowX; if (ox === "auto" || ox === "scroll" || ox === "hidden" || ox === "clip") return true; } return false; };
				// The element reaching furthest right outside any scroll box (the deepest at
				// that edge); failing that, the widest anywhere, which a box then fails to contain.
				const widest = skipContained => { let worst = null, right = W + 0.5;
					for (const el of document.body.querySelectorAll("*")) { const r = el.getBoundingClientRect();
						if (r.right >= right && !(skipContained && contained(el))) { right = r.right; worst = el; } }
					return worst && {el: worst, right}; };
				const w = widest(true) || widest(false);
				const d = w ? "<" + w.el.tagName.toLowerCase() + " class=\"" + String(w.el.getAttribute("class") || "").slice(0, 120) + "\"> " +
					JSON.stringify((w.el.textContent || "").trim().slice(0, 40)) + " right edge " + Math.round(w.right) + "px" +
					(contained(w.el) ? " (inside a scroll box)" : "") : "(no element reaches past the window)";
				return {scrollWidth: sw, innerWidth: W, worst: d};
			})()`)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			if r != nil {
				wide = append(wide, fmt.Sprintf("%dpx %s: scrollWidth %d > %d; widest %s", w, p.URL, r.ScrollWidth, r.InnerWidth, r.Worst))
			}
			bad, err := js[[]string](ctx, splitLabelsJS)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bad {
				split = append(split, fmt.Sprintf("%dpx %s: %s", w, p.URL, b))
			}
			quiet, err := js[[]string](ctx, unhintedScrollJS)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range quiet {
				unhinted = append(unhinted, fmt.Sprintf("%dpx %s: %s", w, p.URL, q))
			}
		}
	}
	t.Logf("layout: %d pages × 2 widths = %d checks, %d too wide, %d labels broken", len(pages), checked, len(wide), len(split))
	if len(wide) > 0 {
		t.Errorf("pages wider than the window with 5,000-character texts:\n%s", strings.Join(wide, "\n"))
	}
	if len(split) > 0 {
		t.Errorf("buttons or badges on more than one line, or headings with a word split across lines:\n%s", strings.Join(split, "\n"))
	}
	if len(unhinted) > 0 {
		t.Errorf("tables scrolling sideways without the edge shadow that says so:\n%s", strings.Join(unhinted, "\n"))
	}
}

// unhintedScrollJS lists the boxes that scroll a table sideways (wider than the box)
// without the scroll shadows that show there is more (the scroll-box rule in
// .build/app.css): a phone user would not know the table goes on.
const unhintedScrollJS = `[...document.querySelectorAll("table")].map(t => {
		for (let p = t.parentElement; p && p !== document.body; p = p.parentElement) {
			const ox = getComputedStyle(p).overflowX;
			if (ox === "auto" || ox === "scroll") return p;
		}
		return null; })
	.filter((p, i, all) => p && all.indexOf(p) === i && p.scrollWidth > p.clientWidth + 1 && p.getClientRects().length > 0 &&
		(getComputedStyle(p).backgroundImage.match(/radial-gradient/g) || []).length < 2)
	.map(p => "<" + p.tagName.toLowerCase() + " class=\"" + String(p.getAttribute("class") || "").slice(0, 80) + "\">")`

// splitLabelsJS lists the page's labels that broke: a button or badge (our own short
// labels) rendered on more than one line, or a word of a table heading split across
// lines ("Sav/e", "devel/opme/nt"). Lines are told apart by the client rectangles of a
// range over the text; visually hidden text (.sr-only) is skipped.
const splitLabelsJS = `(() => {
	const lines = range => { let n = 0, bottom = -Infinity;
		for (const r of [...range.getClientRects()].sort((a, b) => a.top - b.top)) {
			if (r.width === 0 || r.height === 0) continue;
			if (r.top >= bottom - 1) { n++; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom); }
		return n; };
	const visibleText = el => { const out = []; const w = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
		for (let n = w.nextNode(); n; n = w.nextNode()) if (n.data.trim() && !n.parentElement.closest(".sr-only")) out.push(n);
		return out; };
	const name = el => "<" + el.tagName.toLowerCase() + " class=\"" + String(el.getAttribute("class") || "").slice(0, 60) + "\"> " + JSON.stringify(el.textContent.trim().slice(0, 40));
	const bad = [];
	for (const el of document.querySelectorAll("button, .btn-primary, .btn-secondary, .btn-danger, .badge")) {
		const texts = visibleText(el);
		if (!texts.length || !el.getClientRects().length) continue;
		const r = document.createRange(); r.setStartBefore(texts[0]); r.setEndAfter(texts[texts.length - 1]);
		const n = lines(r);
		if (n > 1) bad.push(name(el) + " on " + n + " lines");
	}
	for (const el of document.querySelectorAll("th")) {
		for (const t of visibleText(el)) for (const m of t.data.matchAll(/\S+/g)) {
			const r = document.createRange(); r.setStart(t, m.index); r.setEnd(t, m.index + m[0].length);
			if (lines(r) > 1) bad.push(name(el) + ": the word " + JSON.stringify(m[0]) + " is split");
		}
	}
	return bad;
})()`

// inlineErrors: live validation marks the field itself (aria-invalid, error style) while
// its message shows and unmarks it when fixed; a fragment request the server refuses
// shows the server's message in the page's alert box and swaps nothing into its target.
func inlineErrors(t *testing.T, ctx context.Context, e *env, f crawlFixture) {
	crawlLogin(t, ctx, e)
	marked := func(want bool) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](fmt.Sprintf(`(() => { const el = document.querySelector("#emailSlug");
				return el.getAttribute("aria-invalid") === "%t" && el.classList.contains("input-error") === %t; })()`, want, want))(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	forgetUnsaved(lctx)
	err := chromedp.Do(lctx,
		chromedp.Navigate(e.URL+"/agents/"+itoa(f.Native)),
		chromedp.WaitVisible(chromedp.CSS(`#emailSlug`)),
		settled(),
		clearInput(`#emailSlug`),
		chromedp.SendKeys(chromedp.CSS(`#emailSlug`), "admin"),
		waitText(`#emailSlug-error`, `Email slug "admin" is reserved`),
		marked(true),
		clearInput(`#emailSlug`),
		chromedp.SendKeys(chromedp.CSS(`#emailSlug`), "crawler-bot"),
		waitText(`#emailSlug-error`, ""),
		marked(false),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	before := text(t, lctx, `#tag-options`)
	if _, err := js[any](lctx, `htmx.ajax("POST", "/agents/999999/restore", {target: "#tag-options", swap: "beforeend"}), true`); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(lctx, waitText(`#live-errors`, "not found"), settled()); err != nil {
		t.Fatal(err)
	}
	if after := text(t, lctx, `#tag-options`); after != before {
		t.Errorf("a refused fragment was swapped into its target: %q became %q", before, after)
	}
}
