// Package tools renders the tool catalog, a tool's page, the admin sync (preview and
// result) and the catalog upload.
package tools

import (
	"strconv"

	"agentconsole/views/components"
)

// Row is a tool in the catalog list.
type Row struct {
	Name, Kind, Category, Description, Version string
	Agents, Outdated                           int
	Removed                                    bool
}

// List is the catalog page.
type List struct {
	Query, Kind, Category string
	Categories            []string
	Rows                  []Row
	OutdatedAgents        int
	IsAdmin               bool
}

// Field is a parameter row.
type Field struct {
	Path, Type, Description string
	Required                bool
	Enum, Constraints       []string
	Depth                   int
}

// User is an agent using the tool.
type User struct {
	ID       int64
	Name     string
	Outdated bool
}

// Detail is a tool's page.
type Detail struct {
	Row
	Fields, ConfigFields []Field
	RawSchema, RawConfig string
	Users                []User
}

// Agent links to an agent.
type Agent struct {
	ID   int64
	Name string
}

// Group is one schema change and the agents it applies to.
type Group struct {
	Tool    string
	Changes []components.PathChange
	Agents  []Agent
}

// Problem is a config that would be invalid.
type Problem struct {
	Agent         Agent
	Tool, Message string
}

// Sync is the admin sync page: a preview before, a result after.
type Sync struct {
	Total        int
	Agents       []Agent
	Groups       []Group
	Problems     []Problem
	NotInCatalog []string
	Ran          bool
	Updated      int
	// Gated: the review policy protects an affected agent, so the sync opens (or
	// updates) OpenRequest, the organisation's sync change request, instead of running.
	Gated       bool
	OpenRequest int64
	// Merged: a merged sync change request's record, said in the past tense; Closed:
	// a sync request closed without merging (what it proposed; nothing changed).
	Merged, Closed bool
}

// Import is the catalog upload page.
type Import struct {
	Done                    bool
	Error                   string
	Version                 string
	Added, Changed, Removed []string
	Outdated                int
}

func itoa(n int) string { return strconv.Itoa(n) }

func id(n int64) string { return strconv.FormatInt(n, 10) }
