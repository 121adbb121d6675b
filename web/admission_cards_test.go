package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"

	"agentconsole/db"
	"agentconsole/db/dbtest"
	"agentconsole/web"
)

// slowHosts counts the card fetches that real HTTP card hosts (slowHost) hold, in all
// and per host, at once.
type slowHosts struct {
	mu            sync.Mutex
	running, most int
}

// slowHost is a real card host that holds every request until the test releases it.
type slowHost struct {
	all           *slowHosts
	srv           *httptest.Server
	release       chan struct{}
	once          sync.Once
	running, most int // under all.mu
}

func (all *slowHosts) host(t *testing.T, name string) *slowHost {
	h := &slowHost{all: all, release: make(chan struct{})}
	card, err := json.Marshal(&a2a.AgentCard{Name: name, Description: "Served slowly", Version: "1.0.0",
		SupportedInterfaces: []*a2a.AgentInterface{{URL: "https://slow.example/a2a", ProtocolBinding: "JSONRPC", ProtocolVersion: "1.0"}},
		DefaultInputModes:   []string{"text/plain"}, DefaultOutputModes: []string{"text/plain"},
		Skills: []a2a.AgentSkill{{ID: "wait", Name: "Wait", Description: "Takes its time", Tags: []string{"slow"}}}})
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		all.mu.Lock()
		all.running++
		h.running++
		all.most, h.most = max(all.most, all.running), max(h.most, h.running)
		all.mu.Unlock()
		defer func() {
			all.mu.Lock()
			all.running--
			h.running--
			all.mu.Unlock()
		}()
		select {
		case <-h.release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(card)
	}))
	t.Cleanup(func() { h.open(); h.srv.Close() })
	return h
}

func (h *slowHost) open() { h.once.Do(func() { close(h.release) }) }

func (all *slowHosts) now() int { all.mu.Lock(); defer all.mu.Unlock(); return all.running }

// metric reads one series of the server's /metrics (-1 when it is missing).
func metric(t *testing.T, e *env, name string) float64 {
	t.Helper()
	resp, err := http.Get(e.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return -1
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// call sends a request from a goroutine other than the test's (no t.Fatal there).
func call(t *testing.T, c *http.Client, method, u, token, contentType, body string) (int, string, http.Header) {
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, u, err)
		return 0, "", nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func externalAgent(t *testing.T, e *env, tok, name, cardURL string) string {
	t.Helper()
	a := decode(t, mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"`+name+`","agentType":"external","externalConfig":{"agentCardUrl":"`+cardURL+`"}}`))
	return itoa(int64(a["id"].(float64)))
}

// consolePagesAnswer: the agents list and an editor answer, whatever card hosts do.
func consolePagesAnswer(t *testing.T, e *env, browser *client, tok, editorID, editorName string) {
	t.Helper()
	if resp, body := browser.get("/agents"); resp.StatusCode != 200 || !strings.Contains(body, editorName) {
		t.Fatalf("agents list: %d", resp.StatusCode)
	}
	if resp, body := browser.get("/agents/" + editorID); resp.StatusCode != 200 || !strings.Contains(body, editorName) {
		t.Fatalf("editor: %d", resp.StatusCode)
	}
	if code, body := e.api("GET", "/api/agents?limit=5", tok, ""); code != 200 {
		t.Fatalf("API list: %d %s", code, body)
	}
}

// TestAdmissionSlowCardHostsDoNotStallTheConsole: two request slots, six card refreshes
// (API and console button) held by real slow hosts: none of them holds a slot while it
// waits, so the agents list and the editor still answer; at most 3 fetches run at once
// and 2 to one host, the rest wait their turn (not in a slot); /metrics says so. Once
// the hosts answer, every refresh completes and records the card it fetched.
func TestAdmissionSlowCardHostsDoNotStallTheConsole(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *web.Config) {
		c.MaxInFlight, c.MaxFetches, c.MaxFetchesPerHost = 2, 3, 2
		c.Fetch.Timeout = 3 * time.Minute // the hosts answer only when released
	})
	tok := e.token("builder@demo.test")
	all := &slowHosts{}
	a, b := all.host(t, "Slow A"), all.host(t, "Slow B")
	var ids []string
	hosts := map[string]*slowHost{}
	for i, h := range []*slowHost{a, a, a, a, b, b} {
		id := externalAgent(t, e, tok, "Slow agent "+strconv.Itoa(i), h.srv.URL+"/card.json")
		ids, hosts[id] = append(ids, id), h
	}
	editorID := decode(t, mustAPI(t, e, tok, "POST", "/api/agents", `{"name":"Desk helper"}`))["id"].(float64)
	browser := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	csrf := browser.csrf("/agents/" + ids[0] + "/card")
	browser.http.Timeout = 0 // its refresh waits for the release

	type answer struct {
		id, body, location string
		code               int
	}
	answers := make(chan answer, len(ids))
	for i, id := range ids {
		go func() {
			if i == 0 { // the console's button
				code, body, h := call(t, browser.http, "POST", e.URL+"/agents/"+id+"/card/refresh", "", "application/x-www-form-urlencoded",
					url.Values{"_csrf": {csrf}}.Encode())
				answers <- answer{id, body, h.Get("Location"), code}
				return
			}
			code, body, _ := call(t, http.DefaultClient, "POST", e.URL+"/api/agents/"+id+"/refresh-agent-card", tok, "application/json", "")
			answers <- answer{id, body, "", code}
		}()
	}
	eventually(t, "3 fetches at the hosts, 3 waiting their turn, no request in a slot", func() bool {
		return all.now() == 3 && metric(t, e, "agentconsole_card_fetches_waiting") == 3 && metric(t, e, "agentconsole_requests_in_flight") == 0
	})
	if got := metric(t, e, "agentconsole_card_fetches_in_flight"); got != 3 {
		t.Errorf("agentconsole_card_fetches_in_flight %v, want 3", got)
	}
	consolePagesAnswer(t, e, browser, tok, itoa(int64(editorID)), "Desk helper")
	if got := all.now(); got != 3 {
		t.Fatalf("%d fetches at the hosts after the pages answered, want 3 still waiting", got)
	}
	a.open()
	b.open()
	for range ids {
		r := <-answers
		switch {
		case r.id == ids[0] && (r.code != 303 || !strings.Contains(r.location, "/card/refreshes/")):
			t.Errorf("console refresh: %d to %q", r.code, r.location)
		case r.id != ids[0] && (r.code != 200 || !strings.Contains(r.body, `"skillsAdded":["wait"]`)):
			t.Errorf("API refresh of %s: %d %s", r.id, r.code, r.body)
		}
	}
	for _, id := range ids {
		_, hist := e.api("GET", "/api/agents/"+id+"/card-refreshes", tok, "")
		_, card := e.api("GET", "/api/agents/"+id+"/agent-card", tok, "")
		want := "Slow A"
		if hosts[id] == b {
			want = "Slow B"
		}
		if strings.Count(hist, `"outcome":"changed"`) != 1 || !strings.Contains(card, `"name":"`+want+`"`) {
			t.Errorf("agent %s: history %s, card %s", id, hist, card)
		}
	}
	if all.most != 3 || a.most > 2 || b.most > 2 {
		t.Errorf("at most %d fetches at once (want 3), %d and %d to one host (want at most 2)", all.most, a.most, b.most)
	}
	eventually(t, "the gates to empty", func() bool {
		return metric(t, e, "agentconsole_card_fetches_in_flight") == 0 && metric(t, e, "agentconsole_card_fetches_waiting") == 0 &&
			metric(t, e, "agentconsole_requests_in_flight") == 0 && metric(t, e, "agentconsole_requests_waiting") == 0
	})
}

// TestCardFetchesThatWaitTooLongAnswer503AndRecordNothing: with one fetch at a time, a
// refresh or preview that cannot get its turn is refused (API: 503, Retry-After;
// console: a flash on the card page) without a failure in the card's history or its
// back-off: the host did nothing wrong.
func TestCardFetchesThatWaitTooLongAnswer503AndRecordNothing(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *web.Config) {
		c.MaxFetches, c.FetchWait = 1, 50*time.Millisecond
		c.Fetch.Timeout = 3 * time.Minute
	})
	tok := e.token("builder@demo.test")
	all := &slowHosts{}
	h := all.host(t, "Slow")
	first, second := externalAgent(t, e, tok, "First", h.srv.URL+"/card.json"), externalAgent(t, e, tok, "Second", h.srv.URL+"/card.json")
	done := make(chan int, 1)
	go func() {
		code, _, _ := call(t, http.DefaultClient, "POST", e.URL+"/api/agents/"+first+"/refresh-agent-card", tok, "application/json", "")
		done <- code
	}()
	eventually(t, "the first refresh at the host", func() bool { return all.now() == 1 })
	code, body, hdr := call(t, http.DefaultClient, "POST", e.URL+"/api/agents/"+second+"/refresh-agent-card", tok, "application/json", "")
	if code != 503 || body != `{"error":"Too many card fetches are in progress; try again shortly"}` || hdr.Get("Retry-After") == "" {
		t.Errorf("refused refresh: %d %s (Retry-After %q)", code, body, hdr.Get("Retry-After"))
	}
	if code, body := e.api("POST", "/api/agents/fetch-agent-card", tok, `{"url":"`+h.srv.URL+`/card.json"}`); code != 503 {
		t.Errorf("refused preview: %d %s", code, body)
	}
	// The console's button says so where the person clicked.
	browser := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	resp, _ := browser.post("/agents/"+second+"/card/refresh", url.Values{}, browser.csrf("/agents/"+second+"/card"))
	if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || loc != "/agents/"+second+"/card" {
		t.Errorf("refused console refresh: %d to %q", resp.StatusCode, loc)
	} else if _, page := browser.get(loc); !strings.Contains(page, "Too many card fetches are in progress; try again shortly. The cached card is unchanged.") {
		t.Errorf("the card page does not say why the refresh was refused")
	}
	if got := metric(t, e, "agentconsole_card_fetches_refused_total"); got != 3 {
		t.Errorf("agentconsole_card_fetches_refused_total %v, want 3", got)
	}
	h.open()
	if code := <-done; code != 200 {
		t.Fatalf("first refresh: %d", code)
	}
	_, hist := e.api("GET", "/api/agents/"+second+"/card-refreshes", tok, "")
	_, card := e.api("GET", "/api/agents/"+second+"/agent-card", tok, "")
	if hist != `{"refreshes":[]}` || strings.Contains(card, "Too many") {
		t.Errorf("the refused refresh left a trace: history %s, card %s", hist, card)
	}
}

// TestSchedulerRefreshesTakeNoRequestSlots: the background scheduler's refreshes, held
// by a slow host, run outside the request gate: with one request slot the list and the
// editor still answer, and no request slot or request fetch is counted for them. Once
// the host answers, the scheduler records what it fetched.
func TestSchedulerRefreshesTakeNoRequestSlots(t *testing.T) {
	t.Parallel()
	// Three external agents on the slow host, due before the scheduler starts (so that
	// its first batch claims all three); the demo's (hosts that never answer here) are not
	// due during the test.
	store := dbtest.Seeded(t)
	if _, err := store.DB.Exec("UPDATE agent_cards SET next_refresh_at = now() + interval '1 day'"); err != nil {
		t.Fatal(err)
	}
	all := &slowHosts{}
	h := all.host(t, "Slow scheduled")
	builder, err := store.ActorByEmail(context.Background(), "builder@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 3 {
		a, err := store.SaveAgent(context.Background(), builder, &db.AgentPatch{Name: db.Some("Scheduled " + strconv.Itoa(i)),
			AgentType: db.Some("external"), ExternalConfig: db.Some(db.ExternalConfig{AgentCardURL: h.srv.URL + "/card.json"})}, db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, itoa(a.ID))
	}
	e := startOn(t, store, func(c *web.Config) {
		c.MaxInFlight, c.CardConcurrency, c.CardTick = 1, 3, 50*time.Millisecond
		c.Fetch.Timeout = 3 * time.Minute
	})
	tok := e.token("builder@demo.test")
	eventually(t, "the scheduler's 3 fetches at the host", func() bool { return all.now() == 3 })
	browser := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	consolePagesAnswer(t, e, browser, tok, ids[0], "Scheduled 0")
	if in, fetches := metric(t, e, "agentconsole_requests_in_flight"), metric(t, e, "agentconsole_card_fetches_in_flight"); in != 0 || fetches != 0 {
		t.Errorf("scheduled refreshes counted as requests: %v in flight, %v request fetches", in, fetches)
	}
	h.open()
	for _, id := range ids {
		eventually(t, "agent "+id+"'s scheduled refresh", func() bool {
			_, hist := e.api("GET", "/api/agents/"+id+"/card-refreshes", tok, "")
			return strings.Contains(hist, `"by":"scheduler","outcome":"changed"`)
		})
	}
}
