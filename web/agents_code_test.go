package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// apiIfMatch is e.api with an If-Match header (contract-checked as every answer is).
func (e *env) apiIfMatch(method, path, token, ifMatch, body string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", ifMatch)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	checkContract(e.t, method, path, resp.StatusCode, string(b))
	return resp.StatusCode, string(b)
}

// If-Match is strict (412, nothing merged or saved) while publishedVersionId merges;
// a save's message is stored on its version, answered by the versions API and shown in
// the console's history.
func TestIfMatchIsStrictAndVersionsCarryMessages(t *testing.T) {
	t.Parallel()
	e := start(t)
	builder, admin := e.token("builder@demo.test"), e.token("admin@demo.test")
	a := decode(t, mustAPI(t, e, builder, "POST", "/api/agents", `{"name":"Strict","description":"one","message":"  created from git  "}`))
	id, v1 := itoa(int64(a["id"].(float64))), itoa(int64(a["publishedVersionId"].(float64)))

	code, body := e.apiIfMatch("PUT", "/api/agents/"+a["uuid"].(string), builder, `"`+v1+`"`, `{"description":"two","message":"second"}`)
	if code != 200 {
		t.Fatalf("If-Match current: %d %s", code, body)
	}
	// Someone else saves; a strict save from v1 is refused even though the fields differ
	// (a merge would have taken it).
	mustAPI(t, e, admin, "PUT", "/api/agents/"+id, `{"stage":"released"}`)
	code, body = e.apiIfMatch("PUT", "/api/agents/"+id, builder, `"`+v1+`"`, `{"name":"Renamed"}`)
	got := decode(t, body)
	if code != 412 || !strings.HasPrefix(got["error"].(string), "Precondition Failed: this agent was changed by admin@demo.test") ||
		got["current"].(map[string]any)["stage"] != "released" {
		t.Fatalf("stale If-Match: %d %s", code, body)
	}
	if now := decode(t, mustAPI(t, e, builder, "GET", "/api/agents/"+id, "")); now["name"] != "Strict" {
		t.Fatalf("a 412 saved: %v", now)
	}
	// The same stale version as publishedVersionId merges, as before.
	if code, body := e.api("PUT", "/api/agents/"+id, builder, `{"name":"Renamed","publishedVersionId":`+v1+`}`); code != 200 {
		t.Fatalf("merge base: %d %s", code, body)
	}
	// Both, naming different versions, ask for different things.
	if code, body := e.apiIfMatch("PUT", "/api/agents/"+id, builder, v1, `{"name":"x","publishedVersionId":999999}`); code != 400 || !strings.Contains(body, `"path":["publishedVersionId"]`) {
		t.Fatalf("If-Match and publishedVersionId: %d %s", code, body)
	}
	if code, body := e.apiIfMatch("PUT", "/api/agents/"+id, builder, "not-a-version", `{"name":"x"}`); code != 400 || !strings.Contains(body, `"path":["If-Match"]`) {
		t.Fatalf("malformed If-Match: %d %s", code, body)
	}
	if code, body := e.api("PUT", "/api/agents/"+id, builder, `{"description":"three","message":"`+strings.Repeat("m", 2001)+`"}`); code != 400 || !strings.Contains(body, `"path":["message"]`) {
		t.Fatalf("long message: %d %s", code, body)
	}

	versions := decode(t, mustAPI(t, e, builder, "GET", "/api/agents/versions?agentId="+id, ""))["versions"].([]any)
	var messages []any
	for _, v := range versions {
		messages = append(messages, v.(map[string]any)["message"])
	}
	if len(versions) != 4 || messages[0] != nil || messages[1] != nil || messages[2] != "second" || messages[3] != "created from git" {
		t.Fatalf("version messages, newest first: %v", messages)
	}
	one := decode(t, mustAPI(t, e, builder, "GET", "/api/agents/versions/"+itoa(int64(versions[2].(map[string]any)["id"].(float64))), ""))
	if one["message"] != "second" {
		t.Fatalf("version read: %v", one)
	}
	c := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	if _, page := c.get("/agents/" + id + "/versions"); strings.Count(page, `data-testid="version-message"`) != 2 || !strings.Contains(page, ">created from git</p>") {
		t.Fatalf("history timeline does not show the messages")
	}

	// PUT /api/agents/{id}/import replaces the agent by a document, strictly.
	doc := mustAPI(t, e, builder, "GET", "/api/agents/"+id+"/export", "")
	live := itoa(int64(decode(t, mustAPI(t, e, builder, "GET", "/api/agents/"+id, ""))["publishedVersionId"].(float64)))
	edited := strings.Replace(doc, `"tags":[]`, `"tags":["from-git"]`, 1)
	edited = strings.Replace(edited, `"format"`, `"message":"tagged in git","format"`, 1)
	if code, body := e.apiIfMatch("PUT", "/api/agents/"+id+"/import?strict=true", builder, v1, edited); code != 412 {
		t.Fatalf("import over a newer version: %d %s", code, body)
	}
	code, body = e.apiIfMatch("PUT", "/api/agents/"+id+"/import?strict=true", builder, `"`+live+`"`, edited)
	if code != 200 || !strings.Contains(body, `"tags":[{"id":`) || !strings.Contains(body, `"name":"from-git"`) {
		t.Fatalf("import into: %d %s", code, body)
	}
	newest := decode(t, mustAPI(t, e, builder, "GET", "/api/agents/versions?agentId="+id, ""))["versions"].([]any)[0].(map[string]any)
	if newest["message"] != "tagged in git" || newest["source"] != "import" {
		t.Fatalf("import version: %v", newest)
	}
	unresolved := strings.Replace(doc, `"tools":{}`, `"tools":{"call_agent":{"config":{"callableAgentNames":["Nobody"]}}}`, 1)
	if code, body := e.api("POST", "/api/agents/import?strict=true", builder, unresolved); code != 400 ||
		!strings.Contains(body, `"path":["agent","tools","call_agent","config","callableAgentNames",0]`) || !strings.Contains(body, `Agent \"Nobody\" does not exist`) {
		t.Fatalf("strict import: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/agents/import", builder, unresolved); code != 200 || !strings.Contains(body, `"kind":"agent","name":"Nobody"`) {
		t.Fatalf("lenient import: %d %s", code, body)
	}
}
