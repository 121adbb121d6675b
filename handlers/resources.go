package handlers

import (
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/components"
	"agentconsole/views/pages/deps"
	"agentconsole/views/route"
)

// The knowledge base and MCP server pages (issue 18): list with counts, create,
// rename, delete (which takes it out of every agent using it, a version each).

// KnowledgeBases renders /knowledge-bases.
func (h *Dependents) KnowledgeBases(c *fiber.Ctx) error {
	return h.kbList(c, fiber.StatusOK, deps.Form{})
}

func (h *Dependents) kbList(c *fiber.Ctx, status int, form deps.Form) error {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	kbs, err := h.Store.KnowledgeBases(ctx, org)
	if err != nil {
		return err
	}
	uses, err := h.Store.UseCounts(ctx, org, db.RefKnowledgeBase)
	if err != nil {
		return err
	}
	l := deps.List{Kind: deps.KnowledgeBases, Form: form, CanEdit: ActorOf(c).Can(db.PermAgentsUpdate)}
	for _, kb := range kbs {
		l.Rows = append(l.Rows, deps.Row{Name: kb.Name, Href: route.Path(route.KnowledgeBase, kb.ID), UsedBy: uses[kb.ID]})
	}
	return Render(c, status, deps.ListPage(h.Page(c, l.Kind.Title, l.Kind.Active), l))
}

// CreateKnowledgeBase adds a knowledge base from its list.
func (h *Dependents) CreateKnowledgeBase(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	f := deps.Form{Name: c.FormValue("name")}
	kb, err := h.Store.CreateKnowledgeBase(c.UserContext(), ActorOf(c), f.Name)
	if formFailure(err, &f) {
		return h.kbList(c, fiber.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, route.Path(route.KnowledgeBase, kb.ID), "success", "Created knowledge base “"+kb.Name+"”.")
}

// KnowledgeBase renders /knowledge-bases/{id}: the agents using it, rename, delete.
func (h *Dependents) KnowledgeBase(c *fiber.Ctx) error {
	return h.kbPage(c, fiber.StatusOK, nil)
}

func (h *Dependents) kbPage(c *fiber.Ctx, status int, form *deps.Form) error {
	id, err := pathID(c)
	if err != nil {
		return missing(err, "Knowledge base")
	}
	kb, err := h.Store.KnowledgeBase(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return missing(err, "Knowledge base %d", id)
	}
	r := deps.Resource{Kind: deps.KnowledgeBases, Name: kb.Name, Form: deps.Form{Name: kb.Name}, CanEdit: ActorOf(c).Can(db.PermAgentsUpdate),
		Action: route.Path(route.KnowledgeBase, id), DeleteAction: route.Path(route.KnowledgeBaseDelete, id)}
	if form != nil {
		r.Form = *form
	}
	if r.UsedBy, err = h.usersOf(c, db.RefKnowledgeBase, id); err != nil {
		return err
	}
	return Render(c, status, deps.ResourcePage(h.Page(c, kb.Name, r.Kind.Active), r))
}

// RenameKnowledgeBase renames a knowledge base (agents refer to it by id: none changes).
func (h *Dependents) RenameKnowledgeBase(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	f := deps.Form{Name: c.FormValue("name")}
	kb, err := h.Store.RenameKnowledgeBase(c.UserContext(), ActorOf(c), id, f.Name)
	if formFailure(err, &f) {
		return h.kbPage(c, fiber.StatusUnprocessableEntity, &f)
	}
	if err != nil {
		return missing(err, "Knowledge base %d", id)
	}
	return h.redirect(c, route.Path(route.KnowledgeBase, id), "success", "Renamed to “"+kb.Name+"”.")
}

// DeleteKnowledgeBase deletes a knowledge base and takes it out of every agent using it.
func (h *Dependents) DeleteKnowledgeBase(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	changed, err := h.Store.DeleteKnowledgeBase(c.UserContext(), ActorOf(c), id)
	if msg, ok := reviewRefusal(err); ok {
		return h.redirect(c, route.Path(route.KnowledgeBase, id), "error", msg)
	}
	if err != nil {
		return missing(err, "Knowledge base %d", id)
	}
	return h.redirect(c, route.KnowledgeBases, "success", "Knowledge base deleted and removed from "+components.Count(len(changed), "agent", "agents")+".")
}

// MCPServers renders /mcp-servers.
func (h *Dependents) MCPServers(c *fiber.Ctx) error {
	return h.mcpList(c, fiber.StatusOK, deps.Form{})
}

func (h *Dependents) mcpList(c *fiber.Ctx, status int, form deps.Form) error {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	servers, err := h.Store.MCPServers(ctx, org)
	if err != nil {
		return err
	}
	uses, err := h.Store.UseCounts(ctx, org, db.RefMCPServer)
	if err != nil {
		return err
	}
	l := deps.List{Kind: deps.MCPServers, Form: form, CanEdit: ActorOf(c).Can(db.PermAgentsUpdate)}
	for _, m := range servers {
		l.Rows = append(l.Rows, deps.Row{Name: m.Name, URL: m.URL, Href: route.Path(route.MCPServer, m.ID), UsedBy: uses[m.ID]})
	}
	return Render(c, status, deps.ListPage(h.Page(c, l.Kind.Title, l.Kind.Active), l))
}

// CreateMCPServer adds an MCP server from its list.
func (h *Dependents) CreateMCPServer(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	f := deps.Form{Name: c.FormValue("name"), URL: c.FormValue("url")}
	m, err := h.Store.CreateMCPServer(c.UserContext(), ActorOf(c), f.Name, f.URL)
	if formFailure(err, &f) {
		return h.mcpList(c, fiber.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	return h.redirect(c, route.Path(route.MCPServer, m.ID), "success", "Created MCP server “"+m.Name+"”.")
}

// MCPServer renders /mcp-servers/{id}: the agents using it, rename, delete.
func (h *Dependents) MCPServer(c *fiber.Ctx) error {
	return h.mcpPage(c, fiber.StatusOK, nil)
}

func (h *Dependents) mcpPage(c *fiber.Ctx, status int, form *deps.Form) error {
	id, err := pathID(c)
	if err != nil {
		return missing(err, "MCP server")
	}
	m, err := h.Store.MCPServer(c.UserContext(), ActorOf(c).OrgID, id)
	if err != nil {
		return missing(err, "MCP server %d", id)
	}
	r := deps.Resource{Kind: deps.MCPServers, Name: m.Name, URL: m.URL, Form: deps.Form{Name: m.Name, URL: m.URL}, CanEdit: ActorOf(c).Can(db.PermAgentsUpdate),
		Action: route.Path(route.MCPServer, id), DeleteAction: route.Path(route.MCPServerDelete, id)}
	if form != nil {
		r.Form = *form
	}
	if r.UsedBy, err = h.usersOf(c, db.RefMCPServer, id); err != nil {
		return err
	}
	return Render(c, status, deps.ResourcePage(h.Page(c, m.Name, r.Kind.Active), r))
}

// UpdateMCPServer renames an MCP server or changes its URL.
func (h *Dependents) UpdateMCPServer(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	f := deps.Form{Name: c.FormValue("name"), URL: c.FormValue("url")}
	m, err := h.Store.UpdateMCPServer(c.UserContext(), ActorOf(c), id, db.MCPServerInput{Name: db.Some(f.Name), URL: db.Some(f.URL)})
	if formFailure(err, &f) {
		return h.mcpPage(c, fiber.StatusUnprocessableEntity, &f)
	}
	if msg, ok := reviewRefusal(err); ok {
		return h.redirect(c, route.Path(route.MCPServer, id), "error", msg)
	}
	if err != nil {
		return missing(err, "MCP server %d", id)
	}
	return h.redirect(c, route.Path(route.MCPServer, id), "success", "Saved MCP server “"+m.Name+"”.")
}

// DeleteMCPServer deletes an MCP server and takes it out of every agent using it.
func (h *Dependents) DeleteMCPServer(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	changed, err := h.Store.DeleteMCPServer(c.UserContext(), ActorOf(c), id)
	if msg, ok := reviewRefusal(err); ok {
		return h.redirect(c, route.Path(route.MCPServer, id), "error", msg)
	}
	if err != nil {
		return missing(err, "MCP server %d", id)
	}
	return h.redirect(c, route.MCPServers, "success", "MCP server deleted and removed from "+components.Count(len(changed), "agent", "agents")+".")
}
