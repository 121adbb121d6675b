// Package layout is the page shell: head, navigation, flashes, and error pages.
package layout

// Page is what every full page needs besides its own content.
type Page struct {
	Title   string
	Active  string // the nav section: "agents", "tags", "tools", "admin"
	User    *User  // nil on the login page
	CSRF    string
	Flashes []Flash
}

// User is the signed-in person as the shell shows them.
type User struct {
	Name, Email, Role, OrgName string
	IsAdmin                    bool
	IsOperator                 bool // a platform operator: may change the catalog and models
}

// Flash is a one-time message shown after a redirect.
type Flash struct {
	Kind    string // "success" or "error"
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
	{Key: "home", Label: "Overview", Href: "/overview"},
	{Key: "reviews", Label: "Reviews", Href: "/reviews"},
	{Key: "admin", Label: "Admin", Href: "/admin/users", AdminOnly: true},
	{Key: "admin", Label: "Platform", Href: "/admin/catalog", OperatorOnly: true},
}
