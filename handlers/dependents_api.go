package handlers

import (
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// What depends on what (issue 18), in the API: an agent's callers and uses, deleting an
// agent with its references, and renaming or deleting knowledge bases and MCP servers.

// Dependents is GET /api/agents/{id}/dependents: the agents whose call_agent may call
// it, directly and transitively (depth and path), and what it uses in turn.
func (h *AgentsAPI) Dependents(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	d, err := h.Store.AgentDependents(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// deleteRemovingReferences is DELETE /api/agents/{id}?removeReferences=true: the agent
// leaves the callable agents of every agent calling it (a version each), in the same
// transaction as the delete.
func (h *AgentsAPI) deleteRemovingReferences(c *fiber.Ctx, id int64) error {
	changed, err := h.Store.DeleteAgentRemovingReferences(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "id": id, "updatedAgents": changed})
}

// UpdateKnowledgeBase is PUT /api/knowledge-bases/{id} {"name"}: rename.
func (h *AgentsAPI) UpdateKnowledgeBase(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	kb, err := h.Store.RenameKnowledgeBase(c.UserContext(), ActorOf(c), id, body.Name)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(kb)
}

// DeleteKnowledgeBase is DELETE /api/knowledge-bases/{id}: it leaves every agent's
// accessible knowledge bases (a version each) and is deleted, in one transaction.
func (h *AgentsAPI) DeleteKnowledgeBase(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	changed, err := h.Store.DeleteKnowledgeBase(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "id": id, "updatedAgents": changed})
}

// UpdateMCPServer is PUT /api/mcp-servers/{id} {"name"?, "url"?}.
func (h *AgentsAPI) UpdateMCPServer(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	var in db.MCPServerInput
	if err := decodeJSON(c.Body(), &in); err != nil {
		return agentError(c, err)
	}
	m, err := h.Store.UpdateMCPServer(c.UserContext(), ActorOf(c), id, in)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(m)
}

// DeleteMCPServer is DELETE /api/mcp-servers/{id}: it leaves every agent's MCP servers
// (a version each) and is deleted, in one transaction.
func (h *AgentsAPI) DeleteMCPServer(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	changed, err := h.Store.DeleteMCPServer(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "id": id, "updatedAgents": changed})
}
