package scaleout

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/a2aproject/a2a-go/v2/a2asrv"

	"agentconsole/db"
	"agentconsole/db/dbtest"
	"agentconsole/db/embedded"
	"agentconsole/db/migrations"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestThreeInstancesBehindPgBouncerAndHAProxy is a real deployment on one machine:
// PostgreSQL, PgBouncer in transaction mode, three instances of the real binary started
// at once on an empty database (migrations over the direct MIGRATION_DATABASE_URL, the
// rest through the pooler) and HAProxy in front. Two instances detect the pooler and use
// the describe statement mode, the third is told simple.
func TestThreeInstancesBehindPgBouncerAndHAProxy(t *testing.T) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "acscale")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // PgBouncer runs as an unprivileged user when we are root
	t.Cleanup(func() {
		if t.Failed() {
			for _, f := range []string{"pgbouncer.log", "haproxy.log", "instance0.log", "instance1.log", "instance2.log"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				t.Logf("--- %s (end)\n%s", f, tail(string(b), 3000))
			}
		}
		os.RemoveAll(dir)
	})
	bin := filepath.Join(dir, "agentconsole")
	if out, err := exec.Command("go", "build", "-o", bin, "../../agentconsole").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	appDirect := dbtest.NewEmptyDatabase(t)
	ownerDirect := dbtest.OwnerDSN(appDirect)
	pgb, err := StartPgBouncer(ctx, filepath.Join(dir, "pgbouncer"), appDirect, []string{db.AppRole, embedded.OwnerRole}, 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pgb.Stop(10 * time.Second) })
	pooled := pgb.DSN(appDirect)

	peer := newPeer(t)
	const unit = 300 * time.Millisecond // one "minute" of refreshIntervalMinutes
	// serve --dev: all three migrate and seed the demo organisation at once.
	instances, err := StartInstances(ctx, dir, bin, 3, []string{"--dev"}, []string{
		"DATABASE_URL=" + pooled, "MIGRATION_DATABASE_URL=" + ownerDirect, "DB_MAX_CONNS=8", "LOG_LEVEL=info",
		"CARD_REFRESH_TICK=50ms", "CARD_REFRESH_UNIT=" + unit.String(), "FETCH_ALLOW_NETS=127.0.0.0/8",
		"LOGIN_MAX_PER_IP=100000", "DATABASE_STATEMENTS=", // auto: the pooler is detected
	}, func(i int) []string {
		if i == 2 {
			return []string{"DATABASE_STATEMENTS=simple"}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { StopAll(instances) })
	addrs := make([]string, len(instances))
	for i, in := range instances {
		addrs[i] = in.Addr
	}
	lb, err := StartHAProxy(ctx, filepath.Join(dir, "haproxy"), addrs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lb.Stop(10 * time.Second) })

	// The test reads and fixes data directly (not through the pooler).
	store, err := db.Open(ctx, appDirect, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	t.Run("migrations and the demo seed happened once", func(t *testing.T) {
		var rows, names int
		if err := store.DB.NewRaw("SELECT count(*), count(DISTINCT name) FROM bun_migrations").Scan(ctx, &rows, &names); err == nil {
			t.Fatalf("the app role may read bun_migrations")
		}
		owner, err := db.Open(ctx, ownerDirect, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer owner.Close()
		if err := owner.DB.NewRaw("SELECT count(*), count(DISTINCT name) FROM bun_migrations").Scan(ctx, &rows, &names); err != nil {
			t.Fatal(err)
		}
		if want := len(migrations.All.Sorted()); rows != want || names != want {
			t.Errorf("bun_migrations: %d rows, %d names; want %d", rows, names, want)
		}
		migrated := 0
		for _, in := range instances {
			if strings.Contains(in.Log(), `"msg":"migrated"`) {
				migrated++
			}
		}
		if migrated != 1 {
			t.Errorf("%d instances applied migrations, want exactly 1", migrated)
		}
		var dupAgents, users int
		store.DB.NewRaw(`SELECT count(*) FROM (SELECT name FROM agents a JOIN organizations o ON o.id = a.org_id
			WHERE o.slug = 'demo' GROUP BY name HAVING count(*) > 1) d`).Scan(ctx, &dupAgents)
		store.DB.NewRaw(`SELECT count(*) FROM users WHERE email LIKE '%@demo.test'`).Scan(ctx, &users)
		if dupAgents != 0 || users != len(db.DemoLogins) {
			t.Errorf("demo seed by three instances at once: %d duplicated agent names, %d demo users (want 0, %d)", dupAgents, users, len(db.DemoLogins))
		}
		for i, in := range instances {
			want := `"statements":"describe","proxied":true`
			if i == 2 {
				want = `"statements":"simple","proxied":true`
			}
			if !strings.Contains(in.Log(), want) {
				t.Errorf("%s does not log %s", in.Name, want)
			}
		}
	})

	builder, err := store.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := store.CreateToken(ctx, builder, builder.UserID, "scale-out")
	if err != nil {
		t.Fatal(err)
	}

	// External agents for the schedulers, made now so claims pile up while the rest runs.
	var cards []int64
	for i := range 3 {
		code, body := call(t, "POST", lb.URL+"/api/agents", token, fmt.Sprintf(
			`{"name":"scaled ext %d","agentType":"external","externalConfig":{"endpointUrl":%q,"refreshIntervalMinutes":1}}`, i, peer.URL))
		if code != 200 {
			t.Fatalf("create external agent: %d %s", code, body)
		}
		cards = append(cards, idOf(t, body))
	}

	t.Run("logins and CSRF work whichever instance answers", func(t *testing.T) {
		jar, _ := cookiejar.New(nil) // cookies ignore ports: one jar for all three instances
		c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		a, b, d := instances[0].URL, instances[1].URL, instances[2].URL
		tok := csrf(t, c, a+"/login")
		if code, _ := form(t, c, b+"/login", "email=builder%40demo.test&password=demo-builder-pass&_csrf="+url.QueryEscape(tok), nil); code != 303 {
			t.Fatalf("login on instance 1 with instance 0's form: %d", code)
		}
		tok = csrf(t, c, d+"/agents/new")
		hdr := map[string]string{"X-CSRF-Token": tok, "Content-Type": "application/json"}
		if code, body := form(t, c, a+"/api/agents", `{"name":"made across instances"}`, hdr); code != 200 {
			t.Fatalf("session API save on instance 0 with instance 2's token: %d %s", code, body)
		}
		if code, _ := form(t, c, b+"/api/agents", `{"name":"no token"}`, map[string]string{"Content-Type": "application/json"}); code != 403 {
			t.Errorf("session API save without a CSRF token: %d, want 403", code)
		}
		// Through the balancer: a fresh login and a save, and every instance answers.
		served := map[string]bool{}
		for i := 0; i < 30 && len(served) < 3; i++ {
			jar, _ := cookiejar.New(nil) // a new visitor each time
			c2 := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: c.CheckRedirect}
			resp, page := mustDo(t, c2, "GET", lb.URL+"/login", "", nil)
			served[resp.Header.Get("X-Served-By")] = true
			m := csrfRE.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no CSRF token on the login page through the balancer (%d)", resp.StatusCode)
			}
			tok := m[1]
			resp, _ = mustDo(t, c2, "POST", lb.URL+"/login", "email=reviewer%40demo.test&password=demo-reviewer-pass&_csrf="+url.QueryEscape(tok),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			served[resp.Header.Get("X-Served-By")] = true
			if resp.StatusCode != 303 {
				t.Fatalf("login through the balancer: %d", resp.StatusCode)
			}
			resp, _ = mustDo(t, c2, "GET", lb.URL+"/agents", "", nil)
			served[resp.Header.Get("X-Served-By")] = true
			if resp.StatusCode != 200 {
				t.Fatalf("agents list through the balancer after login: %d", resp.StatusCode)
			}
		}
		if len(served) != 3 {
			t.Errorf("the balancer used instances %v, want all three", served)
		}
	})

	t.Run("a save on one instance is seen by the others at once", func(t *testing.T) {
		code, body := call(t, "POST", instances[0].URL+"/api/agents", token, `{"name":"shared"}`)
		if code != 200 {
			t.Fatalf("create: %d %s", code, body)
		}
		id := fmt.Sprint(idOf(t, body))
		for round := range 6 {
			writer := instances[round%3]
			desc := fmt.Sprintf("written on %s, round %d", writer.Name, round)
			if code, body := call(t, "PUT", writer.URL+"/api/agents/"+id, token, fmt.Sprintf(`{"description":%q}`, desc)); code != 200 {
				t.Fatalf("save on %s: %d %s", writer.Name, code, body)
			}
			for _, reader := range instances {
				_, body := call(t, "GET", reader.URL+"/api/agents/"+id, token, "")
				var a struct{ Description string }
				json.Unmarshal([]byte(body), &a)
				if a.Description != desc {
					t.Errorf("%s right after the save on %s: %q, want %q", reader.Name, writer.Name, a.Description, desc)
				}
			}
		}
	})

	t.Run("scheduled card claims stay once per interval across three instances", func(t *testing.T) {
		claimTimes := func(id int64) []time.Time {
			var times []time.Time
			if err := store.DB.NewRaw(`SELECT claimed_at FROM card_refreshes
				WHERE agent_id = ? AND by_label = 'scheduler' AND claimed_at IS NOT NULL ORDER BY claimed_at`, id).Scan(ctx, &times); err != nil {
				t.Fatal(err)
			}
			return times
		}
		const claims = 5
		deadline := time.Now().Add(3 * time.Minute) // a guard against hanging only
		for _, id := range cards {
			for len(claimTimes(id)) < claims {
				if time.Now().After(deadline) {
					t.Fatalf("agent %d: only %d scheduled refreshes", id, len(claimTimes(id)))
				}
				time.Sleep(100 * time.Millisecond) // polling, not synchronisation
			}
		}
		for _, id := range cards {
			times := claimTimes(id)
			for i := 1; i < len(times); i++ {
				if gap := times[i].Sub(times[i-1]); gap < unit {
					t.Errorf("agent %d claimed twice within %s (interval %s): %v", id, gap, unit, times)
				}
			}
		}
	})

	t.Run("killing an instance under load loses no acknowledged write", func(t *testing.T) {
		var (
			mu        sync.Mutex
			acked     = map[string]int64{} // agent name → id, for every save answered 200
			statuses  = map[int]int{}      // -1: no answer
			transport []string
			okCount   atomic.Int64
			stop      atomic.Bool
			wg        sync.WaitGroup
		)
		client := &http.Client{Timeout: 30 * time.Second}
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; !stop.Load(); n++ {
					name := fmt.Sprintf("load w%d n%d", w, n)
					req, _ := http.NewRequest("POST", lb.URL+"/api/agents", strings.NewReader(fmt.Sprintf(`{"name":%q}`, name)))
					req.Header.Set("Authorization", "Bearer "+token)
					req.Header.Set("Content-Type", "application/json")
					resp, err := client.Do(req)
					if err != nil { // the connection broke: not acknowledged either
						mu.Lock()
						statuses[-1]++
						if len(transport) < 3 {
							transport = append(transport, err.Error())
						}
						mu.Unlock()
						continue
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					mu.Lock()
					statuses[resp.StatusCode]++
					if resp.StatusCode == 200 {
						var a struct{ ID int64 }
						json.Unmarshal(body, &a)
						acked[name] = a.ID
					}
					mu.Unlock()
					if resp.StatusCode == 200 {
						okCount.Add(1)
					}
				}
			}()
		}
		waitCount := func(n int64, what string) {
			for deadline := time.Now().Add(2 * time.Minute); okCount.Load() < n; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					stop.Store(true)
					wg.Wait()
					t.Fatalf("%s: only %d saves answered 200 (statuses %v)", what, okCount.Load(), statuses)
				}
			}
		}
		waitCount(60, "before the kill")
		instances[1].Kill()
		before := okCount.Load()
		waitCount(before+60, "after the kill") // the two others carry on
		stop.Store(true)
		wg.Wait()

		var lost []string
		for name, id := range acked {
			var got string
			if err := store.DB.NewRaw("SELECT name FROM agents WHERE id = ? AND org_id = ?", id, builder.OrgID).Scan(ctx, &got); err != nil || got != name {
				lost = append(lost, fmt.Sprintf("%s (id %d): %v %q", name, id, err, got))
			}
		}
		if len(lost) > 0 {
			t.Errorf("%d of %d acknowledged saves are not in the database: %v", len(lost), len(acked), lost)
		}
		for code, n := range statuses {
			// The killed instance's in-flight requests fail at the balancer (502/503/504,
			// or a closed connection); anything else is the application misbehaving.
			if code != 200 && code != -1 && code != 502 && code != 503 && code != 504 {
				t.Errorf("%d answers with status %d", n, code)
			}
		}
		t.Logf("%d saves acknowledged, statuses %v %v", len(acked), statuses, transport)
	})
}

// newPeer is a real A2A server from a2a-go serving a fixed card.
func newPeer(t *testing.T) *httptest.Server {
	card := &a2a.AgentCard{Name: "Scaled", Description: "Scale-out peer", Version: "1.0.0",
		SupportedInterfaces: []*a2a.AgentInterface{{URL: "https://scaled.example/a2a", ProtocolBinding: "JSONRPC", ProtocolVersion: "1.0"}},
		DefaultInputModes:   []string{"text/plain"}, DefaultOutputModes: []string{"text/plain"},
		Skills: []a2a.AgentSkill{{ID: "one", Name: "One", Description: "A skill", Tags: []string{"x"}}}}
	mux := http.NewServeMux()
	mux.Handle("/.well-known/agent-card.json", a2asrv.NewStaticAgentCardHandler(card))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	hdr := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}
	resp, answer := mustDo(t, &http.Client{Timeout: 30 * time.Second}, method, url, body, hdr)
	return resp.StatusCode, answer
}

// mustDo sends a request and reads the whole answer.
func mustDo(t *testing.T, c *http.Client, method, url, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func form(t *testing.T, c *http.Client, url, body string, hdr map[string]string) (int, string) {
	t.Helper()
	if hdr == nil {
		hdr = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	}
	resp, answer := mustDo(t, c, "POST", url, body, hdr)
	return resp.StatusCode, answer
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func csrf(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, body := mustDo(t, c, "GET", url, "", nil)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on %s (%d)", url, resp.StatusCode)
	}
	return m[1]
}

func idOf(t *testing.T, body string) int64 {
	t.Helper()
	var a struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &a); err != nil || a.ID == 0 {
		t.Fatalf("no id in %s", body)
	}
	return a.ID
}
