package web_test

// The crawl: every console page the router serves, visited in one headless Chromium as
// an admin, over a fixture that has one of everything. The properties tested on it
// (confirmations, refused forms, layout at every width, Enter in sub-forms) live in
// crawl_props_test.go; this file is the infrastructure they share. A page or form added
// later is covered without a new test; a GET route with a path parameter the crawl
// cannot fill fails loudly so fillRoute learns it.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// crawlFixture is one of everything, made over the API as users would: native agents
// with several versions, tags, tools with config, a knowledge base, an MCP server, an
// external agent with a cached card and a refresh history (one refresh changed it), a
// deleted agent, extra tokens, a skill-role rule and a model.
type crawlFixture struct {
	Native, Helper, External, Deleted, Refresh int64
	Version                                    int64 // the native agent's live version
	KnowledgeBase, MCPServer                   int64
	Change                                     int64 // an open change request
	Guarded                                    int64 // the agent the review policy protects
	Tool                                       string
	Peer                                       *peer
}

func buildCrawlFixture(t *testing.T, e *env) crawlFixture {
	t.Helper()
	// The crawling admin is a platform operator too, so the operator-only forms (catalog
	// upload, model registry) are crawled as well.
	if _, err := e.Store.SetPlatformOperator(t.Context(), "admin@demo.test", true); err != nil {
		t.Fatal(err)
	}
	admin := e.token("admin@demo.test")
	e.token("builder@demo.test")
	must := func(method, path, body string) map[string]any {
		return decode(t, mustAPI(t, e, admin, method, path, body))
	}
	id := func(m map[string]any) int64 { return int64(m["id"].(float64)) }
	var f crawlFixture
	ops := id(must("POST", "/api/agent-tags", `{"name":"Ops","color":"blue","description":"Operations"}`))
	sales := id(must("POST", "/api/agent-tags", `{"name":"Sales"}`))
	kb := id(must("POST", "/api/knowledge-bases", `{"name":"Runbooks"}`))
	f.KnowledgeBase = kb
	f.MCPServer = id(must("POST", "/api/mcp-servers", `{"name":"Jira","url":"https://mcp.example.com/jira"}`))
	must("POST", "/api/models", `{"id":"acme:crawl-1","name":"Acme Crawl"}`)
	must("POST", "/api/skill-role-rules", `{"match":"support","roles":["desk"]}`)
	f.Helper = id(must("POST", "/api/agents", `{"name":"Helper","emailSlug":"helper-bot"}`))
	f.Native = id(must("POST", "/api/agents", fmt.Sprintf(`{"name":"Crawler","description":"Walks pages","systemPrompt":"Be kind.",
		"tagIds":[%d],"tools":{"web_search":{},"call_agent":{"config":{"callableAgentIds":[%d]}},
		"search_knowledge_base":{"config":{"accessibleKnowledgeBaseIds":[%d]}}}}`, ops, f.Helper, kb)))
	must("PUT", "/api/agents/"+itoa(f.Native), `{"systemPrompt":"Be kind.\nBe brief."}`)
	f.Version = int64(must("PUT", "/api/agents/"+itoa(f.Native), `{"description":"Walks every page","stage":"released"}`)["publishedVersionId"].(float64))
	f.Deleted = id(must("POST", "/api/agents", `{"name":"Gone"}`))
	must("DELETE", "/api/agents/"+itoa(f.Deleted), "")
	f.Peer = newPeer(t)
	f.External = id(must("POST", "/api/agents", `{"name":"Support desk","agentType":"external","externalConfig":{"agentCardUrl":"`+
		f.Peer.srv.URL+`/.well-known/agent-card.json"}}`))
	if code, _, body := refresh(t, e, admin, itoa(f.External)); code != 200 {
		t.Fatalf("first card fetch: %d %s", code, body)
	}
	f.Peer.set(func(c *a2a.AgentCard) {
		c.Skills = append(c.Skills, a2a.AgentSkill{ID: "live-chat", Name: "Live chat", Description: "Chat", Tags: []string{"chat"}, Examples: []string{"Hi"}})
		c.Version = "1.1.0"
	})
	if code, _, body := refresh(t, e, admin, itoa(f.External)); code != 200 {
		t.Fatalf("second card fetch: %d %s", code, body)
	}
	rs, err := e.Store.CardRefreshes(context.Background(), mustActor(t, e, "admin@demo.test").OrgID, f.External, 1)
	if err != nil || len(rs) == 0 {
		t.Fatalf("refresh history: %v", err)
	}
	f.Refresh = rs[0].ID
	f.Tool = "web_search"
	f.Change, f.Guarded = crawlChangeRequest(t, e, admin, sales)
	return f
}

// crawlChangeRequest protects agents tagged sales and proposes a change to one, which
// the reviewer approves.
func crawlChangeRequest(t *testing.T, e *env, admin string, sales int64) (change, guardedID int64) {
	t.Helper()
	guarded := decode(t, mustAPI(t, e, admin, "POST", "/api/agents", fmt.Sprintf(`{"name":"Guarded","systemPrompt":"One.\nTwo.","tagIds":[%d]}`, sales)))
	mustAPI(t, e, admin, "PUT", "/api/review-policy", fmt.Sprintf(`{"enabled":true,"protectReleased":false,"tagIds":[%d]}`, sales))
	code, body := e.api("PUT", fmt.Sprintf("/api/agents/%d", int64(guarded["id"].(float64))), admin, `{"systemPrompt":"One.\nTwo, changed."}`)
	if code != 202 {
		t.Fatalf("propose: %d %s", code, body)
	}
	cr := int64(decode(t, body)["id"].(float64))
	// Approved, so that accepting the merge confirmation merges.
	if code, body := e.api("POST", fmt.Sprintf("/api/change-requests/%d/approve", cr), e.token("reviewer@demo.test"), ""); code != 200 {
		t.Fatalf("approve: %d %s", code, body)
	}
	return cr, int64(guarded["id"].(float64))
}

// crawlPage is one URL the crawl visits and the route it comes from.
type crawlPage struct{ Route, URL string }

// crawlExtras are console states that a route shows only with a query.
var crawlExtras = []crawlPage{{"/agents", "/agents?deleted=true"}}

// crawlPages lists every console GET page of the router, parameters filled from the
// fixture, in the router's order (so two fixtures built alike give the same list).
func crawlPages(t *testing.T, e *env, f crawlFixture) []crawlPage {
	t.Helper()
	var out []crawlPage
	for _, r := range routesOf(e.App) {
		// A download (the audit log's CSV) is a file, not a page: its own test checks it.
		if r.Method != "GET" || isAPI(r.Path) || r.Path == "/" || strings.HasSuffix(r.Path, ".csv") {
			continue
		}
		for _, u := range fillRoute(t, r.Path, f) {
			out = append(out, crawlPage{r.Path, u})
		}
	}
	return append(out, crawlExtras...)
}

// fillRoute gives the URLs the crawl visits for a route: every path parameter filled
// from the fixture; the agent editor for each kind of agent.
func fillRoute(t *testing.T, path string, f crawlFixture) []string {
	t.Helper()
	if path == "/picker" { // the editor pickers' search: a fragment, for one picker
		return []string{"/picker?for=call_agent&q=a"}
	}
	agents := []int64{f.Native}
	switch {
	case path == "/agents/:id":
		agents = []int64{f.Native, f.External, f.Deleted}
	case strings.HasPrefix(path, "/agents/:id/card"):
		agents = []int64{f.External}
	case strings.HasPrefix(path, "/knowledge-bases/:id"):
		agents = []int64{f.KnowledgeBase}
	case strings.HasPrefix(path, "/mcp-servers/:id"):
		agents = []int64{f.MCPServer}
	case strings.HasPrefix(path, "/reviews/:id"):
		agents = []int64{f.Change}
	}
	var out []string
	for _, a := range agents {
		parts := strings.Split(path, "/")
		for i, p := range parts {
			switch p {
			case ":id":
				parts[i] = itoa(a)
			case ":refreshId":
				parts[i] = itoa(f.Refresh)
			case ":versionId":
				parts[i] = itoa(f.Version)
			case ":name":
				parts[i] = f.Tool
			default:
				if strings.HasPrefix(p, ":") {
					t.Fatalf("route %s: the crawl does not know how to fill %s (teach fillRoute)", path, p)
				}
			}
		}
		out = append(out, strings.Join(parts, "/"))
	}
	return out
}

// fingerprint is the content of the database as rows: count and md5 of every table but
// the session and login bookkeeping that merely visiting pages may touch.
func fingerprint(t *testing.T, e *env) map[string]string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	if err := e.Store.DB.NewRaw(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
		AND table_type = 'BASE TABLE' AND table_name NOT IN ('sessions', 'login_failures', 'app_secrets') AND table_name NOT LIKE 'bun_%'
		ORDER BY 1`).Scan(ctx, &tables); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tb := range tables {
		var n int64
		var sum string
		row := e.Store.DB.QueryRowContext(ctx, `SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM "`+tb+`" t`)
		if err := row.Scan(&n, &sum); err != nil {
			t.Fatalf("fingerprint %s: %v", tb, err)
		}
		out[tb] = fmt.Sprintf("%d:%s", n, sum)
	}
	return out
}

// fingerprintDiff names the tables whose content differs.
func fingerprintDiff(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// dialogs answers every JavaScript dialog of the browser (confirm) with the current
// choice and reports each one's message on a channel.
type dialogs struct {
	mu     sync.Mutex
	accept bool
	seen   chan string
}

func handleDialogs(ctx context.Context, t *testing.T) *dialogs {
	d := &dialogs{seen: make(chan string, 16)}
	opening := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			d.mu.Lock()
			accept := d.accept
			d.mu.Unlock()
			go func(msg string) {
				if _, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept}); err != nil && ctx.Err() == nil {
					t.Errorf("answer dialog %q: %v", msg, err)
				}
				d.seen <- msg
			}(ev.Message)
		}
	}()
	return d
}

func (d *dialogs) answer(accept bool) {
	d.mu.Lock()
	d.accept = accept
	d.mu.Unlock()
}

// wait returns the next dialog's message, or "" when none opened within the limit.
func (d *dialogs) wait(limit time.Duration) string {
	select {
	case m := <-d.seen:
		return m
	case <-time.After(limit):
		return ""
	}
}

// drain forgets dialogs answered but not waited for.
func (d *dialogs) drain() {
	for {
		select {
		case <-d.seen:
		default:
			return
		}
	}
}

// visit opens a page and waits until htmx is idle; the page must not be an error page.
func visit(ctx context.Context, base string, p crawlPage) error {
	vctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	forgetUnsaved(vctx)
	if err := chromedp.Do(vctx, chromedp.Navigate(base+p.URL), settled()); err != nil {
		return fmt.Errorf("%s: %w", p.URL, err)
	}
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector("[data-testid=error-page]"); return e ? e.textContent.trim() : ""; })()`))
	if err != nil {
		return fmt.Errorf("%s: %w", p.URL, err)
	}
	if bad != "" {
		return fmt.Errorf("%s shows an error page: %q", p.URL, bad)
	}
	return nil
}

// js evaluates an expression and decodes its JSON-able result into T.
func js[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr))
}

// pollJS waits until the expression is true (a generous deadline, never a fixed sleep).
func pollJS(ctx context.Context, expr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		ok, err := js[bool](ctx, expr)
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("never true: %s (last error %v)", expr, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

var numericSegment = regexp.MustCompile(`/\d+(/|$)`)

// actionPattern is a form's method and action path with ids replaced by :id, so the
// same form on several pages (or rows) counts once.
func actionPattern(method, action string) string {
	path := action
	if i := strings.Index(path, "?"); i >= 0 {
		path = path[:i]
	}
	for numericSegment.MatchString(path) {
		path = numericSegment.ReplaceAllString(path, "/:id$1")
	}
	if strings.Contains(path, "/skills/") {
		path = path[:strings.Index(path, "/skills/")] + "/skills/:skillId/roles"
	}
	return strings.ToUpper(method) + " " + path
}

// jsonString quotes s for JavaScript.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// crawlLogin signs in afresh: cookies are per host, not per port, so a session of
// another test server (a fresh fixture) is dropped first. Bounded, so a page that never
// shows the login form fails in seconds, not at the browser's deadline.
func crawlLogin(t *testing.T, ctx context.Context, e *env) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	lctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	forgetUnsaved(lctx)
	browserLogin(t, lctx, e.URL, "admin@demo.test", "demo-admin-pass")
}

// forgetUnsaved unmarks the page's forms for the unsaved-changes warning: the crawl
// leaves pages it typed into on purpose, and a beforeunload dialog would stop it.
func forgetUnsaved(ctx context.Context) {
	chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelectorAll("[data-unsaved-warning]").forEach(f => f.removeAttribute("data-unsaved-warning")), true`))
}
