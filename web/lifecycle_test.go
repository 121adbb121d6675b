package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"agentconsole/db"
	"agentconsole/db/dbtest"
	"agentconsole/web"
)

// TestDeactivatedMemberIsStoppedAtOnce: deactivating a member ends their sessions and
// revokes their tokens at once; they cannot sign in (the same answer as a wrong
// password); reactivating lets them sign in again, but the old sessions and tokens
// stay dead.
func TestDeactivatedMemberIsStoppedAtOnce(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.token("admin@demo.test")
	builderID := mustActor(t, e, "builder@demo.test").UserID
	builderTok := e.token("builder@demo.test")
	builder := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	if resp, _ := builder.get("/agents"); resp.StatusCode != 200 {
		t.Fatalf("builder not signed in: %d", resp.StatusCode)
	}
	wrong := e.client()
	_, wrongBody := wrong.post("/login", url.Values{"email": {"builder@demo.test"}, "password": {"not-the-password"}}, wrong.csrf("/login"))

	code, body := e.api("POST", "/api/users/"+itoa(builderID)+"/deactivate", admin, "")
	var d struct {
		Active        bool  `json:"active"`
		SessionsEnded int64 `json:"sessionsEnded"`
		TokensRevoked int64 `json:"tokensRevoked"`
	}
	json.Unmarshal([]byte(body), &d)
	if code != 200 || d.Active || d.SessionsEnded != 1 || d.TokensRevoked != 1 {
		t.Fatalf("deactivate: %d %s", code, body)
	}
	if resp, _ := builder.get("/agents"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("the deactivated member's session still works: %d", resp.StatusCode)
	}
	if code, body := e.api("GET", "/api/me", builderTok, ""); code != 401 || body != `{"error":"Unauthorized"}` {
		t.Fatalf("the deactivated member's token still works: %d %s", code, body)
	}
	c := e.client()
	resp, loginBody := c.post("/login", url.Values{"email": {"builder@demo.test"}, "password": {"demo-builder-pass"}}, c.csrf("/login"))
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(loginBody, "Invalid email or password.") || !strings.Contains(wrongBody, "Invalid email or password.") {
		t.Fatalf("a deactivated member signed in, or was told why: %d", resp.StatusCode)
	}
	if code, body := e.api("POST", "/api/tokens", admin, `{"name":"x","userId":`+itoa(builderID)+`}`); code != 400 {
		t.Fatalf("a token for a deactivated member: %d %s", code, body)
	}
	if code, body := e.api("GET", "/api/users", admin, ""); code != 200 || !strings.Contains(body, `"email":"builder@demo.test","name":"Demo builder","role":"builder","active":false`) {
		t.Fatalf("users list: %d %s", code, body)
	}
	if code, body := e.api("POST", "/api/users/"+itoa(builderID)+"/deactivate", admin, ""); code != 200 || !strings.Contains(body, `"tokensRevoked":0`) {
		t.Fatalf("deactivating twice: %d %s", code, body)
	}

	if code, body := e.api("POST", "/api/users/"+itoa(builderID)+"/reactivate", admin, ""); code != 200 || !strings.Contains(body, `"active":true`) {
		t.Fatalf("reactivate: %d %s", code, body)
	}
	if code, _ := e.api("GET", "/api/me", builderTok, ""); code != 401 {
		t.Fatal("reactivation brought a revoked token back")
	}
	if resp, _ := builder.get("/agents"); resp.StatusCode != http.StatusSeeOther {
		t.Fatal("reactivation brought an ended session back")
	}
	e.client().mustLogin("builder@demo.test", "demo-builder-pass")

	// Refusals: oneself (so also the last admin), another organisation's user.
	adminID := mustActor(t, e, "admin@demo.test").UserID
	if code, body := e.api("POST", "/api/users/"+itoa(adminID)+"/deactivate", admin, ""); code != 400 || !strings.Contains(body, "yourself") {
		t.Fatalf("self-deactivation: %d %s", code, body)
	}
	otherEmail, _ := e.otherOrg()
	if code, _ := e.api("POST", "/api/users/"+itoa(mustActor(t, e, otherEmail).UserID)+"/deactivate", admin, ""); code != 404 {
		t.Fatalf("deactivating another organisation's user: %d", code)
	}
	if code, _ := e.api("POST", "/api/users/"+itoa(adminID)+"/deactivate", e.token("reviewer@demo.test"), ""); code != 403 {
		t.Fatal("a reviewer deactivated someone")
	}
	audit := adminAudit(t, e)
	if !strings.Contains(audit, "member.deactivated") || !strings.Contains(audit, "member.reactivated") {
		t.Fatal("deactivation is not in the audit log")
	}
}

// TestAdminsDeactivatingEachOtherKeepOne: two admins deactivating each other at the
// same moment cannot both succeed — the organisation keeps an active admin whatever
// the interleaving (the admins' memberships are locked before counting).
func TestAdminsDeactivatingEachOtherKeepOne(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	a, b := mustActor(t, e, "admin@demo.test"), mustActor(t, e, "builder@demo.test")
	if err := e.Store.SetRole(ctx, a, b.UserID, db.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 10; round++ {
		ta, tb := e.token("admin@demo.test"), e.token("builder@demo.test")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, call := range []struct {
			tok    string
			target int64
		}{{ta, b.UserID}, {tb, a.UserID}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = e.rawAPI("POST", "/api/users/"+itoa(call.target)+"/deactivate", call.tok, "")
			}()
		}
		wg.Wait()
		for _, code := range codes {
			if code != 200 && code != 400 && code != 401 { // 401: the other one was faster and revoked this token
				t.Fatalf("round %d: answers %v (a deadlock or an error, not a refusal)", round, codes)
			}
		}
		members, _ := e.Store.Members(ctx, a.OrgID)
		active := 0
		for _, m := range members {
			if m.Role == db.RoleAdmin && m.Active() {
				active++
			}
		}
		if active != 1 {
			t.Fatalf("round %d: %d active admins left (answers %v)", round, active, codes)
		}
		// Bring both back for the next round (as the CLI or a database operator would).
		e.Store.DB.NewRaw("UPDATE memberships SET deactivated_at = NULL WHERE org_id = ?", a.OrgID).Exec(ctx)
	}
	// And the role path: the last active admin cannot be demoted while the other is deactivated.
	if _, err := e.Store.DeactivateMember(ctx, a, b.UserID); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.SetRole(ctx, a, a.UserID, db.RoleBuilder); err != db.ErrLastAdmin {
		t.Fatalf("demoting the last active admin: %v", err)
	}
}

// TestTokenExpiry: expiresAt is optional on create, listed, and an expired token is 401.
func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.token("admin@demo.test")
	if code, body := e.api("POST", "/api/tokens", admin, `{"name":"past","expiresAt":"2001-01-01T00:00:00Z"}`); code != 400 || !strings.Contains(body, `"path":["expiresAt"]`) {
		t.Fatalf("an expiry in the past: %d %s", code, body)
	}
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	code, body := e.api("POST", "/api/tokens", admin, `{"name":"short-lived","expiresAt":"`+exp.Format(time.RFC3339)+`"}`)
	var tok struct {
		ID        int64      `json:"id"`
		Token     string     `json:"token"`
		ExpiresAt *time.Time `json:"expiresAt"`
	}
	json.Unmarshal([]byte(body), &tok)
	if code != 200 || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(exp) {
		t.Fatalf("create with expiresAt: %d %s", code, body)
	}
	if code, _ := e.api("GET", "/api/me", tok.Token, ""); code != 200 {
		t.Fatal("a token before its expiry is refused")
	}
	if _, body := e.api("GET", "/api/tokens", admin, ""); !strings.Contains(body, `"expiresAt":"`+exp.Format(time.RFC3339)) || !strings.Contains(body, `"expiresAt":null`) {
		t.Fatalf("the list does not show expiries: %s", body)
	}
	// Expire it (no waiting: move the expiry into the past).
	if _, err := e.Store.DB.NewRaw("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = ?", tok.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if code, body := e.api("GET", "/api/me", tok.Token, ""); code != 401 || body != `{"error":"Unauthorized"}` {
		t.Fatalf("an expired token: %d %s", code, body)
	}
	// Console: a lifetime from the offered list; the list shows it and the expired one.
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	resp, page := c.post("/admin/tokens", url.Values{"name": {"month"}, "expires": {"30d"}}, c.csrf("/admin/tokens"))
	if resp.StatusCode != 200 || !strings.Contains(page, `data-testid="token-secret"`) {
		t.Fatalf("console create with a lifetime: %d", resp.StatusCode)
	}
	if !strings.Contains(page, time.Now().Add(30*24*time.Hour).UTC().Format("2006-01-02")) || !strings.Contains(page, ">expired<") {
		t.Fatal("the console list does not show the expiry or the expired token")
	}
	if resp, _ := c.post("/admin/tokens", url.Values{"name": {"odd"}, "expires": {"forever-ish"}}, c.csrf("/admin/tokens")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown lifetime: %d", resp.StatusCode)
	}
}

// TestAccountListsAndRevokesOwnTokens: a member sees and revokes their own tokens on
// /account, and nobody else's.
func TestAccountListsAndRevokesOwnTokens(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	reviewer, admin := mustActor(t, e, "reviewer@demo.test"), mustActor(t, e, "admin@demo.test")
	mine, mySecret, _ := e.Store.CreateToken(ctx, admin, reviewer.UserID, "reviewer-laptop")
	theirs, theirSecret, _ := e.Store.CreateToken(ctx, admin, admin.UserID, "admin-ci")
	c := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	_, page := c.get("/account")
	if !strings.Contains(page, "reviewer-laptop") || strings.Contains(page, "admin-ci") {
		t.Fatal("/account does not list exactly the member's own tokens")
	}
	csrf := c.csrf("/account")
	if resp, _ := c.post("/account/tokens/"+itoa(theirs.ID)+"/revoke", url.Values{}, csrf); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("revoking someone else's token from /account: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/account/tokens/"+itoa(mine.ID)+"/revoke", url.Values{}, csrf); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoking one's own token: %d", resp.StatusCode)
	}
	if code, _ := e.api("GET", "/api/me", mySecret, ""); code != 401 {
		t.Fatal("the revoked token still works")
	}
	if code, _ := e.api("GET", "/api/me", theirSecret, ""); code != 200 {
		t.Fatal("another member's token was revoked")
	}
}

// TestCSRFTokenNotFromQueryString: the token is accepted from the form body or the
// header only; a URL carrying it (logged, kept in history, sent as Referer) is refused.
func TestCSRFTokenNotFromQueryString(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	tok := c.csrf("/tags")
	if resp, _ := c.post("/tags?_csrf="+url.QueryEscape(tok), url.Values{"name": {"from-query"}, "color": {"blue"}}, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("CSRF token from the query string accepted: %d", resp.StatusCode)
	}
	if resp, _ := c.do("POST", "/api/agent-tags?_csrf="+url.QueryEscape(tok), strings.NewReader(`{"name":"q"}`), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("API session write with the token in the query string: %d", resp.StatusCode)
	}
	if resp, _ := c.post("/tags", url.Values{"name": {"from-form"}, "color": {"blue"}}, tok); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("CSRF token from the form: %d", resp.StatusCode)
	}
	if resp, _ := c.do("POST", "/api/agent-tags", strings.NewReader(`{"name":"h"}`), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": tok}); resp.StatusCode != 200 {
		t.Fatalf("CSRF token from the header: %d", resp.StatusCode)
	}
}

// TestBearerSchemeIsCaseInsensitive (RFC 9110 §11.1).
func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	t.Parallel()
	e := start(t)
	secret := e.token("reviewer@demo.test")
	for header, want := range map[string]int{"bearer " + secret: 200, "BEARER " + secret: 200, "Bearer  " + secret: 200,
		"Basic " + secret: 401, "Bearer": 401, "bearer ": 401, secret: 401} {
		req, _ := http.NewRequest("GET", e.URL+"/api/me", nil)
		req.Header.Set("Authorization", header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Authorization %.12q…: %d, want %d", header, resp.StatusCode, want)
		}
	}
}

// TestMetricsOnSeparateAddress: with MetricsAddr set, /metrics is served there (the
// same server's series) and not on the main port; unset, on the main port as before.
func TestMetricsOnSeparateAddress(t *testing.T) {
	t.Parallel()
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := web.DefaultConfig()
	cfg.CardTick, cfg.MetricsAddr = 0, mln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := web.New(ctx, cfg, dbtest.Seeded(t), slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	go func() { done <- srv.Serve(ctx, ln) }()
	go func() { done <- srv.ServeMetrics(ctx, mln) }()
	t.Cleanup(func() { cancel(); <-done; <-done })

	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	main := "http://" + ln.Addr().String()
	// On the main port /metrics is just an unknown console path (a sign-in redirect).
	if code, body := get(main + "/metrics"); strings.Contains(body, "go_goroutines") {
		t.Fatalf("/metrics on the main port with METRICS_ADDR set: %d", code)
	}
	get(main + "/healthz")
	if code, body := get("http://" + mln.Addr().String() + "/metrics"); code != 200 || !strings.Contains(body, `route="/healthz"`) {
		t.Fatalf("/metrics on METRICS_ADDR: %d (the main server's series missing)", code)
	}
	if code, _ := get("http://" + mln.Addr().String() + "/login"); code != http.StatusNotFound {
		t.Fatalf("the metrics address serves the console: %d", code)
	}
	if resp, body := start(t).client().get("/metrics"); resp.StatusCode != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("/metrics without METRICS_ADDR: %d", resp.StatusCode)
	}
}

// TestBrowserAdminDeactivatesMember: the journey in the console — the admin deactivates
// a member from /admin/users (confirming), sees what ended, and reactivates them.
func TestBrowserAdminDeactivatesMember(t *testing.T) {
	e := start(t)
	builder := e.client().mustLogin("builder@demo.test", "demo-builder-pass")
	ctx := browser(t)
	browserLogin(t, ctx, e.URL, "admin@demo.test", "demo-admin-pass")
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.URL+"/admin/users"),
		acceptConfirms(),
		chromedp.Click(chromedp.CSS(`button[aria-label="Deactivate builder@demo.test"]`)),
		waitText(`[data-testid=flashes]`, "Deactivated builder@demo.test: 1 session ended, 0 tokens revoked."),
		waitText(`[data-testid=member-deactivated]`, "deactivated"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := builder.get("/agents"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the deactivated member's session still works: %d", resp.StatusCode)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Reactivate builder@demo.test"]`)),
		waitText(`[data-testid=flashes]`, "Reactivated builder@demo.test"),
		settled(),
	)
	if err != nil {
		t.Fatal(err)
	}
}
