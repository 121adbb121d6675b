package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"agentconsole/db/agentspec"
)

// longPrompt is a 14-line prompt; edit rewrites it with whitespace-only changes on
// lines 2 and 5 and, when word is set, line 11's last word.
func longPrompt(word string) (base, changed string) {
	var a, b []string
	for i := 1; i <= 14; i++ {
		line := fmt.Sprintf("Rule %d: answer the customer politely", i)
		a = append(a, line)
		switch {
		case i == 2:
			line = "    " + strings.ReplaceAll(line, " ", "  ")
		case i == 5:
			line += " \t"
		case i == 11 && word != "":
			line = strings.Replace(line, "politely", word, 1)
		}
		b = append(b, line)
	}
	return strings.Join(a, "\n"), strings.Join(b, "\n")
}

// setupWhitespace makes an agent with v1 (the long prompt), v2 (whitespace changes
// only, with a message) and v3 (v2 plus one word on line 11); it answers the ids.
func setupWhitespace(t *testing.T, e *env) (agent, v1, v2, v3 string) {
	t.Helper()
	tok := e.token("builder@demo.test")
	base, spaced := longPrompt("")
	_, worded := longPrompt("briskly")
	var ids []string
	for i, body := range []string{
		fmt.Sprintf(`{"name":"Spaces","systemPrompt":%q}`, base),
		fmt.Sprintf(`{"systemPrompt":%q,"message":"Reindent rule 2"}`, spaced),
		fmt.Sprintf(`{"systemPrompt":%q}`, worded),
	} {
		method, path := "PUT", "/api/agents/"+agent
		if i == 0 {
			method, path = "POST", "/api/agents"
		}
		code, resp := e.api(method, path, tok, body)
		if code != 200 {
			t.Fatalf("%s %s: %d %s", method, path, code, resp)
		}
		m := decode(t, resp)
		agent = itoa(int64(m["id"].(float64)))
		ids = append(ids, itoa(int64(m["publishedVersionId"].(float64))))
	}
	return agent, ids[0], ids[1], ids[2]
}

func TestDiffAPIIgnoreWhitespaceAndMessage(t *testing.T) {
	t.Parallel()
	e := start(t)
	id, v1, v2, v3 := setupWhitespace(t, e)
	r := e.token("reviewer@demo.test")
	diff := func(q string) map[string]any {
		t.Helper()
		code, body := e.api("GET", "/api/agents/"+id+"/diff?"+q, r, "")
		if code != 200 {
			t.Fatalf("diff %s: %d %s", q, code, body)
		}
		return decode(t, body)
	}
	// Whitespace only: a change without the option, none with it.
	d := diff("from=" + v1 + "&to=" + v2)
	if d["diff"].(map[string]any)["promptUnchanged"] != false || d["to"].(map[string]any)["message"] != "Reindent rule 2" || d["from"].(map[string]any)["message"] != nil {
		t.Fatalf("whitespace diff: %v", d)
	}
	d = diff("from=" + v1 + "&to=" + v2 + "&ignoreWhitespace=true")
	if dd := d["diff"].(map[string]any); dd["promptUnchanged"] != true || len(dd["prompt"].([]any)) != 0 || len(dd["fields"].([]any)) != 0 {
		t.Fatalf("ignoring whitespace: %v", dd)
	}
	// A real change among whitespace changes: one changed line, numbered on both sides.
	d = diff("from=" + v1 + "&to=" + v3 + "&ignoreWhitespace=true")
	var changed []map[string]any
	for _, l := range d["diff"].(map[string]any)["prompt"].([]any) {
		if l.(map[string]any)["op"] != "=" {
			changed = append(changed, l.(map[string]any))
		}
	}
	if len(changed) != 1 || changed[0]["op"] != "~" || changed[0]["oldLine"] != 11.0 || changed[0]["newLine"] != 11.0 {
		t.Fatalf("changed lines ignoring whitespace: %v", changed)
	}
	if d = diff("from=" + v1 + "&to=" + v3); strings.Count(fmt.Sprint(d["diff"]), "op:~") != 3 {
		t.Fatalf("without the option lines 2, 5 and 11 change: %v", d["diff"])
	}
	code, body := e.api("GET", "/api/agents/"+id+"/diff?ignoreWhitespace=yes", r, "")
	if code != 400 || !strings.Contains(body, `"path":["ignoreWhitespace"]`) {
		t.Fatalf("bad ignoreWhitespace: %d %s", code, body)
	}
}

func TestDiffBrowserSideBySideIgnoresWhitespace(t *testing.T) {
	e := start(t)
	id, v1, v2, v3 := setupWhitespace(t, e)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "reviewer@demo.test", "demo-reviewer-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id+"/diff?from="+v1+"&to="+v2),
		waitText(`[data-testid=diff-title]`, "v1 → v2"),
		chromedp.Click(chromedp.CSS(`[data-testid=view-split]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=prompt-split]`)),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Side by side: lines 2 and 5 changed, left and right, numbered; the rest folded.
	if n := countSel(t, ctx, `[data-testid=split-row] [data-testid=split-changed]`); n != 4 {
		t.Fatalf("%d changed cells, want 2 rows × 2 sides: %s", n, text(t, ctx, `[data-testid=diff-prompt]`))
	}
	if got := text(t, ctx, `[data-testid=to-message]`); !strings.Contains(got, "Reindent rule 2") {
		t.Fatalf("message: %q", got)
	}
	if got := text(t, ctx, `[data-testid=fold] summary`); got != "Show 6 unchanged lines" {
		t.Fatalf("fold: %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=toggle-whitespace]`)),
		waitText(`[data-testid=diff-empty]`, "identical, ignoring whitespace"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := countSel(t, ctx, `[data-testid=diff-prompt]`); n != 0 {
		t.Fatal("a whitespace-only change shown while ignoring whitespace")
	}
	// The layout and the option stay in the URL: v1 → v3 keeps both, one change left.
	err = chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents/"+id+"/diff?from="+v1+"&to="+v3+"&view=split&ignoreWhitespace=true"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=prompt-split]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if n := countSel(t, ctx, `[data-testid=split-changed]`); n != 2 {
		t.Fatalf("%d changed cells ignoring whitespace: %s", n, text(t, ctx, `[data-testid=diff-prompt]`))
	}
	if got := text(t, ctx, `[data-testid=split-row][data-change] [data-testid=split-changed] ins`); got != "briskly" {
		t.Fatalf("word highlight: %q", got)
	}
	row := text(t, ctx, `[data-testid=split-row][data-change]`)
	if !strings.HasPrefix(strings.TrimSpace(row), "11") {
		t.Fatalf("line numbers: %q", row)
	}
	// The unified layout numbers both sides too.
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`[data-testid=view-unified]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=prompt-unified]`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `[data-testid=changed-line] [data-testid=old-no]`); got != "11" {
		t.Fatalf("unified line number: %q", got)
	}
	if got := text(t, ctx, `[data-testid=changed-line] ins`); got != "briskly" {
		t.Fatalf("unified word: %q", got)
	}
}

func TestDiffBrowserKeyboardMovesBetweenChanges(t *testing.T) {
	e := start(t)
	id := setupDiff(t, e) // tags, one prompt line and two tools changed
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "reviewer@demo.test", "demo-reviewer-pass")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/agents/"+id+"/diff"), waitText(`[data-testid=diff-title]`, "v1 → v2"), settled()); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, `[data-testid=keyboard-help]`); !strings.Contains(got, "next change") {
		t.Fatalf("keys not documented: %q", got)
	}
	total := countSel(t, ctx, `[data-change]`)
	if total != 4 {
		t.Fatalf("%d changes, want 4 (tags, a prompt line, two tools)", total)
	}
	focused := func() int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("[data-change]")].indexOf(document.activeElement)`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, step := range []struct {
		key  string
		want int
	}{{"n", 0}, {"n", 1}, {"j", 2}, {"j", 3}, {"n", 3}, {"p", 2}, {"k", 1}} {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(step.key)); err != nil {
			t.Fatal(err)
		}
		if got := focused(); got != step.want {
			t.Fatalf("after %q the focus is on change %d, want %d", step.key, got, step.want)
		}
	}
	if got := text(t, ctx, `#change-position`); got != "Change 2 of 4" {
		t.Fatalf("position: %q", got)
	}
	// Typing in a field is typing, not navigation.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#from`)), chromedp.KeyEvent("n")); err != nil {
		t.Fatal(err)
	}
	if got := focused(); got != -1 {
		t.Fatalf("a key in the version picker moved to change %d", got)
	}
}

func TestHistoryFiltersSayWhatTheyFound(t *testing.T) {
	t.Parallel()
	e := start(t)
	id, v1, _, _ := setupWhitespace(t, e)
	c := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	_, page := c.get("/agents/" + id + "/versions")
	// Every source is offered, in words, with its JSON name as the value.
	for _, s := range agentspec.VersionSources {
		if !strings.Contains(page, `<option value="`+s+`"`) {
			t.Errorf("source %s missing from the filter", s)
		}
	}
	if !strings.Contains(page, `<option value="card_refresh">Card refresh</option>`) || !strings.Contains(page, `<option value="sync">Sync</option>`) {
		t.Fatalf("source options are not words: %s", page)
	}
	// A filter that finds nothing says so and offers the way back.
	resp, page := c.get("/agents/" + id + "/versions?source=sync")
	if resp.StatusCode != 200 || !strings.Contains(page, `data-testid="history-empty"`) || !strings.Contains(page, "No versions match source “Sync”") ||
		!strings.Contains(page, `href="/agents/`+id+`/versions" class="text-indigo-700 underline" data-testid="clear-filter"`) {
		t.Fatalf("empty filter: %d %s", resp.StatusCode, page)
	}
	// An unknown source is said, and every version is shown with "Any" selected.
	resp, page = c.get("/agents/" + id + "/versions?source=bogus")
	if resp.StatusCode != 200 || !strings.Contains(page, "There is no version source “bogus”") || strings.Count(page, `data-testid="version-row"`) != 3 ||
		strings.Contains(page, `data-testid="history-empty"`) || strings.Contains(page, " selected>") {
		t.Fatalf("unknown source: %d %s", resp.StatusCode, page)
	}
	if !strings.Contains(page, "Reindent rule 2") {
		t.Fatal("the timeline lacks the version message")
	}
	// Each version's snapshot, read-only; another agent's version id is not found.
	resp, page = c.get("/agents/" + id + "/versions/" + v1)
	if resp.StatusCode != 200 || !strings.Contains(page, "Rule 14: answer the customer politely") || !strings.Contains(page, `data-testid="compare-live"`) ||
		strings.Contains(page, "/restore") {
		t.Fatalf("snapshot: %d %s", resp.StatusCode, page)
	}
	other, _, _, _ := setupWhitespace(t, e)
	if resp, _ := c.get("/agents/" + other + "/versions/" + v1); resp.StatusCode != 404 {
		t.Fatalf("another agent's version: %d", resp.StatusCode)
	}
	if resp, _ := c.get("/agents/" + id + "/versions/" + v1 + "0000"); resp.StatusCode != 404 {
		t.Fatalf("unknown version: %d", resp.StatusCode)
	}
}
