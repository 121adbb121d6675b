package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"
	"github.com/chromedp/chromedp"

	"agentconsole/web"
	"agentconsole/web/fetch"
)

// peer is a real A2A server from a2a-go serving a card that tests change.
type peer struct {
	mu   sync.Mutex
	card *a2a.AgentCard
	srv  *httptest.Server
}

func (p *peer) Card(context.Context) (*a2a.AgentCard, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := *p.card
	c.Skills = append([]a2a.AgentSkill{}, p.card.Skills...)
	return &c, nil
}

func (p *peer) set(f func(c *a2a.AgentCard)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p.card)
}

func newPeer(t *testing.T) *peer {
	p := &peer{card: &a2a.AgentCard{Name: "Support desk", Description: "Answers tickets", Version: "1.0.0",
		SupportedInterfaces: []*a2a.AgentInterface{{URL: "https://support.example/a2a", ProtocolBinding: "JSONRPC", ProtocolVersion: "1.0"}},
		DefaultInputModes:   []string{"text/plain"}, DefaultOutputModes: []string{"text/plain"},
		Skills: []a2a.AgentSkill{
			{ID: "tickets", Name: "Tickets", Description: "Manage tickets", Tags: []string{"support"}},
			{ID: "email-support", Name: "Email", Description: "Answer email", Tags: []string{"support"}},
			{ID: "faq", Name: "FAQ", Description: "Answer questions", Tags: []string{"kb"}},
		}}}
	mux := http.NewServeMux()
	mux.Handle("/.well-known/agent-card.json", a2asrv.NewAgentCardHandler(p))
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

type refreshAnswer struct {
	ChangeReport struct {
		SkillsAdded, SkillsRemoved, SkillsChanged, RolesAutoApplied []string
		LastRefresh                                                 string
	} `json:"changeReport"`
	AgentType string `json:"agentType"`
}

func refresh(t *testing.T, e *env, tok, id string) (int, refreshAnswer, string) {
	t.Helper()
	code, body := e.api("POST", "/api/agents/"+id+"/refresh-agent-card", tok, "")
	var r refreshAnswer
	json.Unmarshal([]byte(body), &r)
	return code, r, body
}

func TestCardRefreshChangeReportAgainstA2APeer(t *testing.T) {
	t.Parallel()
	e := start(t)
	p := newPeer(t)
	admin, b := e.token("admin@demo.test"), e.token("builder@demo.test")
	mustAPI(t, e, admin, "POST", "/api/skill-role-rules", `{"match":"*","roles":["reader"]}`)
	mustAPI(t, e, admin, "POST", "/api/skill-role-rules", `{"match":"chat","roles":["chat-operator"]}`)
	// Preview before creating, from the endpoint (well-known path derived).
	code, body := e.api("POST", "/api/agents/fetch-agent-card", b, `{"url":"`+p.srv.URL+`"}`)
	if code != 200 || !strings.Contains(body, `"specVersion":"1.0"`) || !strings.Contains(body, `"name":"Support desk"`) {
		t.Fatalf("preview: %d %s", code, body)
	}
	a := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Support desk","agentType":"external","externalConfig":{"endpointUrl":"`+p.srv.URL+`/a2a"}}`))
	id := itoa(int64(a["id"].(float64)))
	code, r, body := refresh(t, e, b, id)
	if code != 200 || strings.Join(r.ChangeReport.SkillsAdded, ",") != "email-support,faq,tickets" || r.AgentType != "external" ||
		strings.Join(r.ChangeReport.RolesAutoApplied, ",") != "reader" || r.ChangeReport.LastRefresh == "" {
		t.Fatalf("first refresh: %d %s", code, body)
	}
	// The peer adds one skill, removes one, changes one.
	p.set(func(c *a2a.AgentCard) {
		c.Skills = []a2a.AgentSkill{
			{ID: "tickets", Name: "Tickets", Description: "Manage and triage tickets", Tags: []string{"support"}},
			{ID: "faq", Name: "FAQ", Description: "Answer questions", Tags: []string{"kb"}},
			{ID: "live-chat", Name: "Live chat", Description: "Chat with customers", Tags: []string{"chat"}},
		}
	})
	code, r, body = refresh(t, e, b, id)
	rep := r.ChangeReport
	if code != 200 || strings.Join(rep.SkillsAdded, ",") != "live-chat" || strings.Join(rep.SkillsRemoved, ",") != "email-support" ||
		strings.Join(rep.SkillsChanged, ",") != "tickets" || strings.Join(rep.RolesAutoApplied, ",") != "chat-operator,reader" {
		t.Fatalf("second refresh: %d %s", code, body)
	}
	// Nothing changed: an empty report and no new version.
	_, versionsBefore := e.api("GET", "/api/agents/versions?agentId="+id, b, "")
	code, r, _ = refresh(t, e, b, id)
	_, versionsAfter := e.api("GET", "/api/agents/versions?agentId="+id, b, "")
	if code != 200 || len(r.ChangeReport.SkillsAdded)+len(r.ChangeReport.SkillsRemoved)+len(r.ChangeReport.SkillsChanged) != 0 || versionsBefore != versionsAfter {
		t.Fatalf("unchanged refresh: %+v", r)
	}
	if !strings.Contains(versionsAfter, `"source":"card_refresh"`) {
		t.Fatalf("no card_refresh version: %s", versionsAfter)
	}
	_, st := e.api("GET", "/api/agents/"+id+"/agent-card", b, "")
	if !strings.Contains(st, `"live-chat":["chat-operator","reader"]`) || !strings.Contains(st, `"specVersion":"1.0"`) {
		t.Fatalf("card state: %s", st)
	}
}

func TestOlderCardShapesAndWellKnownFallback(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	// A v0.3 card served only at the v0.2-era path /.well-known/agent.json.
	old := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/agent.json" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", `"v1"`)
		w.Write([]byte(`{"name":"Legacy","description":"old","version":"0.9","protocolVersion":"0.3.0","url":"https://legacy.example/a2a",
			"preferredTransport":"JSONRPC","capabilities":{"streaming":false},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],
			"skills":[{"id":"lookup","name":"Lookup","description":"Look things up","tags":["kb"]}]}`))
	}))
	defer old.Close()
	a := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Legacy","agentType":"external","externalConfig":{"endpointUrl":"`+old.URL+`"}}`))
	id := itoa(int64(a["id"].(float64)))
	if code, r, body := refresh(t, e, b, id); code != 200 || strings.Join(r.ChangeReport.SkillsAdded, ",") != "lookup" {
		t.Fatalf("legacy card: %d %s", code, body)
	}
	_, st := e.api("GET", "/api/agents/"+id+"/agent-card", b, "")
	if !strings.Contains(st, `"specVersion":"0.3.0"`) || !strings.Contains(st, `"etag":"\"v1\""`) || !strings.Contains(st, `agent.json`) ||
		!strings.Contains(st, `"url":"https://legacy.example/a2a"`) {
		t.Fatalf("stored: %s", st)
	}
}

func TestHostileCardHostsFailFastAndKeepTheCache(t *testing.T) {
	t.Parallel()
	e := start(t)
	b := e.token("builder@demo.test")
	p := newPeer(t)
	mode := "ok"
	var mu sync.Mutex
	hostile := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		m := mode
		mu.Unlock()
		switch m {
		case "ok":
			http.Redirect(w, r, p.srv.URL+"/.well-known/agent-card.json", http.StatusFound)
		case "hang": // far beyond the fetch time-out: a refresh that waits it out fails differently
			select {
			case <-r.Context().Done():
			case <-time.After(60 * time.Second):
			}
		case "huge":
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for i := 0; i < 160; i++ {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		case "garbage":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"name": "broken", "skills": [`))
		case "notcard":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"hello":"world"}`))
		}
	}))
	defer hostile.Close()
	a := decode(t, mustAPI(t, e, b, "POST", "/api/agents", `{"name":"Flaky","agentType":"external","externalConfig":{"agentCardUrl":"`+hostile.URL+`/card.json"}}`))
	id := itoa(int64(a["id"].(float64)))
	if code, _, body := refresh(t, e, b, id); code != 200 {
		t.Fatalf("first refresh: %s", body)
	}
	_, cached := e.api("GET", "/api/agents/"+id+"/agent-card", b, "")
	for m, want := range map[string]string{"hang": "could not fetch", "huge": "larger than", "garbage": "malformed JSON", "notcard": "not an agent card"} {
		mu.Lock()
		mode = m
		mu.Unlock()
		done := make(chan struct{})
		go func() { // the console keeps answering while a refresh hangs
			defer close(done)
			if resp, _ := e.client().get("/login"); resp.StatusCode != 200 {
				t.Errorf("console stalled during %s", m)
			}
		}()
		code, _, body := refresh(t, e, b, id)
		<-done
		if code != 502 || !strings.Contains(body, want) || !strings.HasPrefix(body, `{"error":"Could not refresh the agent card: `) {
			t.Errorf("%s: %d %s", m, code, body)
		}
		_, now := e.api("GET", "/api/agents/"+id+"/agent-card", b, "")
		if cardOf(now) != cardOf(cached) {
			t.Errorf("%s changed the cached card", m)
		}
	}
	_, hist := e.api("GET", "/api/agents/"+id+"/card-refreshes", b, "")
	if strings.Count(hist, `"outcome":"error"`) != 4 {
		t.Fatalf("failures not recorded: %s", hist)
	}
}

func cardOf(state string) string {
	var s struct {
		Card json.RawMessage `json:"card"`
	}
	json.Unmarshal([]byte(state), &s)
	return string(s.Card)
}

func TestCardURLsToInternalAddressesAreRefusedByDefault(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *web.Config) { c.Fetch = fetch.Config{Timeout: 2 * time.Second} }) // the operator allowed nothing
	p := newPeer(t)
	b := e.token("builder@demo.test")
	console := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	for _, u := range []string{p.srv.URL, "http://10.0.0.5/card.json", "http://169.254.169.254/latest/meta-data/card.json", "http://[::1]:9/card.json",
		"http://[::ffff:127.0.0.1]:9/card.json", "http://[64:ff9b::a9fe:a9fe]/card.json", "http://[2002:7f00:1::1]/card.json"} {
		// Only "not allowed": no address, no port state (the detail is in the server's log).
		code, body := e.api("POST", "/api/agents/fetch-agent-card", b, `{"url":"`+u+`"}`)
		if code != 502 || body != `{"error":"Could not fetch the agent card: not allowed"}` {
			t.Errorf("%s: %d %s", u, code, body)
		}
		resp, page := console.post("/agents/external/preview", url.Values{"url": {u}}, console.csrf("/agents/external/new"))
		if resp.StatusCode != 422 || !strings.Contains(page, "Could not fetch the agent card: not allowed") {
			t.Errorf("console %s: %d", u, resp.StatusCode)
		}
	}
	if !strings.Contains(e.Logs.String(), "169.254.169.254 refused (link-local)") {
		t.Errorf("the refused address is not in the server's log")
	}
}

func TestTwoInstancesRefreshEachCardOncePerInterval(t *testing.T) {
	t.Parallel()
	first := start(t)
	p := newPeer(t)
	b := first.token("builder@demo.test")
	var ids []int64
	for i := 0; i < 3; i++ {
		a := decode(t, mustAPI(t, first, b, "POST", "/api/agents", `{"name":"ext `+itoa(int64(i))+`","agentType":"external","externalConfig":{"endpointUrl":"`+p.srv.URL+`","refreshIntervalMinutes":1}}`))
		ids = append(ids, int64(a["id"].(float64)))
	}
	// Two more consoles on the same database, each with its scheduler ticking far more
	// often than the interval (one "minute" is 300 ms), so both race for every due card
	// and late ticks (a loaded machine) are the normal case.
	unit := 300 * time.Millisecond
	tweak := func(c *web.Config) { c.CardTick, c.CardUnit = 20*time.Millisecond, unit }
	startOn(t, first.Store, tweak)
	startOn(t, first.Store, tweak)
	// Wait for enough scheduled refreshes, however slowly the machine delivers them.
	const claims = 5
	claimTimes := func(id int64) []time.Time {
		var times []time.Time
		if err := first.Store.DB.NewRaw(`SELECT claimed_at FROM card_refreshes
			WHERE agent_id = ? AND by_label = 'scheduler' AND claimed_at IS NOT NULL ORDER BY claimed_at`, id).Scan(context.Background(), &times); err != nil {
			t.Fatal(err)
		}
		return times
	}
	deadline := time.Now().Add(2 * time.Minute)
	for _, id := range ids {
		for len(claimTimes(id)) < claims {
			if time.Now().After(deadline) {
				t.Fatalf("agent %d: only %d scheduled refreshes", id, len(claimTimes(id)))
			}
			time.Sleep(50 * time.Millisecond) // polling, not synchronisation
		}
	}
	// Once per interval is a rule on the claims, which PostgreSQL timestamps itself: no
	// two scheduled claims of a card less than an interval apart, whoever made them.
	for _, id := range ids {
		times := claimTimes(id)
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap < unit {
				t.Errorf("agent %d claimed twice within %s (interval %s): %v", id, gap, unit, times)
			}
		}
	}
}

func TestBrowserAddExternalAgentRefreshAndReadDiff(t *testing.T) {
	e := start(t)
	p := newPeer(t)
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "builder@demo.test", "demo-builder-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/agents"),
		chromedp.Click(chromedp.CSS(`[data-testid=new-external]`)),
		chromedp.WaitVisible(chromedp.CSS(`#url`)),
		chromedp.SendKeys(chromedp.CSS(`#url`), p.srv.URL),
		chromedp.Click(chromedp.CSS(`[data-testid=preview-card]`)),
		waitText(`[data-testid=card-preview]`, "Support desk"),
		settled(),
		chromedp.Click(chromedp.CSS(`[data-testid=create-external]`)),
		waitText(`[data-testid=card-status]`, "Fetched"),
		waitText(`[data-testid=skills]`, "email-support"),
	)
	if err != nil {
		t.Fatal(err)
	}
	p.set(func(c *a2a.AgentCard) {
		c.Skills = append(c.Skills[:1], a2a.AgentSkill{ID: "live-chat", Name: "Live chat", Description: "Chat", Tags: []string{"chat"}})
		c.Skills[0].Description = "Manage and triage tickets"
		c.Version = "1.1.0"
	})
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`[data-testid=refresh-card]`)),
		waitText(`[data-testid=change-report]`, "live-chat"),
	)
	if err != nil {
		var html string
		chromedp.Do(ctx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			html, _ = chromedp.OuterHTML(chromedp.CSS(`main`))(ctx, tg)
			return chromedp.Void{}, nil
		})
		_, hist := e.api("GET", "/api/agents/1/card-refreshes", e.token("builder@demo.test"), "")
		t.Fatalf("%v\n%s\n%s", err, html[:200], hist)
	}
	for sel, want := range map[string]string{`[data-testid=skills-added]`: "live-chat", `[data-testid=skills-removed]`: "email-support, faq",
		`[data-testid=skills-changed]`: "tickets", `[data-testid=skill-changed]`: "/description", `[data-testid=card-other-changes]`: "/version"} {
		if got := text(t, ctx, sel); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
}

func TestAdminRefreshAllShowsProgress(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *web.Config) { c.CardTick = 50 * time.Millisecond })
	p := newPeer(t)
	b := e.token("builder@demo.test")
	for i := 0; i < 3; i++ {
		mustAPI(t, e, b, "POST", "/api/agents", `{"name":"ext `+itoa(int64(i))+`","agentType":"external","externalConfig":{"endpointUrl":"`+p.srv.URL+`"}}`)
	}
	// Refresh all while the scheduler may still be fetching the new cards: a refresh that
	// began before it does not count, but the card is due again and is refreshed anew.
	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	resp, body := admin.do("POST", "/admin/cards/refresh-all", strings.NewReader("_csrf="+admin.csrf("/admin/skill-roles")),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
	if resp.StatusCode != 200 || !strings.Contains(body, "of 3 refreshed") {
		t.Fatalf("refresh all: %d %s", resp.StatusCode, body)
	}
	since := regexpFind(body, `since=([0-9]+)`)
	deadline := time.Now().Add(time.Minute) // a guard against hanging, not a speed requirement
	for {
		_, body = admin.get("/admin/cards/progress?since=" + since)
		if strings.Contains(body, "All 3 cards refreshed.") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("refresh all never finished: %s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
