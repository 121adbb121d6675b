// Package agents renders the agents list and the agent editor.
package agents

import (
	"strconv"
	"time"

	"agentconsole/db/agentspec"
	"agentconsole/views/route"
)

// Tag is a tag chip.
type Tag struct {
	ID       int64
	Name     string
	Color    string
	Selected bool
}

// Row is one agent in the list.
type Row struct {
	ID                int64
	Name, Description string
	LogoURL           string
	Stage, Type       string
	Tags              []Tag
	UpdatedAt         time.Time
	Version           int64
	Deleted           bool
	OpenRequests      int // open change requests (review before release)
	// The list's columns: model, who made the live version, created, and for the
	// Deleted view when and by whom the agent was deleted.
	Model, UpdatedBy string
	CreatedAt        time.Time
	DeletedAt        time.Time
	DeletedBy        string
}

// SortHeader is a sortable column heading: a link to the list sorted by it (the other
// direction when it is the current sort), and its aria-sort.
type SortHeader struct {
	Key, Label, URL string
	AriaSort        string // ascending | descending | none
}

// List is the agents list page.
type List struct {
	Query, Stage, Type, Sort string
	Trash                    bool
	AllTags                  bool  // tag filter: all of the selected tags rather than any
	Tags                     []Tag // every tag, Selected when filtering by it
	Rows                     []Row
	Total, Page, Pages       int
	PrevURL, NextURL         string
	CanCreate, CanDelete     bool
	CanTag                   bool // bulk tagging is offered
	ClearURL                 string
	Back                     string // this page's URL, to come back after a bulk action
	// Sorting and paging: the sort's direction, the sortable headings by key, the page
	// size and the sizes offered.
	Dir            string
	Headers        map[string]SortHeader
	PerPage        int
	PerPageChoices []int
	// Bulk actions: CanUpdate offers publish and change model (from Models), CanDelete
	// delete (restore in the Deleted view).
	CanUpdate bool
	Models    []Option
	// Narrowed: some filter is in force, the overview's included (the list's own
	// controls do not show those).
	Narrowed bool
	// Kept are the overview's filters in force (outdated, cardStatus, …): the filter
	// form carries them as hidden fields, so changing a control keeps them (and the
	// banner that names them stays true).
	Kept []Param
}

// Param is one query parameter.
type Param struct{ Name, Value string }

// Selectable says whether rows have a checkbox: some bulk action is offered.
func (l List) Selectable() bool {
	if l.Trash {
		return l.CanDelete
	}
	return l.CanUpdate || l.CanDelete || l.CanTag && len(l.Tags) > 0
}

// DeletedHeader is the Deleted view's time column: the updated sort under its name
// there (deleting an agent stamps its updated time).
func (l List) DeletedHeader() SortHeader {
	h := l.Headers["updated"]
	h.Label = "Deleted"
	return h
}

// Filtered says whether any filter narrows the list.
func (l List) Filtered() bool {
	return l.Narrowed || l.Query != "" || l.Stage != "" || l.Type != "" || l.anyTag()
}

func (l List) anyTag() bool {
	for _, t := range l.Tags {
		if t.Selected {
			return true
		}
	}
	return false
}

// ExternalFieldLabels are the external agent's inputs' labels by input name: the
// editor draws them and its error summary names the fields by them.
var ExternalFieldLabels = map[string]string{
	"agentCardUrl":           "Agent card URL",
	"endpointUrl":            "Endpoint URL (card at /.well-known/agent-card.json)",
	"refreshIntervalMinutes": "Refresh every (minutes)",
}

// Option is a select choice.
type Option struct{ Value, Label string }

// Form holds the editor's values as the user typed them.
type Form struct {
	Name, Description, LogoURL, Model, MaxToolRoundtrips, SystemPrompt string
	Stage, EmailSlug, PlanningMode, ConversationStarters               string
	ContextDocs                                                        string // one "provider | id | name | mimeType" per line
	Inputs                                                             string // one "name | type | required | description" per line
	TinesStoryImportID                                                 string
	UUID                                                               string // shown, never posted
	AgentType, AgentCardURL, EndpointURL, RefreshInterval              string
	ShowInChat                                                         bool
	BaseVersion                                                        string
	ToolConfigs                                                        map[string]string // JSON configs by tool, exactly as typed
}

// ToolOption is a catalog tool in the editor's picker.
type ToolOption struct {
	Name, Category, Description string
	Selected, Removed           bool
	ConfigJSON                  string        // for tools configured as raw JSON
	HasConfig                   bool          // the tool takes a per-agent config
	RefPicker                   bool          // its config is chosen in a RefPicker, not typed
	ConfigError                 string        // why the config was refused, shown beside it
	ConfigInputs                []ConfigInput // the config as a form generated from its configSchema
	ConfigJSON0                 string        // the config the form shows, as JSON: posted back to tell a raw JSON edit from none
	// HTML is the row already drawn (ToolRowHTML), written as it is: a tool the agent
	// does not have draws the same on every view of the same catalog.
	HTML []byte
}

// ToolConfigField is the Editor.Errors key of a tool's config: its messages are shown
// beside that tool's config field, not under the whole tool grid.
func ToolConfigField(tool string) string { return "tools." + tool + ".config" }

// Choice is an option of a multi-select with its selection.
type Choice struct {
	ID       int64
	Name     string
	Selected bool
}

// StageOrDefault is the stage the editor selects: the form's, or the first.
func (f Form) StageOrDefault() string {
	if agentspec.OneOf(f.Stage, agentspec.Stages) {
		return f.Stage
	}
	return agentspec.Stages[0]
}

// RefPicker chooses the objects a tool's config (or the agent's MCP servers) names:
// a search fetching matching names on demand, and chips of the chosen ones.
type RefPicker struct {
	Tool    string   // the tool whose config holds the ids ("" for MCP servers)
	Field   string   // the form field posting the chosen ids
	For     string   // the picker endpoint's "for" parameter
	Label   string   // "call_agent may call"
	Choices []Choice // the chosen ones, as chips
	Error   string
	Exclude int64 // an id never offered (the agent itself)
}

// RefPickerField is the form field of a tool's RefPicker.
func RefPickerField(tool string) string { return "cfg-" + tool }

// Conflict explains a stale save that collided with changes saved since: who saved,
// and each field both changed, theirs and yours side by side.
type Conflict struct {
	By, At  string
	Version int
	Fields  []ConflictField
}

// ConflictField is one path both sides changed, with the person's choice.
type ConflictField struct {
	Key          string // form name suffix: "description", "tools/web_search"
	Label        string
	Theirs, Mine string // the values as text
}

// Limits are the server's length limits of the editor's fields (db declares them),
// shown as maxlength; 0 is none.
type Limits struct{ Name, Description, Prompt, URL, Slug int }

// ErrorLink is one line of the error summary: a field's label, its message, and the
// id of the element to jump to.
type ErrorLink struct{ Anchor, Label, Message string }

// Refused reports whether the form holds a save that was refused (invalid fields or a
// conflict): what it shows is what was typed, none of it saved, so it starts out
// "Unsaved changes" and leaving asks first.
func (e Editor) Refused() bool { return len(e.Errors) > 0 || e.Conflict != nil }

// Editor is the agent editor (also the read-only view for reviewers).
type Editor struct {
	ID           int64
	Title        string // the stored name (never the refused one being typed)
	Limits       Limits
	ErrorLinks   []ErrorLink // the error summary, in the form's order
	Form         Form
	Errors       map[string]string
	Models       []Option
	Tags         []Tag
	MCPServers   []Tag // the organisation's MCP servers, Selected when connected
	Tools        []ToolOption
	RefPickers   []RefPicker // one per tool config that names objects (agentspec.ConfigRefs)
	MCPPicker    RefPicker
	ConfigErrors map[string]string // a config property's message, keyed "<tool>.<key>"
	Stage        string            // the stored stage, shown in the sticky header
	CloneName    string            // the name offered for a clone ("Copy of X", unique)
	Card         *CardSummary      // an external agent's cached card
	IsExternal   bool
	CanEdit      bool
	CanDelete    bool
	CanCreate    bool
	Deleted      bool
	Version      int64
	Conflict     *Conflict
	EmailDomain  string
	CalledBy     int // live agents whose call_agent may call this one directly
	ReviewState
}

// ReviewState is what the editor shows under a review policy: Protected turns Save
// into "Propose change"; ChangeRequest is the open request being revised (0: none).
type ReviewState struct {
	Protected                  bool
	OpenRequests               []OpenRequest
	ChangeRequest              int64
	ChangeTitle, ChangeMessage string
}

// OpenRequest links an open change request of the agent.
type OpenRequest struct {
	ID          int64
	Title, Href string
}

// Action is the form's target.
func (e Editor) Action() string {
	if e.ID == 0 {
		return route.Agents
	}
	return route.Path(route.Agent, e.ID)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// stampLayout is how the console shows a time (UTC, to the minute).
const stampLayout = "2006-01-02 15:04"

// ConfigInput is one property of a tool's config as a form input.
type ConfigInput struct {
	Tool, Key, Kind, Description string
	Required                     bool
	Enum                         []string
	Value                        string // as the input shows it (arrays of strings: one per line)
	Error                        string
}

// Name is the input's form field; KindName the hidden field carrying its kind.
func (i ConfigInput) Name() string     { return "cfg." + i.Tool + "." + i.Key }
func (i ConfigInput) KindName() string { return "cfgk." + i.Tool + "." + i.Key }

// ID is the input's element id (dots would read as classes in selectors).
func (i ConfigInput) ID() string { return "cfg-" + i.Tool + "-" + i.Key }

// CardSummary is what the editor shows of an external agent's cached card.
type CardSummary struct {
	Fetched   bool   // a card is cached
	FetchedAt string // when it was fetched
	LastError string // the last refresh's failure, if it failed
	Failures  int
	Skills    []CardSkill
}

// CardSkill is one skill of the card with its roles.
type CardSkill struct{ ID, Name, Description, Roles string }
