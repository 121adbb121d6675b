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

	"github.com/uptrace/bun"

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
	ratios        []float64 // route/limit of each run (BENCH_RUNS), for the spread
	p99s          []float64 // the route's p99 of each run
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
// and simple), with a server CPU profile during the route when profile is set.
func measure(ctx context.Context, sc scenario, base string, cluster *embedded.Cluster, scripts map[string]string, minID, maxID int64, work string, profile bool) (result, error) {
	var profDone chan struct{}
	if profile {
		profDone = make(chan struct{})
		go func() {
			defer close(profDone)
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:6061/debug/pprof/profile?seconds=%d", max(seconds-1, 1)))
			if err == nil {
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				os.WriteFile("bench-cpu.pprof", data, 0o644)
				logf("CPU profile written to bench-cpu.pprof")
			}
		}()
	}
	r, err := runWrk(ctx, base+sc.path, sc.conns, sc.header, sc.script)
	if profDone != nil {
		<-profDone
	}
	if err != nil {
		return r, fmt.Errorf("%s: %w", sc.name, err)
	}
	r.name, r.conns = sc.name, sc.conns
	s, ok := scripts[sc.limit]
	if !ok {
		return r, nil
	}
	// Prepared mode rewrites every ":name" into a parameter, even inside string
	// literals, which breaks the save's JSON literals: that script runs simple only.
	mode := "prepared"
	if sc.limit == "save" {
		mode = "simple"
	}
	lim, err := runPgbench(ctx, cluster, s, sc.conns, minID, maxID, work, mode)
	if err != nil {
		return r, fmt.Errorf("%s pgbench: %w", sc.name, err)
	}
	r.limitRPS, r.limitP50, r.limitP99, r.limitName = lim.rps, lim.p50, lim.p99, lim.limitName
	if mode == "prepared" {
		simple, err := runPgbench(ctx, cluster, s, sc.conns, minID, maxID, work, "simple")
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
	m.errors = 0
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

func run(ctx context.Context) error {
	work, err := os.MkdirTemp("", "acbench")
	if err != nil {
		return err
	}
	if os.Getenv("BENCH_KEEP") == "" {
		defer os.RemoveAll(work)
	} else {
		logf("work folder kept: %s", work)
	}
	logf("starting a private PostgreSQL…")
	cluster, err := embedded.StartTemp(ctx, embedded.Options{Settings: []string{"shared_buffers = 512MB", "max_wal_size = 4GB", "checkpoint_timeout = 30min"}})
	if err != nil {
		return err
	}
	defer cluster.Stop()
	// As in production: the owner migrates and generates the data (VACUUM needs it),
	// the server, the captured SQL and pgbench run as the app role.
	ownerDSN, dsn, err := cluster.Provision(ctx, "bench")
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, ownerDSN, 8)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx); err != nil {
		return err
	}
	if _, err := store.SeedDemo(ctx); err != nil {
		return err
	}
	builder, err := store.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		return err
	}
	adminActor, _ := store.ActorByEmail(ctx, "admin@demo.test")
	logf("generating the organisation (10,000 agents, 200,000+ versions)…")
	start := time.Now()
	if err := generate(ctx, store, builder.OrgID, builder.UserID, 0.42); err != nil {
		return err
	}
	logf("  data generated in %.1fs", time.Since(start).Seconds())
	var ids struct {
		Min, Max, Long int64
	}
	store.DB.NewRaw(`SELECT min(id), max(id), min(id) FROM agents WHERE org_id = ? AND agent_type = 'native'`, builder.OrgID).Scan(ctx, &ids.Min, &ids.Max, &ids.Long)
	var tagID int64
	store.DB.NewRaw(`SELECT t.id FROM tags t JOIN agent_tags at ON at.tag_id = t.id WHERE t.org_id = ? GROUP BY t.id ORDER BY count(*) DESC LIMIT 1`, builder.OrgID).Scan(ctx, &tagID)
	storage, err := versionStorage(ctx, store)
	if err != nil {
		return err
	}

	// The server: the production binary, logs at warn, no background card refresh.
	port, err := freePort()
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + port
	srv := exec.CommandContext(ctx, binary, "serve")
	srv.Env = append(os.Environ(), "DATABASE_URL="+dsn, "MIGRATION_DATABASE_URL="+ownerDSN, "PORT="+port, "LOG_LEVEL=warn", "CARD_REFRESH_TICK=0", "LOGIN_MAX_PER_IP=100000", "DB_MAX_CONNS=32")
	profile := os.Getenv("BENCH_PROFILE") // a scenario's number prefix, e.g. "5b": CPU profile of the server during it
	if profile != "" {
		srv.Env = append(srv.Env, "PPROF_ADDR=127.0.0.1:6061")
	}
	srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
	started := time.Now()
	if err := srv.Start(); err != nil {
		return fmt.Errorf("start %s (run `make build` first): %w", binary, err)
	}
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	ready, err := waitReady(ctx, base+"/readyz")
	if err != nil {
		return err
	}
	readyIn := ready.Sub(started)
	logf("server ready %.0f ms after start", float64(readyIn.Milliseconds()))

	cookie, sessionID, err := login(base, "builder@demo.test", "demo-builder-pass")
	if err != nil {
		return err
	}
	_, token, err := store.CreateToken(ctx, builder, builder.UserID, "bench")
	if err != nil {
		return err
	}
	_, adminToken, _ := store.CreateToken(ctx, adminActor, adminActor.UserID, "bench-admin")

	// The SQL each route runs, captured by calling the same store methods with a hook.
	capture := &sqlCapture{}
	capStore, err := db.Open(ctx, dsn, 2)
	if err != nil {
		return err
	}
	defer capStore.Close()
	capStore.AddQueryHook(capture)
	var long struct{ first, last int64 }
	store.DB.NewRaw("SELECT min(id), max(id) FROM agent_versions WHERE agent_id = ?", ids.Long).Scan(ctx, &long.first, &long.last)
	scripts, err := captureScripts(ctx, capStore, capture, sessionID, token, builder, tagID, ids.Min, ids.Max, ids.Long, long.first, long.last, work)
	if err != nil {
		return err
	}

	if os.Getenv("BENCH_EXPLAIN") != "" {
		explain(ctx, store, scripts)
	}
	pid := srv.Process.Pid
	auth := "Authorization: Bearer " + token
	scenarios := []scenario{
		{"1. agents list page (HTML, 50 rows, tag filter)", fmt.Sprintf("/agents?tag=%d&perPage=50", tagID), "", 32, "Cookie: " + cookie, "list"},
		{"1b. same, light load", fmt.Sprintf("/agents?tag=%d&perPage=50", tagID), "", 8, "Cookie: " + cookie, "list"},
		{"2. GET /api/agents (50)", "/api/agents?perPage=50", "", 32, auth, "api_list"},
		{"3. agent editor page", fmt.Sprintf("/agents/%d", ids.Min+17), "", 32, "Cookie: " + cookie, "editor"},
		{"4. agent save via API (+ version)", "/", filepath.Join(work, "save.lua"), 32, "", "save"},
		{"5a. history page, 1,000-version agent", fmt.Sprintf("/agents/%d/versions", ids.Long), "", 8, "Cookie: " + cookie, "history"},
		{"5b. diff page, v1 vs v1000", fmt.Sprintf("/agents/%d/diff?from=%d&to=%d", ids.Long, long.first, long.last), "", 8, "Cookie: " + cookie, "diff"},
	}
	os.WriteFile(filepath.Join(work, "save.lua"), []byte(saveLua(token, ids.Min, ids.Max)), 0o644)
	var results []result
	for _, sc := range scenarios {
		if !selected(sc.name) {
			continue
		}
		// Each scenario BENCH_RUNS times back to back (route, then its pgbench limit), so
		// the machine's other load moves each pair alike; the report shows the medians.
		var rs []result
		for i := 0; i < runs; i++ {
			logf("running %s (run %d of %d)…", sc.name, i+1, runs)
			r, err := measure(ctx, sc, base, cluster, scripts, ids.Min, ids.Max, work, profile != "" && i == 0 && strings.HasPrefix(sc.name, profile+"."))
			if err != nil {
				return err
			}
			rs = append(rs, r)
		}
		results = append(results, medianResult(rs))
	}

	// 8. What a person feels: each page's load in Chromium (before 6 changes every agent).
	var pages []browserPage
	if selected("8.") {
		var cardAgent int64
		// An external agent whose card was fetched (the demo's), else any external agent.
		if err := store.DB.NewRaw(`SELECT a.id FROM agents a LEFT JOIN agent_cards c ON c.agent_id = a.id
			WHERE a.org_id = ? AND a.agent_type = 'external' AND a.deleted_at IS NULL ORDER BY c.card IS NULL, a.id LIMIT 1`, builder.OrgID).Scan(ctx, &cardAgent); err != nil {
			return fmt.Errorf("8. browser: an external agent: %w", err)
		}
		logf("running 8. page loads in Chromium…")
		pages, err = browserLoads(ctx, base, cookie, []browserPage{
			{name: "agents list (50 rows, tag filter)", path: scenarios[0].path},
			{name: "agent editor", path: scenarios[3].path},
			{name: "history, 1,000-version agent", path: scenarios[5].path},
			{name: "diff v1 vs v1000", path: scenarios[6].path},
			{name: "tool catalog", path: "/tools"},
			{name: "external agent card", path: fmt.Sprintf("/agents/%d/card", cardAgent)},
		}, max(5*runs, 5))
		if err != nil {
			return fmt.Errorf("8. browser: %w", err)
		}
	}

	// 7. Scale-out (before 6, which changes every agent): the API list through HAProxy.
	var scale scaleOutResult
	if selected("7.") {
		if scale, err = benchScaleOut(ctx, base, dsn, ownerDSN, "/api/agents?perPage=50", auth, 32); err != nil {
			return fmt.Errorf("7. scale-out: %w", err)
		}
	}

	// 6. Sync after a catalog change to 2 tools: the route against one hand-written UPDATE.
	if err := resetForSync(ctx, store, builder.OrgID, builder.UserID); err != nil {
		return err
	}
	var syncRes []syncFigures
	for i := 1; i <= runs; i++ {
		logf("running 6. sync-tools over all agents (run %d of %d)…", i, runs)
		f, err := benchSync(ctx, store, base, adminToken, builder.OrgID, i)
		if err != nil {
			return err
		}
		syncRes = append(syncRes, f)
	}
	peak := proc.PeakRSS(pid)
	report(results, syncRes, storage, readyIn, peak, ids)
	if selected("7.") {
		reportScaleOut(scale)
	}
	if len(pages) > 0 {
		reportBrowser(pages)
	}
	return nil
}

// sqlCapture records the statements a store sends.
type sqlCapture struct{ queries []string }

func (c *sqlCapture) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }
func (c *sqlCapture) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	c.queries = append(c.queries, e.Query)
}
func (c *sqlCapture) take() []string {
	q := c.queries
	c.queries = nil
	return q
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
	// The session id is inside the encrypted cookie; the server keeps its hash. For the
	// captured SQL we need a live session id of the same user: make one directly.
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
	out, err := exec.CommandContext(ctx, "wrk", append(args, target)...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	var r result
	r.kind = "wrk"
	if m := rpsRE.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
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
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		bin, _ := embedded.BinDir()
		pgbench = filepath.Join(bin, "pgbench")
	}
	cmd := exec.CommandContext(ctx, pgbench, "-n", "-h", c.SocketDir, "-U", db.AppRole, "-c", strconv.Itoa(conns), "-j", "2",
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
func explain(ctx context.Context, s *db.Store, scripts map[string]string) {
	for _, name := range []string{"list", "api_list", "editor", "history", "diff"} {
		data, _ := os.ReadFile(scripts[name])
		for _, q := range strings.Split(string(data), ";\n") {
			q = strings.TrimSpace(q)
			if q == "" || strings.HasPrefix(q, "\\") {
				continue
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
