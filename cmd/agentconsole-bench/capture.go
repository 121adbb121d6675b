package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"agentconsole/db"
	"agentconsole/db/catalog"
)

// captureScripts calls, with a capturing hook, the store methods each route calls with
// the route's inputs, and writes the statements as pgbench scripts: the SQL PostgreSQL
// would see from the route, run by pgbench at the same concurrency.
func captureScripts(ctx context.Context, s *db.Store, capture *sqlCapture, _ string, token string, builder *db.Actor,
	tagID, minID, maxID, longID, firstVersion, lastVersion int64, work string) (map[string]string, error) {
	sid, err := s.CreateSession(ctx, builder, time.Hour)
	if err != nil {
		return nil, err
	}
	capture.take()
	scripts := map[string]string{}
	write := func(name string, queries []string) {
		path := filepath.Join(work, name+".sql")
		var b strings.Builder
		for _, q := range queries {
			b.WriteString(strings.TrimSpace(q))
			b.WriteString(";\n")
		}
		os.WriteFile(path, []byte(b.String()), 0o644)
		scripts[name] = path
	}
	org := builder.OrgID

	// 1. /agents?tag=&perPage=50: session, the page, its count, its tags, the tag list.
	s.ActorBySession(ctx, sid)
	s.Agents(ctx, org, db.AgentFilter{TagIDs: []int64{tagID}, PerPage: 50, Summary: true})
	s.Tags(ctx, org)
	write("list", capture.take())

	// 2. /api/agents?perPage=50: token, the page.
	s.ActorByToken(ctx, token)
	capture.take() // the first use also stamps last_used_at, which later calls skip
	s.ActorByToken(ctx, token)
	s.Agents(ctx, org, db.AgentFilter{PerPage: 50})
	write("api_list", capture.take())

	// 3. /agents/{id}: session, agent + tags, models, tags, MCP servers, catalog, choices, KBs.
	id := minID + 17
	s.ActorBySession(ctx, sid)
	a, _ := s.Agent(ctx, org, id)
	s.Models(ctx)
	s.Tags(ctx, org)
	s.MCPServers(ctx, org)
	s.CatalogTools(ctx)
	s.AgentChoices(ctx, org, nil, 500)
	s.KnowledgeBases(ctx, org)
	_ = a
	write("editor", capture.take())

	// 4. PUT /api/agents/{id}: token, then the save's transaction, for a random agent.
	if scripts["save"], err = captureSave(ctx, s, capture, token, builder, id, work); err != nil {
		return nil, err
	}

	// 5a. /agents/{id}/versions for the 1,000-version agent.
	s.ActorBySession(ctx, sid)
	s.AgentHead(ctx, org, longID)
	s.VersionHistory(ctx, org, longID, db.VersionFilter{})
	write("history", capture.take())

	// 5b. /agents/{id}/diff?from=v1&to=v1000.
	s.ActorBySession(ctx, sid)
	s.AgentHead(ctx, org, longID)
	from, to, err := s.VersionPair(ctx, org, longID, firstVersion, lastVersion)
	if err != nil {
		return nil, err
	}
	s.DiffNames(ctx, org, from.Snapshot, to.Snapshot)
	s.VersionChoices(ctx, org, longID, 200)
	write("diff", capture.take())
	_ = maxID
	return scripts, nil
}

// captureSave captures the API save of agent id (token, then the save's transaction)
// as a pgbench script that saves a random agent instead.
func captureSave(ctx context.Context, s *db.Store, capture *sqlCapture, token string, builder *db.Actor, id int64, work string) (string, error) {
	s.ActorByToken(ctx, token)
	marker := fmt.Sprintf("bench save marker %d", time.Now().UnixNano())
	p := &db.AgentPatch{ID: db.Some(id), Description: db.Some(marker)}
	if _, err := s.SaveAgent(ctx, builder, p, db.SourceUpdate); err != nil {
		return "", err
	}
	save := capture.take()
	// The agent id becomes a random one, outside string literals only (pgbench does not
	// substitute inside them; the snapshot JSON keeps the captured id, which costs the same).
	script := []string{`\set aid random(:minid, :maxid)`}
	for _, q := range save {
		script = append(script, strings.ReplaceAll(outsideQuotes(q, fmt.Sprint(id), ":aid"), marker, "bench save"))
	}
	path := filepath.Join(work, "save.sql")
	var b strings.Builder
	for i, q := range script {
		b.WriteString(strings.TrimSpace(q))
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString("\n")
	}
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
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
	fmt.Printf("\nagentconsole benchmark (%d s per scenario, each figure the median of %d runs, spread min–max; wrk -t2, pgbench -j2 on the SQL each route runs; same PostgreSQL, same run)\n\n", seconds, runs)
	fmt.Printf("%-42s %5s %7s %8s %8s %15s %6s | %9s %8s %8s | %6s %11s | %11s %6s\n", "scenario", "conns", "req/s", "p50 ms", "p99 ms", "p99 spread", "errors",
		"limit tps", "p50 ms", "p99 ms", "ratio", "spread", "simple tps", "ratio")
	for _, r := range results {
		ratio, simple, sratio := "-", "-", "-"
		if len(r.ratios) > 0 {
			ratio = fmt.Sprintf("%.2f", median(r.ratios))
		}
		if r.simpleRPS > 0 {
			simple, sratio = fmt.Sprintf("%.0f", r.simpleRPS), fmt.Sprintf("%.2f", r.rps/r.simpleRPS)
		}
		fmt.Printf("%-42.42s %5d %7.0f %8.2f %8.2f %15s %6d | %9.0f %8.2f %8.2f | %6s %11s | %11s %6s  (%s)\n", r.name, r.conns, r.rps, r.p50, r.p99, spread(r.p99s, "%.0f"), r.errors,
			r.limitRPS, r.limitP50, r.limitP99, ratio, spread(r.ratios, "%.2f"), simple, sratio, r.limitName)
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
