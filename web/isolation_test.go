package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"agentconsole/db"
)

// TestOrganisationsAreIsolated: an admin of one organisation cannot see or change
// anything of another through the console or the API.
func TestOrganisationsAreIsolated(t *testing.T) {
	t.Parallel()
	e := start(t)
	otherEmail, otherPass := e.otherOrg()
	ctx := context.Background()
	demoAdmin, _ := e.Store.ActorByEmail(ctx, "admin@demo.test")
	demoTok, demoSecret, _ := e.Store.CreateToken(ctx, demoAdmin, demoAdmin.UserID, "demo-only")
	other := e.client().mustLogin(otherEmail, otherPass)
	otherSecret := e.token(otherEmail)

	// Console: lists show only the own organisation.
	for _, path := range []string{"/admin/users", "/admin/tokens", "/admin/audit"} {
		resp, body := other.get(path)
		if resp.StatusCode != 200 || strings.Contains(body, "demo.test") || strings.Contains(body, "demo-only") {
			t.Fatalf("%s leaks the demo organisation (%d)", path, resp.StatusCode)
		}
	}
	// Console writes aimed at the other organisation's rows: not found, nothing changed.
	resp, _ := other.post("/admin/tokens/"+itoa(demoTok.ID)+"/revoke", url.Values{}, other.csrf("/admin/tokens"))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("revoke foreign token via console: %d", resp.StatusCode)
	}
	resp, _ = other.post("/admin/users/"+itoa(demoAdmin.UserID)+"/role", url.Values{"role": {"reviewer"}}, other.csrf("/admin/users"))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("change foreign role: %d", resp.StatusCode)
	}
	// API.
	if code, body := e.api("DELETE", "/api/tokens/"+itoa(demoTok.ID), otherSecret, ""); code != 404 || body != `{"error":"Not Found"}` {
		t.Fatalf("revoke foreign token via API: %d %s", code, body)
	}
	if code, body := e.api("GET", "/api/tokens", otherSecret, ""); code != 200 || strings.Contains(body, "demo-only") {
		t.Fatalf("token list leaks: %s", body)
	}
	if code, body := e.api("POST", "/api/tokens", otherSecret, `{"name":"x","userId":`+itoa(demoAdmin.UserID)+`}`); code != 400 {
		t.Fatalf("token for a foreign user: %d %s", code, body)
	}
	if code, body := e.api("GET", "/api/audit", otherSecret, ""); code != 200 || strings.Contains(body, "demo.test") {
		t.Fatalf("audit leaks: %s", body)
	}
	// The demo organisation is untouched.
	if code, _ := e.api("GET", "/api/me", demoSecret, ""); code != 200 {
		t.Fatal("demo token was revoked by another organisation")
	}
	if a, _ := e.Store.ActorByEmail(ctx, "admin@demo.test"); a.Role != db.RoleAdmin {
		t.Fatal("demo admin's role was changed by another organisation")
	}

	// Platform data (SPEC §1): nothing the other organisation's admin does, through any
	// route, changes what the demo organisation validates against, sees or syncs to.
	before := platformFingerprint(t, e)
	catalogBody := string(catalogFile(t, "hostile", "web_search"))
	modelBody := `{"id":"evil:model","name":"Evil"}`
	if code, body := e.api("POST", "/api/tools/catalog", otherSecret, catalogBody); code != 403 || body != msgOnlyOperatorsCatalog {
		t.Fatalf("another organisation's admin loaded a catalog: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/models", otherSecret, modelBody); code != 403 || body != msgOnlyOperatorsModels {
		t.Fatalf("another organisation's admin added a model: %d %s", code, body)
	}
	if resp, _ := other.upload("/admin/catalog", []byte(catalogBody), other.csrf("/admin/catalog")); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("console catalog upload by an organisation admin: %d", resp.StatusCode)
	}
	if resp, _ := other.post("/admin/models", url.Values{"id": {"evil:model"}, "name": {"Evil"}}, other.csrf("/admin/models")); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("console model add by an organisation admin: %d", resp.StatusCode)
	}
	walkPlatformWrites(t, e, other, otherSecret, catalogBody, modelBody)
	if platformFingerprint(t, e) != before {
		t.Fatal("another organisation's admin changed the catalog or the model registry")
	}
	if code, _ := e.api("GET", "/api/me", demoSecret, ""); code != 200 {
		t.Fatal("the walk revoked the demo organisation's token")
	}

	// A platform operator can, and both organisations' audit logs show it: one entry
	// each, the operator's address only in their own organisation's.
	operator := e.token("operator@demo.test")
	if code, body := e.api("POST", "/api/tools/catalog", operator, catalogBody); code != 200 || !strings.Contains(body, `"changed":["web_search"]`) {
		t.Fatalf("operator catalog load: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/models", operator, `{"id":"acme:platform-1","name":"Platform One"}`); code != 200 {
		t.Fatalf("operator model add: %d %s", code, body)
	}
	if platformFingerprint(t, e) == before {
		t.Fatal("the operator's changes did not land")
	}
	for _, tok := range []string{demoSecret, otherSecret} {
		for _, action := range []string{"catalog.imported", "model.added"} {
			entries := auditEntries(t, e, tok, action)
			if len(entries) != 1 || entries[0].Actor != "operator@demo.test (token)" || !strings.HasPrefix(entries[0].Summary, "platform: ") {
				t.Fatalf("%s in an organisation's audit log: %+v", action, entries)
			}
			if own := tok == demoSecret; (entries[0].IP != "") != own {
				t.Fatalf("operator address in %s entry (own organisation %v): %q", action, own, entries[0].IP)
			}
		}
	}
	if _, body := other.get("/admin/audit"); !strings.Contains(body, "catalog.imported") || !strings.Contains(body, "model.added") {
		t.Fatal("the console audit log of the other organisation does not show the platform changes")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func cookieValue(c *client, base string) string {
	for _, ck := range c.http.Jar.Cookies(mustURL(base)) {
		if ck.Name == "ac_session" {
			return ck.Value
		}
	}
	return ""
}

func adminAudit(t *testing.T, e *env) string {
	t.Helper()
	_, body := e.api("GET", "/api/audit", e.token("admin@demo.test"), "")
	return body
}

func mustActor(t *testing.T, e *env, email string) *db.Actor {
	t.Helper()
	a, err := e.Store.ActorByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
