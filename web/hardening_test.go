package web_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"agentconsole/db"
)

// Metric labels live in the registry after the request is gone: Fiber's zero-copy
// strings there turned to garbage after a few requests and /metrics answered 500.
func TestMetricsAfterManyMixedRequestsHaveOnlyRealLabels(t *testing.T) {
	t.Parallel()
	e := start(t)
	type req struct{ method, path string }
	mix := []req{
		{"GET", "/login"}, {"GET", "/healthz"}, {"HEAD", "/healthz"}, {"POST", "/login"}, {"GET", "/agents/42"},
		{"DELETE", "/api/agents/7"}, {"PUT", "/api/agent-tags/3"}, {"PATCH", "/api/agents/9"}, {"OPTIONS", "/api/me"},
		{"GET", "/no/such/page/" + strings.Repeat("x", 300)}, {"POST", "/api/agents/12345/publish"}, {"GET", "/static/missing.css"},
	}
	const total, workers = 10000, 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for i := w; i < total; i += workers {
				r := mix[i%len(mix)]
				req, _ := http.NewRequest(r.method, e.URL+r.path, nil)
				resp, err := hc.Do(req)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}(w)
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("requests failed: %v", failures[:1])
	}
	resp, body := e.client().get("/metrics")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics after %d requests: %d %.300s", total, resp.StatusCode, body)
	}
	methods := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}
	routes := map[string]bool{}
	for _, r := range e.App.GetRoutes() {
		routes[r.Path] = true
	}
	series := regexp.MustCompile(`(?m)^agentconsole_http_requests_total\{method="([^"]*)",route="([^"]*)",status="(\d+)"\} (\d+)$`)
	var counted int
	for _, m := range series.FindAllStringSubmatch(body, -1) {
		if !methods[m[1]] || !routes[m[2]] {
			t.Errorf("label not a real method and route pattern: %s", m[0])
		}
		n, _ := strconv.Atoi(m[4])
		counted += n
	}
	if counted < total {
		t.Fatalf("%d requests counted, want at least %d", counted, total)
	}
	if lines := strings.Count(body, "agentconsole_http_requests_total{"); lines != len(series.FindAllString(body, -1)) {
		t.Fatalf("malformed series among %d", lines)
	}
}

// Of 25 parallel wrong passwords on one account (limit 5), exactly 5 are checked and
// the rest throttled: the count is taken and the attempt recorded atomically, before
// bcrypt, on every instance's shared database.
func TestParallelWrongPasswordsAreCheckedOnlyUpToTheLimit(t *testing.T) {
	t.Parallel()
	e := start(t)
	const attempts, limit = 25, 5 // the default LoginMaxPerAccount
	type prepared struct {
		c    *client
		form url.Values
	}
	ready := make([]prepared, attempts)
	for i := range ready {
		c := e.client()
		ready[i] = prepared{c, url.Values{"email": {"builder@demo.test"}, "password": {"wrong-password"}, "_csrf": {c.csrf("/login")}}}
	}
	before := e.Store.PasswordChecks()
	statuses := make(chan int, attempts)
	startLine := make(chan struct{})
	for _, p := range ready {
		go func(p prepared) {
			<-startLine
			req, _ := http.NewRequest("POST", e.URL+"/login", strings.NewReader(p.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := p.c.http.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		}(p)
	}
	close(startLine)
	got := map[int]int{}
	for range attempts {
		got[<-statuses]++
	}
	checked := 0
	for cost, n := range e.Store.PasswordChecks() {
		checked += n - before[cost]
	}
	if got[http.StatusUnauthorized] != limit || got[http.StatusTooManyRequests] != attempts-limit || checked != limit {
		t.Fatalf("statuses %v, %d passwords checked; want %d checked (401) and %d throttled (429)", got, checked, limit, attempts-limit)
	}
}

// An unknown email costs the same hash work as a known one: one comparison at the
// configured cost (db tests check it at a cost above bcrypt's minimum).
func TestUnknownEmailDoesTheSameHashWorkAsAKnownOne(t *testing.T) {
	t.Parallel()
	e := start(t)
	for _, email := range []string{"builder@demo.test", "nobody@demo.test"} {
		before := e.Store.PasswordChecks()
		if resp := e.client().login(email, "wrong-password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: %d", email, resp.StatusCode)
		}
		after := e.Store.PasswordChecks()
		if after[db.PasswordCost]-before[db.PasswordCost] != 1 || len(after) != 1 {
			t.Fatalf("%s: comparisons by cost %v → %v, want one more at cost %d", email, before, after, db.PasswordCost)
		}
	}
}

// After login, next may only lead to a path on this site (a hostile next goes home).
func TestLoginNextStaysOnThisSite(t *testing.T) {
	t.Parallel()
	e := start(t)
	hostile := []string{"//evil.example", "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "https://evil.example/",
		"/%2F/evil.example", "/%5Cevil.example", "/%09/evil.example", "\t//evil.example", "/\u3000/evil.example", "javascript:alert(1)"}
	for _, next := range hostile {
		// The page's hidden field drops it (GET /login?next=… decodes %09 to a tab) …
		c := e.client()
		_, page := c.get("/login?next=" + url.QueryEscape(next))
		if strings.Contains(page, "evil.example") || strings.Contains(page, "javascript:") {
			t.Errorf("login page kept next=%q", next)
		}
		// … and the form post ignores it.
		resp, _ := c.post("/login", url.Values{"email": {"builder@demo.test"}, "password": {"demo-builder-pass"}, "next": {next}}, c.csrf("/login"))
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("next=%q: %d Location %q", next, resp.StatusCode, loc)
		}
	}
	c := e.client()
	resp, _ := c.post("/login", url.Values{"email": {"builder@demo.test"}, "password": {"demo-builder-pass"}, "next": {"/agents?tag=1"}}, c.csrf("/login"))
	if loc := resp.Header.Get("Location"); loc != "/agents?tag=1" {
		t.Errorf("a local next was dropped: %q", loc)
	}
}
