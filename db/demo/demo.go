// Package demo is the content of the demo organisation that `agentconsole seed` and
// `make run` create, as data: tags, knowledge bases, MCP servers, agents (some with a
// history of edits by different people), external agents whose cards are bundled
// fixtures, and the previous edition of a catalog tool that some agents were built
// with. It holds no SQL; db.Store.SeedDemoContent plays it through the real domain
// operations. Test fixtures do not use it: they keep their own small, known data.
package demo

import (
	"embed"
	"encoding/json"
	"fmt"
)

// Login emails of the people who make the demo's changes (db.DemoLogins).
const (
	Admin   = "admin@demo.test"
	Builder = "builder@demo.test"
)

// Tag is a demo tag; Color is one of db.TagColors.
type Tag struct{ Name, Color, Description string }

// MCPServer is a demo MCP server (nothing ever connects to it).
type MCPServer struct{ Name, URL string }

// Tool is a catalog tool on an agent. CallAgents and KnowledgeBases name demo agents
// and knowledge bases; they become call_agent's callableAgentIds and
// search_knowledge_base's accessibleKnowledgeBaseIds. Config is any other config.
type Tool struct {
	Name           string
	CallAgents     []string
	KnowledgeBases []string
	Config         map[string]any
}

// Change is an edit of an agent: only non-zero fields change.
type Change struct {
	Description string
	Prompt      string
	Model       string
	Starters    []string
	Slug        string
}

// Step is one event of an agent's history after its creation, made by By (a login
// email) through the domain operation it names; exactly one field besides By is set.
type Step struct {
	By      string
	Update  *Change // a save from the editor (source update)
	Publish bool    // stage → released (source publish)
	Tag     string  // bulk tagging from the list (source tags)
	AddTool *Tool   // Runtype's add capability (source capability)
	Restore int     // restore that version number (source restore)
	Delete  bool    // soft delete
}

// External is an external agent's card configuration and the fixture cards its
// refreshes read, oldest first: each one is stored as a real refresh would store it.
type External struct {
	CardURL        string
	EndpointURL    string
	RefreshMinutes int
	Cards          []string // file names under cards/
}

// Agent is one demo agent. Agents are created in list order, so the agents a
// call_agent config names come before it. CloneOf creates the agent by cloning that
// agent (then Description and Prompt, when set, are an edit of the clone).
type Agent struct {
	Name              string
	Description       string
	Model             string
	Prompt            string
	Starters          []string
	Slug              string
	Stage             string // development | released
	PlanningMode      string
	MaxToolRoundtrips int
	Tags              []string
	Tools             []Tool
	MCPServers        []string
	By                string // who created it
	CloneOf           string
	// PreviousEdition agents were built while the catalog held PreviousEditionTool's
	// older definition, so they hold it now: the sync has something to do.
	PreviousEdition bool
	External        *External
	History         []Step
}

//go:embed cards/*.json
var cardFiles embed.FS

// Card is the bundled fixture card of that file name.
func Card(name string) ([]byte, error) { return cardFiles.ReadFile("cards/" + name) }

// PreviousEditionTool is the native tool whose previous catalog definition some demo
// agents still hold.
const PreviousEditionTool = "web_search"

// PreviousEdition is the catalog file of the edition before bundled (the catalog file
// that ships): web_search had no freshness filter and returned at most 10 results.
func PreviousEdition(bundled []byte) ([]byte, error) {
	var f map[string]any
	if err := json.Unmarshal(bundled, &f); err != nil {
		return nil, err
	}
	native, _ := f["native"].(map[string]any)
	tool, _ := native[PreviousEditionTool].(map[string]any)
	params, _ := tool["parameters"].(map[string]any)
	props, _ := params["properties"].(map[string]any)
	maxResults, _ := props["maxResults"].(map[string]any)
	if props == nil || maxResults == nil {
		return nil, fmt.Errorf("demo: the catalog's %s has no parameters.properties.maxResults", PreviousEditionTool)
	}
	delete(props, "freshness")
	maxResults["maximum"] = 10
	tool["description"] = "Search the web and return the top results."
	f["catalogVersion"] = "2026.6.0"
	return json.Marshal(f)
}

// SkillRule maps a card skill tag to roles (applied to new skills on refresh).
type SkillRule struct {
	Match string
	Roles []string
}

// SkillRules are the demo organisation's skill role rules.
var SkillRules = []SkillRule{
	{Match: "booking", Roles: []string{"travel-coordinator"}},
	{Match: "legal", Roles: []string{"legal-team"}},
}

// Tags are the demo organisation's tags.
var Tags = []Tag{
	{"production", "green", "Serving real users: changes go through review"},
	{"customer-facing", "blue", "Talks to customers directly"},
	{"internal", "slate", "Used by employees only"},
	{"support", "teal", "Customer support team"},
	{"sales", "amber", "Sales and account management"},
	{"engineering", "indigo", "Engineering and operations"},
	{"finance", "purple", "Finance and billing"},
	{"people-ops", "pink", "Recruiting, onboarding and HR"},
	{"experimental", "red", "Prototypes: not for customers"},
}

// KnowledgeBases are the demo organisation's knowledge bases.
var KnowledgeBases = []string{
	"Product Docs", "Support Playbooks", "Engineering Runbooks", "HR Policies",
	"Finance Handbook", "Sales Enablement", "Security Policies",
}

// MCPServers are the demo organisation's MCP servers (reserved .example hosts).
var MCPServers = []MCPServer{
	{"GitHub", "https://mcp.demo.example/github"},
	{"Linear", "https://mcp.demo.example/linear"},
	{"Google Drive", "https://mcp.demo.example/google-drive"},
	{"Salesforce", "https://mcp.demo.example/salesforce"},
	{"Datadog", "https://mcp.demo.example/datadog"},
}
