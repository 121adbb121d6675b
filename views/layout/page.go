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
}

// Nav lists the console's sections in order.
var Nav = []NavItem{
	{Key: "agents", Label: "Agents", Href: "/agents"},
	{Key: "tags", Label: "Tags", Href: "/tags"},
	{Key: "tools", Label: "Tools", Href: "/tools"},
	{Key: "home", Label: "Overview", Href: "/overview"},
	{Key: "admin", Label: "Admin", Href: "/admin/users", AdminOnly: true},
}
