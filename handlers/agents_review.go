package handlers

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/pages/agents"
	"agentconsole/views/route"
)

// The editor under a review policy: a protected agent's Save becomes "Propose
// change" (with a title and message), and ?changeRequest=N opens an open request's
// proposal in the editor so its author can revise it.

// reviewState fills what the editor shows about review: protected, open requests
// (read with the rest of the editor's side).
func reviewState(ag *db.Agent, e *agents.Editor, side *db.EditorSide) {
	if ag.ID == 0 {
		return
	}
	e.Protected = side.Policy.Protects(ag.Stage, ag.TagIDs)
	for _, cr := range side.Open {
		e.OpenRequests = append(e.OpenRequests, agents.OpenRequest{ID: cr.ID, Title: cr.Title, Href: route.Path(route.Review, cr.ID)})
	}
}

// proposalAgent is an open edit request's proposed agent, to show in the editor.
func (h *Agents) proposalAgent(c *fiber.Ctx, live *db.Agent, raw string) (*db.Agent, *db.ChangeRequest, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, missing(db.ErrNotFound, "Change request %q", raw)
	}
	cr, err := h.Store.ChangeRequest(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil || cr.AgentID != live.ID || cr.Kind != db.ChangeEdit || !cr.Open() {
		return nil, nil, missing(db.ErrNotFound, "Open change request %d of agent %d", id, live.ID)
	}
	a := &db.Agent{}
	if err := json.Unmarshal(cr.Proposed, a); err != nil {
		return nil, nil, err
	}
	a.ID, a.OrgID, a.UUID, a.LiveVersion, a.PublishedVersionID = live.ID, live.OrgID, live.UUID, live.LiveVersion, live.PublishedVersionID
	return a, cr, nil
}

// reviseProposal saves the editor's form into the open request it was opened from.
func (h *Agents) reviseProposal(c *fiber.Ctx, id int64, p *db.AgentPatch, raw string) error {
	crID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || crID <= 0 {
		return missing(db.ErrNotFound, "Change request %q", raw)
	}
	u := db.ChangeRequestUpdate{Agent: p}
	if t := c.FormValue("changeTitle"); t != "" {
		u.Title = db.Some(t)
	}
	if m := c.FormValue("message"); m != "" {
		u.Message = db.Some(m)
	}
	cr, err := h.Store.ChangeRequest(c.UserContext(), ActorOf(c).OrgID, crID)
	if err != nil || cr.AgentID != id {
		return missing(db.ErrNotFound, "Change request %d of agent %d", crID, id)
	}
	if _, err := h.Store.UpdateChangeRequest(c.UserContext(), ActorOf(c), crID, u); err != nil {
		return err
	}
	return h.redirect(c, route.Path(route.Review, crID), "success", "Proposal updated: earlier approvals are stale until reviewers approve it again.")
}
