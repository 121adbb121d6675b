package handlers

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/layout"
)

// agentSubPages names the steps between an agent and its sub-pages, by route pattern
// (the part after /agents/:id). The page's own title is never used for these: it is a
// sentence ("History of X"), and the crumb names the place.
var agentSubPages = map[string][]layout.Crumb{
	"/versions":                  {{Label: "History"}},
	"/versions/:versionId":       {{Label: "History", Href: "/versions"}, {Label: "Snapshot"}},
	"/diff":                      {{Label: "History", Href: "/versions"}, {Label: "Changes"}},
	"/card":                      {{Label: "Card"}},
	"/card/refreshes/:refreshId": {{Label: "Card", Href: "/card"}, {Label: "Refresh"}},
}

// crumbs derives the breadcrumb trail of a page from its route pattern, so every page
// below the top level has one without its handler asking: the section (from the main
// navigation, or Admin), then for an agent's sub-pages the agent by name, then the page.
func (b *Base) crumbs(c *fiber.Ctx, title string) []layout.Crumb {
	pattern := c.Route().Path
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	if len(segs) < 2 || ActorOf(c) == nil {
		return nil // a top-level page (or the login page)
	}
	section := sectionCrumb(segs[0])
	if segs[0] == "agents" && segs[1] == ":id" {
		if rest, ok := agentSubPages[strings.TrimPrefix(pattern, "/agents/:id")]; ok {
			return b.agentTrail(c, section, rest)
		}
		if len(segs) > 2 && c.Method() == fiber.MethodGet { // a sub-page added later: its title
			return b.agentTrail(c, section, []layout.Crumb{{Label: title}})
		}
	}
	return []layout.Crumb{section, {Label: title}}
}

// agentTrail is Agents › <agent name> › the steps of rest (their Href relative to the agent).
func (b *Base) agentTrail(c *fiber.Ctx, section layout.Crumb, rest []layout.Crumb) []layout.Crumb {
	id, err := paramID(c, "id")
	name := "Agent"
	if known, ok := c.Locals(crumbAgentKey).(crumbAgent); ok && err == nil && known.id == id {
		name = known.name
	} else if err == nil {
		if n, err := b.Store.AgentName(c.UserContext(), ActorOf(c).OrgID, id); err == nil {
			name = n
		}
	}
	agent := "/agents/" + strconv.FormatInt(id, 10)
	out := []layout.Crumb{section, {Label: name, Href: agent}}
	for _, r := range rest {
		if r.Href != "" {
			r.Href = agent + r.Href
		}
		out = append(out, r)
	}
	return out
}

// sectionCrumb is the first crumb: the main navigation's entry for the path's first
// segment, or the segment itself.
func sectionCrumb(first string) layout.Crumb {
	href := "/" + first
	if first == "admin" {
		return layout.Crumb{Label: "Admin", Href: "/admin"}
	}
	for _, n := range layout.Nav {
		if n.Href == href {
			return layout.Crumb{Label: n.Label, Href: href}
		}
	}
	return layout.Crumb{Label: strings.ToUpper(first[:1]) + strings.ReplaceAll(first[1:], "-", " "), Href: href}
}

// crumbAgentKey holds the agent a handler has already read for this request
// (pathAgent, pathAgentHead), so the trail names it without reading it again.
const crumbAgentKey = "crumbAgent"

type crumbAgent struct {
	id   int64
	name string
}

// rememberAgentName keeps a (when read) for the breadcrumb.
func rememberAgentName(c *fiber.Ctx, a *db.Agent) {
	if a != nil {
		c.Locals(crumbAgentKey, crumbAgent{id: a.ID, name: a.Name})
	}
}
