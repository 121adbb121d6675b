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
