package db

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// ContextDoc is a document given to the agent as context (Cotool's contextDocs).
type ContextDoc struct {
	Provider string `json:"provider"`
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	MimeType string `json:"mimeType,omitempty"`
}

// ExternalConfig points an external agent at its A2A card (Runtype).
type ExternalConfig struct {
	AgentCardURL           string `json:"agentCardUrl,omitempty"`
	EndpointURL            string `json:"endpointUrl,omitempty"`
	RefreshIntervalMinutes int    `json:"refreshIntervalMinutes,omitempty"`
}

// AgentInput is one entry of seed 003's inputs: a value the agent asks for.
type AgentInput struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
}

// TagRef is a tag as an agent shows it.
type TagRef struct {
	ID    int64  `json:"id" bun:"id"`
	Name  string `json:"name" bun:"name"`
	Color string `json:"-" bun:"color"`
}

// Agent is an agent row; its JSON form is the snapshot stored in each version.
type Agent struct {
	bun.BaseModel        `bun:"table:agents,alias:a"`
	ID                   int64                      `bun:"id,pk,autoincrement" json:"id"`
	UUID                 string                     `bun:"uuid,notnull" json:"-"` // identity, not content: not in snapshots
	OrgID                int64                      `bun:"org_id,notnull" json:"-"`
	Name                 string                     `bun:"name,notnull" json:"name"`
	Description          *string                    `bun:"description" json:"description"`
	LogoURL              *string                    `bun:"logo_url" json:"logoUrl"`
	ConversationStarters []string                   `bun:"conversation_starters,type:jsonb" json:"conversationStarters"`
	Model                *string                    `bun:"model" json:"model"`
	MaxToolRoundtrips    *int                       `bun:"max_tool_roundtrips" json:"maxToolRoundtrips"`
	SystemPrompt         *string                    `bun:"system_prompt" json:"systemPrompt"`
	Tools                map[string]json.RawMessage `bun:"tools,type:jsonb,notnull" json:"tools"`
	Integrations         []string                   `bun:"integrations,type:jsonb" json:"integrations"`
	MCPServers           []int64                    `bun:"mcp_servers,array" json:"mcpServers"`
	Stage                string                     `bun:"stage,notnull" json:"stage"`
	ShowInChat           bool                       `bun:"show_in_chat,notnull" json:"showInChat"`
	EmailSlug            *string                    `bun:"email_slug" json:"emailSlug"`
	PlanningMode         *string                    `bun:"planning_mode" json:"planningMode"`
	ContextDocs          []ContextDoc               `bun:"context_docs,type:jsonb" json:"contextDocs"`
	AgentType            string                     `bun:"agent_type,notnull" json:"agentType"`
	ExternalConfig       *ExternalConfig            `bun:"external_config,type:jsonb" json:"externalConfig"`
	// Seed 003's fields; omitted from snapshots while unset, so versions written before
	// they existed compare equal.
	Inputs             []AgentInput `bun:"inputs,type:jsonb" json:"inputs,omitempty"`
	TinesStoryImportID *string      `bun:"tines_story_import_id" json:"tinesStoryImportId,omitempty"`
	PublishedVersionID *int64       `bun:"published_version_id" json:"publishedVersionId"`
	CreatedAt          time.Time    `bun:"created_at,nullzero,notnull,default:current_timestamp" json:"createdAt"`
	UpdatedAt          time.Time    `bun:"updated_at,nullzero,notnull,default:current_timestamp" json:"updatedAt"`
	DeletedAt          *time.Time   `bun:"deleted_at" json:"deletedAt"`

	// LiveVersion is the number of the version publishedVersionId points at.
	LiveVersion int `bun:"live_version,scanonly" json:"-"`
	// UpdatedBy is the author of the live version and DeletedBy who deleted the agent
	// (the list's summary columns read them).
	UpdatedBy string  `bun:"updated_by,scanonly" json:"-"`
	DeletedBy *string `bun:"deleted_by,scanonly" json:"-"`
	// CardHealth is an external agent's card state: "", "pending", "ok" or "error".
	CardHealth string `bun:"card_health,scanonly" json:"-"`
	// OpenRequests is the agent's open change requests (a summary list page's rows).
	OpenRequests int `bun:"open_requests,scanonly" json:"-"`
	// ListTotal comes with a list page's rows (see Store.Agents).
	ListTotal int `bun:"list_total,scanonly" json:"-"`

	// OneTag* come with a single agent's row, in the tags' order (see Store.Agent).
	OneTagIDs    []int64  `bun:"one_tag_ids,array,scanonly" json:"-"`
	OneTagNames  []string `bun:"one_tag_names,array,scanonly" json:"-"`
	OneTagColors []string `bun:"one_tag_colors,array,scanonly" json:"-"`

	// TagIDs are the agent's tags (agent_tags), loaded with the agent.
	TagIDs []int64  `bun:"-" json:"tagIds"`
	Tags   []TagRef `bun:"-" json:"-"`
}

// agentColumns selects an agent row for the Agent model, its tools whole: the table
// stores references to catalog definitions (migration 007).
const agentColumns = `a.id, a.org_id, a.name, a.description, a.logo_url, a.conversation_starters, a.model,
	a.max_tool_roundtrips, a.system_prompt, agent_tools_expand(a.tools) AS tools, a.integrations, a.mcp_servers, a.stage,
	a.show_in_chat, a.email_slug, a.planning_mode, a.context_docs, a.agent_type, a.external_config,
	a.published_version_id, a.created_at, a.updated_at, a.deleted_at, a.uuid::text AS uuid, a.inputs,
	a.tines_story_import_id::text AS tines_story_import_id, ` + cardHealthExpr

// cardHealthExpr is the card state of an external agent (NULL for native ones).
const cardHealthExpr = `CASE WHEN a.agent_type = 'external' THEN (SELECT CASE WHEN c.last_error <> '' THEN 'error'
	WHEN c.fetched_at IS NULL THEN 'pending' ELSE 'ok' END FROM agent_cards c WHERE c.agent_id = a.id) END AS card_health`

// Agent statuses (Runtype's status): live native agents are active; an external
// agent's status is its card's health.
const (
	StatusActive  = "active"
	StatusDeleted = "deleted"
	StatusPending = "pending" // external: no card fetched yet
	StatusError   = "error"   // external: the last refresh failed (the cached card stays)
)

// Status is the agent's Runtype status.
func (a *Agent) Status() string {
	switch {
	case a.DeletedAt != nil:
		return StatusDeleted
	case a.AgentType != "external" || a.CardHealth == "ok":
		return StatusActive
	case a.CardHealth == "error":
		return StatusError
	}
	return StatusPending
}

// storedRefKey marks a stored tool that references a catalog definition; clients may
// not send it.
const storedRefKey = "$def"

// AgentPatch is a create, update or partial update: only Set fields change. Field
// names are the seeds' (001 for AsterAgents, 003 for Cotool's aliases).
type AgentPatch struct {
	ID                   Opt[int64]                      `json:"id"`
	Name                 Opt[string]                     `json:"name"`
	Description          Opt[string]                     `json:"description"`
	LogoURL              Opt[string]                     `json:"logoUrl"`
	ConversationStarters Opt[[]string]                   `json:"conversationStarters"`
	Model                Opt[string]                     `json:"model"`
	ModelAlias           Opt[string]                     `json:"modelAlias"`
	MaxToolRoundtrips    Opt[int]                        `json:"maxToolRoundtrips"`
	SystemPrompt         Opt[string]                     `json:"systemPrompt"`
	Tools                Opt[map[string]json.RawMessage] `json:"tools"`
	ToolNames            Opt[[]string]                   `json:"toolNames"`
	Integrations         Opt[[]string]                   `json:"integrations"`
	MCPServers           Opt[[]int64]                    `json:"mcpServers"`
	Stage                Opt[string]                     `json:"stage"`
	ShowInChat           Opt[bool]                       `json:"showInChat"`
	EmailSlug            Opt[string]                     `json:"emailSlug"`
	TagIDs               Opt[[]int64]                    `json:"tagIds"`
	PlanningMode         Opt[string]                     `json:"planningMode"`
	ContextDocs          Opt[[]ContextDoc]               `json:"contextDocs"`
	AgentType            Opt[string]                     `json:"agentType"`
	ExternalConfig       Opt[ExternalConfig]             `json:"externalConfig"`
	Inputs               Opt[[]AgentInput]               `json:"inputs"`
	TinesStoryImportID   Opt[string]                     `json:"tinesStoryImportId"`
	Icon                 Opt[string]                     `json:"icon"` // Runtype's name for logoUrl
	// PublishedVersionID, when sent, is the version the client's copy was based on: a
	// save from an older copy is merged with what was saved since (mergeStale), and
	// refused with a ConflictError only where both changed the same thing.
	PublishedVersionID Opt[int64] `json:"publishedVersionId"`
	// StrictBase makes PublishedVersionID a precondition instead of a merge base (the
	// API's If-Match): a save from any version but the live one is refused with a
	// PreconditionError and nothing is merged.
	StrictBase bool `json:"-"`
	// Message says why the save was made (an `agents apply --message`, a commit): it is
	// stored on the new version, never on the agent.
	Message Opt[string] `json:"message"`
	// KeepStored lists paths (["description"], ["tools", "web_search"]) that keep the
	// base version's value whatever the patch says: the console's "keep theirs".
	KeepStored [][]string `json:"-"`
	// ParseIssues are problems a client's own format found while building the patch
	// (the console's one-item-per-line fields); Apply reports them with its own, so a
	// save and the inline check refuse them alike.
	ParseIssues []Issue `json:"-"`

	// ReviewTitle titles the change request a save to a protected agent opens ("" is
	// the agent's name and what changed).
	ReviewTitle string `json:"-"`

	uuid      string // a new agent's UUID when it must be this one (import)
	viaReview bool   // a merged change request: the review gate was passed
}
