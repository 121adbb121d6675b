package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/db/dbtest"
	"agentconsole/web"
)

// testServer is the real console on its own database, over real HTTP.
type testServer struct {
	t     *testing.T
	url   string
	store *db.Store
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	store := dbtest.Seeded(t)
	cfg := web.DefaultConfig()
	cfg.CardTick = 0
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := web.New(ctx, cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(25 * time.Second):
			t.Error("server did not stop")
		}
	})
	return &testServer{t: t, url: "http://" + ln.Addr().String(), store: store}
}

func (s *testServer) token(email string) string {
	s.t.Helper()
	a, err := s.store.ActorByEmail(context.Background(), email)
	if err != nil {
		s.t.Fatal(err)
	}
	_, secret, err := s.store.CreateToken(context.Background(), a, a.UserID, "test")
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

// api calls the JSON API and decodes the answer; any status but want fails the test.
func (s *testServer) api(token, method, path, body string, want int) map[string]any {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		s.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

func id(m map[string]any) string { return fmt.Sprint(int64(m["id"].(float64))) }

// agentsCLI runs `agentconsole agents …` against the server as the token's member and
// answers its output and exit code.
func (s *testServer) agentsCLI(token string, args ...string) (string, int) {
	s.t.Helper()
	s.t.Setenv("AGENTCONSOLE_TOKEN", token)
	var out bytes.Buffer
	err := run(context.Background(), append(append([]string{"agents"}, args...), "--url", s.url), nil, &out)
	var ee *exitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.code
	}
	s.t.Fatalf("agents %v: %v\n%s", args, err, out.String())
	return "", -1
}

// readDir is every file of dir with its content.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// fixture makes, in the token's organisation, a knowledge base, an MCP server and two
// agents that refer to them and to each other by id.
func fixture(s *testServer, tok string) (support, billing map[string]any) {
	kb := s.api(tok, "POST", "/api/knowledge-bases", `{"name":"Billing docs"}`, 200)
	mcp := s.api(tok, "POST", "/api/mcp-servers", `{"name":"Ticket search","url":"https://mcp.example.com/tickets"}`, 200)
	tag := s.api(tok, "POST", "/api/agent-tags", `{"name":"customer-facing"}`, 200)
	billing = s.api(tok, "POST", "/api/agents", `{"name":"Billing helper","description":"Answers invoice questions","tagIds":[`+id(tag)+`]}`, 200)
	body, _ := json.Marshal(map[string]any{
		"name":         "Support",
		"description":  "First line support",
		"systemPrompt": "You are the support agent.\nAlways greet the customer by name.\nEscalate refunds to Billing helper.\n",
		"tagIds":       []any{tag["id"]},
		"mcpServers":   []any{mcp["id"]},
		"tools": map[string]any{
			"call_agent":            map[string]any{"config": map[string]any{"callableAgentIds": []any{billing["id"]}}},
			"search_knowledge_base": map[string]any{"config": map[string]any{"accessibleKnowledgeBaseIds": []any{kb["id"]}}},
			"web_search":            map[string]any{},
		},
	})
	support = s.api(tok, "POST", "/api/agents", string(body), 200)
	return support, billing
}

func fileOf(t *testing.T, dir string, agent map[string]any) string {
	t.Helper()
	return filepath.Join(dir, agent["uuid"].(string)+".yaml")
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q:\n%s", path, old, b)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

type planJSON struct {
	Changes []struct {
		Action string `json:"action"`
		Name   string `json:"name"`
		File   string `json:"file"`
		Result string `json:"result"`
		Error  string `json:"error"`
		Diff   *struct {
			Fields []struct {
				Field, Before, After string
			} `json:"fields"`
			Prompt []struct {
				Op, Old, New string
			} `json:"prompt"`
			ToolsAdded   []string `json:"toolsAdded"`
			ToolsRemoved []string `json:"toolsRemoved"`
			ToolsChanged []any    `json:"toolsChanged"`
		} `json:"diff"`
		Details []string `json:"details"`
	} `json:"changes"`
	ToDo int `json:"toDo"`
}

func decodePlan(t *testing.T, out string) planJSON {
	t.Helper()
	var p planJSON
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return p
}

func TestAgentsPullPlanApply(t *testing.T) {
	s := startServer(t)
	builder, admin := s.token("builder@demo.test"), s.token("admin@demo.test")
	support, billing := fixture(s, builder)
	dir := t.TempDir()

	out, code := s.agentsCLI(builder, "pull", dir)
	if code != 0 || !strings.Contains(out, "pulled 2 agents") {
		t.Fatalf("pull: %d %s", code, out)
	}
	files := readDir(t, dir)
	supportFile := files[support["uuid"].(string)+".yaml"]
	if len(files) != 3 || files[stateFile] == "" || supportFile == "" {
		t.Fatalf("pull wrote %v", files)
	}
	// References by name, the prompt as a block scalar, no integer ids, no slug.
	for _, want := range []string{"systemPrompt: |\n  You are the support agent.\n  Always greet the customer by name.\n", "callableAgentNames:\n        - Billing helper",
		"accessibleKnowledgeBaseNames:\n        - Billing docs", "- customer-facing", "name: Ticket search", "web_search: {}"} {
		if !strings.Contains(supportFile, want) {
			t.Errorf("the support file lacks %q:\n%s", want, supportFile)
		}
	}
	for _, never := range []string{"Ids", "tagIds", "emailSlug", "publishedVersionId", "parameters", `"id"`} {
		if strings.Contains(supportFile, never) {
			t.Errorf("the support file holds %q:\n%s", never, supportFile)
		}
	}
	if !strings.Contains(files[stateFile], support["uuid"].(string)+": "+fmt.Sprint(support["publishedVersionId"])) {
		t.Errorf("the state file does not name the pulled version:\n%s", files[stateFile])
	}

	// Pulling twice changes nothing.
	if out, code := s.agentsCLI(builder, "pull", dir); code != 0 || !strings.Contains(out, "0 files written, 0 removed") {
		t.Fatalf("second pull: %d %s", code, out)
	}
	if again := readDir(t, dir); fmt.Sprint(again) != fmt.Sprint(files) {
		t.Fatalf("a second pull changed the files")
	}
	if out, code := s.agentsCLI(builder, "plan", dir); code != 0 || !strings.Contains(out, "No changes") {
		t.Fatalf("plan after pull: %d %s", code, out)
	}

	// One prompt line edited: plan shows exactly that line, and exits 2.
	editFile(t, fileOf(t, dir, support), "Always greet the customer by name.", "Always greet the customer by their first name.")
	out, code = s.agentsCLI(builder, "plan", dir, "--output", "json")
	if code != 2 {
		t.Fatalf("plan after an edit: %d %s", code, out)
	}
	p := decodePlan(t, out)
	var changed []string
	for _, c := range p.Changes {
		if c.Action != "unchanged" {
			changed = append(changed, c.Action+" "+c.Name)
		}
	}
	if p.ToDo != 1 || fmt.Sprint(changed) != "[update Support]" {
		t.Fatalf("plan: %v %s", changed, out)
	}
	for _, c := range p.Changes {
		if c.Action != "update" {
			continue
		}
		d := c.Diff
		var lines []string
		for _, l := range d.Prompt {
			if l.Op != "=" {
				lines = append(lines, l.Op+" "+l.Old+" → "+l.New)
			}
		}
		if len(d.Fields)+len(d.ToolsAdded)+len(d.ToolsRemoved)+len(d.ToolsChanged) != 0 ||
			fmt.Sprint(lines) != "[~ Always greet the customer by name. → Always greet the customer by their first name.]" {
			t.Fatalf("plan diff: %v %s", lines, out)
		}
	}
	if text, code := s.agentsCLI(builder, "plan", dir); code != 2 || !strings.Contains(text, "~ Support") ||
		!strings.Contains(text, "      - Always greet the customer by name.\n      + Always greet the customer by their first name.\n") {
		t.Fatalf("plan text: %d %s", code, text)
	}

	// Apply saves it with the message as a new version; then nothing is left to do.
	out, code = s.agentsCLI(builder, "apply", dir, "--message", "commit 1a2b3c: greet by first name")
	if code != 0 || !strings.Contains(out, "updated Support") || !strings.Contains(out, "applied 1, failed 0") {
		t.Fatalf("apply: %d %s", code, out)
	}
	versions := s.api(builder, "GET", "/api/agents/versions?agentId="+id(support), "", 200)["versions"].([]any)
	newest := versions[0].(map[string]any)
	if len(versions) != 2 || newest["message"] != "commit 1a2b3c: greet by first name" || newest["source"] != "import" {
		t.Fatalf("versions after apply: %v", versions)
	}
	now := s.api(builder, "GET", "/api/agents/"+id(support), "", 200)
	if !strings.Contains(now["systemPrompt"].(string), "by their first name") || len(now["tagIds"].([]any)) != 1 ||
		len(now["mcpServers"].([]any)) != 1 || now["description"] != "First line support" {
		t.Fatalf("the agent after apply: %v", now)
	}
	if out, code := s.agentsCLI(builder, "plan", dir); code != 0 {
		t.Fatalf("plan after apply: %d %s", code, out)
	}

	// Someone edits Support in the console after the pull: apply refuses it and names it,
	// but goes on with Billing helper.
	s.api(admin, "PUT", "/api/agents/"+id(support), `{"description":"Edited in the console"}`, 200)
	editFile(t, fileOf(t, dir, support), "Escalate refunds", "Escalate all refunds")
	editFile(t, fileOf(t, dir, billing), "Answers invoice questions", "Answers invoice and refund questions")
	out, code = s.agentsCLI(builder, "apply", dir, "--message", "commit 2")
	if code != 1 || !strings.Contains(out, "refused Support ("+support["uuid"].(string)+".yaml): Precondition Failed") ||
		!strings.Contains(out, "updated Billing helper") || !strings.Contains(out, "applied 1, failed 1") {
		t.Fatalf("apply over a server edit: %d %s", code, out)
	}
	now = s.api(builder, "GET", "/api/agents/"+id(support), "", 200)
	if now["description"] != "Edited in the console" || strings.Contains(now["systemPrompt"].(string), "all refunds") {
		t.Fatalf("a refused apply changed the agent: %v", now)
	}
	if b := s.api(builder, "GET", "/api/agents/"+id(billing), "", 200); b["description"] != "Answers invoice and refund questions" {
		t.Fatalf("billing helper was not applied: %v", b)
	}
	// --force overwrites (the file is the truth), and records the new version.
	if out, code := s.agentsCLI(builder, "apply", dir, "--force"); code != 0 || !strings.Contains(out, "updated Support") {
		t.Fatalf("apply --force: %d %s", code, out)
	}
	if now := s.api(builder, "GET", "/api/agents/"+id(support), "", 200); now["description"] != "First line support" {
		t.Fatalf("--force did not apply the file: %v", now)
	}

	// An invalid file: the server's message, with the file and the field path; nothing
	// of that agent is saved.
	before := s.api(builder, "GET", "/api/agents/"+id(billing), "", 200)
	editFile(t, fileOf(t, dir, billing), "name: Billing helper", "name: Billing helper\nmaxToolRoundtrips: 0")
	editFile(t, fileOf(t, dir, billing), "description: Answers invoice and refund questions", "description: Changed too")
	out, code = s.agentsCLI(builder, "apply", dir)
	if code != 1 || !strings.Contains(out, "invalid Billing helper") ||
		!strings.Contains(out, billing["uuid"].(string)+".yaml: maxToolRoundtrips: ") {
		t.Fatalf("invalid file: %d %s", code, out)
	}
	if after := s.api(builder, "GET", "/api/agents/"+id(billing), "", 200); after["publishedVersionId"] != before["publishedVersionId"] || after["description"] != before["description"] {
		t.Fatalf("an invalid file was half applied: %v", after)
	}
	// A misspelt field is refused before anything is sent, naming the file and line.
	editFile(t, fileOf(t, dir, billing), "maxToolRoundtrips: 0", "maxToolRoundTrips: 3")
	if err := run(context.Background(), []string{"agents", "plan", dir, "--url", s.url}, nil, io.Discard); err == nil ||
		!strings.Contains(err.Error(), billing["uuid"].(string)+".yaml") || !strings.Contains(err.Error(), "maxToolRoundTrips") {
		t.Fatalf("a misspelt field: %v", err)
	}
	os.Remove(fileOf(t, dir, billing))

	// A deleted file deletes its agent only with --prune.
	if out, code := s.agentsCLI(builder, "plan", dir); code != 0 || !strings.Contains(out, "kept unless --prune") {
		t.Fatalf("plan without the file: %d %s", code, out)
	}
	if out, code := s.agentsCLI(builder, "apply", dir); code != 0 || !strings.Contains(out, "applied 0, failed 0") {
		t.Fatalf("apply without --prune: %d %s", code, out)
	}
	if got := s.api(builder, "GET", "/api/agents/"+id(billing), "", 200); got["deletedAt"] != nil {
		t.Fatalf("billing deleted by a proposed apply: %v", got)
	}
	if out, code := s.agentsCLI(builder, "plan", dir, "--prune"); code != 2 || !strings.Contains(out, "- Billing helper ("+billing["uuid"].(string)+"): deleted") {
		t.Fatalf("plan --prune: %d %s", code, out)
	}
	if out, code := s.agentsCLI(builder, "apply", dir, "--prune"); code != 0 || !strings.Contains(out, "deleted Billing helper") {
		t.Fatalf("apply --prune: %d %s", code, out)
	}
	s.api(builder, "GET", "/api/agents/"+id(billing), "", 404)
}

// Pulled from one organisation, applied to another: the agents are reproduced with
// their references resolved by name there.
func TestAgentsApplyToAnotherOrganisation(t *testing.T) {
	s := startServer(t)
	builder := s.token("builder@demo.test")
	support, billing := fixture(s, builder)
	dir := t.TempDir()
	if out, code := s.agentsCLI(builder, "pull", dir); code != 0 {
		t.Fatalf("pull: %s", out)
	}
	ctx := context.Background()
	org, err := s.store.CreateOrganization(ctx, s.store.DB, "Staging", "staging")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.CreateUser(ctx, org.ID, "admin@staging.test", "Staging Admin", "staging-admin-pass", db.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	other := s.token("admin@staging.test")

	// The knowledge base and MCP server do not exist there yet: Support is refused with
	// the path of each missing reference, Billing helper is created.
	out, code := s.agentsCLI(other, "apply", dir, "--message", "promote to staging")
	sf := support["uuid"].(string) + ".yaml"
	if code != 1 || !strings.Contains(out, "created Billing helper") || !strings.Contains(out, "invalid Support") ||
		!strings.Contains(out, sf+": tools.search_knowledge_base.config.accessibleKnowledgeBaseNames.0: Knowledge base \"Billing docs\" does not exist") ||
		!strings.Contains(out, sf+": mcpServers.0: MCP server \"Ticket search\" does not exist") {
		t.Fatalf("apply to staging without its references: %d %s", code, out)
	}
	kb := s.api(other, "POST", "/api/knowledge-bases", `{"name":"Billing docs"}`, 200)
	mcp := s.api(other, "POST", "/api/mcp-servers", `{"name":"Ticket search","url":"https://mcp.example.com/tickets"}`, 200)
	if out, code := s.agentsCLI(other, "apply", dir, "--message", "promote to staging"); code != 0 || !strings.Contains(out, "created Support") {
		t.Fatalf("apply to staging: %d %s", code, out)
	}
	// The same UUIDs, and ids of this organisation behind the same names.
	list := s.api(other, "GET", "/api/agents?sort=name", "", 200)["agents"].([]any)
	byName := map[string]map[string]any{}
	for _, a := range list {
		byName[a.(map[string]any)["name"].(string)] = a.(map[string]any)
	}
	got, gotBilling := byName["Support"], byName["Billing helper"]
	if len(list) != 2 || got["uuid"] != support["uuid"] || gotBilling["uuid"] != billing["uuid"] || got["id"] == support["id"] {
		t.Fatalf("agents in staging: %v", list)
	}
	tools := got["tools"].(map[string]any)
	callable := tools["call_agent"].(map[string]any)["config"].(map[string]any)["callableAgentIds"].([]any)
	kbs := tools["search_knowledge_base"].(map[string]any)["config"].(map[string]any)["accessibleKnowledgeBaseIds"].([]any)
	tags := got["tags"].([]any)
	if fmt.Sprint(callable) != fmt.Sprint([]any{gotBilling["id"]}) || fmt.Sprint(kbs) != fmt.Sprint([]any{kb["id"]}) ||
		fmt.Sprint(got["mcpServers"]) != fmt.Sprint([]any{mcp["id"]}) || len(tags) != 1 || tags[0].(map[string]any)["name"] != "customer-facing" ||
		got["systemPrompt"] != support["systemPrompt"] {
		t.Fatalf("support in staging: %v", got)
	}
	versions := s.api(other, "GET", "/api/agents/versions?agentId="+id(got), "", 200)["versions"].([]any)
	if len(versions) != 1 || versions[0].(map[string]any)["message"] != "promote to staging" {
		t.Fatalf("staging versions: %v", versions)
	}
	// Both organisations now match the directory; the state holds a version for each.
	for _, tok := range []string{builder, other} {
		if out, code := s.agentsCLI(tok, "plan", dir); code != 0 {
			t.Fatalf("plan: %d %s", code, out)
		}
	}
	st, err := readState(dir)
	if err != nil || len(st.Organizations) != 2 {
		t.Fatalf("state file organisations: %v %v", st, err)
	}
}

// With the review policy on, apply to a protected agent answers 202: the agent is not
// changed, the change request is named, the state keeps the pulled version (so plan
// still shows the change), and apply exits 1 as for any agent it did not apply.
func TestAgentsApplyProposesChangeRequestsForProtectedAgents(t *testing.T) {
	s := startServer(t)
	builder, admin := s.token("builder@demo.test"), s.token("admin@demo.test")
	support, billing := fixture(s, builder)
	dir := t.TempDir()
	if out, code := s.agentsCLI(builder, "pull", dir); code != 0 {
		t.Fatalf("pull: %s", out)
	}
	tag := support["tags"].([]any)[0].(map[string]any)["id"]
	s.api(admin, "PUT", "/api/review-policy", fmt.Sprintf(`{"enabled":true,"protectReleased":false,"tagIds":[%v]}`, tag), 200)
	editFile(t, fileOf(t, dir, support), "First line support", "First line support, politely")
	if err := os.Remove(fileOf(t, dir, billing)); err != nil {
		t.Fatal(err)
	}

	out, code := s.agentsCLI(builder, "apply", dir, "--prune", "--message", "polite")
	list := s.api(builder, "GET", "/api/change-requests", "", 200)["changeRequests"].([]any)
	ids := map[string]string{}
	for _, cr := range list {
		m := cr.(map[string]any)
		ids[m["agentName"].(string)+" "+m["kind"].(string)] = id(m)
	}
	if len(list) != 2 || ids["Support edit"] == "" || ids["Billing helper delete"] == "" {
		t.Fatalf("change requests: %v", list)
	}
	sf, bf := filepath.Base(fileOf(t, dir, support)), billing["uuid"].(string)
	for _, want := range []string{
		"proposed Support (" + sf + "): protected by the review policy: change request #" + ids["Support edit"] + " awaits review (nothing changed yet)",
		"proposed Billing helper (" + bf + "): protected by the review policy: change request #" + ids["Billing helper delete"] + " awaits review (nothing changed yet)",
		"applied 0, failed 2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 {
		t.Errorf("apply exit %d, want 1", code)
	}
	// Nothing changed on the server; the plan still has both changes to do.
	if got := s.api(builder, "GET", "/api/agents/"+id(support), "", 200); got["description"] != "First line support" || got["publishedVersionId"] != support["publishedVersionId"] {
		t.Fatalf("support after a proposed apply: %v", got)
	}
	if got := s.api(builder, "GET", "/api/agents/"+id(billing), "", 200); got["deletedAt"] != nil {
		t.Fatalf("billing deleted by a proposed apply: %v", got)
	}
	if out, code := s.agentsCLI(builder, "plan", dir, "--prune"); code != 2 {
		t.Fatalf("plan after a proposed apply: %d %s", code, out)
	}
}
