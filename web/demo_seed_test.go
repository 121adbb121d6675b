package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"agentconsole/db"
	"agentconsole/db/dbtest"
)

// demoCounts is what a second seed must not change: rows of every table the seed
// writes, and the catalog's current definitions.
func demoCounts(t *testing.T, s *db.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"agents", "agent_versions", "agent_tags", "tags", "knowledge_bases", "mcp_servers", "audit_log",
		"agent_cards", "card_refreshes", "agent_skill_roles", "skill_role_rules", "catalog_tool_versions", "catalog_imports", "users"} {
		var n int
		if err := s.DB.NewRaw("SELECT count(*) FROM "+table).Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		out[table] = fmt.Sprint(n)
	}
	var catalog string
	if err := s.DB.NewRaw(`SELECT string_agg(name || ':' || version || ':' || encode(definition_ref, 'hex') || ':' || updated_at::text, ',' ORDER BY name)
		FROM catalog_tools`).Scan(context.Background(), &catalog); err != nil {
		t.Fatal(err)
	}
	out["catalog_tools"] = catalog
	return out
}

// `agentconsole seed` on an empty database shows the product: a list of agents, an
// external agent's card with skills and a refresh history, and a sync with something
// to do; a second run changes nothing.
func TestDemoSeedPopulatesTheConsoleAndIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := dbtest.New(t)
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	catalogBefore := demoCounts(t, store)["catalog_tools"]
	added, err := store.SeedDemoContent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if added.Agents < 30 || added.Tags == 0 || added.KnowledgeBases == 0 || added.MCPServers == 0 || added.CardRefreshes < 2 {
		t.Fatalf("seeded: %+v", added)
	}
	e := startOn(t, store)
	tok := e.token("admin@demo.test")

	// The list, through the API.
	code, body := e.api("GET", "/api/agents?perPage=100", tok, "")
	var list struct {
		Total  int `json:"total"`
		Agents []struct {
			ID        int64          `json:"id"`
			Name      string         `json:"name"`
			Stage     string         `json:"stage"`
			AgentType string         `json:"agentType"`
			TagIDs    []int64        `json:"tagIds"`
			Tools     map[string]any `json:"tools"`
		} `json:"agents"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &list) != nil || list.Total < 30 {
		t.Fatalf("agents list: %d %.300s", code, body)
	}
	ids := map[string]int64{}
	stages, tagged := map[string]int{}, 0
	for _, a := range list.Agents {
		ids[a.Name] = a.ID
		stages[a.Stage+"/"+a.AgentType]++
		if len(a.TagIDs) > 0 {
			tagged++
		}
	}
	if stages["development/native"] == 0 || stages["released/native"] == 0 || stages["released/external"]+stages["development/external"] == 0 || tagged < 20 {
		t.Fatalf("want varied stages and types, most agents tagged: %v, %d tagged", stages, tagged)
	}
	// call_agent and search_knowledge_base carry ids of the organisation's agents and knowledge bases.
	triage := list.Agents[0]
	for _, a := range list.Agents {
		if a.Name == "Support Triage" {
			triage = a
		}
	}
	callConfig, _ := json.Marshal(triage.Tools["call_agent"])
	kbConfig, _ := json.Marshal(triage.Tools["search_knowledge_base"])
	if want := fmt.Sprintf(`"callableAgentIds":[%d,%d]`, ids["Billing Assistant"], ids["Refund Specialist"]); !strings.Contains(string(callConfig), want) ||
		!strings.Contains(string(kbConfig), `"accessibleKnowledgeBaseIds":[`) {
		t.Fatalf("Support Triage's tool configs: %s %s", callConfig, kbConfig)
	}
	// Its history was made by the domain operations: several sources and authors.
	code, body = e.api("GET", fmt.Sprintf("/api/agents/versions?agentId=%d", triage.ID), tok, "")
	for _, want := range []string{`"source":"create"`, `"source":"update"`, `"source":"capability"`, `"source":"publish"`, `"source":"tags"`, `"source":"restore"`,
		`"author":"builder@demo.test"`, `"author":"admin@demo.test"`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Fatalf("Support Triage's history lacks %s: %d %.500s", want, code, body)
		}
	}

	// The external agent's card page, in the console.
	travel := ids["Acme Travel Desk"]
	browser := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	resp, page := browser.get(fmt.Sprintf("/agents/%d/card", travel))
	for _, want := range []string{"Book a train", "book-flight", "Visa and entry requirements", "Acme Travel Ltd.", "acmeOAuth", "travel-coordinator"} {
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
			t.Fatalf("card page lacks %q: %d", want, resp.StatusCode)
		}
	}
	// Its refresh history: the older (v0.3) fixture, then the current one with a diff.
	code, body = e.api("GET", fmt.Sprintf("/api/agents/%d/card-refreshes", travel), tok, "")
	var history struct {
		Refreshes []struct {
			Outcome     string `json:"outcome"`
			SpecVersion string `json:"specVersion"`
			Report      struct {
				Added   []string `json:"skillsAdded"`
				Removed []string `json:"skillsRemoved"`
				Changed []string `json:"skillsChanged"`
			} `json:"changeReport"`
		} `json:"refreshes"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &history) != nil || len(history.Refreshes) != 2 {
		t.Fatalf("refresh history: %d %.500s", code, body)
	}
	if last := history.Refreshes[0]; last.Outcome != "changed" || last.SpecVersion != "1.0" || history.Refreshes[1].SpecVersion != "0.3.0" ||
		len(last.Report.Added) == 0 || len(last.Report.Removed) == 0 || len(last.Report.Changed) == 0 {
		t.Fatalf("refresh history: %+v", history.Refreshes)
	}

	// The sync has something to do: agents built on the previous web_search.
	code, body = e.api("GET", "/api/agents/sync-tools/preview", tok, "")
	var preview struct {
		Agents  []struct{ Name string } `json:"agents"`
		Changes []struct {
			Tool   string `json:"tool"`
			Agents []any  `json:"agents"`
		} `json:"changes"`
		InvalidConfigs []any `json:"invalidConfigs"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &preview) != nil || len(preview.Agents) == 0 || len(preview.Changes) != 1 ||
		preview.Changes[0].Tool != "web_search" || len(preview.InvalidConfigs) != 0 {
		t.Fatalf("sync preview: %d %.600s", code, body)
	}
	if bad, err := store.InconsistentAgents(ctx, demoOrgID(t, store)); err != nil || len(bad) > 0 {
		t.Fatalf("agents whose row differs from their newest version: %v %v", bad, err)
	}

	// A second run adds nothing and changes nothing; the catalog is as it was.
	before := demoCounts(t, store)
	if before["catalog_tools"] != catalogBefore {
		t.Fatalf("seeding changed the catalog's current tools:\n%s\n%s", catalogBefore, before["catalog_tools"])
	}
	again, err := store.SeedDemoContent(ctx)
	if err != nil || *again != (db.DemoContent{}) {
		t.Fatalf("second seed added %+v (%v)", again, err)
	}
	if _, err := store.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	after := demoCounts(t, store)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("second seed changed %s: %s → %s", k, v, after[k])
		}
	}
	usageAgrees(t, e)
}

func demoOrgID(t *testing.T, s *db.Store) int64 {
	t.Helper()
	org, err := s.OrganizationBySlug(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	return org.ID
}
