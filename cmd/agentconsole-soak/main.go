// Command agentconsole-soak is `make soak`: about ten minutes of mixed console and API
// load on the production binary with faults injected — PostgreSQL stopped and started
// again, a card host that hangs — ending with a consistency check of every agent against
// its newest version and of the audit log. It reports requests, errors by kind, the
// slowest request and the server's peak RSS, and fails if anything was lost.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"agentconsole/cmd/internal/proc"
	"agentconsole/db"
	"agentconsole/db/embedded"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type stats struct {
	mu      sync.Mutex
	byKind  map[string]int
	total   atomic.Int64
	slowest time.Duration
	slowURL string
}

func (s *stats) add(kind string, d time.Duration, what string) {
	s.total.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byKind[kind]++
	if d > s.slowest {
		s.slowest, s.slowURL = d, what
	}
}

func run(ctx context.Context) error {
	duration, _ := time.ParseDuration(envOr("SOAK_DURATION", "10m"))
	binary := envOr("SOAK_BINARY", "bin/agentconsole")
	cluster, err := embedded.StartTemp(ctx, embedded.Options{})
	if err != nil {
		return err
	}
	defer func() { cluster.Resume(context.Background()); cluster.Stop() }()
	// As in production: the owner migrates, the server (and this driver) run as the app role.
	ownerDSN, dsn, err := cluster.Provision(ctx, "soak")
	if err != nil {
		return err
	}
	owner, err := db.Open(ctx, ownerDSN, 2)
	if err != nil {
		return err
	}
	_, err = owner.Migrate(ctx)
	owner.Close()
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, dsn, 4)
	if err != nil {
		return err
	}
	defer store.Close()
	store.SeedDemo(ctx)
	builder, _ := store.ActorByEmail(ctx, "builder@demo.test")
	admin, _ := store.ActorByEmail(ctx, "admin@demo.test")
	_, btok, _ := store.CreateToken(ctx, builder, builder.UserID, "soak")
	_, atok, _ := store.CreateToken(ctx, admin, admin.UserID, "soak-admin")
	var ids []int64
	for i := 0; i < 200; i++ {
		a, err := store.SaveAgent(ctx, builder, &db.AgentPatch{Name: db.Some(fmt.Sprintf("soak %d", i)), SystemPrompt: db.Some("start"),
			Tools: db.Some(map[string]json.RawMessage{}), TagIDs: db.Some([]int64{})}, db.SourceCreate)
		if err != nil {
			return err
		}
		ids = append(ids, a.ID)
	}
	tag, _ := store.SaveTag(ctx, builder, 0, db.TagInput{Name: db.Some("soak")})
	// A card host that hangs, behind an external agent refreshed now and then.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	defer hang.Close()
	ext, err := store.SaveAgent(ctx, builder, &db.AgentPatch{Name: db.Some("hanging card"), AgentType: db.Some("external"),
		ExternalConfig: db.Some(db.ExternalConfig{AgentCardURL: hang.URL + "/card.json", RefreshIntervalMinutes: 1})}, db.SourceCreate)
	if err != nil {
		return err
	}

	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	srv := exec.Command(binary, "serve")
	srv.Env = append(os.Environ(), "DATABASE_URL="+dsn, "MIGRATION_DATABASE_URL="+ownerDSN, "PORT="+port, "LOG_LEVEL=error", "FETCH_ALLOW_NETS=127.0.0.0/8",
		"CARD_REFRESH_TICK=5s", "LOGIN_MAX_PER_IP=100000", "SESSION_TTL=1h")
	logFile, err := os.CreateTemp("", "soak-server-*.log")
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv.Stderr = logFile // 5xx during the outages are logged as errors, by design
	if err := srv.Start(); err != nil {
		return fmt.Errorf("start %s (make build first): %w", binary, err)
	}
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	base := "http://127.0.0.1:" + port
	for i := 0; ; i++ {
		if resp, err := http.Get(base + "/readyz"); err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if i > 400 {
			return fmt.Errorf("server not ready")
		}
		time.Sleep(25 * time.Millisecond)
	}

	st := &stats{byKind: map[string]int{}}
	client := &http.Client{Timeout: 20 * time.Second}
	do := func(method, path, token, body string) int {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		d := time.Since(start)
		if err != nil {
			st.add("transport error", d, method+" "+path)
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		st.add(strconv.Itoa(resp.StatusCode), d, method+" "+path)
		return resp.StatusCode
	}
	end := time.Now().Add(duration)
	var wg sync.WaitGroup
	var accepted atomic.Int64
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for time.Now().Before(end) && ctx.Err() == nil {
				id := ids[r.IntN(len(ids))]
				switch n := r.IntN(100); {
				case n < 40:
					do("GET", "/api/agents?perPage=50&q=soak", btok, "")
				case n < 55:
					do("GET", fmt.Sprintf("/api/agents/%d", id), btok, "")
				case n < 80:
					if do("PUT", fmt.Sprintf("/api/agents/%d", id), btok, fmt.Sprintf(`{"systemPrompt":"w%d %d"}`, w, r.Int())) == 200 {
						accepted.Add(1)
					}
				case n < 88:
					do("GET", fmt.Sprintf("/api/agents/%d/diff", id), btok, "")
				case n < 94:
					do("POST", fmt.Sprintf("/api/agent-tags/%d/agents", tag.ID), btok, fmt.Sprintf(`{"agentIds":[%d,%d],"action":"%s"}`,
						id, ids[r.IntN(len(ids))], []string{"add", "remove"}[r.IntN(2)]))
				case n < 97:
					do("POST", fmt.Sprintf("/api/agents/%d/refresh-agent-card", ext.ID), btok, "")
				default:
					do("POST", "/api/agents/sync-tools", atok, "")
				}
			}
		}(w)
	}
	// Faults: PostgreSQL goes away for 5 s every 90 s.
	faults := 0
	go func() {
		for time.Now().Add(90*time.Second).Before(end) && ctx.Err() == nil {
			time.Sleep(90 * time.Second)
			cluster.Pause(context.Background())
			faults++
			time.Sleep(5 * time.Second)
			cluster.Resume(context.Background())
		}
	}()
	var peak int64
	for time.Now().Before(end) && ctx.Err() == nil {
		if p := proc.PeakRSS(srv.Process.Pid); p > peak {
			peak = p
		}
		time.Sleep(time.Second)
	}
	wg.Wait()
	if p := proc.PeakRSS(srv.Process.Pid); p > peak {
		peak = p
	}

	// The final check: every agent equals its newest version; audit entries exist for
	// every accepted save.
	bad, err := store.InconsistentAgents(ctx, builder.OrgID)
	if err != nil {
		return err
	}
	var audited int64
	store.DB.NewRaw("SELECT count(*) FROM audit_log WHERE action = 'agent.updated'").Scan(ctx, &audited)
	kinds := make([]string, 0, len(st.byKind))
	for k := range st.byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Printf("soak: %s, %d requests, %d database outages injected, a hanging card host throughout\n", duration, st.total.Load(), faults)
	for _, k := range kinds {
		fmt.Printf("  %-16s %d\n", k, st.byKind[k])
	}
	fmt.Printf("slowest request: %s (%s); server peak RSS %.1f MiB; server log: %s\n", st.slowest.Round(time.Millisecond), st.slowURL, float64(peak)/(1<<20), logFile.Name())
	fmt.Printf("accepted saves %d, agent.updated audit entries %d; agents differing from their newest version: %d\n", accepted.Load(), audited, len(bad))
	if len(bad) > 0 || st.byKind["500"] > 0 || audited < accepted.Load() {
		return fmt.Errorf("inconsistent after the soak: %d agents differ (%v), %d answers 500, %d audited of %d saves", len(bad), bad, st.byKind["500"], audited, accepted.Load())
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
