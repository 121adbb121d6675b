package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/views/components"
	"agentconsole/views/pages/agents"
)

// Bulk is POST /agents-bulk: publish, delete, restore or change the model of the agents
// selected in the list (tagging has its own /agents-bulk/tags), then back to the list
// with what was done or, when any agent refused, what refused and nothing done.
func (h *Agents) Bulk(c *fiber.Ctx) error {
	back := c.FormValue("back")
	if safeNext(back) == "" {
		back = "/agents"
	}
	req := db.BulkRequest{Action: c.FormValue("action"), AgentIDs: formIDs(c, "agentIds"), Model: c.FormValue("model")}
	known := agentspec.OneOf(req.Action, agentspec.BulkActions)
	perm := db.PermAgentsUpdate // a reviewer is refused whatever the body says
	if known {
		perm = db.BulkPermission(req.Action)
	}
	if err := require(c, perm); err != nil {
		return err
	}
	if !known {
		return h.redirect(c, back, "error", "Choose what to do with the selected agents.")
	}
	if len(req.AgentIDs) == 0 {
		return h.redirect(c, back, "error", "Select agents first.")
	}
	res, err := h.Store.BulkAgents(c.UserContext(), ActorOf(c), req)
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		msg := ve.Message
		if len(ve.Details) > 0 {
			msg = ve.Details[0].Message
		}
		if len(ve.Details) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(ve.Details)-1)
		}
		if ve.Field() == "model" && msg == "Required" {
			msg = "Choose the model to change to."
		}
		return h.redirect(c, back, "error", msg+" Nothing was changed.")
	}
	if msg, ok := reviewRefusal(err); ok {
		return h.redirect(c, back, "error", msg)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, back, "success", bulkMessage(req, res))
}

// bulkMessage says what a bulk action did, and why nothing happened when nothing did.
func bulkMessage(req db.BulkRequest, res *db.BulkResult) string {
	n, of := len(res.Changed), components.Count(res.Selected, "selected agent", "selected agents")
	model := strings.TrimSpace(req.Model)
	if n == 0 {
		switch req.Action {
		case agentspec.BulkPublish:
			return fmt.Sprintf("All of the %s were already released.", of)
		case agentspec.BulkChangeModel:
			return fmt.Sprintf("All of the %s already use %s.", of, model)
		}
	}
	switch req.Action {
	case agentspec.BulkPublish:
		return fmt.Sprintf("Published %d of %s.", n, of)
	case agentspec.BulkDelete:
		return fmt.Sprintf("Deleted %s. Restore them from Deleted if that was a mistake.", components.Count(n, "agent", "agents"))
	case agentspec.BulkRestore:
		return fmt.Sprintf("Restored %s.", components.Count(n, "agent", "agents"))
	}
	return fmt.Sprintf("Set the model to %s on %d of %s.", model, n, of)
}

// Bulk is POST /api/agents/bulk {action, agentIds, model?}: the console's bulk actions,
// all or nothing; a refusal names each agent (details[].path ["agentIds", i, …]).
func (h *AgentsAPI) Bulk(c *fiber.Ctx) error {
	var body struct {
		Action   string  `json:"action"`
		AgentIDs []int64 `json:"agentIds"`
		Model    string  `json:"model"`
	}
	if err := decodeJSON(c.Body(), &body); err != nil {
		return agentError(c, err)
	}
	req := db.BulkRequest{Action: body.Action, AgentIDs: body.AgentIDs, Model: body.Model}
	perm := db.PermAgentsUpdate // a reviewer learns nothing about the body
	if agentspec.OneOf(req.Action, agentspec.BulkActions) {
		perm = db.BulkPermission(req.Action)
	}
	if err := require(c, perm); err != nil {
		return err
	}
	res, err := h.Store.BulkAgents(c.UserContext(), ActorOf(c), req)
	if err != nil {
		return agentError(c, err)
	}
	return c.JSON(fiber.Map{"success": true, "action": res.Action, "updated": len(res.Changed), "total": res.Selected, "agentIds": res.Changed})
}

// listRow is an agent as a row of the list.
func listRow(ag *db.Agent, tags []agents.Tag) agents.Row {
	r := agents.Row{ID: ag.ID, Name: ag.Name, Description: deref(ag.Description), LogoURL: deref(ag.LogoURL), Stage: ag.Stage,
		Type: ag.AgentType, Model: deref(ag.Model), UpdatedAt: ag.UpdatedAt, UpdatedBy: ag.UpdatedBy, CreatedAt: ag.CreatedAt,
		Deleted: ag.DeletedAt != nil, DeletedBy: deref(ag.DeletedBy), Version: int64(ag.LiveVersion), OpenRequests: ag.OpenRequests}
	if ag.DeletedAt != nil {
		r.DeletedAt = *ag.DeletedAt
	}
	for _, t := range ag.Tags {
		tags = append(tags, agents.Tag{ID: t.ID, Name: t.Name, Color: t.Color})
	}
	r.Tags = tags[:len(tags):len(tags)]
	return r
}

// sortHeaders are the list's sortable headings: each links to this page sorted by it,
// from the first page; the current sort's link flips its direction.
func sortHeaders(c *fiber.Ctx, f db.AgentFilter) map[string]agents.SortHeader {
	out := make(map[string]agents.SortHeader, len(agentspec.Sorts))
	q, _ := url.ParseQuery(string(c.Context().QueryArgs().QueryString())) // once: each heading sets sort and dir anew
	q.Del("page")
	for _, key := range agentspec.Sorts {
		h := agents.SortHeader{Key: key, Label: agentspec.SortLabels[key], AriaSort: "none"}
		dir := agentspec.DefaultSortDir(key)
		if key == f.Sort {
			h.AriaSort, dir = "ascending", agentspec.SortDesc
			if f.Dir == agentspec.SortDesc {
				h.AriaSort, dir = "descending", agentspec.SortAsc
			}
		}
		q.Set("sort", key)
		q.Set("dir", dir)
		h.URL = "/agents?" + q.Encode()
		out[key] = h
	}
	return out
}

// perPageChoices are the page sizes offered, with the current one when it is another
// (a perPage typed into the URL stays selected).
func perPageChoices(current int) []int {
	if slices.Contains(agentspec.PerPageChoices, current) {
		return agentspec.PerPageChoices
	}
	out := append([]int{current}, agentspec.PerPageChoices...)
	slices.Sort(out)
	return out
}
