package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// route is one route of the router, as the route-table tests see it.
type route struct{ Method, Path string }

// public routes need no login by design.
var public = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true, "/login": true, "/api/openapi.yaml": true}

// routesOf lists every concrete route of the app (generated from the router, so a
// route added later is covered without touching these tests).
func routesOf(app *fiber.App) []route {
	var out []route
	seen := map[route]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == fiber.MethodHead || r.Method == "USE" || strings.HasPrefix(r.Path, "/static") || public[r.Path] || r.Path == "/" && r.Method != "GET" {
			continue
		}
		rt := route{r.Method, r.Path}
		if !seen[rt] {
			seen[rt] = true
			out = append(out, rt)
		}
	}
	return out
}

// fill replaces path parameters with an id: 999999 unless ids maps the route's resource.
func fill(path string, id string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = id
		}
	}
	return strings.Join(parts, "/")
}

func isAPI(path string) bool { return strings.HasPrefix(path, "/api/") }

// reviewerReviews are the writes reviewers may make (SPEC §1): comment on, approve or
// request changes to change requests.
var reviewerReviews = map[string]bool{
	"/api/change-requests/:id/comments": true, "/api/change-requests/:id/approve": true, "/api/change-requests/:id/request-changes": true,
	"/reviews/:id/comments": true, "/reviews/:id/review": true,
}

func TestRouteTableAuthCSRFAndRoles(t *testing.T) {
	t.Parallel()
	e := start(t)
	routes := routesOf(e.App)
	if len(routes) < 10 {
		t.Fatalf("router lists only %d routes", len(routes))
	}
	anon := e.client()
	anon.get("/login")
	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	reviewer := e.client().mustLogin("reviewer@demo.test", "demo-reviewer-pass")
	reviewerCSRF := reviewer.csrf("/account")
	reviewerToken := e.token("reviewer@demo.test")

	for _, r := range routes {
		path := fill(r.Path, "999999")
		write := r.Method != "GET"
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			if isAPI(r.Path) {
				if code, body := e.api(r.Method, path, "", "{}"); code != 401 || body != `{"error":"Unauthorized"}` {
					t.Fatalf("unauthenticated: %d %s", code, body)
				}
				if write && reviewerReviews[r.Path] {
					if code, body := e.api(r.Method, path, reviewerToken, "{}"); code == 403 || code >= 500 {
						t.Fatalf("reviewer token on a review action: %d %s", code, body)
					}
				} else if write {
					if code, body := e.api(r.Method, path, reviewerToken, "{}"); code != 403 {
						t.Fatalf("reviewer token on a write: %d %s", code, body)
					}
					resp, _ := admin.do(r.Method, path, strings.NewReader("{}"), map[string]string{"Content-Type": "application/json"})
					if resp.StatusCode != 403 {
						t.Fatalf("session API write without CSRF header: %d", resp.StatusCode)
					}
				}
				return
			}
			if !write {
				resp, _ := anon.get(path)
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
					t.Fatalf("anonymous GET: %d %s", resp.StatusCode, resp.Header.Get("Location"))
				}
				return
			}
			for _, tok := range []string{"", "wrong"} {
				if resp, _ := admin.post(path, url.Values{}, tok); resp.StatusCode != http.StatusForbidden {
					t.Fatalf("admin POST with CSRF %q: %d", tok, resp.StatusCode)
				}
			}
			if resp, _ := anon.post(path, url.Values{}, anon.csrf("/login")); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("anonymous POST with CSRF: %d", resp.StatusCode)
			}
			// Reviewers are read-only: every console write but their own logout, password
			// and tokens is refused, whatever the console showed them.
			if r.Path != "/logout" && r.Path != "/account/password" && r.Path != "/account/tokens/:id/revoke" && !reviewerReviews[r.Path] {
				if resp, _ := reviewer.post(path, url.Values{}, reviewerCSRF); resp.StatusCode != http.StatusForbidden {
					t.Fatalf("reviewer POST: %d", resp.StatusCode)
				}
			}
		})
	}
	// Nothing above changed data: the demo organisation still has its members.
	members, _ := e.Store.Members(context.Background(), mustActor(t, e, "admin@demo.test").OrgID)
	if len(members) != len(db.DemoLogins) {
		t.Fatalf("members changed: %d", len(members))
	}
}
