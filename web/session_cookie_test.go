package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
)

// A user logged in before the session cookie's compact format keeps working: the gob
// cookie an older server wrote with the shared keys still opens the console, and a
// forged or garbled cookie is a fresh anonymous session (the login page), never a 500.
func TestSessionCookieFromBeforeTheUpgradeStaysLoggedIn(t *testing.T) {
	t.Parallel()
	e := start(t)
	ctx := context.Background()
	hashKey, err := e.Store.Secret(ctx, "session_hash_key", 64)
	if err != nil {
		t.Fatal(err)
	}
	blockKey, err := e.Store.Secret(ctx, "session_block_key", 32)
	if err != nil {
		t.Fatal(err)
	}
	sid, err := e.Store.CreateSession(ctx, mustActor(t, e, "builder@demo.test"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	old := sessions.NewCookieStore(hashKey, blockKey) // what the server wrote before: gob
	gobCookie, err := securecookie.EncodeMulti("ac_session", map[any]any{"csrf": "old-token-0123456789", "sid": sid,
		"_flash": []any{"success|Saved before the upgrade"}}, old.Codecs...)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, cookie string) (*http.Response, string) {
		c := e.client()
		return c.do("GET", path, nil, map[string]string{"Cookie": "ac_session=" + cookie})
	}
	resp, body := get("/overview", gobCookie)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "builder@demo.test") || !strings.Contains(body, "Saved before the upgrade") ||
		!strings.Contains(body, "old-token-0123456789") {
		t.Fatalf("old gob cookie: %d, logged in %v, flash %v, token %v", resp.StatusCode, strings.Contains(body, "builder@demo.test"), strings.Contains(body, "Saved before the upgrade"), strings.Contains(body, "old-token-0123456789"))
	}
	// The flash was taken, so the session was written again: in the new format, still logged in.
	var rewritten string
	for _, ck := range resp.Cookies() {
		if ck.Name == "ac_session" {
			rewritten = ck.Value
		}
	}
	if rewritten == "" || rewritten == gobCookie {
		t.Fatalf("session not rewritten after its flash was shown")
	}
	if resp, body := get("/overview", rewritten); resp.StatusCode != http.StatusOK || !strings.Contains(body, "builder@demo.test") ||
		strings.Contains(body, "Saved before the upgrade") {
		t.Fatalf("rewritten cookie: %d", resp.StatusCode)
	}
	for _, forged := range []string{"garbage", gobCookie[:len(gobCookie)/2], strings.ToUpper(gobCookie), gobCookie + "x"} {
		if resp, _ := get("/agents", forged); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("forged cookie on /agents: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, body := get("/login", forged); resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="_csrf"`) {
			t.Fatalf("forged cookie on /login: %d", resp.StatusCode)
		}
	}
}

// The request's log line names its request id first, as the request's logger did
// before it was made lazily (only an error builds it now).
func TestRequestLogLineCarriesTheRequestIDFirst(t *testing.T) {
	t.Parallel()
	e := start(t)
	c := e.client()
	resp, _ := c.do("GET", "/login?x=1", nil, map[string]string{"X-Request-Id": "req-42-abc"})
	if resp.Header.Get("X-Request-Id") != "req-42-abc" {
		t.Fatalf("X-Request-Id: %q", resp.Header.Get("X-Request-Id"))
	}
	want := `"msg":"request","request_id":"req-42-abc","method":"GET","path":"/login","route":"/login","status":200,"duration_ms":`
	if !strings.Contains(e.Logs.String(), want) {
		t.Fatalf("no request line %s in\n%s", want, e.Logs.String())
	}
}
