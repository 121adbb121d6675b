package layout

import (
	"context"
	"strings"
	"testing"
)

// The header's menus are rendered once per navKey: that is only right while they depend
// on nothing else of the page. Here the rest of the page varies and the cached menus must
// still be what navigation renders.
func TestCachedNavigationIsWhatTheComponentRenders(t *testing.T) {
	actives := []string{"", "agents", "tags", "tools", "knowledge-bases", "mcp-servers", "home", "reviews", "admin", "no-such-section"}
	for _, active := range actives {
		for _, u := range []User{{Name: "A", Role: "builder"}, {Name: "B <&>", OrgName: "Org", Role: "admin", IsAdmin: true},
			{Name: "C", Role: "reviewer", IsOperator: true}, {Name: "D", IsAdmin: true, IsOperator: true}} {
			p := Page{Title: "t", Active: active, User: &u, CSRF: "tok", Path: "/admin/users", Crumbs: []Crumb{{"x", "/x"}}}
			var want, got strings.Builder
			if err := navigation(p).Render(context.Background(), &want); err != nil {
				t.Fatal(err)
			}
			if err := navFor(p).Render(context.Background(), &got); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Fatalf("active %q, user %+v: cached menus differ from navigation(p)", active, u)
			}
		}
	}
	var assets strings.Builder
	headAssets.Render(context.Background(), &assets)
	if !strings.Contains(assets.String(), `<script src="/static/js/htmx.min.js?v=`) {
		t.Fatalf("head assets: %s", assets.String())
	}
}
