// Package deps holds the console's "what depends on what" pages (issue 18): an agent's
// "Used by" page with the delete that can take it out of its callers, and the
// knowledge base and MCP server pages.
package deps

import (
	"strconv"
	"strings"
)

// Link is an agent (or object) shown by name with where it opens.
type Link struct {
	Name, Href string
	Deleted    bool
}

// Caller is an agent that may call the page's agent, directly (Depth 1) or through the
// agents on Path (from the caller to the page's agent).
type Caller struct {
	Link
	Depth int
	Path  []Link
}

// Agent is an agent's "Used by" page.
type Agent struct {
	ID                    int64
	Name, Href            string
	Deleted               bool
	CalledBy              []Caller
	UsesAgents, UsesKBs   []Link
	UsesMCP               []Link
	CanDelete             bool
	DeleteAction, History string
}

// Direct is the agents that call this one themselves (depth 1): the ones a delete
// would leave holding a reference.
func (a Agent) Direct() []Link {
	var out []Link
	for _, c := range a.CalledBy {
		if c.Depth == 1 {
			out = append(out, c.Link)
		}
	}
	return out
}

// DeleteConfirm is the delete button's confirmation, naming the direct callers.
func (a Agent) DeleteConfirm() string {
	d := a.Direct()
	if len(d) == 0 {
		return "Delete “" + a.Name + "”? No agent calls it. You can restore it afterwards."
	}
	return "Delete “" + a.Name + "”? " + Names(d) + " may call it. Their references are removed (one new version each) unless you untick the box; if you untick it, their next save fails until someone removes the reference."
}

// Kind is what a resource page is about: knowledge bases or MCP servers.
type Kind struct {
	Title, Noun, ListPath, Active string
	HasURL                        bool
	Field                         string // the agents' list it leaves when deleted
}

// Kinds of resource pages.
var (
	KnowledgeBases = Kind{Title: "Knowledge bases", Noun: "knowledge base", ListPath: "/knowledge-bases", Active: "knowledge-bases", Field: "accessible knowledge bases"}
	MCPServers     = Kind{Title: "MCP servers", Noun: "MCP server", ListPath: "/mcp-servers", Active: "mcp-servers", HasURL: true, Field: "MCP servers"}
)

// Row is a knowledge base or MCP server in its list.
type Row struct {
	Name, URL, Href string
	UsedBy          int
}

// Form is the create or rename form with what was typed and the errors by field.
type Form struct {
	Name, URL string
	Errors    map[string]string
}

// List is the knowledge bases' or MCP servers' page.
type List struct {
	Kind    Kind
	Rows    []Row
	Form    Form
	CanEdit bool
}

// Resource is one knowledge base's or MCP server's page: its users, rename, delete.
type Resource struct {
	Kind                 Kind
	Name, URL            string
	UsedBy               []Link
	Form                 Form
	CanEdit              bool
	Action, DeleteAction string
}

// DeleteConfirm names the agents a delete will change.
func (r Resource) DeleteConfirm() string {
	if len(r.UsedBy) == 0 {
		return "Delete " + r.Kind.Noun + " “" + r.Name + "”? No agent uses it. This cannot be undone."
	}
	return "Delete " + r.Kind.Noun + " “" + r.Name + "”? It will be removed from the " + r.Kind.Field + " of " + Names(r.UsedBy) + " (a new version each). This cannot be undone."
}

// Names lists names for a sentence: “A”, “B” and “C”; more than 10 end "and N more".
func Names(links []Link) string {
	var parts []string
	for i, l := range links {
		if i == 10 {
			parts = append(parts, strconv.Itoa(len(links)-10)+" more")
			break
		}
		parts = append(parts, "“"+l.Name+"”")
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
