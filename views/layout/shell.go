package layout

import (
	"context"
	"strings"

	"github.com/a-h/templ"

	"agentconsole/static"
)

// Every page pays for its shell: the parts of it that cannot change while the process
// runs are rendered once, from the same templ components, and written as they are.
// templ formats each interpolated value with fmt.Sprint (two allocations each) and the
// head's eight asset URLs and the two menus' links were a good part of a page's fixed
// cost.

// headAssets is assets() rendered once.
var headAssets = rendered(assets())

// logoURL is the header's logo.
var logoURL = static.URL("img/logo.svg")

// navKey is what navigation(p) depends on: the active section (its first index in Nav,
// -1 for none of them) and the user's two flags.
type navKey struct {
	active          int
	admin, operator bool
}

// navs is navigation(p) rendered for every navKey.
var navs = func() map[navKey]templ.Component {
	m := map[navKey]templ.Component{}
	for i := -1; i < len(Nav); i++ {
		active := ""
		if i >= 0 {
			active = Nav[i].Key
		}
		for _, u := range []User{{}, {IsAdmin: true}, {IsOperator: true}, {IsAdmin: true, IsOperator: true}} {
			k := navKey{navIndex(active), u.IsAdmin, u.IsOperator}
			m[k] = rendered(navigation(Page{Active: active, User: &u}))
		}
	}
	return m
}()

func navIndex(active string) int {
	for i, item := range Nav {
		if item.Key == active {
			return i
		}
	}
	return -1
}

// navFor is the header's menus for p (p.User is set: the header shows only then).
func navFor(p Page) templ.Component {
	return navs[navKey{navIndex(p.Active), p.User.IsAdmin, p.User.IsOperator}]
}

func rendered(c templ.Component) templ.Component {
	var b strings.Builder
	if err := c.Render(context.Background(), &b); err != nil {
		panic("layout: " + err.Error())
	}
	return templ.Raw(b.String())
}
