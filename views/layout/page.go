// Package layout is the page shell: head, navigation, flashes, and error pages.
package layout

import "strings"

// Page is what every full page needs besides its own content.
type Page struct {
	Title   string
	Active  string // the nav section: "agents", "tags", "tools", "admin"
	User    *User  // nil on the login page
	CSRF    string
	Flashes []Flash
	// Path is the request path: the admin sub-navigation marks its current link by it.
	Path string
	// Crumbs is the trail from the section to this page (the last one is the page
	// itself, without a link); empty on top-level pages.
	Crumbs []Crumb
}

// Crumb is one step of the breadcrumb trail.
type Crumb struct{ Label, Href string }

// User is the signed-in person as the shell shows them.
type User struct {
	Name, Email, Role, OrgName string
	IsAdmin                    bool
	IsOperator                 bool // a platform operator: may change the catalog and models
}

// Flash is a one-time message shown after a redirect.
type Flash struct {
	Kind    string // "success", "error" or "info" (a note about what the page shows)
	Message string
}

// NavItem is one entry of the main navigation.
type NavItem struct {
	Key, Label, Href string
	AdminOnly        bool
	// OperatorOnly items are for platform operators who are not organisation admins
	// (admins reach the same pages from the admin tabs).
	OperatorOnly bool
}

// VisibleTo reports whether the signed-in user sees the item.
func (n NavItem) VisibleTo(u *User) bool {
	switch {
	case n.AdminOnly:
		return u.IsAdmin
	case n.OperatorOnly:
		return u.IsOperator && !u.IsAdmin
	}
	return true
}

// Nav lists the console's sections in order.
var Nav = []NavItem{
	{Key: "agents", Label: "Agents", Href: "/agents"},
	{Key: "tags", Label: "Tags", Href: "/tags"},
	{Key: "tools", Label: "Tools", Href: "/tools"},
	{Key: "knowledge-bases", Label: "Knowledge bases", Href: "/knowledge-bases"},
	{Key: "mcp-servers", Label: "MCP servers", Href: "/mcp-servers"},
	{Key: "home", Label: "Overview", Href: "/overview"},
	{Key: "reviews", Label: "Reviews", Href: "/reviews"},
	{Key: "admin", Label: "Admin", Href: "/admin", AdminOnly: true},
	{Key: "admin", Label: "Platform", Href: "/admin/catalog", OperatorOnly: true},
}

// AdminLink is one page of the admin sub-navigation and of the /admin index.
type AdminLink struct {
	Href, Label, Description string
	// Platform pages (the model registry, the tool catalog) are shared by every
	// organisation: platform operators reach them too, without the admin role.
	Platform bool
}

// VisibleTo reports whether u may open the page (the routes check it again).
func (l AdminLink) VisibleTo(u *User) bool {
	if u == nil {
		return false
	}
	return u.IsAdmin || (l.Platform && u.IsOperator)
}

// Current reports whether the page at path belongs to this link.
func (l AdminLink) Current(path string) bool {
	return path == l.Href || strings.HasPrefix(path, l.Href+"/")
}

// AdminNav lists the admin pages in order, each with a one-line description.
var AdminNav = []AdminLink{
	{Href: "/admin/users", Label: "Users & roles", Description: "Add members, change their roles, deactivate and reactivate them."},
	{Href: "/admin/tokens", Label: "API tokens", Description: "Create tokens for API clients and the agents CLI, and revoke them."},
	{Href: "/admin/audit", Label: "Audit log", Description: "Who changed what and when, filtered by action, person and date, exported as CSV."},
	{Href: "/admin/sync", Label: "Sync tools", Description: "Move every agent to the catalog's latest tool schemas, after a preview."},
	{Href: "/admin/review-policy", Label: "Review policy", Description: "Which agents need approval before a change takes effect, and who may approve."},
	{Href: "/admin/skill-roles", Label: "Skill roles", Description: "Rules giving roles to the skills of external agents' cards."},
	{Href: "/admin/models", Label: "Models", Description: "The model registry agents choose from; platform operators extend it.", Platform: true},
	{Href: "/admin/catalog", Label: "Catalog", Description: "The tool catalog shared by every organisation; platform operators load new editions.", Platform: true},
}
