package handlers

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// AgentsAPI serves /api/agents: seed 001's create-or-update, seed 003's partial update,
// list, read, soft delete and restore, clone, publish.
type AgentsAPI struct{ Base }

func pathID(c *fiber.Ctx) (int64, error) { return paramID(c, "id") }

// paramID reads a positive id path parameter; anything else is Not Found.
func paramID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, db.ErrNotFound
	}
	return id, nil
}

// pathAgent reads the {id} path parameter and the caller's organisation's agent.
func (b Base) pathAgent(c *fiber.Ctx) (int64, *db.Agent, error) {
	id, err := pathID(c)
	if err != nil {
		return 0, nil, missing(err, "Agent %q", c.Params("id"))
	}
	a, err := b.Store.Agent(c.UserContext(), ActorOf(c).OrgID, id)
	return id, a, missing(err, "Agent %d", id)
}

// permittedID checks the permission, then reads the {id} path parameter.
func permittedID(c *fiber.Ctx, p db.Permission) (int64, error) {
	if err := require(c, p); err != nil {
		return 0, err
	}
	return pathID(c)
}

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
	return c.JSON(toAgentJSON(a, ActorOf(c).OrgUUID))
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

// List is GET /api/agents?q=&tag=1,2&tagMode=all&stage=&type=&deleted=true&sort=&page=&perPage=.
func (h *AgentsAPI) List(c *fiber.Ctx) error {
	f := filterFromQuery(c)
	page, err := h.Store.Agents(c.UserContext(), ActorOf(c).OrgID, f)
	if err != nil {
		return err
	}
	out := make([]agentJSON, len(page.Agents))
	for i, a := range page.Agents {
		out[i] = toAgentJSON(a, ActorOf(c).OrgUUID)
	}
	return c.JSON(fiber.Map{"agents": out, "total": page.Total, "page": page.Page, "perPage": page.PerPage})
}

// filterFromQuery reads the list filters shared by the API and the console.
func filterFromQuery(c *fiber.Ctx) db.AgentFilter {
	f := db.AgentFilter{Query: c.Query("q"), Stage: c.Query("stage"), Type: c.Query("type"), Sort: c.Query("sort"),
		Deleted: c.Query("deleted") == "true", AllTags: c.Query("tagMode") == "all"}
	f.Page, _ = strconv.Atoi(c.Query("page"))
	f.PerPage, _ = strconv.Atoi(c.Query("perPage"))
	for _, raw := range c.Context().QueryArgs().PeekMulti("tag") {
		for _, part := range strings.Split(string(raw), ",") {
			if id, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64); err == nil {
				f.TagIDs = append(f.TagIDs, id)
			}
		}
	}
	f.Normalize()
	return f
}

// Delete is DELETE /api/agents/{id}: soft delete (restorable).
func (h *AgentsAPI) Delete(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsDelete)
	if err != nil {
		return err
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
		if err := c.BodyParser(&body); err != nil {
			return agentError(c, &db.ValidationError{Message: "Invalid JSON body"})
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
	a, err := h.Store.SaveAgent(c.UserContext(), ActorOf(c), &db.AgentPatch{ID: db.Some(id), Stage: db.Some("released")}, db.SourcePublish)
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
		Message db.Opt[string] `json:"message"` // stored on the version
	}
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return agentError(c, &db.ValidationError{Message: "Invalid JSON body"})
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
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return agentError(c, &db.ValidationError{Message: "Invalid JSON body"})
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
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return agentError(c, &db.ValidationError{Message: "Invalid JSON body"})
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
	if err := json.Unmarshal(c.Body(), &body); err != nil {
		return agentError(c, &db.ValidationError{Message: "Invalid JSON body"})
	}
	m, err := h.Store.AddModel(c.UserContext(), ActorOf(c), body.ID, body.Name)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(m)
}
