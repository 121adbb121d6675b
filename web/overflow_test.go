package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/chromedp/chromedp"
)

// overflowJS measures horizontal overflow: the page's scroll width against the
// viewport, and (to say where it comes from) the first elements that stick out of
// the viewport while their parent does not.
const overflowJS = `(() => {
	const vw = window.innerWidth, out = [];
	for (const el of document.body.querySelectorAll('*')) {
		const r = el.getBoundingClientRect();
		const pr = el.parentElement.getBoundingClientRect();
		if (r.width > 0 && r.right > vw + 1 && pr.right <= vw + 1 && out.length < 3)
			out.push(el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 80) + ' ' + Math.round(r.width) + 'px in ' + el.parentElement.tagName.toLowerCase() + '.' + String(el.parentElement.className).slice(0, 80));
	}
	return {scroll: document.documentElement.scrollWidth, inner: vw, culprits: out};
})()`

type overflowReport struct {
	Scroll   int      `json:"scroll"`
	Inner    int      `json:"inner"`
	Culprits []string `json:"culprits"`
}

// TestBrowserLongUnbrokenTextNeverWidensThePage stores 5,000-character unbroken texts
// in every kind of user and remote text (agent names, descriptions, prompts, tags,
// card skills, tool descriptions, users, tokens, rules…) and loads every console page
// at desktop and phone width: nothing may make the page scroll sideways.
func TestBrowserLongUnbrokenTextNeverWidensThePage(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	long := func(c string) string { return strings.Repeat(c, 5000) }
	p := newPeer(t)
	p.set(func(c *a2a.AgentCard) {
		c.Name, c.Description, c.Version = long("N"), long("D"), long("9")
		c.DocumentationURL = "https://docs.example/" + long("u")
		c.Provider = &a2a.AgentProvider{Org: long("O"), URL: "https://provider.example/" + long("p")}
		c.DefaultInputModes = []string{long("i")}
		c.Skills = []a2a.AgentSkill{{ID: strings.Repeat("k", 1000), // a longer id does not fit in a request line
			Name: long("S"), Description: long("s"), Tags: []string{long("t")}, Examples: []string{long("e")},
			InputModes: []string{long("m")}}}
	})
	b, admin := e.token("builder@demo.test"), e.token("admin@demo.test")
	mustAPI(t, e, admin, "POST", "/api/skill-role-rules", `{"match":"*","roles":["reader"]}`)
	ext := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"ext","agentType":"external","externalConfig":{"endpointUrl":"`+p.srv.URL+`/a2a"}}`))
	extID := itoa(int64(ext["id"].(float64)))
	if code, _, body := refresh(t, e, b, extID); code != 200 {
		t.Fatalf("refresh: %d %s", code, body)
	}
	p.set(func(c *a2a.AgentCard) { c.Skills[0].Description = long("x") })
	if code, _, body := refresh(t, e, b, extID); code != 200 {
		t.Fatalf("second refresh: %d %s", code, body)
	}
	var refreshID int64
	if err := e.Store.DB.NewRaw("SELECT max(id) FROM card_refreshes").Scan(ctx, &refreshID); err != nil {
		t.Fatal(err)
	}
	tag := decode(t, mustAPI(t, e, b, "POST", "/api/agent-tags", `{"name":"longtag"}`))
	tagID := itoa(int64(tag["id"].(float64)))
	nat := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"nat","systemPrompt":"`+long("a")+`","tagIds":[`+tagID+`],
		"tools":{"web_search":{}},"conversationStarters":["`+strings.Repeat("c", 200)+`"]}`))
	natID := itoa(int64(nat["id"].(float64)))
	mustAPI(t, e, b, "PUT", "/api/agents/"+natID, `{"systemPrompt":"`+long("b")+`","description":"`+strings.Repeat("d", 2000)+`"}`)
	for _, q := range []string{
		"UPDATE agents SET name = repeat('A', 5000) || id, description = repeat('D', 5000)",
		"UPDATE tags SET name = repeat('T', 5000), description = repeat('d', 5000)",
		"UPDATE users SET name = repeat('U', 5000)",
		"UPDATE organizations SET name = repeat('O', 5000)",
		"UPDATE catalog_tools SET description = repeat('C', 5000), category = repeat('c', 5000) WHERE name = 'web_search'",
		"INSERT INTO knowledge_bases (org_id, name) SELECT id, repeat('K', 5000) FROM organizations",
		"INSERT INTO mcp_servers (org_id, name, url) SELECT id, repeat('M', 5000), 'https://mcp.example/' || repeat('m', 5000) FROM organizations",
		"UPDATE skill_role_rules SET match = repeat('r', 5000), roles = ARRAY[repeat('R', 5000)]",
		"UPDATE api_tokens SET name = repeat('N', 5000)",
		"INSERT INTO audit_log (org_id, actor, action, object_type, object_id, summary, route) SELECT id, repeat('a', 5000), repeat('x', 5000), 'agent', repeat('1', 5000), repeat('S', 5000), '/' || repeat('r', 5000) FROM organizations",
	} {
		if _, err := e.Store.DB.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	gone := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"gone"}`))
	mustAPI(t, e, b, "DELETE", "/api/agents/"+itoa(int64(gone["id"].(float64))), "")
	if _, err := e.Store.DB.ExecContext(ctx, "UPDATE agents SET name = repeat('G', 5000) WHERE deleted_at IS NOT NULL"); err != nil {
		t.Fatal(err)
	}

	pages := []string{
		"/agents", "/agents?deleted=true", "/agents?q=" + url.QueryEscape(long("q")), "/agents/new", "/agents/" + natID, "/agents/" + extID,
		"/agents/" + natID + "/versions", "/agents/" + natID + "/diff", "/agents/" + extID + "/card",
		"/agents/" + extID + "/card/refreshes/" + itoa(refreshID), "/agents/external/new", "/tags", "/tools", "/tools/web_search",
		"/tools/call_agent", "/overview", "/account", "/admin/users", "/admin/tokens", "/admin/models", "/admin/sync", "/admin/catalog",
		"/admin/skill-roles", "/admin/audit", "/agents/999999999", "/no-such-page/" + long("z"),
	}
	for _, width := range []int64{1366, 390} {
		bctx := browser(t) // one per width: each has the helper's whole deadline
		browserLogin(t, bctx, e.URL, "admin@demo.test", "demo-admin-pass")
		if err := chromedp.Do(bctx, chromedp.EmulateViewport(width, 900)); err != nil {
			t.Fatal(err)
		}
		check := func(what string) {
			t.Helper()
			if err := chromedp.Do(bctx, settled()); err != nil {
				t.Fatalf("%s at %d px: %v", what, width, err)
			}
			r, err := chromedp.Run(bctx, chromedp.Evaluate[overflowReport](overflowJS))
			if err != nil {
				t.Fatalf("%s at %d px: %v", what, width, err)
			}
			if r.Scroll > r.Inner {
				t.Errorf("%.80s at %d px: page is %d px wide in a %d px viewport; sticking out: %s", what, width, r.Scroll, r.Inner, strings.Join(r.Culprits, " | "))
			}
		}
		for _, path := range pages {
			if err := chromedp.Do(bctx, chromedp.Navigate(e.URL+path)); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			check(path)
		}
		// The editor refusing a save (the stored name is longer than a save allows).
		if err := chromedp.Do(bctx, chromedp.Navigate(e.URL+"/agents/"+natID), settled(),
			chromedp.Click(chromedp.CSS(`[data-testid=save-agent]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=form-errors]`))); err != nil {
			t.Fatalf("refused save: %v", err)
		}
		check(fmt.Sprintf("editor of agent %s after a refused save", natID))
		// A flash naming a remote skill ("Roles of “…” saved.").
		if err := chromedp.Do(bctx, chromedp.Navigate(e.URL+"/agents/"+extID+"/card"), settled(),
			chromedp.Click(chromedp.CSS(`[data-testid=skill-row] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid=flashes] p`))); err != nil {
			t.Fatalf("flash: %v", err)
		}
		check("flash after saving a skill's roles")
	}
}
