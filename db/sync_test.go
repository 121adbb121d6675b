package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/catalog"
	"agentconsole/db/dbtest"
)

// bump loads a catalog where the named tools' parameters gained a property.
func bump(t *testing.T, s *db.Store, version string, tools ...string) {
	t.Helper()
	var f map[string]any
	json.Unmarshal(catalog.Bundled, &f)
	f["catalogVersion"] = version
	for _, name := range tools {
		props := f["native"].(map[string]any)[name].(map[string]any)["parameters"].(map[string]any)["properties"].(map[string]any)
		props["added"+version] = map[string]any{"type": "string"}
	}
	raw, _ := json.Marshal(f)
	c, err := catalog.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.ImportCatalog(context.Background(), nil, c, raw, "cli")
	if err != nil || len(res.Changed) != len(tools) {
		t.Fatalf("import: %+v %v", res, err)
	}
}

func TestSyncUpdatesExactlyTheOutdatedAgentsKeepingConfig(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	kb, _ := s.CreateKnowledgeBase(ctx, admin, "Docs")
	helper, _ := s.SaveAgent(ctx, admin, patch(t, `{"name":"helper"}`), db.SourceCreate)
	config := fmt.Sprintf(`{"callableAgentIds":[%d]}`, helper.ID)
	var withSearch, withCall, untouched []int64
	for i := 0; i < 6; i++ {
		var body string
		switch i % 3 {
		case 0:
			body = fmt.Sprintf(`{"name":"s%d","tools":{"web_search":{},"search_knowledge_base":{"config":{"accessibleKnowledgeBaseIds":[%d]}},"google:code_execution":{"isProviderTool":true}}}`, i, kb.ID)
		case 1:
			body = fmt.Sprintf(`{"name":"c%d","tools":{"call_agent":{"config":%s},"scrape_url":{}}}`, i, config)
		default:
			body = fmt.Sprintf(`{"name":"u%d","tools":{"scrape_url":{}}}`, i)
		}
		a, err := s.SaveAgent(ctx, admin, patch(t, body), db.SourceCreate)
		if err != nil {
			t.Fatal(err)
		}
		map[int]*[]int64{0: &withSearch, 1: &withCall, 2: &untouched}[i%3] = ptrAppend(map[int]*[]int64{0: &withSearch, 1: &withCall, 2: &untouched}[i%3], a.ID)
	}
	beforeConfig := toolJSON(t, s, withCall[0], "call_agent", "config")
	if !strings.Contains(beforeConfig, "callableAgentIds") {
		t.Fatalf("config not stored: %q", beforeConfig)
	}
	bump(t, s, "2027.1", "search_knowledge_base", "call_agent")

	preview, err := s.PreviewSync(ctx, admin.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.SyncTools(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]int64{}, withSearch...), withCall...)
	if res.Updated != len(want) || res.Total != 7 || len(res.Agents) != len(want) {
		t.Fatalf("sync: %+v", res)
	}
	// The preview listed exactly what the run changed.
	if fmt.Sprint(preview.Agents) != fmt.Sprint(res.Agents) || len(preview.Groups) != 2 {
		t.Fatalf("preview %v vs run %v (%d groups)", preview.Agents, res.Agents, len(preview.Groups))
	}
	if got := toolJSON(t, s, withCall[0], "call_agent", "config"); got != beforeConfig {
		t.Fatalf("config changed: %s → %s", beforeConfig, got)
	}
	if !strings.Contains(toolJSON(t, s, withSearch[0], "search_knowledge_base", "parameters"), "added2027.1") {
		t.Fatal("schema not synced")
	}
	if toolJSON(t, s, withSearch[0], "google:code_execution", "") != `{"isProviderTool": true}` {
		t.Fatal("provider tool touched")
	}
	// One version per changed agent, none for the others; a second sync changes nothing.
	var syncVersions int
	s.DB.NewRaw("SELECT count(*) FROM agent_versions WHERE source = 'sync'").Scan(ctx, &syncVersions)
	if syncVersions != len(want) {
		t.Fatalf("sync versions: %d", syncVersions)
	}
	v, _ := s.Agent(ctx, admin.OrgID, withSearch[0])
	ver, _ := s.Version(ctx, admin.OrgID, *v.PublishedVersionID)
	if ver.Source != "sync" || !strings.Contains(string(ver.Snapshot), "added2027.1") || !strings.Contains(string(ver.Snapshot), "accessibleKnowledgeBaseIds") {
		t.Fatalf("sync version snapshot: %s", ver.Snapshot)
	}
	// The sync builds each version's tools map from the previous one in SQL: it must be
	// the very blob a save of the same tools stores, and every agent equal to its newest version.
	var mismatched int
	s.DB.NewRaw(`SELECT count(*) FROM agents a JOIN agent_versions v ON v.id = a.published_version_id
		WHERE v.source = 'sync' AND v.tools_ref <> agent_tools_put(agent_tools_expand(a.tools))`).Scan(ctx, &mismatched)
	if mismatched != 0 {
		t.Fatalf("%d sync versions store a tools map unlike a save's", mismatched)
	}
	if bad, err := s.InconsistentAgents(ctx, admin.OrgID); err != nil || len(bad) != 0 {
		t.Fatalf("agents unlike their newest version after the sync: %v %v", bad, err)
	}
	again, _ := s.SyncTools(ctx, admin)
	if again.Updated != 0 || len(again.Agents) != 0 {
		t.Fatalf("second sync: %+v", again)
	}
	usageAgrees(t, s, admin.OrgID, "after the syncs")
}

func TestSyncIsAllOrNothing(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	for i := 0; i < 5; i++ {
		s.SaveAgent(ctx, admin, patch(t, fmt.Sprintf(`{"name":"a%d","tools":{"web_search":{}}}`, i)), db.SourceCreate)
	}
	bump(t, s, "2027.2", "web_search")
	// Kill the connection in the middle of the sync: the version insert fails after the
	// agents were rewritten inside the transaction.
	owner := dbtest.Owner(t, s) // the server's role may not create triggers
	owner.DB.ExecContext(ctx, `CREATE FUNCTION fail_sync() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.source = 'sync' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; RETURN NEW; END $$`)
	owner.DB.ExecContext(ctx, `CREATE TRIGGER fail_sync BEFORE INSERT ON agent_versions FOR EACH ROW EXECUTE FUNCTION fail_sync()`)
	if _, err := s.SyncTools(ctx, admin); err == nil {
		t.Fatal("sync survived a killed connection")
	}
	owner.DB.ExecContext(ctx, `DROP TRIGGER fail_sync ON agent_versions`)
	n, err := s.OutdatedAgents(ctx, admin.OrgID)
	if err != nil || n != 5 {
		t.Fatalf("after the failed sync %d agents are outdated (want all 5): %v", n, err)
	}
	var versions int
	s.DB.NewRaw("SELECT count(*) FROM agent_versions WHERE source = 'sync'").Scan(ctx, &versions)
	if versions != 0 {
		t.Fatal("versions left by a failed sync")
	}
	usageAgrees(t, s, admin.OrgID, "after the failed sync")
	if res, err := s.SyncTools(ctx, admin); err != nil || res.Updated != 5 {
		t.Fatalf("sync after recovery: %+v %v", res, err)
	}
	usageAgrees(t, s, admin.OrgID, "after the sync")
}

func TestUnknownToolsRefusedAndConfigChecked(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	var ve *db.ValidationError
	_, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"x","tools":{"teleport":{}}}`), db.SourceCreate)
	if !errors.As(err, &ve) || ve.Details[0].Message != `Unknown tool "teleport": it is not in the tool catalog` {
		t.Fatalf("unknown tool: %v", err)
	}
	_, err = s.SaveAgent(ctx, admin, patch(t, `{"name":"x","tools":{"call_agent":{"config":{"callableAgentIds":["one"]}}}}`), db.SourceCreate)
	if !errors.As(err, &ve) || fmt.Sprint(ve.Details[0].Path) != "[tools call_agent config callableAgentIds 0]" {
		t.Fatalf("config schema: %v %+v", err, ve)
	}
	a, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"x","tools":{"web_search":{"description":"stale copy","parameters":{"type":"object"}},"get_weather":{}}}`), db.SourceCreate)
	if err != nil || !strings.Contains(string(a.Tools["web_search"]), "maxResults") {
		t.Fatalf("save did not refresh the schema: %s %v", a.Tools["web_search"], err)
	}
	// get_weather leaves the catalog: the agent keeps its stored definition, and a save
	// that sends only a config for it keeps the definition too.
	var f map[string]any
	json.Unmarshal(catalog.Bundled, &f)
	f["catalogVersion"] = "without-weather"
	delete(f["native"].(map[string]any), "get_weather")
	raw, _ := json.Marshal(f)
	c, _ := catalog.Parse(raw)
	if _, err := s.ImportCatalog(ctx, nil, c, raw, "cli"); err != nil {
		t.Fatal(err)
	}
	a, err = s.SaveAgent(ctx, admin, patch(t, `{"id":`+itoa(a.ID)+`,"tools":{"web_search":{},"get_weather":{"config":{"k":1}}}}`), db.SourceUpdate)
	if err != nil || !strings.Contains(string(a.Tools["get_weather"]), `"location"`) || !strings.Contains(string(a.Tools["get_weather"]), `"config":{"k":1}`) {
		t.Fatalf("tool that left the catalog: %s %v", a.Tools["get_weather"], err)
	}
	if _, err := s.SaveAgent(ctx, admin, patch(t, `{"name":"y","tools":{"get_weather":{}}}`), db.SourceCreate); !errors.As(err, &ve) {
		t.Fatal("a tool that left the catalog was added to a new agent")
	}
}

func ptrAppend(p *[]int64, id int64) *[]int64 { *p = append(*p, id); return p }

func toolJSON(t *testing.T, s *db.Store, agentID int64, tool, field string) string {
	t.Helper()
	var out string
	path := tool
	if field != "" {
		path += "," + field
	}
	s.DB.NewRaw("SELECT (agent_tools_expand(tools) #> ?::text[])::text FROM agents WHERE id = ?", "{"+path+"}", agentID).Scan(context.Background(), &out)
	return out
}

// Agents store references to catalog definitions, never copies, while every reader
// (agent, versions) sees whole definitions; a copy stored inline (rows from before
// migration 007) reads the same and is synced to a reference; a client cannot send a
// reference of its own.
func TestAgentsStoreCatalogDefinitionsByReference(t *testing.T) {
	t.Parallel()
	s := dbtest.Seeded(t)
	ctx := context.Background()
	admin := demoAdmin(t, s)
	search, err := s.CatalogToolByName(ctx, "web_search")
	if err != nil {
		t.Fatal(err)
	}
	var def map[string]json.RawMessage
	json.Unmarshal(search.Definition, &def)
	withConfig, _ := json.Marshal(map[string]any{"description": json.RawMessage(def["description"]), "parameters": json.RawMessage(def["parameters"]),
		"config": map[string]any{"region": "eu"}})
	body := fmt.Sprintf(`{"name":"refs","tools":{"web_search":%s,"scrape_url":{},"google:code_execution":{"isProviderTool":true}}}`, withConfig)
	a, err := s.SaveAgent(ctx, admin, patch(t, body), db.SourceCreate)
	if err != nil {
		t.Fatal(err)
	}
	var raw string
	var stored map[string]map[string]json.RawMessage
	s.DB.NewRaw("SELECT tools::text FROM agents WHERE id = ?", a.ID).Scan(ctx, &raw)
	json.Unmarshal([]byte(raw), &stored)
	if _, ok := stored["web_search"]["$def"]; !ok || stored["web_search"]["parameters"] != nil || string(stored["web_search"]["config"]) != `{"region": "eu"}` {
		t.Fatalf("catalog tool stored as %v", stored["web_search"])
	}
	if _, ok := stored["google:code_execution"]["$def"]; !ok {
		t.Fatalf("provider tool stored as %v", stored["google:code_execution"])
	}
	read, _ := s.Agent(ctx, admin.OrgID, a.ID)
	if got := toolJSON(t, s, a.ID, "web_search", "parameters"); !strings.Contains(string(read.Tools["web_search"]), `"parameters"`) || !strings.Contains(got, "query") {
		t.Fatalf("read back: %s", read.Tools["web_search"])
	}
	v, _ := s.Version(ctx, admin.OrgID, *read.PublishedVersionID)
	if !strings.Contains(string(v.Snapshot), `"region": "eu"`) || !strings.Contains(string(v.Snapshot), `"query"`) || strings.Contains(string(v.Snapshot), "$def") {
		t.Fatalf("version snapshot: %s", v.Snapshot)
	}
	// An old inline copy: read as stored, counted outdated, synced to a reference.
	s.DB.NewRaw(`UPDATE agents SET tools = jsonb_set(tools, '{scrape_url}', '{"description": "old copy", "parameters": {"type": "object"}}') WHERE id = ?`, a.ID).Exec(ctx)
	if read, _ := s.Agent(ctx, admin.OrgID, a.ID); !strings.Contains(string(read.Tools["scrape_url"]), "old copy") {
		t.Fatalf("inline copy read as %s", read.Tools["scrape_url"])
	}
	if n, _ := s.OutdatedAgents(ctx, admin.OrgID); n != 1 {
		t.Fatalf("outdated agents: %d", n)
	}
	if res, err := s.SyncTools(ctx, admin); err != nil || res.Updated != 1 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	if got := toolJSON(t, s, a.ID, "scrape_url", "description"); strings.Contains(got, "old copy") || got == "" {
		t.Fatalf("synced copy: %s", got)
	}
	s.DB.NewRaw("SELECT tools::text FROM agents WHERE id = ?", a.ID).Scan(ctx, &raw)
	if strings.Contains(raw, "old copy") || strings.Contains(raw, "parameters") {
		t.Fatalf("stored after sync: %s", raw)
	}
	_, err = s.SaveAgent(ctx, admin, patch(t, `{"name":"sneaky","tools":{"web_search":{"$def":"00"}}}`), db.SourceCreate)
	var verr *db.ValidationError
	if !errors.As(err, &verr) || fmt.Sprint(verr.Details[0].Path) != "[tools web_search]" {
		t.Fatalf("a client's $def: %v", err)
	}
}
