package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"agentconsole/db"
	"agentconsole/views/layout"
)

// crumbsOf is the breadcrumb trail of a page as "label(href) › label" text, "" when none.
func crumbsOf(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<nav aria-label="Breadcrumb"[^>]*>(.*?)</nav>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	var parts []string
	for _, li := range regexp.MustCompile(`(?s)<li class="min-w-0[^"]*"[^>]*>(.*?)</li>`).FindAllStringSubmatch(m[1], -1) {
		if a := regexp.MustCompile(`<a href="([^"]*)"[^>]*>(.*?)</a>`).FindStringSubmatch(li[1]); a != nil {
			parts = append(parts, html.UnescapeString(a[2])+"("+a[1]+")")
		} else {
			parts = append(parts, html.UnescapeString(li[1]))
		}
	}
	return strings.Join(parts, " › ")
}

// TestBreadcrumbsBelowTheTopLevel: every page below a section has a trail from the
// section, an agent's sub-pages name the agent and link back to it, and top-level pages
// have none.
func TestBreadcrumbsBelowTheTopLevel(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	code, body := e.api("POST", "/api/agents", e.token("admin@demo.test"), `{"name":"Support <bot>"}`)
	if code != 200 {
		t.Fatalf("create agent: %d %s", code, body)
	}
	id := itoa(int64(decode(t, body)["id"].(float64)))
	cases := []struct{ path, want string }{
		{"/agents", ""},
		{"/tags", ""},
		{"/admin", ""},
		{"/agents/new", "Agents(/agents) › New agent"},
		{"/agents/" + id, "Agents(/agents) › Support <bot>"},
		{"/agents/" + id + "/versions", "Agents(/agents) › Support <bot>(/agents/" + id + ") › History"},
		{"/agents/" + id + "/diff", "Agents(/agents) › Support <bot>(/agents/" + id + ") › History(/agents/" + id + "/versions) › Changes"},
		{"/tools/web_search", "Tools(/tools) › web_search"},
		{"/admin/audit", "Admin(/admin) › Audit log"},
		{"/admin/catalog", "Admin(/admin) › Load catalog"},
	}
	for _, c := range cases {
		resp, page := admin.get(c.path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", c.path, resp.StatusCode)
			continue
		}
		if got := crumbsOf(t, page); got != c.want {
			t.Errorf("%s: breadcrumbs %q, want %q", c.path, got, c.want)
		}
	}
}

// adminNavOf lists the hrefs of a page's admin sub-navigation.
func adminNavOf(page string) []string {
	m := regexp.MustCompile(`(?s)<nav aria-label="Admin"[^>]*>(.*?)</nav>`).FindStringSubmatch(page)
	if m == nil {
		return nil
	}
	var out []string
	for _, a := range regexp.MustCompile(`<a href="([^"]*)"`).FindAllStringSubmatch(m[1], -1) {
		out = append(out, a[1])
	}
	return out
}

// TestAdminSubNavOnEveryAdminPage: every admin page shows the sub-navigation with only
// the links its viewer may open (a platform operator without the admin role: models and
// catalog), each of which opens for them; /admin lists the same with a description; the
// catalog page tells an organisation admin who may upload, without sending them to a CLI.
func TestAdminSubNavOnEveryAdminPage(t *testing.T) {
	t.Parallel()
	e := start(t)
	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")
	op := e.client().mustLogin("operator@demo.test", "demo-operator-pass")
	var all, platform []string // from the one list the layout draws, so a new admin page is covered
	for _, l := range layout.AdminNav {
		all = append(all, l.Href)
		if l.Platform {
			platform = append(platform, l.Href)
		}
	}
	for _, who := range []struct {
		c     *client
		links []string
	}{{admin, all}, {op, platform}} {
		for _, path := range append([]string{"/admin"}, who.links...) {
			resp, page := who.c.get(path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
			if got := adminNavOf(page); strings.Join(got, " ") != strings.Join(who.links, " ") {
				t.Errorf("%s: admin nav %v, want %v", path, got, who.links)
			}
			if path != "/admin" && !strings.Contains(page, `href="`+path+`" aria-current="page"`) {
				t.Errorf("%s: its own link is not marked current", path)
			}
		}
		_, index := who.c.get("/admin")
		for _, l := range who.links {
			if !regexp.MustCompile(`href="` + l + `"[^>]*>[^<]+</a>\s*<p class="mt-1 text-sm[^"]*">[^<]{20,}</p>`).MatchString(index) {
				t.Errorf("/admin has no described link to %s", l)
			}
		}
	}
	if resp, _ := op.get("/admin/users"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("operator on /admin/users: %d", resp.StatusCode)
	}
	if resp, _ := e.client().mustLogin("builder@demo.test", "demo-builder-pass").get("/admin"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("builder on /admin: %d", resp.StatusCode)
	}
	_, catalog := admin.get("/admin/catalog")
	note := regexp.MustCompile(`(?s)data-testid="operator-only">(.*?)</p>`).FindStringSubmatch(catalog)
	if note == nil || !strings.Contains(note[1], "only platform operators may upload") || strings.Contains(note[1], "agentconsole ") {
		t.Errorf("the admin's catalog note: %q", note)
	}
}

// auditFixture writes entries straight into the log (the app role may insert) at chosen
// times: two organisations, hostile cells, three days.
func auditFixture(t *testing.T, e *env) (demo, other *db.Actor) {
	t.Helper()
	ctx := context.Background()
	demo = mustActor(t, e, "admin@demo.test")
	builder := mustActor(t, e, "builder@demo.test")
	otherEmail, _ := e.otherOrg()
	other = mustActor(t, e, otherEmail)
	day := func(d int, h int) time.Time { return time.Date(2031, 3, d, h, 0, 0, 0, time.UTC) }
	add := func(a *db.Actor, at time.Time, action, summary string) {
		en := &db.AuditEntry{OrgID: &a.OrgID, ActorUserID: &a.UserID, Actor: a.Email, Action: action, ObjectType: db.AuditAgent,
			ObjectID: "7", Summary: summary, CreatedAt: at}
		if _, err := e.Store.DB.NewInsert().Model(en).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	add(demo, day(1, 23), "agent.updated", `=HYPERLINK("http://evil.example","x")`)
	add(builder, day(2, 0), "agent.updated", "a, \"quoted\"\nsecond line")
	add(builder, day(2, 12), "agent.published", "+1 -1 @me")
	add(demo, day(3, 1), "agent.deleted", "-2")
	add(other, day(2, 6), "agent.updated", "OTHER-ORG-SECRET")
	return demo, builder
}

// TestAuditFiltersAndCSV: the console filters by chosen action, member and date range
// (days included, UTC), the CSV export holds exactly the filtered entries of the own
// organisation with proper quoting and formula cells defused, and the API takes the
// same filters.
func TestAuditFiltersAndCSV(t *testing.T) {
	t.Parallel()
	e := start(t)
	_, builder := auditFixture(t, e)
	admin := e.client().mustLogin("admin@demo.test", "demo-admin-pass")

	_, page := admin.get("/admin/audit")
	for _, want := range []string{`<option value="agent.">every agent.* action</option>`, `<option value="agent.published">agent.published</option>`,
		`<option value="` + itoa(builder.UserID) + `">builder@demo.test</option>`, `type="date"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the filter form lacks %s", want)
		}
	}
	if strings.Contains(page, "OTHER-ORG-SECRET") {
		t.Fatal("the audit page shows another organisation's entry")
	}
	q := url.Values{"action": {"agent."}, "actorId": {itoa(builder.UserID)}, "from": {"2031-03-02"}, "to": {"2031-03-02"}}
	_, page = admin.get("/admin/audit?" + q.Encode())
	if n := strings.Count(page, `data-testid="audit-row"`); n != 2 {
		t.Errorf("console: %d rows for the builder's agent actions on 2 March, want 2", n)
	}
	if !strings.Contains(page, `href="/admin/audit.csv?`+html.EscapeString(q.Encode())+`"`) {
		t.Error("the CSV link does not carry the filter")
	}

	resp, body := admin.get("/admin/audit.csv?" + url.Values{"from": {"2031-03-01"}, "to": {"2031-03-03"}}.Encode())
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("csv: %d %v", resp.StatusCode, resp.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v\n%s", err, body)
	}
	var got []string
	for _, r := range recs[1:] {
		got = append(got, r[2]+"|"+r[3]+"|"+r[6])
	}
	want := []string{
		"admin@demo.test|agent.deleted|'-2",
		"builder@demo.test|agent.published|'+1 -1 @me",
		"builder@demo.test|agent.updated|a, \"quoted\"\nsecond line",
		`admin@demo.test|agent.updated|'=HYPERLINK("http://evil.example","x")`,
	}
	if strings.Join(recs[0], ",") != "id,time,actor,action,object_type,object_id,summary,ip,via,route" || strings.Join(got, "\n~") != strings.Join(want, "\n~") {
		t.Errorf("csv rows:\n%q\nwant\n%q", got, want)
	}
	if !strings.Contains(body, `"a, ""quoted""`+"\nsecond line\"") || strings.Contains(body, "OTHER-ORG") {
		t.Errorf("csv quoting or scope:\n%s", body)
	}
	if resp, _ := e.client().mustLogin("builder@demo.test", "demo-builder-pass").get("/admin/audit.csv"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("builder's csv: %d", resp.StatusCode)
	}

	tok := e.token("admin@demo.test")
	code, body := e.api("GET", "/api/audit?"+q.Encode(), tok, "")
	var log struct{ Entries []db.AuditEntry }
	if err := json.Unmarshal([]byte(body), &log); code != 200 || err != nil || len(log.Entries) != 2 || log.Entries[0].Action != "agent.published" {
		t.Errorf("API filtered: %d %s", code, body)
	}
	for _, c := range []struct{ query, path string }{{"from=2031-02-30", "from"}, {"to=yesterday", "to"}, {"from=2031-03-02&to=2031-03-01", "to"}, {"actorId=x", "actorId"}} {
		code, body := e.api("GET", "/api/audit?"+c.query, tok, "")
		if code != 400 || !strings.Contains(body, `"path":["`+c.path+`"]`) {
			t.Errorf("API ?%s: %d %s", c.query, code, body)
		}
	}
}
