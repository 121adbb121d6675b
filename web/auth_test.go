package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"agentconsole/web"
)

func TestLoginLogoutAndOldCookieStopsWorking(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client()
	if resp, _ := c.get("/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous / : %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Session fixation: the cookie held before login must change at login.
	c.get("/login")
	before := cookieValue(c, e.URL)
	c.mustLogin("admin@demo.test", "demo-admin-pass")
	after := cookieValue(c, e.URL)
	if before == "" || after == "" || before == after {
		t.Fatalf("session cookie not rotated on login")
	}
	if resp, body := c.get("/overview"); resp.StatusCode != 200 || !strings.Contains(body, "admin@demo.test") {
		t.Fatalf("home after login: %d", resp.StatusCode)
	}
	// Keep a copy of the logged-in cookie, log out, and replay it.
	stolen := e.client()
	stolen.http.Jar.SetCookies(mustURL(e.URL), c.http.Jar.Cookies(mustURL(e.URL)))
	token := c.csrf("/account")
	if resp, _ := c.post("/logout", url.Values{}, token); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := stolen.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old cookie still works after logout: %d", resp.StatusCode)
	}
}

func TestPostWithoutValidCSRFIsRefused(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client()
	c.get("/login")
	if resp, _ := c.post("/login", url.Values{"email": {"admin@demo.test"}, "password": {"demo-admin-pass"}}, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without CSRF: %d", resp.StatusCode)
	}
	c.mustLogin("admin@demo.test", "demo-admin-pass")
	for _, tok := range []string{"", "forged-token"} {
		resp, _ := c.post("/admin/tokens", url.Values{"name": {"x"}}, tok)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("token create with CSRF %q: %d", tok, resp.StatusCode)
		}
	}
	// The session's own API use needs the header too.
	resp, _ := c.do("POST", "/api/tokens", strings.NewReader(`{"name":"x"}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("API via session without CSRF header: %d", resp.StatusCode)
	}
	resp, _ = c.post("/admin/tokens", url.Values{"name": {"ok"}}, c.csrf("/admin/tokens"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token create with CSRF: %d", resp.StatusCode)
	}
}

func TestAPITokens401And403(t *testing.T) {
	t.Parallel()
	e := start(t)
	if code, body := e.api("GET", "/api/me", "", ""); code != 401 || body != `{"error":"Unauthorized"}` {
		t.Fatalf("no token: %d %s", code, body)
	}
	if code, _ := e.api("GET", "/api/me", "acon_not-a-real-token", ""); code != 401 {
		t.Fatalf("bad token: %d", code)
	}
	admin := e.token("admin@demo.test")
	code, body := e.api("POST", "/api/tokens", admin, `{"name":"to revoke"}`)
	if code != 200 {
		t.Fatalf("create token: %d %s", code, body)
	}
	var created struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	json.Unmarshal([]byte(body), &created)
	if code, _ := e.api("GET", "/api/me", created.Token, ""); code != 200 {
		t.Fatalf("new token: %d", code)
	}
	if code, _ := e.api("DELETE", "/api/tokens/"+itoa(created.ID), admin, ""); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if code, body := e.api("GET", "/api/me", created.Token, ""); code != 401 || body != `{"error":"Unauthorized"}` {
		t.Fatalf("revoked token: %d %s", code, body)
	}
	reviewer := e.token("reviewer@demo.test")
	if code, body := e.api("GET", "/api/me", reviewer, ""); code != 200 || !strings.Contains(body, `"role":"reviewer"`) {
		t.Fatalf("reviewer read: %d %s", code, body)
	}
	code, body = e.api("POST", "/api/tokens", reviewer, `{"name":"nope"}`)
	if code != 403 || body != `{"error":"Unauthorized: User is not an admin in this organization"}` {
		t.Fatalf("reviewer write: %d %s", code, body)
	}
}

func TestLoginIsThrottledPerAccount(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client()
	for i := 0; i < 5; i++ {
		if resp := c.login("builder@demo.test", "wrong-password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	// Even the right password is refused while throttled.
	if resp := c.login("builder@demo.test", "demo-builder-pass"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("throttled login: %d", resp.StatusCode)
	}
	// Other accounts are not affected.
	if resp := e.client().login("admin@demo.test", "demo-admin-pass"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account: %d", resp.StatusCode)
	}
	if !strings.Contains(adminAudit(t, e), "login.failed") {
		t.Fatal("failed logins are not in the audit log")
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	e := start(t)
	a := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	b := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	resp, _ := a.post("/account/password", url.Values{"current": {"demo-builder-pass"}, "password": {"a-new-password-1"}, "confirm": {"a-new-password-1"}}, a.csrf("/account"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d", resp.StatusCode)
	}
	if resp, _ := a.get("/account"); resp.StatusCode != 200 {
		t.Fatalf("own session ended: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/account"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other session still alive: %d", resp.StatusCode)
	}
}

func TestOperationalEndpointsAndHeaders(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client()
	resp, _ := c.get("/healthz")
	if resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	if resp, _ := c.get("/readyz"); resp.StatusCode != 200 {
		t.Fatalf("readyz %d", resp.StatusCode)
	}
	resp, _ = c.get("/login")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("CSP: %s", csp)
	}
	if resp.Header.Get("Referrer-Policy") != "same-origin" || resp.Header.Get("X-Frame-Options") != "DENY" || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("headers: %v", resp.Header)
	}
	setCookie := resp.Header.Get("Set-Cookie")
	if !strings.Contains(setCookie, "HttpOnly") || !strings.Contains(setCookie, "SameSite=Lax") || strings.Contains(setCookie, "Secure") {
		t.Fatalf("cookie flags over plain HTTP: %s", setCookie)
	}
	_, metrics := c.get("/metrics")
	if !strings.Contains(metrics, `agentconsole_http_requests_total{method="GET",route="/login",status="200"}`) {
		t.Fatalf("metrics by route missing")
	}
	if !strings.Contains(e.Logs.String(), `"request_id"`) {
		t.Fatal("request logs carry no request id")
	}
	if strings.Contains(e.Logs.String(), "demo-admin-pass") {
		t.Fatal("a password reached the logs")
	}
}

func TestLoginIsThrottledPerAddress(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *web.Config) { c.LoginMaxPerIP = 3 })
	for _, email := range []string{"a@x.test", "b@x.test", "c@x.test"} {
		if resp := e.client().login(email, "wrong-password-1"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: %d", email, resp.StatusCode)
		}
	}
	// A fourth account from the same address is refused, even with a right password.
	if resp := e.client().login("admin@demo.test", "demo-admin-pass"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth attempt from one address: %d", resp.StatusCode)
	}
}

func TestHSTSBehindTLSAndNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *web.Config) { c.SecureCookies = true })
	resp, _ := e.client().get("/login")
	if !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=") || !strings.Contains(resp.Header.Get("Set-Cookie"), "Secure") {
		t.Fatalf("TLS settings: %v", resp.Header)
	}
	secret := e.token("admin@demo.test")
	e.api("GET", "/api/me", secret, "")
	e.api("GET", "/api/agents?q=x", secret, "")
	e.client().login("admin@demo.test", "demo-admin-pass")
	logs := e.Logs.String()
	for _, s := range []string{secret, secret[len(secret)-12:], "demo-admin-pass"} {
		if strings.Contains(logs, s) {
			t.Fatalf("a secret reached the logs")
		}
	}
}
