package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/components"
	"agentconsole/views/pages/deps"
	"agentconsole/views/route"
)

// Dependents serves the console's "what depends on what" pages (issue 18): an agent's
// "Used by" page and its delete, and the knowledge base and MCP server pages.
type Dependents struct{ Base }

// Agent renders /agents/{id}/dependents: who may call the agent and what it uses.
func (h *Dependents) Agent(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return missing(err, "Agent")
	}
	d, err := h.Store.AgentDependents(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return missing(err, "Agent %d", id)
	}
	v := deps.Agent{ID: id, Name: d.Agent.Name, Href: route.Path(route.Agent, id), Deleted: d.Agent.Deleted,
		CanDelete: ActorOf(c).Can(db.PermAgentsDelete), DeleteAction: route.Path(route.AgentDependentsDel, id)}
	for _, cl := range d.CalledBy {
		caller := deps.Caller{Link: agentLink(cl.AgentLink), Depth: cl.Depth}
		for _, step := range cl.Path {
			caller.Path = append(caller.Path, agentLink(step))
		}
		v.CalledBy = append(v.CalledBy, caller)
	}
	for _, a := range d.Uses.Agents {
		v.UsesAgents = append(v.UsesAgents, agentLink(a))
	}
	for _, kb := range d.Uses.KnowledgeBases {
		v.UsesKBs = append(v.UsesKBs, deps.Link{Name: kb.Name, Href: route.Path(route.KnowledgeBase, kb.ID)})
	}
	for _, m := range d.Uses.MCPServers {
		v.UsesMCP = append(v.UsesMCP, deps.Link{Name: m.Name, Href: route.Path(route.MCPServer, m.ID)})
	}
	return Render(c, fiber.StatusOK, deps.AgentPage(h.Page(c, "Used by: "+d.Agent.Name, "agents"), v))
}

func agentLink(a db.AgentLink) deps.Link {
	return deps.Link{Name: a.Name, Href: route.Path(route.Agent, a.ID), Deleted: a.Deleted}
}

// DeleteAgent deletes the agent from its "Used by" page; with removeReferences ticked
// it also leaves the callable agents of every agent calling it (a version each), in the
// same transaction.
func (h *Dependents) DeleteAgent(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsDelete)
	if err != nil {
		return err
	}
	msg := "Agent deleted. Restore it below if that was a mistake."
	if c.FormValue("removeReferences") == "true" {
		changed, err := h.Store.DeleteAgentRemovingReferences(c.UserContext(), ActorOf(c), id)
		if msg, ok := reviewRefusal(err); ok {
			return h.redirect(c, route.Path(route.AgentDependents, id), "error", msg)
		}
		if err != nil {
			return missing(err, "Agent %d", id)
		}
		if len(changed) > 0 {
			msg = "Agent deleted and removed from the callable agents of " + components.Count(len(changed), "agent", "agents") + ". Restore it below if that was a mistake (the references stay removed)."
		}
	} else if err := h.Store.DeleteAgent(c.UserContext(), ActorOf(c), id); err != nil {
		return missing(err, "Agent %d", id)
	}
	return h.redirect(c, route.Path(route.Agent, id), "success", msg)
}

// usersOf is the "used by" list of a knowledge base or MCP server.
func (h *Dependents) usersOf(c *fiber.Ctx, kind string, id int64) ([]deps.Link, error) {
	users, err := h.Store.UsedBy(c.UserContext(), ActorOf(c).OrgID, kind, id)
	if err != nil {
		return nil, err
	}
	links := make([]deps.Link, len(users))
	for i, u := range users {
		links[i] = agentLink(u)
	}
	return links, nil
}

// formFailure re-renders with the field errors of a refused form, or passes err on.
func formFailure(err error, f *deps.Form) bool {
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		f.Errors = fieldErrors(ve.Details)
		return true
	}
	return false
}
