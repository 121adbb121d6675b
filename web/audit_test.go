package web_test

import (
	"encoding/json"
	"net/url"
	"testing"
)

// TestEveryActionLeavesOneAuditEntry walks the audited actions once each and reads the
// log back: one entry per action, with who, how and from where.
func TestEveryActionLeavesOneAuditEntry(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.token("admin@demo.test")
	b := e.token("builder@demo.test")
	must := func(tok, method, path, body string) map[string]any {
		code, resp := e.api(method, path, tok, body)
		if code != 200 {
			t.Fatalf("%s %s: %d %s", method, path, code, resp)
		}
		return decode(t, resp)
	}
	id := func(m map[string]any) string { return itoa(int64(m["id"].(float64))) }

	e.client().login("reviewer@demo.test", "wrong-password")              // login.failed
	console := e.client().mustLogin("admin@demo.test", "demo-admin-pass") // login
	reviewer := mustActor(t, e, "reviewer@demo.test")
	console.post("/admin/users/"+itoa(reviewer.UserID)+"/role", url.Values{"role": {"builder"}}, console.csrf("/admin/users")) // member.role_changed
	tok := must(admin, "POST", "/api/tokens", `{"name":"temp"}`)                                                               // token.created
	must(admin, "DELETE", "/api/tokens/"+id(tok), "")                                                                          // token.revoked
	agent := must(b, "POST", "/api/agents", `{"name":"Audited"}`)                                                              // agent.created
	must(b, "PUT", "/api/agents/"+id(agent), `{"description":"d"}`)                                                            // agent.updated
	must(b, "POST", "/api/agents/"+id(agent)+"/publish", "")                                                                   // agent.published
	clone := must(b, "POST", "/api/agents/"+id(agent)+"/clone", "")                                                            // agent.cloned
	must(b, "DELETE", "/api/agents/"+id(clone), "")                                                                            // agent.deleted
	must(b, "POST", "/api/agents/"+id(clone)+"/restore", "")                                                                   // agent.restored
	_, vbody := e.api("GET", "/api/agents/versions?agentId="+id(agent), b, "")
	v1 := decode(t, vbody)["versions"].([]any)[2].(map[string]any)
	must(b, "POST", "/api/agents/"+id(agent)+"/versions/"+id(v1)+"/restore", "")                         // agent.version_restored
	tag := must(b, "POST", "/api/agent-tags", `{"name":"Audit"}`)                                        // tag.created
	must(b, "PUT", "/api/agent-tags/"+id(tag), `{"color":"red"}`)                                        // tag.updated
	must(b, "POST", "/api/agent-tags/"+id(tag)+"/agents", `{"agentIds":[`+id(agent)+`],"action":"add"}`) // tag.bulk_assigned
	must(b, "DELETE", "/api/agent-tags/"+id(tag), "")                                                    // tag.deleted

	_, body := e.api("GET", "/api/audit?limit=200", admin, "")
	var log struct {
		Entries []struct {
			Action, Actor, Via, IP, Route string
		} `json:"entries"`
	}
	json.Unmarshal([]byte(body), &log)
	count := map[string]int{}
	for _, en := range log.Entries {
		count[en.Action]++
		if en.Action == "agent.created" && (en.Actor != "builder@demo.test (token)" || en.Via != "api" || en.IP == "" || en.Route != "POST /api/agents") {
			t.Errorf("agent.created entry: %+v", en)
		}
	}
	// token.created: the test's own two tokens (made through the store, audited too) and one over the API.
	if count["token.created"] != 3 {
		t.Errorf("token.created: %d entries, want 3", count["token.created"])
	}
	for _, action := range []string{"login.failed", "member.role_changed", "token.revoked", "agent.updated",
		"agent.published", "agent.cloned", "agent.deleted", "agent.restored", "agent.version_restored", "tag.created", "tag.updated",
		"tag.bulk_assigned", "tag.deleted", "agent.created"} {
		if count[action] != 1 {
			t.Errorf("%s: %d entries, want 1", action, count[action])
		}
	}
	if count["login"] < 1 {
		t.Error("no login entry")
	}
	// Filters.
	_, body = e.api("GET", "/api/audit?action=tag.&actor="+url.QueryEscape("builder@demo.test (token)"), admin, "")
	json.Unmarshal([]byte(body), &log)
	if len(log.Entries) != 4 {
		t.Fatalf("tag.* by the builder's token: %d entries", len(log.Entries))
	}
}
