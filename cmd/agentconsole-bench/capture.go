package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"agentconsole/db"
	"agentconsole/db/catalog"
)

// capturedScript is the SQL one request to a route ran, as a pgbench script.
type capturedScript struct {
	path       string   // the script file
	statements []string // each statement as the script runs it
	prepared   bool     // pgbench -M prepared can run it (see pgbenchVars)
}

// captureRoutes logs one real request to each read route (exactly as wrk sends it) and
// one API save, and writes the SQL the server ran as pgbench scripts.
func (b *bench) captureRoutes(ctx context.Context) error {
	slog, err := openStatementLog(ctx, b.cluster.DSN("bench"), filepath.Join(b.cluster.DataDir, "server.log"))
	if err != nil {
		return err
	}
	defer slog.Close(ctx)
	b.scripts = map[string]capturedScript{}
	for _, sc := range b.scenarios() {
		if _, done := b.scripts[sc.limit]; done || sc.limit == "save" {
			continue
		}
		stmts, err := captureRequest(ctx, slog, "GET", b.base+sc.path, sc.header, "", "")
		if err != nil {
			return fmt.Errorf("capture %s: %w", sc.name, err)
		}
		var script []string
		for _, s := range stmts {
			script = append(script, s.sql(nil))
		}
		if b.scripts[sc.limit], err = writeScript(b.work, sc.limit, nil, script); err != nil {
			return err
		}
	}
	b.scripts["save"], err = captureSave(ctx, slog, b.base, b.token, b.ids.Min+17, b.work)
	return err
}

// captureRequest sends the request once first (with warmBody), so the server's caches
// (organisation UUIDs, the token's last-used stamp, at most once a minute) are as warm
// as under wrk, then once more (with body) and returns what the server's backends (the
// app role) ran for that one.
func captureRequest(ctx context.Context, slog *statementLog, method, url, header, warmBody, body string) ([]loggedStatement, error) {
	send := func(body string) error {
		req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
		if err != nil {
			return err
		}
		if name, value, ok := strings.Cut(header, ": "); ok {
			req.Header.Set(name, value)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s %s answered %d", method, url, resp.StatusCode)
		}
		return nil
	}
	if err := send(warmBody); err != nil {
		return nil, err
	}
	stmts, err := slog.during(ctx, db.AppRole, func() error { return send(body) })
	if err == nil && len(stmts) == 0 {
		err = fmt.Errorf("%s %s: no statement logged", method, url)
	}
	return stmts, err
}

// captureSave captures the API save of agent id (the token's lookup, then the save's
// transaction) as a pgbench script that saves a random agent instead: the agent id
// becomes :aid wherever it is a parameter or a number in the SQL text (not inside
// string literals: pgbench does not substitute there, and the snapshot JSON keeping
// the captured id costs the same).
func captureSave(ctx context.Context, slog *statementLog, base, token string, id int64, work string) (capturedScript, error) {
	url, auth := fmt.Sprintf("%s/api/agents/%d", base, id), "Authorization: Bearer "+token
	// Each of wrk's saves changes the description, so both of these do too.
	marker := fmt.Sprintf("bench save marker %d", time.Now().UnixNano())
	stmts, err := captureRequest(ctx, slog, "PUT", url, auth, `{"description":"bench save warm-up"}`, `{"description":"`+marker+`"}`)
	if err != nil {
		return capturedScript{}, fmt.Errorf("capture save: %w", err)
	}
	return writeScript(work, "save", []string{`\set aid random(:minid, :maxid)`}, anyAgent(stmts, id, marker, "bench save"))
}

// anyAgent is the statements with agent id as :aid (a parameter of exactly that value, or
// that number in the SQL text outside string literals) and marker replaced by text.
func anyAgent(stmts []loggedStatement, id int64, marker, text string) []string {
	sid := fmt.Sprint(id)
	var script []string
	for _, s := range stmts {
		q := s.sql(func(_ int, lit string) string {
			if lit == "'"+sid+"'" {
				return ":aid"
			}
			return lit
		})
		script = append(script, strings.ReplaceAll(outsideQuotes(q, sid, ":aid"), marker, text))
	}
	return script
}

// writeScript writes the meta-commands and the statements (each ended by a semicolon;
// pgbench reads statements over several lines) as work/name.sql.
func writeScript(work, name string, meta, statements []string) (capturedScript, error) {
	var b strings.Builder
	for _, m := range meta {
		b.WriteString(m + "\n")
	}
	for i, q := range statements {
		statements[i] = strings.TrimRight(strings.TrimSpace(q), ";")
		b.WriteString(statements[i] + ";\n")
	}
	defined := map[string]bool{"aid": true, "minid": true, "maxid": true}
	c := capturedScript{path: filepath.Join(work, name+".sql"), statements: statements, prepared: true}
	for _, v := range pgbenchVars(strings.Join(statements, "\n")) {
		c.prepared = c.prepared && defined[v]
	}
	return c, os.WriteFile(c.path, []byte(b.String()), 0o644)
}

type syncFigures struct {
	handWritten time.Duration
	route       time.Duration
	updated     int
	total       int
	versionsMB  float64
}

// benchSync changes 2 tools in the catalog (a new edition per round, so every round finds
// the same agents outdated), times one hand-written UPDATE doing the same rewrite
// (rolled back), then the route's sync (which also appends versions). The agents table
// is vacuumed before each, so neither pays for the other's dead rows.
func benchSync(ctx context.Context, s *db.Store, base, adminToken string, orgID int64, round int) (syncFigures, error) {
	var f syncFigures
	var doc map[string]any
	json.Unmarshal(catalog.Bundled, &doc)
	doc["catalogVersion"] = fmt.Sprintf("bench-%d", round)
	native := doc["native"].(map[string]any)
	for _, name := range []string{"web_search", "search_knowledge_base"} {
		props := native[name].(map[string]any)["parameters"].(map[string]any)["properties"].(map[string]any)
		props[fmt.Sprintf("benchAdded%d", round)] = map[string]any{"type": "string", "description": "added by the benchmark's catalog change"}
	}
	raw, _ := json.Marshal(doc)
	c, err := catalog.Parse(raw)
	if err != nil {
		return f, err
	}
	if _, err := s.ImportCatalog(ctx, nil, c, raw, "cli"); err != nil {
		return f, err
	}
	before, _ := versionStorage(ctx, s)
	vacuum := func() error {
		_, err := s.DB.ExecContext(ctx, "VACUUM agents")
		return err
	}
	if err := vacuum(); err != nil {
		return f, err
	}
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return f, err
	}
	start := time.Now()
	_, err = tx.ExecContext(ctx, `UPDATE agents a SET tools = a.tools || (
			SELECT jsonb_object_agg(c.name, c.definition || CASE WHEN jsonb_exists(a.tools -> c.name, 'config') THEN jsonb_build_object('config', a.tools -> c.name -> 'config') ELSE '{}' END)
			FROM catalog_tools c WHERE c.name IN ('web_search', 'search_knowledge_base') AND jsonb_exists(a.tools, c.name))
		WHERE a.org_id = ? AND a.deleted_at IS NULL AND (jsonb_exists(a.tools, 'web_search') OR jsonb_exists(a.tools, 'search_knowledge_base'))`, orgID)
	f.handWritten = time.Since(start)
	tx.Rollback()
	if err != nil {
		return f, fmt.Errorf("hand-written sync: %w", err)
	}
	if err := vacuum(); err != nil {
		return f, err
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/agents/sync-tools", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	start = time.Now()
	resp, err := http.DefaultClient.Do(req)
	f.route = time.Since(start)
	if err != nil {
		return f, err
	}
	defer resp.Body.Close()
	var res struct {
		Updated, Total int
	}
	json.NewDecoder(resp.Body).Decode(&res)
	if resp.StatusCode != 200 {
		return f, fmt.Errorf("sync answered %d", resp.StatusCode)
	}
	f.updated, f.total = res.Updated, res.Total
	after, _ := versionStorage(ctx, s)
	f.versionsMB = float64(after.versionsBytes+after.blobsBytes-before.versionsBytes-before.blobsBytes) / (1 << 20)
	return f, nil
}

func report(results []result, syncs []syncFigures, st storageFigures, ready time.Duration, peak int64, ids benchIDs) {
	fmt.Printf("\nagentconsole benchmark (%d s per scenario, each figure the median of %d runs, spread min–max; wrk -t2, pgbench -j2 on the SQL each route runs, logged by PostgreSQL from one request: stmts; same PostgreSQL, same run)\n\n", seconds, runs)
	fmt.Printf("%-42s %5s %7s %8s %8s %15s %6s | %5s %9s %8s %8s | %6s %11s | %11s %6s\n", "scenario", "conns", "req/s", "p50 ms", "p99 ms", "p99 spread", "errors",
		"stmts", "limit tps", "p50 ms", "p99 ms", "ratio", "spread", "simple tps", "ratio")
	for _, r := range results {
		ratio, simple, sratio := "-", "-", "-"
		if len(r.ratios) > 0 {
			ratio = fmt.Sprintf("%.2f", median(r.ratios))
		}
		if r.simpleRPS > 0 {
			simple, sratio = fmt.Sprintf("%.0f", r.simpleRPS), fmt.Sprintf("%.2f", r.rps/r.simpleRPS)
		}
		fmt.Printf("%-42.42s %5d %7.0f %8.2f %8.2f %15s %6d | %5d %9.0f %8.2f %8.2f | %6s %11s | %11s %6s  (%s)\n", r.name, r.conns, r.rps, r.p50, r.p99, spread(r.p99s, "%.0f"), r.errors,
			r.stmts, r.limitRPS, r.limitP50, r.limitP99, ratio, spread(r.ratios, "%.2f"), simple, sratio, r.limitName)
	}
	fmt.Printf("\nserver CPU per request (process_cpu_seconds_total from /metrics, during each wrk run), the collector's share of it (the runtime's CPU classes without idle mark workers: an estimate from its workers' wall time, so only a quiet machine gives it; a busy one can show over 100%%), collections per 1,000 requests:\n")
	for _, r := range results {
		fmt.Printf("  %-42.42s %6.2f ms  GC %4.0f%%  %6.1f GCs/1k\n", r.name, r.cpuMs, r.gcShare*100, r.gcsPer1k)
	}
	reportSync(syncs)
	fmt.Printf("\nversion storage: %d versions, %d blobs: agent_versions %.1f MB + agent_blobs %.1f MB = %.1f MB (agents table %.1f MB)\n",
		st.versions, st.blobs, mb(st.versionsBytes), mb(st.blobsBytes), mb(st.versionsBytes+st.blobsBytes), mb(st.agentsBytes))
	fmt.Printf("server: ready %d ms after start on the migrated database; peak RSS %.1f MiB over the whole run\n", ready.Milliseconds(), float64(peak)/(1<<20))
}

// reportSync prints the sync's median over the rounds, each round's ratio to its own
// hand-written UPDATE, and each round's count (the same every round: the data is reset).
func reportSync(syncs []syncFigures) {
	var route, hand, ratios []float64
	var counts []string
	for _, f := range syncs {
		route, hand = append(route, f.route.Seconds()), append(hand, f.handWritten.Seconds())
		ratios = append(ratios, f.route.Seconds()/f.handWritten.Seconds())
		counts = append(counts, fmt.Sprintf("%d", f.updated))
	}
	last := syncs[len(syncs)-1]
	fmt.Printf("\n6. sync-tools after a catalog change to 2 tools (median of %d): updated %s of %d agents in %.2f s (one hand-written UPDATE of the same tools, no versions: %.2f s); ratio %.2f %s; versions written per run: %.1f MB\n",
		len(syncs), strings.Join(counts, "/"), last.total, median(route), median(hand), median(ratios), spread(ratios, "%.2f"), last.versionsMB)
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// outsideQuotes replaces whole-number tokens equal to old by repl where they are not
// inside a single-quoted SQL literal.
func outsideQuotes(sql, old, repl string) string {
	var b strings.Builder
	inQuote := false
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c == '\'' {
			inQuote = !inQuote
		}
		if !inQuote && strings.HasPrefix(sql[i:], old) && (i == 0 || !isDigit(sql[i-1])) &&
			(i+len(old) == len(sql) || !isDigit(sql[i+len(old)])) {
			b.WriteString(" " + repl + " ")
			i += len(old) - 1
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
