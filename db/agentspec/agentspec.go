// Package agentspec declares the agent's vocabulary once, as data: stages, agent
// types, planning modes, list sorts, version sources, defaults, and the tool configs
// that carry ids of other objects. Validation, export/import, diffs, the sync preview,
// filters and templates range over these lists, so adding a kind is one line here.
//
// It imports nothing, so views may use it without depending on the store.
package agentspec

// Stages of an agent; the first is a new agent's.
const (
	StageDevelopment = "development"
	StageReleased    = "released"
)

// Stages lists every stage, in the order filters and the editor offer them.
var Stages = []string{StageDevelopment, StageReleased}

// Agent types; native agents run here, external ones are A2A peers known by their card.
const (
	TypeNative   = "native"
	TypeExternal = "external"
)

// AgentTypes lists every agent type.
var AgentTypes = []string{TypeNative, TypeExternal}

// PlanningModes lists the values of planningMode.
var PlanningModes = []string{"never", "always", "auto"}

// Sorts lists the agents list's orders (each a column of the list); the first is the
// default.
var Sorts = []string{"updated", "name", "created", "model", "type", "stage"}

// SortLabels names each sort for people: the heading of its column.
var SortLabels = map[string]string{"updated": "Updated", "name": "Name", "created": "Created", "model": "Model", "type": "Type", "stage": "Stage"}

// Sort directions of the agents list (the dir parameter).
const (
	SortAsc  = "asc"
	SortDesc = "desc"
)

// SortDirs lists the sort directions.
var SortDirs = []string{SortAsc, SortDesc}

// SortNewestFirst lists the sorts whose default direction is descending (times: the
// newest first); every other sort starts ascending.
var SortNewestFirst = []string{"updated", "created"}

// DefaultSortDir is the direction a sort starts in.
func DefaultSortDir(sort string) string {
	if OneOf(sort, SortNewestFirst) {
		return SortDesc
	}
	return SortAsc
}

// PerPageChoices are the page sizes the console offers; the first is the default.
var PerPageChoices = []int{25, 50, 100}

// Bulk actions on agents selected in the list (besides tagging): each is recorded per
// agent as the single action is, in one transaction, with one audit entry.
const (
	BulkPublish     = "publish"
	BulkDelete      = "delete"
	BulkRestore     = "restore"
	BulkChangeModel = "changeModel"
)

// BulkActions lists every bulk action.
var BulkActions = []string{BulkPublish, BulkDelete, BulkRestore, BulkChangeModel}

// Version sources: what made an agent_versions row.
const (
	SourceCreate      = "create"
	SourceUpdate      = "update"
	SourceClone       = "clone"
	SourceRestore     = "restore"
	SourcePublish     = "publish"
	SourceImport      = "import"
	SourceTags        = "tags"
	SourceSync        = "sync"
	SourceCapability  = "capability"
	SourceCardRefresh = "card_refresh"
	// SourceChangeRequest is a merged change request (review before release).
	SourceChangeRequest = "change_request"
)

// VersionSources lists every version source (the History filter offers each).
var VersionSources = []string{
	SourceCreate, SourceUpdate, SourceClone, SourceRestore, SourcePublish,
	SourceTags, SourceImport, SourceSync, SourceCapability, SourceCardRefresh, SourceChangeRequest,
}

// Refresh interval of an external agent's card, in minutes: 0 (or unset) means the
// default; the maximum is 30 days.
const (
	DefaultRefreshIntervalMinutes = 60
	MaxRefreshIntervalMinutes     = 60 * 24 * 30
)

// ConfigRef is a tool whose config holds ids of other objects of the organisation.
type ConfigRef struct {
	Tool    string // the catalog tool carrying the ids
	IDKey   string // the config key holding the ids
	NameKey string // the key that replaces it in exports (names instead of ids)
	Table   string // where the ids point
	Kind    string // the kind named in import's unresolved list
	Label   string // the objects as an error message names them ("Agent 7 does not belong…")
	Noun    string // how the sync preview reads it ("calls agent 7, which no longer exists")
	Verb    string
	May     string // the editor's picker label ("call_agent may call")
	Live    bool   // only rows not soft-deleted count (deleted_at IS NULL)
	NotSelf bool   // the agent itself may not be named
}

// ConfigRefs lists every tool config that carries ids.
var ConfigRefs = []ConfigRef{
	{Tool: "call_agent", IDKey: "callableAgentIds", NameKey: "callableAgentNames", Table: "agents", Kind: "agent", Label: "Agent", Noun: "agent", Verb: "calls", May: "may call", Live: true, NotSelf: true},
	{Tool: "search_knowledge_base", IDKey: "accessibleKnowledgeBaseIds", NameKey: "accessibleKnowledgeBaseNames", Table: "knowledge_bases", Kind: "knowledgeBase", Label: "Knowledge base", Noun: "knowledge base", Verb: "searches", May: "may search"},
}

// ConfigRefByKey finds the reference whose config key is key.
func ConfigRefByKey(key string) (ConfigRef, bool) {
	for _, r := range ConfigRefs {
		if r.IDKey == key {
			return r, true
		}
	}
	return ConfigRef{}, false
}

// ConfigRefByTool finds the reference carried by the named tool.
func ConfigRefByTool(tool string) (ConfigRef, bool) {
	for _, r := range ConfigRefs {
		if r.Tool == tool {
			return r, true
		}
	}
	return ConfigRef{}, false
}

// OneOf reports whether v is in list.
func OneOf(v string, list []string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
