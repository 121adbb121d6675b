package web_test

import (
	"context"
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

// BenchmarkConsoleRequest drives the whole Fiber app in memory (no sockets, no wrk) with
// a logged-in cookie: the middleware chain, the session cookie, the actor query and
// the render path that every page pays, on the cheapest pages. allocs/op is exact and
// independent of how busy the machine is; ns/op includes PostgreSQL.
func BenchmarkConsoleRequest(b *testing.B) {
	store := dbtest.Seeded(b)
	log := slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn})) // as the bench runs it
	srv, err := web.New(context.Background(), web.DefaultConfig(), store, log)
	if err != nil {
		b.Fatal(err)
	}
	h := srv.App.Handler()
	// One RequestCtx reused (and reset), as fasthttp's server reuses its pooled ones.
	var ctx fasthttp.RequestCtx
	do := func(method, path, cookie, form string) *fasthttp.RequestCtx {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.ResetUserValues() // Fiber's Locals: the server clears them between requests
		ctx.Request.Header.SetMethod(method)
		ctx.Request.SetRequestURI(path)
		ctx.Request.Header.Set("Host", "console.test")
		if cookie != "" {
			ctx.Request.Header.Set("Cookie", cookie)
		}
		if form != "" {
			ctx.Request.Header.SetContentType("application/x-www-form-urlencoded")
			ctx.Request.SetBodyString(form)
		}
		h(&ctx)
		return &ctx
	}
	cookieOf := func(ctx *fasthttp.RequestCtx) string {
		v := ctx.Response.Header.PeekCookie("ac_session")
		c := fasthttp.AcquireCookie()
		defer fasthttp.ReleaseCookie(c)
		c.ParseBytes(v)
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
	a, err := store.ActorByEmail(context.Background(), "builder@demo.test")
	if err != nil {
		b.Fatal(err)
	}
	ag, err := store.SaveAgent(context.Background(), a, &db.AgentPatch{Name: db.Some("Bench agent")}, db.SourceCreate)
	if err != nil {
		b.Fatal(err)
	}
	agent := ag.ID
	for _, bc := range []struct{ name, path, want string }{
		{"account", "/account", "builder@demo.test"},
		{"history", "/agents/" + itoa(agent) + "/versions", "builder@demo.test"},
		{"list", "/agents", "builder@demo.test"},
		{"editor", "/agents/" + itoa(agent), "Bench agent"},              // the kept drawing (handlers' editorPageCache)
		{"editor_drawn", "/agents/" + itoa(agent) + "?d", "Bench agent"}, // a query string: drawn every time
		{"list50", "/agents?perPage=50&tag=", "Bench list agent"},        // make bench's list: 50 rows with tags, a tag filter
	} {
		if bc.name == "list50" {
			bc.path += itoa(benchListAgents(b, store, a))
		}
		b.Run(bc.name, func(b *testing.B) {
			if ctx := do("GET", bc.path, cookie, ""); ctx.Response.StatusCode() != 200 || !strings.Contains(string(ctx.Response.Body()), bc.want) {
				b.Fatalf("%s: %d", bc.path, ctx.Response.StatusCode())
			}
			b.ReportAllocs()
			for b.Loop() {
				do("GET", bc.path, cookie, "")
			}
		})
	}
}

// benchListAgents gives the organisation 60 agents with two tags each (one of them the
// tag returned) and 20 tags more, for a list page of 50 rows like make bench's.
func benchListAgents(b *testing.B, store *db.Store, a *db.Actor) int64 {
	ctx := context.Background()
	var tag int64
	for i := range 22 {
		t, err := store.SaveTag(ctx, a, 0, db.TagInput{Name: db.Some(fmt.Sprintf("bench tag %02d", i)), Color: db.Some("green")})
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			tag = t.ID
		}
	}
	if _, err := store.DB.ExecContext(ctx, `WITH made AS (INSERT INTO agents (org_id, name, description, model)
		SELECT ?, 'Bench list agent ' || g, 'Handles billing requests', 'openai:gpt-4o' FROM generate_series(1, 60) g RETURNING id)
		INSERT INTO agent_tags (agent_id, tag_id) SELECT m.id, t.id FROM made m, tags t WHERE t.org_id = ? AND t.name IN ('bench tag 00', 'bench tag 01')`,
		a.OrgID, a.OrgID); err != nil {
		b.Fatal(err)
	}
	return tag
}
