package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/embedded"
)

// TestDatabaseRestartFailsCleanlyAndRecovers runs on a cluster of its own: while
// PostgreSQL is down every request answers 503 (no panic, no 500), and once it is back
// the server serves again by itself.
func TestDatabaseRestartFailsCleanlyAndRecovers(t *testing.T) {
	ctx := context.Background()
	cluster, err := embedded.StartTemp(ctx, embedded.Options{Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cluster.Resume(ctx); cluster.Stop() })
	ownerDSN, appDSN, err := cluster.Provision(ctx, "agentconsole")
	if err != nil {
		t.Fatal(err)
	}
	owner, err := db.Open(ctx, ownerDSN, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = owner.Migrate(ctx)
	owner.Close()
	if err != nil {
		t.Fatal(err)
	}
	store, err := db.Open(ctx, appDSN, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	e := startOn(t, store)
	tok := e.token("builder@demo.test")
	console := e.client().mustLogin("builder@demo.test", "demo-builder-pass")

	// Load throughout: API reads and console pages.
	stop := make(chan struct{})
	var counts sync.Map
	var wg sync.WaitGroup
	var bad atomic.Int64
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", e.URL+"/api/agents", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				resp.Body.Close()
				v, _ := counts.LoadOrStore(resp.StatusCode, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
				time.Sleep(10 * time.Millisecond)
			}
		}(w)
	}
	// Conditions, not sleeps: the load has been served before the outage, and it has
	// met the outage before the checks below.
	answered := func(code int) int64 {
		if v, ok := counts.Load(code); ok {
			return v.(*atomic.Int64).Load()
		}
		return 0
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("never: %s", what)
			}
		}
	}
	waitFor("load served", func() bool { return answered(200) >= 20 })
	if err := cluster.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor("load met the outage", func() bool { return answered(503) >= 4 })
	code, body := e.api("GET", "/api/agents", tok, "")
	if code != 503 || body != `{"error":"Service Unavailable"}` {
		t.Errorf("while down: %d %s", code, body)
	}
	if resp, page := console.get("/agents"); resp.StatusCode != 503 || strings.Contains(page, "dial") || strings.Contains(page, "pgx") {
		t.Errorf("console while down: %d", resp.StatusCode)
	}
	if resp, _ := e.client().get("/readyz"); resp.StatusCode != 503 {
		t.Errorf("readyz while down: %d", resp.StatusCode)
	}
	if resp, _ := e.client().get("/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz while down: %d", resp.StatusCode)
	}
	if err := cluster.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	// By itself: no restart of the server (the minute is a guard, not a speed target).
	waitFor("the server recovered after the database came back", func() bool {
		code, _ := e.api("GET", "/api/agents", tok, "")
		return code == 200
	})
	close(stop)
	wg.Wait()
	counts.Range(func(k, v any) bool {
		if code := k.(int); code != 200 && code != 503 {
			t.Errorf("%d answers with status %d", v.(*atomic.Int64).Load(), code)
		}
		return true
	})
	if bad.Load() > 0 {
		t.Errorf("%d requests failed at the HTTP level", bad.Load())
	}
	if strings.Contains(e.Logs.String(), "panic") {
		t.Error("a panic was logged")
	}
}
