package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/catalog"
	"agentconsole/views/pages/tools"
	"agentconsole/views/route"
)

// Tools serves the console's catalog, tool pages, admin sync and catalog upload.
type Tools struct{ Base }

// List renders the catalog with usage and outdated counts for the organisation.
func (h *Tools) List(c *fiber.Ctx) error {
	org := ActorOf(c).OrgID
	all, outdated, err := h.Store.CatalogUsage(c.UserContext(), org)
	if err != nil {
		return err
	}
	l := tools.List{Query: strings.TrimSpace(c.Query("q")), Kind: c.Query("kind"), Category: c.Query("category"), OutdatedAgents: outdated,
		IsAdmin: ActorOf(c).Can(db.PermAdmin)}
	cats := map[string]bool{}
	q := strings.ToLower(l.Query)
	for _, t := range all {
		cats[t.Category] = true
		if (l.Kind != "" && t.Kind != l.Kind) || (l.Category != "" && t.Category != l.Category) ||
			(q != "" && !strings.Contains(strings.ToLower(t.Name+" "+t.Description), q)) {
			continue
		}
		l.Rows = append(l.Rows, tools.Row{Name: t.Name, Kind: t.Kind, Category: t.Category, Description: t.Description, Version: t.Version,
			Agents: t.Agents, Outdated: t.Outdated, Removed: t.RemovedAt != nil})
	}
	for cat := range cats {
		l.Categories = append(l.Categories, cat)
	}
	sort.Strings(l.Categories)
	return Render(c, fiber.StatusOK, tools.ListPage(h.Page(c, "Tool catalog", "tools"), l))
}

// Show renders one tool: parameters as a table and raw schema, and who uses it.
func (h *Tools) Show(c *fiber.Ctx) error {
	name := c.Params("name")
	t, err := h.Store.CatalogToolByName(c.UserContext(), name)
	if err != nil {
		return missing(err, "Tool %q", name)
	}
	users, err := h.Store.ToolUsers(c.UserContext(), ActorOf(c).OrgID, name)
	if err != nil {
		return err
	}
	d := tools.Detail{Row: tools.Row{Name: t.Name, Kind: t.Kind, Category: t.Category, Description: t.Description, Version: t.Version, Removed: t.RemovedAt != nil},
		Fields: fieldRows(t.Parameters), ConfigFields: fieldRows(t.ConfigSchema), RawSchema: indent(t.Parameters)}
	for _, u := range users {
		d.Users = append(d.Users, tools.User{ID: u.ID, Name: u.Name, Outdated: u.Outdated})
	}
	return Render(c, fiber.StatusOK, tools.DetailPage(h.Page(c, t.Name, "tools"), d))
}

func fieldRows(schema json.RawMessage) []tools.Field {
	var out []tools.Field
	for _, f := range catalog.Fields(schema) {
		out = append(out, tools.Field{Path: f.Path, Type: f.Type, Description: f.Description, Required: f.Required, Enum: f.Enum, Constraints: f.Constraints, Depth: f.Depth})
	}
	return out
}

func indent(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// SyncPreview shows what "Sync all agents" would change, and whether it would open a
// change request (review policy on, protected agents affected).
func (h *Tools) SyncPreview(c *fiber.Ctx) error {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	p, err := h.Store.PreviewSync(ctx, org)
	if err != nil {
		return err
	}
	s := SyncView(p)
	if s.Gated, s.OpenRequest, err = h.Store.SyncNeedsReview(ctx, org); err != nil {
		return err
	}
	return Render(c, fiber.StatusOK, tools.SyncPage(h.Page(c, "Sync tools", "admin"), s))
}

// SyncView shapes a sync preview for the sync page and a sync request's page.
func SyncView(p *db.SyncPreview) tools.Sync {
	s := tools.Sync{Total: p.Total, Agents: agentLinks(p.Agents)}
	for _, g := range p.Groups {
		s.Groups = append(s.Groups, tools.Group{Tool: g.Tool, Agents: agentLinks(g.Agents), Changes: pathChanges(g.Changes)})
	}
	for _, pr := range p.InvalidConfigs {
		s.Problems = append(s.Problems, tools.Problem{Agent: tools.Agent{ID: pr.AgentID, Name: pr.AgentName}, Tool: pr.Tool, Message: pr.Message})
	}
	for _, t := range p.NotInCatalog {
		s.NotInCatalog = append(s.NotInCatalog, t.Name)
	}
	return s
}

// SyncRun runs the sync and shows the result (the fragment for htmx). Under the review
// policy it opens (or updates) the sync request instead and goes to its page.
func (h *Tools) SyncRun(c *fiber.Ctx) error {
	res, err := h.Store.SyncTools(c.UserContext(), ActorOf(c))
	var rr *db.ReviewRequired
	if errors.As(err, &rr) && rr.Request != nil {
		to := route.Path(route.Review, rr.Request.ID)
		msg := fmt.Sprintf("Protected agents are affected: nothing was synced. Change request #%d holds the sync until it is approved.", rr.Request.ID)
		if rr.Synced != nil { // the policy lets unprotected agents sync at once
			msg = fmt.Sprintf("Synced %d unprotected agent(s) now; change request #%d holds the protected ones until it is approved.", rr.Synced.Updated, rr.Request.ID)
		}
		if err := h.Sessions.Flash(c, "success", msg); err != nil {
			return err
		}
		if IsHTMX(c) {
			c.Set("HX-Redirect", to)
			return c.SendStatus(fiber.StatusNoContent)
		}
		return c.Redirect(to, fiber.StatusSeeOther)
	}
	if err != nil {
		return err
	}
	s := tools.Sync{Ran: true, Updated: res.Updated, Total: res.Total, Agents: agentLinks(res.Agents)}
	page := h.Page(c, "Sync tools", "admin")
	if IsHTMX(c) {
		return Render(c, fiber.StatusOK, tools.SyncBody(page, s))
	}
	return Render(c, fiber.StatusOK, tools.SyncPage(page, s))
}

func agentLinks(refs []db.AgentRef) []tools.Agent {
	out := make([]tools.Agent, len(refs))
	for i, r := range refs {
		out[i] = tools.Agent{ID: r.ID, Name: r.Name}
	}
	return out
}

// CatalogPage shows the catalog upload form to platform operators, and to organisation
// admins the reason they cannot load one.
func (h *Tools) CatalogPage(c *fiber.Ctx) error {
	return Render(c, fiber.StatusOK, tools.ImportPage(h.Page(c, "Load catalog", "admin"), tools.Import{}))
}

// CatalogUpload loads an uploaded catalog file and says how many agents are outdated
// (platform operators only).
func (h *Tools) CatalogUpload(c *fiber.Ctx) error {
	if err := requireOperator(c, MsgOnlyOperatorsCatalog); err != nil {
		return err
	}
	page := h.Page(c, "Load catalog", "admin")
	fh, err := c.FormFile("catalog")
	if err != nil {
		return Render(c, fiber.StatusUnprocessableEntity, tools.ImportPage(page, tools.Import{Error: "Choose a catalog file to upload."}))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 4<<20))
	if err != nil {
		return err
	}
	res, err := importCatalog(c, h.Store, raw, "upload")
	var ve *db.ValidationError
	if errors.As(err, &ve) {
		return Render(c, fiber.StatusUnprocessableEntity, tools.ImportPage(page, tools.Import{Error: ve.Message}))
	}
	if err != nil {
		return err
	}
	return Render(c, fiber.StatusOK, tools.ImportPage(page, tools.Import{Done: true, Version: res.CatalogVersion, Added: res.Added, Changed: res.Changed,
		Removed: res.Removed, Outdated: res.Outdated}))
}
