package handlers

import (
	"encoding/json"
	"sort"
	"time"

	"agentconsole/db"
)

// seedTime formats times as the seeds show them: 2024-01-15T10:30:00.000Z.
type seedTime time.Time

const seedTimeLayout = "2006-01-02T15:04:05.000Z"

func (t seedTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format(seedTimeLayout) + `"`), nil
}

func seedTimePtr(t *time.Time) *seedTime {
	if t == nil {
		return nil
	}
	st := seedTime(*t)
	return &st
}

// agentJSON is the Agent schema of seed 001, with the fields the other seeds add
// (Cotool's toolNames/modelAlias/planningMode/contextDocs, Runtype's agentType and
// externalConfig) and deletedAt.
type agentJSON struct {
	ID                   int64                      `json:"id"`
	UUID                 string                     `json:"uuid"`
	OrganizationID       string                     `json:"organizationId"`
	Name                 string                     `json:"name"`
	Description          *string                    `json:"description"`
	LogoURL              *string                    `json:"logoUrl"`
	Icon                 *string                    `json:"icon"`
	ConversationStarters []string                   `json:"conversationStarters"`
	Model                *string                    `json:"model"`
	ModelAlias           *string                    `json:"modelAlias"`
	MaxToolRoundtrips    *int                       `json:"maxToolRoundtrips"`
	SystemPrompt         *string                    `json:"systemPrompt"`
	Tools                map[string]json.RawMessage `json:"tools"`
	ToolNames            []string                   `json:"toolNames"`
	Integrations         []string                   `json:"integrations"`
	MCPServers           []int64                    `json:"mcpServers"`
	Stage                string                     `json:"stage"`
	ShowInChat           bool                       `json:"showInChat"`
	EmailSlug            *string                    `json:"emailSlug"`
	TagIDs               []int64                    `json:"tagIds"`
	Tags                 []tagJSON                  `json:"tags"`
	PlanningMode         *string                    `json:"planningMode"`
	ContextDocs          []db.ContextDoc            `json:"contextDocs"`
	AgentType            string                     `json:"agentType"`
	ExternalConfig       *db.ExternalConfig         `json:"externalConfig"`
	Inputs               []db.AgentInput            `json:"inputs"`
	TinesStoryImportID   *string                    `json:"tinesStoryImportId"`
	Status               string                     `json:"status"`
	PublishedVersionID   *int64                     `json:"publishedVersionId"`
	CreatedAt            seedTime                   `json:"createdAt"`
	UpdatedAt            seedTime                   `json:"updatedAt"`
	DeletedAt            *seedTime                  `json:"deletedAt"`
}

type tagJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// toAgentJSON is the agent as the API answers it; orgUUID is its organisation's UUID.
// Array fields are [] rather than null (seed 003 types them as arrays). A new field of
// db.AgentFields needs only its line in agentJSON (TestAPIAnswersEveryAgentField).
func toAgentJSON(a *db.Agent, orgUUID string) agentJSON {
	out := agentJSON{ID: a.ID, UUID: a.UUID, OrganizationID: orgUUID, Icon: a.LogoURL, ModelAlias: a.Model, Status: a.Status(),
		PublishedVersionID: a.PublishedVersionID, CreatedAt: seedTime(a.CreatedAt), UpdatedAt: seedTime(a.UpdatedAt), DeletedAt: seedTimePtr(a.DeletedAt)}
	db.CopyAgentFields(a, &out) // every field of the vocabulary, lists as []
	if out.Tools == nil {
		out.Tools = map[string]json.RawMessage{}
	}
	out.ToolNames = make([]string, 0, len(a.Tools))
	for name := range a.Tools {
		out.ToolNames = append(out.ToolNames, name)
	}
	sort.Strings(out.ToolNames)
	out.Tags = make([]tagJSON, len(a.Tags))
	for i, t := range a.Tags {
		out.Tags[i] = tagJSON{ID: t.ID, Name: t.Name}
	}
	return out
}

// readOnlyAgentFields are fields the API returns and a client may send back unchanged
// (seed 001's clone recipe posts a whole GET body): accepted and ignored.
var readOnlyAgentFields = map[string]bool{
	"uuid": true, "organizationId": true, "status": true, "tags": true, "createdAt": true, "updatedAt": true, "deletedAt": true,
	"changeReport": true,
}

// unknownAgentFields names the top-level keys of an agent body that are neither
// fields nor read-only: nothing a client sends is silently dropped.
func unknownAgentFields(body []byte) []db.Issue {
	var keys map[string]json.RawMessage
	if json.Unmarshal(body, &keys) != nil {
		return nil // not an object: the decoder says so
	}
	var issues []db.Issue
	for k := range keys {
		if !db.IsPatchField(k) && !readOnlyAgentFields[k] {
			issues = append(issues, db.Issue{Message: "Unrecognized key(s) in object: '" + k + "'", Path: []any{k}})
		}
	}
	sort.Slice(issues, func(i, j int) bool { return issues[i].Path[0].(string) < issues[j].Path[0].(string) })
	return issues
}

// decodeAgentPatch reads a JSON agent body. Type errors become the seed's validation
// error naming the field, in zod's words ("Expected string, received number").
func decodeAgentPatch(body []byte) (*db.AgentPatch, error) {
	p := new(db.AgentPatch)
	if err := decodeJSON(body, p); err != nil {
		return nil, err
	}
	if issues := unknownAgentFields(body); len(issues) > 0 {
		return nil, &db.ValidationError{Message: "Validation Error", Details: issues}
	}
	return p, nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	default:
		return "number"
	}
}
