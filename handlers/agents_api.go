package handlers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
)

// AgentsAPI serves /api/agents: seed 001's create-or-update, seed 003's partial update,
// list, read, soft delete and restore, clone, publish.
type AgentsAPI struct{ Base }

// Save is POST /api/agents: create without id, update with id (seed 001).
func (h *AgentsAPI) Save(c *fiber.Ctx) error {
	p, err := decodeAgentPatch(c.Body())
	if err != nil {
		return agentError(c, err)
	}
	perm, source := db.PermAgentsCreate, db.SourceCreate
	if p.ID.Has() {
		perm, source = db.PermAgentsUpdate, db.SourceUpdate
	}
	if err := require(c, perm); err != nil {
		return err
	}
	return h.save(c, p, source)
}

// Update is PUT /api/agents/{id}: every field optional (seed 003).
func (h *AgentsAPI) Update(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	p, err := decodeAgentPatch(c.Body())
	if err != nil {
		return agentError(c, err)
	}
	p.ID = db.Some(id)
	return h.save(c, p, db.SourceUpdate)
}

func (h *AgentsAPI) save(c *fiber.Ctx, p *db.AgentPatch, source string) error {
	if err := ifMatch(c, p); err != nil {
		return agentError(c, err)
	}
	a, err := h.Store.SaveAgent(c.UserContext(), ActorOf(c), p, source)
	if err != nil {
		return agentError(c, err)
	}
	return h.send(c, a)
}

// ifMatch reads If-Match: the version the client read (the agent's ETag), as a strict
// precondition. A save from any other version is 412 and nothing is merged — what
// `agents apply` needs. publishedVersionId in the body stays a merge base (the
// console's concurrent edits); a body that also carries it must name the same version.
func ifMatch(c *fiber.Ctx, p *db.AgentPatch) error {
	raw := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if raw == "" || raw == "*" {
		return nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(raw, "W/"), `"`), 10, 64)
	if err != nil || v <= 0 {
		return &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{Message: "If-Match must be the agent's ETag (a version id)", Path: []any{"If-Match"}}}}
	}
	if p.PublishedVersionID.Set && (p.PublishedVersionID.Null || p.PublishedVersionID.V != v) {
		return &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{Message: "publishedVersionId and If-Match name different versions", Path: []any{"publishedVersionId"}}}}
	}
	p.PublishedVersionID, p.StrictBase = db.Some(v), true
	return nil
}

func (h *AgentsAPI) send(c *fiber.Ctx, a *db.Agent) error {
	if a.PublishedVersionID != nil {
		c.Set(fiber.HeaderETag, `"`+strconv.FormatInt(*a.PublishedVersionID, 10)+`"`)
	}
	org := ActorOf(c).OrgUUID
	return sendJSONBytes(c, func(b []byte, _ func([]byte) []byte) ([]byte, error) { return appendAgent(b, a, org) })
}

// Get is GET /api/agents/{id}; deleted agents are 404 unless ?includeDeleted=true.
func (h *AgentsAPI) Get(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := h.Store.Agent(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return err
	}
	if a.DeletedAt != nil && c.Query("includeDeleted") != "true" {
		return db.ErrNotFound
	}
	return h.send(c, a)
}

// List is GET /api/agents?q=&tag=1,2&tagMode=all&stage=&type=&deleted=true&sort=&dir=&page=&perPage=.
// Each agent is written as its row is read (Store.AgentsEach) and the answer goes out
// from its chunks (sendJSONBytes): a request holds its answer and one row, never a page
// of decoded agents as well (eight heavy pages at once were the server's peak memory).
func (h *AgentsAPI) List(c *fiber.Ctx) error {
	f, err := filterFromQuery(c)
	if err != nil {
		return err
	}
	actor := ActorOf(c)
	return sendJSONBytes(c, func(b []byte, flush func([]byte) []byte) ([]byte, error) {
		b = append(b, `{"agents":[`...)
		first := true
		page, err := h.Store.AgentsEach(c.UserContext(), actor.OrgID, f, func(r *db.AgentRow) error {
			if !first {
				b = append(b, ',')
			}
			first = false
			var err error
			if b, err = appendAgentRow(b, r, actor.OrgUUID); err == nil && len(b) >= answerChunk {
				b = flush(b)
			}
			return err
		})
		if err != nil {
			return b, err
		}
		return appendPageEnd(b, page), nil
	})
}

// appendPageEnd closes the agents list and writes the page's page, perPage and total:
// {agents, page, perPage, total}, the keys in the order encoding/json gives a map's.
func appendPageEnd(b []byte, page *db.AgentPage) []byte {
	b = strconv.AppendInt(append(b, `],"page":`...), int64(page.Page), 10)
	b = strconv.AppendInt(append(b, `,"perPage":`...), int64(page.PerPage), 10)
	b = strconv.AppendInt(append(b, `,"total":`...), int64(page.Total), 10)
	return append(b, '}')
}

// filterFromQuery reads the list filters shared by the API and the console; an
// unknown value, a number out of range or an overlong text is a validation error
// naming the parameter.
func filterFromQuery(c *fiber.Ctx) (db.AgentFilter, error) {
	f := db.AgentFilter{Query: c.Query("q")}
	if len(f.Query) > db.MaxFilterText {
		return f, &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{Message: fmt.Sprintf("String must contain at most %d character(s)", db.MaxFilterText), Path: []any{"q"}}}}
	}
	var err error
	var deleted, tagMode, outdated, sinceRelease string
	for _, e := range []struct {
		name    string
		allowed []string
		dst     *string
	}{{"stage", db.ListStages, &f.Stage}, {"type", db.ListTypes, &f.Type}, {"sort", db.AgentSorts, &f.Sort},
		{"dir", agentspec.SortDirs, &f.Dir}, {"tagMode", []string{"any", "all"}, &tagMode}, {"deleted", []string{"true", "false"}, &deleted},
		{"outdated", []string{"true", "false"}, &outdated}, {"cardStatus", db.CardStatuses, &f.CardStatus},
		{"changedSinceRelease", []string{"true", "false"}, &sinceRelease}} {
		if *e.dst, err = queryEnum(c, e.name, e.allowed); err != nil {
			return f, err
		}
	}
	f.Deleted, f.AllTags = deleted == "true", tagMode == "all"
	f.Outdated, f.ChangedSinceRelease = outdated == "true", sinceRelease == "true"
	page, err := queryInt(c, "page", 1, 1, db.MaxPage)
	if err != nil {
		return f, err
	}
	perPage, err := queryInt(c, "perPage", 25, 1, db.MaxPerPage)
	if err != nil {
		return f, err
	}
	f.Page, f.PerPage = int(page), int(perPage)
	for _, raw := range c.Context().QueryArgs().PeekMulti("tag") {
		for _, part := range strings.Split(string(raw), ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil || id < 1 || len(f.TagIDs) >= db.MaxFilterTags {
				return f, &db.ValidationError{Message: "Validation Error", Details: []db.Issue{{
					Message: fmt.Sprintf("Expected at most %d tag ids, each a positive integer", db.MaxFilterTags), Path: []any{"tag"}}}}
			}
			f.TagIDs = append(f.TagIDs, id)
		}
	}
	f.Normalize()
	return f, nil
}

// Delete is DELETE /api/agents/{id}: soft delete (restorable).
func (h *AgentsAPI) Delete(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsDelete)
	if err != nil {
		return err
	}
	removeRefs, err := queryEnum(c, "removeReferences", []string{"true", "false"})
	if err != nil {
		return agentError(c, err)
	}
	if removeRefs == "true" { // issue 18; without it the delete is exactly seed 003's
		return h.deleteRemovingReferences(c, id)
	}
	if err := h.Store.DeleteAgent(c.UserContext(), ActorOf(c), id); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "id": id})
}

// Restore is POST /api/agents/{id}/restore.
func (h *AgentsAPI) Restore(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsDelete)
	if err != nil {
		return err
	}
	a, err := h.Store.RestoreAgent(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return err
	}
	return h.send(c, a)
}

// Clone is POST /api/agents/{id}/clone {"name"?}.
func (h *AgentsAPI) Clone(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsCreate)
	if err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
	}
	if len(c.Body()) > 0 {
		if err := decodeJSON(c.Body(), &body); err != nil {
			return agentError(c, err)
		}
	}
	a, err := h.Store.CloneAgent(c.UserContext(), ActorOf(c), id, body.Name)
	if err != nil {
		return agentError(c, err)
	}
	return h.send(c, a)
}

// Publish is POST /api/agents/{id}/publish: stage → released (Runtype's publish).
func (h *AgentsAPI) Publish(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	a, err := h.Store.SaveAgent(c.UserContext(), ActorOf(c), &db.AgentPatch{ID: db.Some(id), Stage: db.Some(agentspec.StageReleased)}, db.SourcePublish)
	if err != nil {
		return agentError(c, err)
	}
	return h.send(c, a)
}

// Models is GET /api/models: the model registry.
func (h *AgentsAPI) Models(c *fiber.Ctx) error {
	models, err := h.Store.Models(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"models": models})
}

// Export is GET /api/agents/{id}/export: the agent as a self-contained document.
func (h *AgentsAPI) Export(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	doc, err := h.Store.ExportAgent(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="agent-`+strconv.FormatInt(id, 10)+`.json"`)
	return c.JSON(doc)
}

// Import is POST /api/agents/import: recreate an exported agent here, reporting the
// references that could not be resolved in this organisation (?strict=true: refusing).
func (h *AgentsAPI) Import(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	return h.importDocument(c, db.ImportOptions{})
}

// ImportInto is PUT /api/agents/{id}/import: the agent's content becomes the exported
// document (what `agents apply` sends), in one transaction; If-Match is strict.
func (h *AgentsAPI) ImportInto(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	var p db.AgentPatch
	if err := ifMatch(c, &p); err != nil {
		return agentError(c, err)
	}
	return h.importDocument(c, db.ImportOptions{Into: id, IfMatch: p.PublishedVersionID.V})
}

func (h *AgentsAPI) importDocument(c *fiber.Ctx, opts db.ImportOptions) error {
	var body struct {
		db.AgentExport
		// Informative only and never read on import; decoded as text so a malformed
		// time is not an error without a field (time.Time's own error names none).
		ExportedAt *string        `json:"exportedAt"`
		Message    db.Opt[string] `json:"message"` // stored on the version
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	opts.Strict, opts.Message = c.QueryBool("strict"), body.Message
	a, unresolved, err := h.Store.ImportAgent(c.UserContext(), ActorOf(c), &body.AgentExport, opts)
	if err != nil {
		return agentError(c, err)
	}
	if a.PublishedVersionID != nil {
		c.Set(fiber.HeaderETag, `"`+strconv.FormatInt(*a.PublishedVersionID, 10)+`"`)
	}
	return c.JSON(struct {
		Agent      agentJSON       `json:"agent"`
		Unresolved []db.Unresolved `json:"unresolved"`
	}{toAgentJSON(a, ActorOf(c).OrgUUID), unresolved})
}

// KnowledgeBases is GET /api/knowledge-bases.
func (h *AgentsAPI) KnowledgeBases(c *fiber.Ctx) error {
	kbs, err := h.Store.KnowledgeBases(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"knowledgeBases": kbs})
}

// CreateKnowledgeBase is POST /api/knowledge-bases {"name"}.
func (h *AgentsAPI) CreateKnowledgeBase(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	kb, err := h.Store.CreateKnowledgeBase(c.UserContext(), ActorOf(c), body.Name)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(kb)
}

// MCPServers is GET /api/mcp-servers.
func (h *AgentsAPI) MCPServers(c *fiber.Ctx) error {
	servers, err := h.Store.MCPServers(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"mcpServers": servers})
}

// CreateMCPServer is POST /api/mcp-servers {"name", "url"}.
func (h *AgentsAPI) CreateMCPServer(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	m, err := h.Store.CreateMCPServer(c.UserContext(), ActorOf(c), body.Name, body.URL)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(m)
}

// AddModel is POST /api/models {"id", "name"} (platform operators): extend the model registry.
func (h *AgentsAPI) AddModel(c *fiber.Ctx) error {
	if err := requireOperator(c, MsgOnlyOperatorsModels); err != nil {
		return err
	}
	var body struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	m, err := h.Store.AddModel(c.UserContext(), ActorOf(c), body.ID, body.Name)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(m)
}
