package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	"agentconsole/db"
	"agentconsole/db/dbtest"
	"agentconsole/web"
)

// BenchmarkVersionPages drives the history and diff pages through the whole app in
// memory, on an agent shaped like make bench's 1,000-version one (scenarios 5a, 5b): a
// prompt of a thousand words on one line, eight catalog tools, two tags; its versions
// append a line to the prompt and change maxToolRoundtrips. The diff compares the first
// and the last version. allocs/op is exact; ns/op includes PostgreSQL.
func BenchmarkVersionPages(b *testing.B) {
	store := dbtest.Seeded(b)
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := web.New(ctx, web.DefaultConfig(), store, log)
	if err != nil {
		b.Fatal(err)
	}
	h := srv.App.Handler()
	var rc fasthttp.RequestCtx
	do := func(method, path, cookie, form string) *fasthttp.RequestCtx {
		rc.Request.Reset()
		rc.Response.Reset()
		rc.ResetUserValues()
		rc.Request.Header.SetMethod(method)
		rc.Request.SetRequestURI(path)
		rc.Request.Header.Set("Host", "console.test")
		if cookie != "" {
			rc.Request.Header.Set("Cookie", cookie)
		}
		if form != "" {
			rc.Request.Header.SetContentType("application/x-www-form-urlencoded")
			rc.Request.SetBodyString(form)
		}
		h(&rc)
		return &rc
	}
	cookieOf := func(rc *fasthttp.RequestCtx) string {
		c := fasthttp.AcquireCookie()
		defer fasthttp.ReleaseCookie(c)
		c.ParseBytes(rc.Response.Header.PeekCookie("ac_session"))
		return "ac_session=" + string(c.Value())
	}
	first := do("GET", "/login", "", "")
	cookie := cookieOf(first)
	tok := csrfRE.FindStringSubmatch(string(first.Response.Body()))[1]
	login := do("POST", "/login", cookie, url.Values{"_csrf": {tok}, "email": {"builder@demo.test"}, "password": {"demo-builder-pass"}}.Encode())
	if login.Response.StatusCode() != 303 {
		b.Fatalf("login: %d", login.Response.StatusCode())
	}
	cookie = cookieOf(login)

	a, err := store.ActorByEmail(ctx, "builder@demo.test")
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	if err := store.DB.NewRaw("SELECT name FROM catalog_tools WHERE kind = 'native' AND removed_at IS NULL AND name <> 'call_agent' ORDER BY name LIMIT 8").Scan(ctx, &names); err != nil {
		b.Fatal(err)
	}
	var tagIDs []int64
	if err := store.DB.NewRaw("SELECT id FROM tags WHERE org_id = ? ORDER BY id LIMIT 2", a.OrgID).Scan(ctx, &tagIDs); err != nil {
		b.Fatal(err)
	}
	tools := map[string]json.RawMessage{}
	for _, n := range names {
		tools[n] = json.RawMessage(`{}`)
	}
	words := strings.Fields("you are a helpful assistant for the support team answer clearly and cite the knowledge base when it helps")
	var prompt strings.Builder
	for i := range 1000 {
		if i > 0 {
			prompt.WriteByte(' ')
		}
		prompt.WriteString(words[(i*7)%len(words)])
	}
	ag, err := store.SaveAgent(ctx, a, &db.AgentPatch{Name: db.Some("Agent <00001>"), SystemPrompt: db.Some(prompt.String()),
		Tools: db.Some(tools), TagIDs: db.Some(tagIDs), MaxToolRoundtrips: db.Some(1)}, db.SourceCreate)
	if err != nil {
		b.Fatal(err)
	}
	var firstID, lastID int64
	for k := 2; k <= 60; k++ {
		v, err := store.SaveAgent(ctx, a, &db.AgentPatch{ID: db.Some(ag.ID), SystemPrompt: db.Some(prompt.String() + fmt.Sprintf("\n\nEdit %d.", k)),
			MaxToolRoundtrips: db.Some(1 + k%30)}, db.SourceUpdate)
		if err != nil {
			b.Fatal(err)
		}
		lastID = *v.PublishedVersionID
	}
	if err := store.DB.NewRaw("SELECT min(id) FROM agent_versions WHERE agent_id = ?", ag.ID).Scan(ctx, &firstID); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, path, want string }{
		{"history", fmt.Sprintf("/agents/%d/versions", ag.ID), "Older"},
		{"diff", fmt.Sprintf("/agents/%d/diff?from=%d&to=%d", ag.ID, firstID, lastID), "Edit 60."},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if rc := do("GET", bc.path, cookie, ""); rc.Response.StatusCode() != 200 || !strings.Contains(string(rc.Response.Body()), bc.want) {
				b.Fatalf("%s: %d", bc.path, rc.Response.StatusCode())
			}
			b.ReportAllocs()
			for b.Loop() {
				do("GET", bc.path, cookie, "")
			}
		})
	}
}
