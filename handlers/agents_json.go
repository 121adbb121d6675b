package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// seedTime formats times as the seeds show them: 2024-01-15T10:30:00.000Z.
type seedTime time.Time

func (t seedTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
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
// Array fields are [] rather than null (seed 003 types them as arrays).
func toAgentJSON(a *db.Agent, orgUUID string) agentJSON {
	out := agentJSON{
		ID: a.ID, UUID: a.UUID, OrganizationID: orgUUID, Name: a.Name, Description: a.Description, LogoURL: a.LogoURL, Icon: a.LogoURL,
		Inputs: nonNil(a.Inputs), TinesStoryImportID: a.TinesStoryImportID, Status: a.Status(),
		ConversationStarters: nonNil(a.ConversationStarters), Integrations: nonNil(a.Integrations), MCPServers: nonNil(a.MCPServers),
		ContextDocs: nonNil(a.ContextDocs),
		Model:       a.Model, ModelAlias: a.Model, MaxToolRoundtrips: a.MaxToolRoundtrips, SystemPrompt: a.SystemPrompt,
		Tools: a.Tools, Stage: a.Stage, ShowInChat: a.ShowInChat,
		EmailSlug: a.EmailSlug, TagIDs: a.TagIDs, PlanningMode: a.PlanningMode,
		AgentType: a.AgentType, ExternalConfig: a.ExternalConfig, PublishedVersionID: a.PublishedVersionID,
		CreatedAt: seedTime(a.CreatedAt), UpdatedAt: seedTime(a.UpdatedAt), DeletedAt: seedTimePtr(a.DeletedAt),
	}
	if out.Tools == nil {
		out.Tools = map[string]json.RawMessage{}
	}
	out.ToolNames = make([]string, 0, len(a.Tools))
	for name := range a.Tools {
		out.ToolNames = append(out.ToolNames, name)
	}
	sort.Strings(out.ToolNames)
	if out.TagIDs == nil {
		out.TagIDs = []int64{}
	}
	out.Tags = make([]tagJSON, len(a.Tags))
	for i, t := range a.Tags {
		out.Tags[i] = tagJSON{ID: t.ID, Name: t.Name}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// readOnlyAgentFields are fields the API returns and a client may send back unchanged
// (seed 001's clone recipe posts a whole GET body): accepted and ignored.
var readOnlyAgentFields = map[string]bool{
	"uuid": true, "organizationId": true, "status": true, "tags": true, "createdAt": true, "updatedAt": true, "deletedAt": true,
	"changeReport": true,
}

// agentPatchFields are the JSON names an agent body may carry, read from AgentPatch.
var agentPatchFields = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(db.AgentPatch{})
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}()

// unknownAgentFields names the top-level keys of an agent body that are neither
// fields nor read-only: nothing a client sends is silently dropped.
func unknownAgentFields(body []byte) []db.Issue {
	var keys map[string]json.RawMessage
	if json.Unmarshal(body, &keys) != nil {
		return nil // not an object: the decoder says so
	}
	var issues []db.Issue
	for k := range keys {
		if !agentPatchFields[k] && !readOnlyAgentFields[k] {
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
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{Message: "Expected object, received undefined", Path: []any{}}}}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			path := []any{}
			for _, part := range strings.Split(te.Field, ".") {
				if part != "" {
					path = append(path, part)
				}
			}
			return nil, &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{
				Message: fmt.Sprintf("Expected %s, received %s", jsonKind(te.Type.Kind().String()), te.Value), Path: path}}}
		}
		return nil, &db.ValidationError{Message: "Invalid JSON body"}
	}
	if dec.More() {
		return nil, &db.ValidationError{Message: "Invalid JSON body"}
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

// agentError answers domain errors of agent operations in the seeds' shapes; other
// errors go to the one error path.
func agentError(c *fiber.Ctx, err error) error {
	var ve *db.ValidationError
	var ce *db.ConflictError
	var pe *db.PreconditionError
	switch {
	case errors.As(err, &ve):
		body := errorBody{Error: ve.Message}
		if ve.Message == "Validation Error" {
			body.Details = ve.Details
		}
		return c.Status(fiber.StatusBadRequest).JSON(body)
	case errors.As(err, &pe):
		return c.Status(fiber.StatusPreconditionFailed).JSON(struct {
			Error   string    `json:"error"`
			Current agentJSON `json:"current"`
		}{preconditionMessage(pe), toAgentJSON(pe.Current, ActorOf(c).OrgUUID)})
	case errors.As(err, &ce):
		// One details[] entry per path both sides changed (seed error shape).
		details := make([]db.Issue, len(ce.Conflicts))
		for i, cf := range ce.Conflicts {
			details[i] = db.Issue{Message: "Changed since your version by " + byWhom(ce) + ", and by you to a different value", Path: cf.Path}
		}
		return c.Status(fiber.StatusConflict).JSON(struct {
			Error   string     `json:"error"`
			Details []db.Issue `json:"details"`
			Current agentJSON  `json:"current"`
		}{conflictMessage(ce), details, toAgentJSON(ce.Current, ActorOf(c).OrgUUID)})
	}
	return err
}

// byWhom names who saved since the caller's version.
func byWhom(ce *db.ConflictError) string {
	switch {
	case len(ce.Authors) > 0:
		return strings.Join(ce.Authors, " and ")
	case ce.By != "":
		return ce.By
	}
	return "someone else"
}

func conflictMessage(ce *db.ConflictError) string {
	if ce.By == "" {
		return "Conflict: this agent was changed since your copy was read"
	}
	return fmt.Sprintf("Conflict: this agent was changed by %s at %s (version %d) since your copy was read",
		ce.By, ce.At.UTC().Format("2006-01-02 15:04:05 UTC"), ce.VersionNo)
}

func preconditionMessage(pe *db.PreconditionError) string {
	by := pe.By
	if by == "" {
		by = "someone else"
	}
	return fmt.Sprintf("Precondition Failed: this agent was changed by %s at %s (version %d) since the version you read (If-Match %d)",
		by, pe.At.UTC().Format("2006-01-02 15:04:05 UTC"), pe.VersionNo, pe.Base)
}

// validationMessage is the first message of a validation error ("" for other errors).
func validationMessage(err error) string {
	var ve *db.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	if len(ve.Details) > 0 {
		return ve.Details[0].Message
	}
	return ve.Message
}
