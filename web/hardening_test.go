package web_test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
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
