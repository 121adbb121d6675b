package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/dbtest"
	"agentconsole/web"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// env is one running console on its own fresh database, reached over real HTTP.
type env struct {
	t     *testing.T
	URL   string
	Store *db.Store
	Logs  *logBuffer
	App   *fiber.App
}

func start(t *testing.T, tweak ...func(*web.Config)) *env {
	t.Helper()
	return startOn(t, dbtest.Seeded(t), tweak...)
}

// startOn runs a console on an existing database (several may share one).
func startOn(t *testing.T, store *db.Store, tweak ...func(*web.Config)) *env {
	t.Helper()
	cfg := web.DefaultConfig()
	cfg.CardTick = 0                                                           // no background refresh unless a test asks for it
	cfg.Fetch.AllowNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} // the tests' A2A peers
	cfg.Fetch.Timeout = 5 * time.Second                                        // local peers answer at once, but a loaded machine may stall a few seconds
	for _, f := range tweak {
		f(&cfg)
	}
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := web.New(ctx, cfg, store, log)
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
	return &env{t: t, URL: "http://" + ln.Addr().String(), Store: store, Logs: logs, App: srv.App}
}

// client is a browser-like HTTP client with a cookie jar that does not follow redirects.
type client struct {
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (c *client) get(path string) (*http.Response, string) {
	c.e.t.Helper()
	return c.do("GET", path, nil, nil)
}

func (c *client) do(method, path string, body io.Reader, header map[string]string) (*http.Response, string) {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// csrf reads the token from a page's form.
func (c *client) csrf(path string) string {
	c.e.t.Helper()
	_, body := c.get(path)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.e.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

// post sends a form with the page's CSRF token (token "" means: send none).
func (c *client) post(path string, form url.Values, token string) (*http.Response, string) {
	c.e.t.Helper()
	if token != "" {
		form.Set("_csrf", token)
	}
	return c.do("POST", path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func (c *client) login(email, password string) *http.Response {
	c.e.t.Helper()
	resp, _ := c.post("/login", url.Values{"email": {email}, "password": {password}}, c.csrf("/login"))
	return resp
}

func (c *client) mustLogin(email, password string) *client {
	c.e.t.Helper()
	if resp := c.login(email, password); resp.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("login %s: status %d", email, resp.StatusCode)
	}
	return c
}

// api calls the JSON API with a bearer token.
func (e *env) api(method, path, token, body string) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	checkContract(e.t, method, path, resp.StatusCode, string(b))
	return resp.StatusCode, string(b)
}

// token makes an API token acting as the user with that email.
func (e *env) token(email string) string {
	e.t.Helper()
	a, err := e.Store.ActorByEmail(context.Background(), email)
	if err != nil {
		e.t.Fatal(err)
	}
	_, secret, err := e.Store.CreateToken(context.Background(), a, a.UserID, "test")
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// otherOrg creates a second organisation with an admin, for isolation tests.
func (e *env) otherOrg() (email, password string) {
	e.t.Helper()
	ctx := context.Background()
	org, err := e.Store.CreateOrganization(ctx, e.Store.DB, "Other Org", "other")
	if err != nil {
		e.t.Fatal(err)
	}
	email, password = "admin@other.test", "other-admin-pass"
	if _, err := e.Store.CreateUser(ctx, org.ID, email, "Other Admin", password, db.RoleAdmin); err != nil {
		e.t.Fatal(err)
	}
	return email, password
}

// logBuffer collects the server's log lines for tests that read them.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
