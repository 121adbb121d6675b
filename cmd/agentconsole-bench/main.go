// Command agentconsole-bench is `make bench`: it builds a realistic organisation in a
// private PostgreSQL, starts the production server, drives it with wrk from a separate
// process, and measures PostgreSQL's own limit for the same SQL with pgbench in the same
// run, printing the ratio route/limit for each scenario, the server's peak RSS and its
// time to ready. Nothing here is a test: figures are reported, not asserted.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"agentconsole/cmd/internal/proc"
	"agentconsole/db"
	"agentconsole/db/embedded"
)

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		logf("bench: %v", err)
		os.Exit(1)
	}
}

// settings of the run (environment overrides for a quick try: BENCH_SECONDS=3,
// BENCH_RUNS=1, and BENCH_ONLY=2,7 to drive only those load scenarios; 6 always runs).
var (
	seconds = envInt("BENCH_SECONDS", 10)
	runs    = max(envInt("BENCH_RUNS", 3), 1) // each figure is the median of this many runs
	binary  = env("BENCH_BINARY", "bin/agentconsole")
	only    = os.Getenv("BENCH_ONLY")
)

// selected reports whether the scenario named "N. …" (or "Nb. …") is to run.
func selected(name string) bool {
	if only == "" {
		return true
	}
	num, _, _ := strings.Cut(name, ".")
	for _, o := range strings.Split(only, ",") {
		if o = strings.TrimSpace(o); o == num || o == strings.TrimRight(num, "abcdefgh") {
			return true
		}
	}
	return false
}

type result struct {
	name, kind    string
	conns         int
	rps, p50, p99 float64 // p50/p99 in ms
	errors        int
	limitRPS      float64
	limitP50      float64
	limitP99      float64
	limitName     string
	simpleRPS     float64 // pgbench -M simple on the same SQL: what planning every query costs
	note          string
	stmts         int       // statements the route ran (its captured script's)
	cpuMs         float64   // server CPU per request (process_cpu_seconds_total), ms
	gcShare       float64   // the collector's share of that CPU (the runtime's own account)
	gcsPer1k      float64   // collections per 1,000 requests
	ratios        []float64 // route/limit of each run (BENCH_RUNS), for the spread
	p99s          []float64 // the route's p99 of each run
	requests      float64   // requests (transactions) the run counted
	client        float64   // the load generator's own CPU (wrk's or pgbench's), s
	budget        budget    // the route's CPU budget per request (budget.go)
	limitBudget   budget    // pgbench's per transaction, on the route's SQL
	simpleBudget  budget    // pgbench -M simple's
}

// scenario is one load scenario: a route driven by wrk and the SQL it runs (limit,
// a captured script) driven by pgbench at the same concurrency.
type scenario struct {
	name, path, script string
	conns              int
	header             string
	limit              string
}

// measure runs one scenario once: wrk on the route, then pgbench on its SQL (prepared,
// and simple), with a server CPU profile during the route when pprofAddr is set.
func measure(ctx context.Context, sc scenario, base string, cluster *embedded.Cluster, scripts map[string]capturedScript, minID, maxID int64, work string, pprofAddr string, pids cpuPIDs) (result, error) {
	var profDone chan struct{}
	if pprofAddr != "" {
		profDone = make(chan struct{})
		go func() {
			defer close(profDone)
			resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, max(seconds-1, 1)))
			if err == nil {
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				os.WriteFile("bench-cpu.pprof", data, 0o644)
				logf("CPU profile written to bench-cpu.pprof")
			}
		}()
	}
	cpuBefore := sampleCPU(pids)
	before, counted := readCounters(base)
	r, err := runWrk(ctx, base+sc.path, sc.conns, sc.header, sc.script)
	cpuAfter := sampleCPU(pids)
	if profDone != nil {
		<-profDone
	}
	if err != nil {
		return r, fmt.Errorf("%s: %w", sc.name, err)
	}
	r.budget = newBudget(cpuBefore, cpuAfter, r.client, r.requests)
	if after, ok := readCounters(base); ok && counted {
		r.perRequest(before, after)
	}
	r.name, r.conns = sc.name, sc.conns
	s, ok := scripts[sc.limit]
	if !ok {
		return r, nil
	}
	r.stmts = len(s.statements)
	// Prepared mode rewrites every ":name" into a parameter, even inside string
	// literals, which breaks the save's JSON literals: that script, and any whose
	// literals pgbench would read as variables, runs simple only.
	mode := "prepared"
	if sc.limit == "save" || !s.prepared {
		mode = "simple"
	}
	cpuBefore = sampleCPU(pids)
	lim, err := runPgbench(ctx, cluster, s.path, sc.conns, minID, maxID, work, mode)
	r.limitBudget = newBudget(cpuBefore, sampleCPU(pids), lim.client, lim.requests)
	if err != nil {
		return r, fmt.Errorf("%s pgbench: %w", sc.name, err)
	}
	r.limitRPS, r.limitP50, r.limitP99, r.limitName = lim.rps, lim.p50, lim.p99, lim.limitName
	if mode == "prepared" {
		cpuBefore = sampleCPU(pids)
		simple, err := runPgbench(ctx, cluster, s.path, sc.conns, minID, maxID, work, "simple")
		r.simpleBudget = newBudget(cpuBefore, sampleCPU(pids), simple.client, simple.requests)
		if err != nil {
			return r, fmt.Errorf("%s pgbench simple: %w", sc.name, err)
		}
		r.simpleRPS = simple.rps
	}
	return r, nil
}

// medianResult is the run-by-run median of every figure, keeping each run's ratio and
// p99 for the spread.
func medianResult(rs []result) result {
	m := rs[0]
	med := func(get func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = get(r)
		}
		return median(v)
	}
	m.rps, m.p50, m.p99 = med(func(r result) float64 { return r.rps }), med(func(r result) float64 { return r.p50 }), med(func(r result) float64 { return r.p99 })
	m.limitRPS, m.limitP50, m.limitP99 = med(func(r result) float64 { return r.limitRPS }), med(func(r result) float64 { return r.limitP50 }), med(func(r result) float64 { return r.limitP99 })
	m.simpleRPS = med(func(r result) float64 { return r.simpleRPS })
	m.cpuMs, m.gcShare, m.gcsPer1k = med(func(r result) float64 { return r.cpuMs }), med(func(r result) float64 { return r.gcShare }), med(func(r result) float64 { return r.gcsPer1k })
	m.errors = 0
	var bs [3][]budget
	for _, r := range rs {
		bs[0], bs[1], bs[2] = append(bs[0], r.budget), append(bs[1], r.limitBudget), append(bs[2], r.simpleBudget)
	}
	m.budget, m.limitBudget, m.simpleBudget = medianBudget(bs[0]), medianBudget(bs[1]), medianBudget(bs[2])
	for _, r := range rs {
		m.errors += r.errors
		m.p99s = append(m.p99s, r.p99)
		if r.limitRPS > 0 {
			m.ratios = append(m.ratios, r.rps/r.limitRPS)
		}
	}
	return m
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// spread is "min–max" of the runs' values, "" for a single run.
func spread(v []float64, format string) string {
	if len(v) < 2 {
		return ""
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return fmt.Sprintf(format+"–"+format, s[0], s[len(s)-1])
}

// bench is the state the phases of a run share: the private PostgreSQL, the generated
// organisation, the running server and its credentials, the captured scripts.
type bench struct {
	work          string
	cluster       *embedded.Cluster
	store         *db.Store
	ownerDSN, dsn string
	builder       *db.Actor
	admin         *db.Actor
	ids           benchIDs
	long          struct{ first, last int64 } // the long agent's first and last version
	tagID         int64                       // the tag most agents carry
	storage       storageFigures
	srv           *exec.Cmd
	base          string
	readyIn       time.Duration
	profile       string // BENCH_PROFILE: a scenario's number prefix, e.g. "5b"
	pprofAddr     string // the server's pprof listener when profiling
	cookie        string
	token         string
	adminToken    string
	scripts       map[string]capturedScript // by scenario.limit
	cleanup       []func()                  // run in reverse by close
	memory        *proc.Sampler             // the server's resident memory, per phase
}

// benchIDs are the native agents' id range and the agent with 1,000 versions.
type benchIDs struct{ Min, Max, Long int64 }

func run(ctx context.Context) error {
	b := &bench{profile: os.Getenv("BENCH_PROFILE")}
	defer b.close()
	for _, phase := range []func(context.Context) error{b.setUp, b.generate, b.startServer, b.signIn, b.capture} {
		if err := phase(ctx); err != nil {
			return err
		}
	}
	if os.Getenv("BENCH_HOLD") != "" {
		return b.hold(ctx)
	}
	scenarios := b.scenarios()
	results, err := b.loadScenarios(ctx, scenarios)
	if err != nil {
		return err
	}
	// 8 and 7 run before 6, which changes every agent.
	pages, err := b.browserScenario(ctx, scenarios)
	if err != nil {
		return err
	}
	var scale scaleOutResult
	if selected("7.") { // scale-out: the API list through HAProxy
		b.memory.Phase("7. scale-out (this instance serves the first part)")
		if scale, err = benchScaleOut(ctx, b.base, b.dsn, b.ownerDSN, "/api/agents?perPage=50", "Authorization: Bearer "+b.token, 32); err != nil {
			return fmt.Errorf("7. scale-out: %w", err)
		}
	}
	syncRes, err := b.syncScenario(ctx)
	if err != nil {
		return err
	}
	report(results, syncRes, b.storage, b.readyIn, proc.PeakRSS(b.srv.Process.Pid), b.ids)
	reportBudget(results)
	reportMemory(b.memory)
	if selected("7.") {
		reportScaleOut(scale)
	}
	if len(pages) > 0 {
		reportBrowser(pages)
	}
	return nil
}

// close undoes what the phases set up, last first.
func (b *bench) close() {
	for i := len(b.cleanup) - 1; i >= 0; i-- {
		b.cleanup[i]()
	}
}

// setUp makes the work folder, starts a private PostgreSQL and migrates and seeds it. As
// in production, the owner migrates and generates the data (VACUUM needs it); the
// server, the captured SQL and pgbench run as the app role.
func (b *bench) setUp(ctx context.Context) (err error) {
	if b.work, err = os.MkdirTemp("", "acbench"); err != nil {
		return err
	}
	if os.Getenv("BENCH_KEEP") == "" {
		work := b.work
		b.cleanup = append(b.cleanup, func() { os.RemoveAll(work) })
	} else {
		logf("work folder kept: %s", b.work)
	}
	logf("starting a private PostgreSQL…")
	b.cluster, err = embedded.StartTemp(ctx, embedded.Options{Settings: []string{"shared_buffers = 512MB", "max_wal_size = 4GB", "checkpoint_timeout = 30min"}})
	if err != nil {
		return err
	}
	b.cleanup = append(b.cleanup, func() { b.cluster.Stop() })
	if b.ownerDSN, b.dsn, err = b.cluster.Provision(ctx, "bench"); err != nil {
		return err
	}
	if b.store, err = db.Open(ctx, b.ownerDSN, 8); err != nil {
		return err
	}
	b.cleanup = append(b.cleanup, func() { b.store.Close() })
	if _, err := b.store.Migrate(ctx); err != nil {
		return err
	}
	if _, err := b.store.SeedDemo(ctx); err != nil {
		return err
	}
	if b.builder, err = b.store.ActorByEmail(ctx, "builder@demo.test"); err != nil {
		return err
	}
	b.admin, err = b.store.ActorByEmail(ctx, "admin@demo.test")
	return err
}

// generate builds the organisation and reads the ids the scenarios address.
func (b *bench) generate(ctx context.Context) (err error) {
	logf("generating the organisation (10,000 agents, 200,000+ versions)…")
	start := time.Now()
	if err := generate(ctx, b.store, b.builder.OrgID, b.builder.UserID, 0.42); err != nil {
		return err
	}
	logf("  data generated in %.1fs", time.Since(start).Seconds())
	s, org := b.store.DB, b.builder.OrgID
	s.NewRaw(`SELECT min(id), max(id), min(id) FROM agents WHERE org_id = ? AND agent_type = 'native'`, org).Scan(ctx, &b.ids.Min, &b.ids.Max, &b.ids.Long)
	s.NewRaw(`SELECT t.id FROM tags t JOIN agent_tags at ON at.tag_id = t.id WHERE t.org_id = ? GROUP BY t.id ORDER BY count(*) DESC LIMIT 1`, org).Scan(ctx, &b.tagID)
	s.NewRaw("SELECT min(id), max(id) FROM agent_versions WHERE agent_id = ?", b.ids.Long).Scan(ctx, &b.long.first, &b.long.last)
	b.storage, err = versionStorage(ctx, b.store)
	return err
}

// startServer starts the production binary (logs at warn, no background card refresh)
// and waits until it is ready.
func (b *bench) startServer(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	b.base = "http://127.0.0.1:" + port
	b.srv = exec.CommandContext(ctx, binary, "serve")
	b.srv.Env = append(os.Environ(), "DATABASE_URL="+b.dsn, "MIGRATION_DATABASE_URL="+b.ownerDSN, "PORT="+port, "LOG_LEVEL=warn", "CARD_REFRESH_TICK=0", "LOGIN_MAX_PER_IP=100000", "DB_MAX_CONNS=32")
	if b.profile != "" {
		// A free port, so benches in several worktrees can profile at once.
		pp, err := freePort()
		if err != nil {
			return err
		}
		b.pprofAddr = "127.0.0.1:" + pp
		b.srv.Env = append(b.srv.Env, "PPROF_ADDR="+b.pprofAddr)
	}
	b.srv.Stdout, b.srv.Stderr = os.Stderr, os.Stderr
	started := time.Now()
	if err := b.srv.Start(); err != nil {
		return fmt.Errorf("start %s (run `make build` first): %w", binary, err)
	}
	b.cleanup = append(b.cleanup, func() { b.srv.Process.Signal(syscall.SIGTERM); b.srv.Wait() })
	ready, err := waitReady(ctx, b.base+"/readyz")
	if err != nil {
		return err
	}
	b.readyIn = ready.Sub(started)
	b.memory = proc.Sample(b.srv.Process.Pid, 50*time.Millisecond)
	logf("server ready %.0f ms after start", float64(b.readyIn.Milliseconds()))
	return nil
}

// signIn logs the builder in like a browser and makes API tokens for the builder and
// the admin (the sync needs an admin).
func (b *bench) signIn(ctx context.Context) (err error) {
	if b.cookie, _, err = login(b.base, "builder@demo.test", "demo-builder-pass"); err != nil {
		return err
	}
	if _, b.token, err = b.store.CreateToken(ctx, b.builder, b.builder.UserID, "bench"); err != nil {
		return err
	}
	_, b.adminToken, err = b.store.CreateToken(ctx, b.admin, b.admin.UserID, "bench-admin")
	return err
}

// capture records the SQL each route runs from PostgreSQL's statement log, as pgbench
// scripts (and prints their plans with BENCH_EXPLAIN=1).
func (b *bench) capture(ctx context.Context) error {
	if err := b.captureRoutes(ctx); err != nil {
		return err
	}
	for _, name := range []string{"list", "api_list", "editor", "save", "history", "diff"} {
		logf("captured %-8s %2d statements: %s", name, len(b.scripts[name].statements), b.scripts[name].path)
	}
	if os.Getenv("BENCH_EXPLAIN") != "" {
		explain(ctx, b.store, b.scripts)
	}
	return os.WriteFile(filepath.Join(b.work, "save.lua"), []byte(saveLua(b.token, b.ids.Min, b.ids.Max)), 0o644)
}

// hold (BENCH_HOLD=1) keeps the generated organisation and the server up for a manual
// look (psql, EXPLAIN, a browser) until interrupted, instead of running the scenarios.
func (b *bench) hold(ctx context.Context) error {
	logf("holding (Ctrl-C ends): server %s (builder@demo.test / demo-builder-pass), owner DSN %s, app DSN %s", b.base, b.ownerDSN, b.dsn)
	<-ctx.Done()
	return nil
}

// scenarios are the load scenarios 1–5b.
func (b *bench) scenarios() []scenario {
	cookie, auth := "Cookie: "+b.cookie, "Authorization: Bearer "+b.token
	list := fmt.Sprintf("/agents?tag=%d&perPage=50", b.tagID)
	return []scenario{
		{"1. agents list page (HTML, 50 rows, tag filter)", list, "", 32, cookie, "list"},
		{"1b. same, light load", list, "", 8, cookie, "list"},
		{"2. GET /api/agents (50)", "/api/agents?perPage=50", "", 32, auth, "api_list"},
		{"3. agent editor page", fmt.Sprintf("/agents/%d", b.ids.Min+17), "", 32, cookie, "editor"},
		{"4. agent save via API (+ version)", "/", filepath.Join(b.work, "save.lua"), 32, "", "save"},
		{"5a. history page, 1,000-version agent", fmt.Sprintf("/agents/%d/versions", b.ids.Long), "", 8, cookie, "history"},
		{"5b. diff page, v1 vs v1000", fmt.Sprintf("/agents/%d/diff?from=%d&to=%d", b.ids.Long, b.long.first, b.long.last), "", 8, cookie, "diff"},
	}
}

// loadScenarios runs each selected load scenario BENCH_RUNS times back to back (route,
// then its pgbench limit), so the machine's other load moves each pair alike; the
// report shows the medians.
func (b *bench) loadScenarios(ctx context.Context, scenarios []scenario) ([]result, error) {
	var results []result
	pids := cpuPIDs{server: b.srv.Process.Pid}
	var err error
	if pids.postmaster, err = proc.PostmasterPID(b.cluster.DataDir); err != nil {
		logf("no CPU budget: PostgreSQL's postmaster: %v", err)
	}
	for _, sc := range scenarios {
		if !selected(sc.name) {
			continue
		}
		var rs []result
		for i := 0; i < runs; i++ {
			logf("running %s (run %d of %d)…", sc.name, i+1, runs)
			b.memory.Phase(sc.name)
			pprofAddr := ""
			if b.profile != "" && i == 0 && strings.HasPrefix(sc.name, b.profile+".") {
				pprofAddr = b.pprofAddr
			}
			r, err := measure(ctx, sc, b.base, b.cluster, b.scripts, b.ids.Min, b.ids.Max, b.work, pprofAddr, pids)
			if err != nil {
				return nil, err
			}
			rs = append(rs, r)
		}
		results = append(results, medianResult(rs))
		if sc.limit == "save" {
			if err := settle(ctx, b.store); err != nil {
				return nil, err
			}
		}
	}
	return results, nil
}

// settle vacuums and analyzes after a scenario that wrote, and waits until no
// autovacuum worker runs: otherwise the saves' clean-up lands in the next scenario's
// route half (it runs before its pgbench half) and is counted as that route's
// PostgreSQL work.
func settle(ctx context.Context, s *db.Store) error {
	logf("vacuuming after the saves…")
	if _, err := s.DB.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		return fmt.Errorf("settle: %w", err)
	}
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var n int
		if err := s.DB.NewRaw("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'").Scan(ctx, &n); err != nil {
			return fmt.Errorf("settle: %w", err)
		}
		if n == 0 {
			return nil
		}
	}
	logf("settle: autovacuum still running after 2 minutes; going on")
	return nil
}

// browserScenario is 8, what a person feels: each page's load in Chromium.
func (b *bench) browserScenario(ctx context.Context, scenarios []scenario) ([]browserPage, error) {
	if !selected("8.") {
		return nil, nil
	}
	var cardAgent int64
	// An external agent whose card was fetched (the demo's), else any external agent.
	if err := b.store.DB.NewRaw(`SELECT a.id FROM agents a LEFT JOIN agent_cards c ON c.agent_id = a.id
		WHERE a.org_id = ? AND a.agent_type = 'external' AND a.deleted_at IS NULL ORDER BY c.card IS NULL, a.id LIMIT 1`, b.builder.OrgID).Scan(ctx, &cardAgent); err != nil {
		return nil, fmt.Errorf("8. browser: an external agent: %w", err)
	}
	logf("running 8. page loads in Chromium…")
	pages, err := browserLoads(ctx, b.base, b.cookie, []browserPage{
		{name: "agents list (50 rows, tag filter)", path: scenarios[0].path},
		{name: "agent editor", path: scenarios[3].path},
		{name: "history, 1,000-version agent", path: scenarios[5].path},
		{name: "diff v1 vs v1000", path: scenarios[6].path},
		{name: "tool catalog", path: "/tools"},
		{name: "external agent card", path: fmt.Sprintf("/agents/%d/card", cardAgent)},
	}, max(5*runs, 5), b.memory.Phase)
	if err != nil {
		return nil, fmt.Errorf("8. browser: %w", err)
	}
	return pages, nil
}

// syncScenario is 6: the sync after a catalog change to 2 tools, against one
// hand-written UPDATE, BENCH_RUNS rounds over the same reset data.
func (b *bench) syncScenario(ctx context.Context) ([]syncFigures, error) {
	if err := resetForSync(ctx, b.store, b.builder.OrgID, b.builder.UserID); err != nil {
		return nil, err
	}
	var syncRes []syncFigures
	for i := 1; i <= runs; i++ {
		logf("running 6. sync-tools over all agents (run %d of %d)…", i, runs)
		b.memory.Phase("6. sync-tools")
		f, err := benchSync(ctx, b.store, b.base, b.adminToken, b.builder.OrgID, i)
		if err != nil {
			return nil, err
		}
		syncRes = append(syncRes, f)
	}
	return syncRes, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

func waitReady(ctx context.Context, u string) (time.Time, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Now(), nil
			}
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return time.Time{}, errors.New("server not ready after 30 s")
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// login signs in like a browser and returns the cookie header and the session id.
func login(base, email, password string) (cookieHeader, sessionID string, err error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/login")
	if err != nil {
		return "", "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(body)
	if m == nil {
		return "", "", errors.New("no CSRF token on /login")
	}
	resp, err = c.PostForm(base+"/login", url.Values{"_csrf": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		return "", "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", "", fmt.Errorf("login: status %d", resp.StatusCode)
	}
	u, _ := url.Parse(base)
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	// The session id is inside the encrypted cookie (the server keeps its hash); the
	// captured SQL comes from a request with this cookie, so nothing needs the id.
	return strings.Join(parts, "; "), "", nil
}

func saveLua(token string, minID, maxID int64) string {
	return fmt.Sprintf(`math.randomseed(42)
local n = 0
request = function()
  n = n + 1
  local id = math.random(%d, %d)
  local body = '{"description":"bench save ' .. n .. ' ' .. math.random(1, 1000000000) .. '"}'
  return wrk.format("PUT", "/api/agents/" .. id, {["Authorization"] = "Bearer %s", ["Content-Type"] = "application/json"}, body)
end
`, minID, maxID, token)
}

var (
	rpsRE     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latRE     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	non2xxRE  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	socketsRE = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func runWrk(ctx context.Context, target string, conns int, header, script string) (result, error) {
	return runWrkFor(ctx, target, conns, header, script, seconds)
}

func runWrkFor(ctx context.Context, target string, conns int, header, script string, secs int) (result, error) {
	args := []string{"-t", "2", "-c", strconv.Itoa(conns), "-d", strconv.Itoa(secs) + "s", "--latency", "--timeout", "5s"}
	if header != "" {
		args = append(args, "-H", header)
	}
	if script != "" {
		args = append(args, "-s", script)
	}
	cmd := exec.CommandContext(ctx, "wrk", append(args, target)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	var r result
	r.kind = "wrk"
	if m := rpsRE.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	r.client, r.requests = clientCPU(cmd), count(wrkCountRE, out, r.rps*float64(secs))
	for _, m := range latRE.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		switch string(m[3]) {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		if string(m[1]) == "50" {
			r.p50 = v
		} else {
			r.p99 = v
		}
	}
	if m := non2xxRE.FindSubmatch(out); m != nil {
		r.errors, _ = strconv.Atoi(string(m[1]))
	}
	if m := socketsRE.FindSubmatch(out); m != nil {
		for _, g := range m[1:] {
			n, _ := strconv.Atoi(string(g))
			r.errors += n
		}
	}
	return r, nil
}

// runPgbench runs a captured script at the same concurrency and reads tps and the
// latency percentiles from its per-transaction log.
func runPgbench(ctx context.Context, c *embedded.Cluster, script string, conns int, minID, maxID int64, work string, mode string) (result, error) {
	logDir := filepath.Join(work, fmt.Sprintf("pgb%d", time.Now().UnixNano()))
	os.MkdirAll(logDir, 0o777)
	os.Chmod(logDir, 0o777)
	cmd := exec.CommandContext(ctx, pgbenchPath(), "-n", "-h", c.SocketDir, "-U", db.AppRole, "-c", strconv.Itoa(conns), "-j", "2",
		"-T", strconv.Itoa(seconds), "-M", mode, "-f", script, "-D", fmt.Sprintf("minid=%d", minID), "-D", fmt.Sprintf("maxid=%d", maxID),
		"-l", "--log-prefix", filepath.Join(logDir, "log"), "bench")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("%w\n%s", err, out)
	}
	r := result{limitName: "pgbench -M " + mode}
	if m := regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`).FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	r.client, r.requests = clientCPU(cmd), count(pgbenchCountRE, out, r.rps*float64(seconds))
	var lat []float64
	files, _ := filepath.Glob(filepath.Join(logDir, "log*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) >= 3 {
				us, _ := strconv.ParseFloat(fields[2], 64)
				lat = append(lat, us/1000)
			}
		}
	}
	sort.Float64s(lat)
	if len(lat) > 0 {
		r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	os.RemoveAll(logDir)
	return r, nil
}

// pgbenchPath is pgbench on the PATH, else beside the server binaries.
func pgbenchPath() string {
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p
	}
	bin, _ := embedded.BinDir()
	return filepath.Join(bin, "pgbench")
}

type storageFigures struct {
	versions, blobs int64
	versionsBytes   int64
	blobsBytes      int64
	agentsBytes     int64
}

func versionStorage(ctx context.Context, s *db.Store) (storageFigures, error) {
	var f storageFigures
	err := s.DB.NewRaw(`SELECT (SELECT count(*) FROM agent_versions), (SELECT count(*) FROM agent_blobs),
		pg_total_relation_size('agent_versions'), pg_total_relation_size('agent_blobs'), pg_total_relation_size('agents')`).
		Scan(ctx, &f.versions, &f.blobs, &f.versionsBytes, &f.blobsBytes, &f.agentsBytes)
	return f, err
}

// explain prints each captured statement's plan timing (BENCH_EXPLAIN=1).
func explain(ctx context.Context, s *db.Store, scripts map[string]capturedScript) {
	for _, name := range []string{"list", "api_list", "editor", "history", "diff"} {
		for _, q := range scripts[name].statements {
			if f := strings.Fields(strings.ToUpper(strings.TrimLeft(q, "("))); len(f) == 0 || f[0] != "SELECT" && f[0] != "WITH" {
				continue // EXPLAIN ANALYZE would run a write
			}
			var lines []string
			if err := s.DB.NewRaw("EXPLAIN (ANALYZE, BUFFERS) "+strings.ReplaceAll(q, "?", "??")).Scan(ctx, &lines); err != nil {
				logf("explain %s: %v", name, err)
				continue
			}
			logf("== %s: %.120s", name, strings.Join(strings.Fields(q), " "))
			for _, l := range lines {
				if strings.Contains(l, "Execution Time") || strings.Contains(l, "Planning Time") || strings.Contains(l, "Seq Scan") || strings.Contains(l, "Sort Method") {
					logf("   %s", strings.TrimSpace(l))
				}
			}
		}
	}
}

// reportMemory prints the server's peak resident memory per phase, split into what it
// allocated (anonymous: heap, stacks) and the pages of its executable it has run
// (file-backed), so a peak can be traced to a scenario and to one of the two.
func reportMemory(m *proc.Sampler) {
	order, peaks := m.Stop()
	fmt.Println("\nserver resident memory, peak per phase (MiB): anonymous + file-backed = total")
	for _, name := range order {
		p := peaks[name]
		fmt.Printf("  %-44s %5.1f + %5.1f = %5.1f\n", name, mib(p.Anon), mib(p.File), mib(p.Total))
	}
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
