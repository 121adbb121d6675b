package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// setupOverview makes one of each thing the overview counts: an agent holding an
// outdated tool schema, a released agent, a draft changed since its release, an
// external agent whose refresh failed, one whose refresh is overdue, a deleted agent
// and another organisation's agent (neither counted); and three change requests to the
// protected Released (two by the builder, one by the admin). It answers the failed
// agent's id.
func setupOverview(t *testing.T, e *env) (failed string) {
	t.Helper()
	tok := e.token("builder@demo.test")
	must := func(method, path, body string) string {
		t.Helper()
		code, resp := e.api(method, path, tok, body)
		if code != 200 {
			t.Fatalf("%s %s: %d %s", method, path, code, resp)
		}
		return itoa(int64(decode(t, resp)["id"].(float64)))
	}
	must("POST", "/api/agents", `{"name":"Searcher","tools":{"web_search":{}}}`)
	released := must("POST", "/api/agents", `{"name":"Released"}`)
	must("POST", "/api/agents/"+released+"/publish", "")
	draft := must("POST", "/api/agents", `{"name":"Reworked"}`)
	must("POST", "/api/agents/"+draft+"/publish", "")
	must("PUT", "/api/agents/"+draft, `{"stage":"development","systemPrompt":"New rules."}`)
	gone := must("POST", "/api/agents", `{"name":"Gone","tools":{"web_search":{}}}`)
	if code, body := e.api("DELETE", "/api/agents/"+gone, tok, ""); code != 200 && code != 204 {
		t.Fatalf("delete: %d %s", code, body)
	}
	// Review: Released is protected; the builder proposes two changes, the admin one
	// (before the cards, whose failure the admin's recent activity must still show).
	admin := e.token("admin@demo.test")
	prod := itoa(int64(decode(t, mustAPI(t, e, admin, "POST", "/api/agent-tags", `{"name":"production"}`))["id"].(float64)))
	must("PUT", "/api/agents/"+released, `{"tagIds":[`+prod+`]}`)
	setPolicy(t, e, admin, `{"enabled":true,"protectReleased":false,"tagIds":[`+prod+`]}`)
	for _, p := range []struct{ tok, method, body string }{{tok, "PUT", `{"description":"builder's"}`}, {tok, "DELETE", ""}, {admin, "PUT", `{"description":"admin's"}`}} {
		if code, body := e.api(p.method, "/api/agents/"+released, p.tok, p.body); code != 202 {
			t.Fatalf("proposal: %d %s", code, body)
		}
	}
	p := newPeer(t)
	failed = must("POST", "/api/agents", `{"name":"Broken card","agentType":"external","externalConfig":{"agentCardUrl":"`+p.srv.URL+`/missing/card.json"}}`)
	if code, _, body := refresh(t, e, tok, failed); code != 502 {
		t.Fatalf("failing refresh: %d %s", code, body)
	}
	late := must("POST", "/api/agents", `{"name":"Late card","agentType":"external","externalConfig":{"agentCardUrl":"`+p.srv.URL+`/.well-known/agent-card.json"}}`)
	if code, _, body := refresh(t, e, tok, late); code != 200 {
		t.Fatalf("refresh: %d %s", code, body)
	}
	// No scheduler runs in tests: the card was due an hour ago and nobody refreshed it.
	if _, err := e.Store.DB.ExecContext(context.Background(), "UPDATE agent_cards SET next_refresh_at = now() - interval '1 hour' WHERE agent_id = ?", late); err != nil {
		t.Fatal(err)
	}
	bumpCatalog(t, e, "2027.1.0", "web_search") // Searcher now holds the previous schema
	other, _ := e.otherOrg()
	if code, body := e.api("POST", "/api/agents", e.token(other), `{"name":"Elsewhere","tools":{"web_search":{}}}`); code != 200 {
		t.Fatalf("other org: %d %s", code, body)
	}
	return failed
}

func TestOverviewNumbersMatchTheListsTheyLinkTo(t *testing.T) {
	e := start(t)
	failed := setupOverview(t, e)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/overview"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=overview-stats]`))); err != nil {
		t.Fatal(err)
	}
	type stat struct{ Key, URL, Count string }
	stats, err := chromedp.Run(ctx, chromedp.Evaluate[[]stat](`[...document.querySelectorAll("a[data-testid^=stat-]")].map(a =>
		({Key: a.dataset.testid, URL: a.getAttribute("href"), Count: a.dataset.count}))`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"stat-total": "5", "stat-stage-development": "4", "stat-stage-released": "1", "stat-type-native": "3",
		"stat-type-external": "2", "stat-outdated": "1", "stat-card-failed": "1", "stat-card-overdue": "1", "stat-changed-since-release": "1"}
	if len(stats) != len(want) {
		t.Fatalf("stats: %+v", stats)
	}
	for _, s := range stats {
		if want[s.Key] != s.Count {
			t.Errorf("%s = %s, want %s", s.Key, s.Count, want[s.Key])
		}
		// Follow the link: the list behind the number has exactly that many agents.
		err := chromedp.Do(ctx, chromedp.Navigate(e.URL+s.URL), chromedp.WaitVisible(chromedp.CSS(`[data-testid=agents-total]`)))
		if err != nil {
			t.Fatal(err)
		}
		total := strings.TrimSuffix(text(t, ctx, `[data-testid=agents-total]`), " total")
		rows := countSel(t, ctx, `[data-testid=agent-row]`)
		if total != s.Count || strconv.Itoa(rows) != s.Count {
			t.Errorf("%s: the overview says %s, %s lists %s (%d rows)", s.Key, s.Count, s.URL, total, rows)
		}
		// Changing any control submits the filter form: it must carry every filter of
		// the link (a new user typed in the search box and lost "outdated" while its
		// banner stayed).
		lost, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
			const form = new URLSearchParams(new FormData(document.querySelector("[data-testid=agent-filters]")));
			return [...new URLSearchParams(location.search)].filter(([k, v]) => !form.getAll(k).includes(v)).map(([k, v]) => k + "=" + v);
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if len(lost) > 0 {
			t.Errorf("%s: the list's filter form drops %v of %s", s.Key, lost, s.URL)
		}
	}
	// "Awaiting you": the admin may review the builder's two requests and has one of
	// their own; each number is the length of the Reviews list it links to.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/overview"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=overview-awaiting]`))); err != nil {
		t.Fatal(err)
	}
	awaiting, err := chromedp.Run(ctx, chromedp.Evaluate[[]stat](`[...document.querySelectorAll("a[data-testid^=awaiting-]")].map(a =>
		({Key: a.dataset.testid, URL: a.getAttribute("href"), Count: a.dataset.count}))`))
	if err != nil {
		t.Fatal(err)
	}
	wantAwaiting := map[string]string{"awaiting-review": "2", "awaiting-mine": "1"}
	list := map[string]string{"awaiting-review": "reviews-awaiting", "awaiting-mine": "reviews-mine"}
	if len(awaiting) != len(wantAwaiting) {
		t.Fatalf("awaiting you: %+v", awaiting)
	}
	for _, s := range awaiting {
		if wantAwaiting[s.Key] != s.Count {
			t.Errorf("%s = %s, want %s", s.Key, s.Count, wantAwaiting[s.Key])
		}
		sel := `[data-testid=` + list[s.Key] + `]`
		if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+s.URL), chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
			t.Fatal(err)
		}
		if rows := countSel(t, ctx, sel+` [data-testid=review-row]`); strconv.Itoa(rows) != s.Count {
			t.Errorf("%s: the overview says %s, %s lists %d", s.Key, s.Count, s.URL, rows)
		}
	}
	// The failed card links to its card page; outdated tools to the sync preview; admins
	// see recent activity.
	err = chromedp.Do(ctx, chromedp.Navigate(e.URL+"/overview"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=attention-cards]`)),
		chromedp.Click(chromedp.CSS(`[data-testid=attention-cards] a`)), settled())
	if err != nil {
		t.Fatal(err)
	}
	if path, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); path != "/agents/"+failed+"/card" {
		t.Fatalf("the first card needing attention links to %s", path)
	}
	_, page := e.client().mustLogin("admin@demo.test", "demo-admin-pass").get("/overview")
	if !strings.Contains(page, `href="/admin/sync"`) || !strings.Contains(page, `data-testid="overview-activity"`) || !strings.Contains(page, "agent.card_refresh_failed") {
		t.Fatalf("admin overview: %s", page)
	}
	// A reviewer sees the numbers, not the audit log or the admin-only sync link.
	_, page = e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass").get("/overview")
	if !strings.Contains(page, `data-testid="stat-outdated"`) || strings.Contains(page, `data-testid="overview-activity"`) || strings.Contains(page, `href="/admin/sync"`) ||
		!strings.Contains(page, `data-testid="awaiting-review" data-count="3"`) || !strings.Contains(page, `data-testid="awaiting-mine" data-count="0"`) {
		t.Fatalf("reviewer overview: %s", page)
	}
	// A builder may not approve: only their own requests.
	_, page = e.client().mustLogin("builder@demo.test", "demo-builder-pass").get("/overview")
	if strings.Contains(page, `data-testid="awaiting-review"`) || !strings.Contains(page, `data-testid="awaiting-mine" data-count="2"`) {
		t.Fatalf("builder overview: %s", page)
	}
}
