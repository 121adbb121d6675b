package handlers

import (
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
)

// TagsAPI serves /api/agent-tags ("Agent Tags: Organize agents with tags").
type TagsAPI struct{ Base }

// List is GET /api/agent-tags: every tag with its agent count.
func (h *TagsAPI) List(c *fiber.Ctx) error {
	tags, err := h.Store.TagsWithCounts(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tags": tags})
}

func decodeTag(c *fiber.Ctx) (db.TagInput, error) {
	var in db.TagInput
	return in, decodeJSON(c.Body(), &in)
}

// Create is POST /api/agent-tags {name, color?, description?}.
func (h *TagsAPI) Create(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsUpdate); err != nil {
		return err
	}
	in, err := decodeTag(c)
	if err != nil {
		return agentError(c, err)
	}
	t, err := h.Store.SaveTag(c.UserContext(), ActorOf(c), 0, in)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(t)
}

// Update is PUT /api/agent-tags/{id}: rename, recolour, describe.
func (h *TagsAPI) Update(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	in, err := decodeTag(c)
	if err != nil {
		return agentError(c, err)
	}
	t, err := h.Store.SaveTag(c.UserContext(), ActorOf(c), id, in)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(t)
}

// Delete is DELETE /api/agent-tags/{id}: the tag leaves every agent (a version each).
func (h *TagsAPI) Delete(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	n, err := h.Store.DeleteTag(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"success": true, "agentsUpdated": n})
}

// Bulk is POST /api/agent-tags/{id}/agents {agentIds, action: add|remove}.
func (h *TagsAPI) Bulk(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	var body struct {
		AgentIDs []int64 `json:"agentIds"`
		Action   string  `json:"action"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	if body.Action != "add" && body.Action != "remove" {
		return validationError(c, "Validation Error", []db.Issue{{Message: "Invalid enum value. Expected 'add' | 'remove', received '" + db.Shorten(body.Action) + "'", Path: []any{"action"}}})
	}
	n, err := h.Store.BulkTag(c.UserContext(), ActorOf(c), id, body.AgentIDs, body.Action == "remove")
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(fiber.Map{"success": true, "updated": n, "total": len(body.AgentIDs)})
}
