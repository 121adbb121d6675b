package handlers

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/views/components"
	"agentconsole/views/pages/agents"
	"agentconsole/views/route"
)

// Agents serves the console's agents list and editor.
type Agents struct {
	Base
	EmailDomain  string // shown with the emailSlug: slug@EmailDomain
	toolRows     toolRowCache
	modelOptions modelOptionCache
	editorPages  editorPageCache
}

// List renders the agents index; every filter lives in the URL.
func (h *Agents) List(c *fiber.Ctx) error {
	a := ActorOf(c)
	f, err := filterFromQuery(c)
	if err != nil {
		return err
	}
	f.Summary = true
	page, err := h.Store.AgentsSeen(c.UserContext(), a, f)
	if err != nil {
		return err
	}
	// A page past the end is not an empty organisation: go to the last page and say so.
	if len(page.Agents) == 0 && page.Total > 0 && page.Page > 1 {
		last := (page.Total + page.PerPage - 1) / page.PerPage
		return h.redirect(c, pageURL(c, last), "info", fmt.Sprintf("There are no agents on page %d: %s fill %s. This is the last page.",
			page.Page, components.Count(page.Total, "agent", "agents"), components.Count(last, "page", "pages")))
	}
	selected := map[int64]bool{}
	for _, id := range f.TagIDs {
		selected[id] = true
	}
	l := agents.List{Query: f.Query, Stage: f.Stage, Type: f.Type, Sort: f.Sort, Dir: f.Dir, Trash: f.Deleted, AllTags: f.AllTags, Total: page.Total, Page: page.Page,
		CanCreate: a.Can(db.PermAgentsCreate), CanDelete: a.Can(db.PermAgentsDelete), CanTag: a.Can(db.PermAgentsUpdate), CanUpdate: a.Can(db.PermAgentsUpdate),
		ClearURL: route.Agents, Back: c.OriginalURL(), PerPage: page.PerPage, PerPageChoices: perPageChoices(page.PerPage), Headers: sortHeaders(c, f)}
	l.Narrowed, l.Kept = f.Narrows(), overviewParams(f)
	if f.Deleted {
		l.ClearURL = route.DeletedAgents
	}
	l.Tags = make([]agents.Tag, len(page.Tags))
	for i, t := range page.Tags {
		l.Tags[i] = agents.Tag{ID: t.ID, Name: t.Name, Color: t.Color, Selected: selected[t.ID]}
	}
	if l.CanUpdate && !f.Deleted {
		l.Models = make([]agents.Option, len(page.Models))
		for i, m := range page.Models {
			l.Models[i] = agents.Option{Value: m.ID, Label: m.DisplayName}
		}
	}
	l.Rows = make([]agents.Row, len(page.Agents))
	n := 0
	for _, ag := range page.Agents {
		n += len(ag.Tags)
	}
	tags := make([]agents.Tag, 0, n) // every row's tags in one allocation
	for i, ag := range page.Agents {
		l.Rows[i] = listRow(ag, tags[len(tags):])
		tags = tags[:len(tags)+len(ag.Tags)]
	}
	l.Pages = max(1, (page.Total+page.PerPage-1)/page.PerPage)
	if page.Page > 1 {
		l.PrevURL = pageURL(c, page.Page-1)
	}
	if page.Page < l.Pages {
		l.NextURL = pageURL(c, page.Page+1)
	}
	p := h.Page(c, "Agents", "agents")
	p.Flashes = append(p.Flashes, overviewFilterNote(f)...)
	return Render(c, fiber.StatusOK, agents.ListPage(p, l))
}

func pageURL(c *fiber.Ctx, page int) string {
	q, _ := url.ParseQuery(string(c.Context().QueryArgs().QueryString()))
	q.Set("page", strconv.Itoa(page))
	return route.Agents + "?" + q.Encode()
}

// New renders an empty editor.
func (h *Agents) New(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	e, _, err := h.editor(c, &db.Agent{Stage: agentspec.StageDevelopment, ShowInChat: true})
	if err != nil {
		return err
	}
	return Render(c, fiber.StatusOK, agents.EditorPage(h.Page(c, "New agent", "agents"), e))
}

// Show renders the editor for an agent (read-only for reviewers).
func (h *Agents) Show(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return missing(err, "Agent %q", c.Params("id"))
	}
	if len(c.Request().URI().QueryString()) == 0 {
		return h.showAgent(c, id) // drawn again only when something it shows changed
	}
	ag, err := h.Store.AgentForEditor(c.UserContext(), ActorOf(c).OrgID, id) // tools unexpanded: only names and configs show
	if err != nil {
		return missing(err, "Agent %d", id)
	}
	var cr *db.ChangeRequest
	if raw := c.Query("changeRequest"); raw != "" { // revise an open request's proposal
		if ag, cr, err = h.proposalAgent(c, ag, raw); err != nil {
			return err
		}
	}
	e, side, err := h.editor(c, ag)
	if err != nil {
		return err
	}
	reviewState(ag, &e, side)
	if cr != nil {
		e.ChangeRequest, e.ChangeTitle, e.ChangeMessage = cr.ID, cr.Title, cr.Message
	}
	return Render(c, fiber.StatusOK, agents.EditorPage(h.Page(c, ag.Name, "agents"), e))
}

// editor builds the editor view model from an agent, with what it shows beside it
// (read in one statement: side).
func (h *Agents) editor(c *fiber.Ctx, ag *db.Agent) (agents.Editor, *db.EditorSide, error) {
	e, side, _, err := h.editorDrawn(c, ag)
	return e, side, err
}

// editorDrawn is editor with the shared lists the editor was drawn with.
func (h *Agents) editorDrawn(c *fiber.Ctx, ag *db.Agent) (agents.Editor, *db.EditorSide, editorLists, error) {
	a := ActorOf(c)
	e := agents.Editor{ID: ag.ID, Errors: map[string]string{}, EmailDomain: h.EmailDomain, Deleted: ag.DeletedAt != nil,
		CanEdit: a.Can(db.PermAgentsUpdate) || ag.ID == 0 && a.Can(db.PermAgentsCreate), CanDelete: a.Can(db.PermAgentsDelete), CanCreate: a.Can(db.PermAgentsCreate)}
	e.Form, e.Title = formOf(ag), ag.Name
	e.Version = int64(ag.LiveVersion)
	side, err := h.editorSide(c, &e, ag, ag.Tools, ag.MCPServers)
	if err != nil {
		return e, nil, editorLists{}, err
	}
	if err := h.editorState(c, &e, ag, side); err != nil {
		return e, nil, editorLists{}, err
	}
	if ag.ID != 0 && !e.Deleted {
		e.CalledBy = side.CalledBy
	}
	lists, err := h.editorLists(c)
	if err != nil {
		return e, nil, lists, err
	}
	return e, side, lists, h.options(c, &e, lists, ag.TagIDs, ag.MCPServers, ag.Tools, side)
}

// Create saves a new agent and opens it.
func (h *Agents) Create(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	p, f := patchFromForm(c)
	p.ID = db.Opt[int64]{}
	keepNativeFields(p, f)
	return h.save(c, p, f, db.SourceCreate)
}

// Update saves an existing agent from the editor.
func (h *Agents) Update(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	// An editor left open while the agent was deleted (another tab, a bulk delete)
	// still posts here: say so and show the read-only editor, rather than "not found".
	if head, err := h.Store.AgentHead(c.UserContext(), ActorOf(c).OrgID, id); err == nil && head.DeletedAt != nil {
		return h.redirect(c, route.Path(route.Agent, id), "error", "This agent was deleted, so nothing was saved. Restore it to change it.")
	}
	p, f := patchFromForm(c)
	p.ID = db.Some(id)
	keepNativeFields(p, f)
	if raw := c.FormValue("changeRequest"); raw != "" {
		return h.reviseProposal(c, id, p, raw)
	}
	p.ReviewTitle = c.FormValue("changeTitle") // the protected agent's form only
	if m := c.FormValue("message"); m != "" {
		p.Message = db.Some(m)
	}
	return h.save(c, p, f, db.SourceUpdate)
}

func (h *Agents) save(c *fiber.Ctx, p *db.AgentPatch, f agents.Form, source string) error {
	send, err := h.withoutUntouched(c, p, f)
	if err != nil {
		return err
	}
	o, err := h.Store.SaveAgentOutcome(c.UserContext(), ActorOf(c), send, source)
	if err == nil {
		msg := strings.Join(append([]string{saveMessage(o)}, ignoredConfigs(c)...), " ")
		return h.redirect(c, route.Path(route.Agent, o.Agent.ID), "success", msg)
	}
	var ve *db.ValidationError
	var ce *db.ConflictError
	if !errors.As(err, &ve) && !errors.As(err, &ce) {
		return err
	}
	if ce != nil && ce.Merged != nil {
		return h.conflict(c, ce)
	}
	return h.refused(c, p, f, ve, ce)
}

// refused re-renders the form with what the person typed and the reason it was
// refused (a validation error or a conflict without a merge proposal).
func (h *Agents) refused(c *fiber.Ctx, p *db.AgentPatch, f agents.Form, ve *db.ValidationError, ce *db.ConflictError) error {
	e := agents.Editor{Form: f, Errors: map[string]string{}, EmailDomain: h.EmailDomain, CanEdit: true,
		CanDelete: ActorOf(c).Can(db.PermAgentsDelete), CanCreate: ActorOf(c).Can(db.PermAgentsCreate)}
	stored := &db.Agent{}
	if p.ID.Has() {
		// The heading, title and breadcrumbs name the agent as stored: the refused name
		// stays in the form only, so the page never looks as if the rename worked.
		e.ID = p.ID.V
		var err error
		if stored, err = h.Store.Agent(c.UserContext(), ActorOf(c).OrgID, e.ID); err != nil {
			return missing(err, "Agent %d", e.ID)
		}
		e.Title, e.Version = stored.Name, int64(stored.LiveVersion)
	}
	side, err := h.editorSide(c, &e, stored, p.Tools.V, p.MCPServers.V)
	if err != nil {
		return err
	}
	if p.ID.Has() {
		reviewState(stored, &e, side)
		if err := h.editorState(c, &e, stored, side); err != nil {
			return err
		}
	}
	if ve != nil {
		e.Errors, e.ConfigErrors = fieldErrors(ve.Details), configKeyErrors(ve.Details)
		if len(e.Errors) == 0 {
			e.Errors["name"] = ve.Message
		}
	}
	if ce != nil { // a conflict without a merge proposal: yours as typed, from the live version
		e.Conflict = &agents.Conflict{By: ce.By, At: ce.At.UTC().Format("15:04:05 UTC"), Version: ce.VersionNo}
		if ce.Current.PublishedVersionID != nil {
			e.Form.BaseVersion = strconv.FormatInt(*ce.Current.PublishedVersionID, 10)
			e.Version = int64(ce.VersionNo)
		}
	}
	lists, err := h.editorLists(c)
	if err != nil {
		return err
	}
	if err := h.options(c, &e, lists, p.TagIDs.V, p.MCPServers.V, p.Tools.V, side); err != nil {
		return err
	}
	status := fiber.StatusUnprocessableEntity
	if ce != nil {
		status = fiber.StatusConflict
	}
	title := "New agent"
	if e.ID != 0 {
		title = e.Title
	}
	return Render(c, status, agents.EditorPage(h.Page(c, title, "agents"), e))
}

// saveMessage is the flash after a save: saved, merged with whose changes to what, or
// nothing to save.
func saveMessage(o *db.SaveOutcome) string {
	switch {
	case o.Unchanged:
		return "No changes to save."
	case len(o.Merged) > 0:
		who := "someone else"
		if len(o.MergedFrom) > 0 {
			who = strings.Join(o.MergedFrom, " and ")
		}
		fields := make([]string, len(o.Merged))
		for i, k := range o.Merged {
			fields[i] = db.FieldLabelOf(k)
		}
		return "Saved. Merged " + who + "’s changes to " + strings.Join(fields, ", ") + "."
	}
	return "Saved “" + o.Agent.Name + "”."
}

// conflict re-renders the editor after a stale save collided: the form holds the live
// agent with every change of the person's that did not collide and their side of each
// conflict, based on the live version; the panel shows each conflict side by side.
func (h *Agents) conflict(c *fiber.Ctx, ce *db.ConflictError) error {
	e, _, err := h.editor(c, ce.Merged)
	if err != nil {
		return err
	}
	by := ce.By
	if len(ce.Authors) > 0 {
		by = strings.Join(ce.Authors, " and ")
	}
	e.Version = int64(ce.VersionNo)
	if ce.Current != nil {
		e.Title = ce.Current.Name // the form holds the merge; the heading, what is stored
	}
	e.Conflict = &agents.Conflict{By: by, At: ce.At.UTC().Format("15:04:05 UTC"), Version: ce.VersionNo}
	for _, cf := range ce.Conflicts {
		e.Conflict.Fields = append(e.Conflict.Fields, agents.ConflictField{Key: cf.Key(), Label: conflictLabel(cf.Path),
			Theirs: agents.ConflictText(cf.Path, cf.Theirs), Mine: agents.ConflictText(cf.Path, cf.Yours)})
	}
	return Render(c, fiber.StatusConflict, agents.EditorPage(h.Page(c, e.Title, "agents"), e))
}

// conflictLabel names a conflicting path for people ("Tool web_search").
func conflictLabel(path []any) string {
	if len(path) == 2 && path[0] == "tools" {
		return fmt.Sprintf("Tool %v", path[1])
	}
	if len(path) == 1 {
		return db.FieldLabelOf(fmt.Sprint(path[0]))
	}
	return fmt.Sprint(path...)
}

// Validate is the editor's inline validation (htmx): it runs the real validator on
// the whole form and answers the message element of the field being edited.
func (h *Agents) Validate(c *fiber.Ctx) error {
	field := c.Get("HX-Trigger-Name")
	p, _ := patchFromForm(c)
	p.PublishedVersionID = db.Opt[int64]{}
	if !p.ID.Has() && !ActorOf(c).Can(db.PermAgentsCreate) {
		return Forbidden(ActorOf(c), db.PermAgentsCreate)
	}
	if p.ID.Has() && !ActorOf(c).Can(db.PermAgentsUpdate) {
		return Forbidden(ActorOf(c), db.PermAgentsUpdate)
	}
	issues, err := h.Store.CheckAgent(c.UserContext(), ActorOf(c), p)
	if err != nil {
		return err
	}
	if id, key, ok := configInputField(field); ok { // a property of a tool's config form
		return Render(c, fiber.StatusOK, components.FieldError(id+"-error", configKeyErrors(issues)[key]))
	}
	message := fieldErrors(issues)[field]
	if tool, ok := strings.CutPrefix(field, "cfgjson-"); ok {
		message = agents.ToolConfigError(tool, c.FormValue(field), fieldErrors(issues))
	}
	msg := components.FieldError(field+"-error", message)
	if field == "systemPrompt" { // counted as stored: the browser sends each line break as CRLF
		return Render(c, fiber.StatusOK, templ.Join(msg, agents.PromptCount(len([]rune(db.NormalizeNewlines(c.FormValue("systemPrompt")))), db.MaxPrompt, true)))
	}
	return Render(c, fiber.StatusOK, msg)
}

// fieldErrors maps issues to the form's field names (first message per field). A
// problem inside a tool's config (path tools.<name>.config…) belongs beside that
// tool's config field and names the tool.
func fieldErrors(issues []db.Issue) map[string]string {
	out := map[string]string{}
	for _, is := range issues {
		if len(is.Path) == 0 {
			continue
		}
		field, message := fmt.Sprint(is.Path[0]), is.Message
		if field == "modelAlias" {
			field = "model"
		}
		if field == "externalConfig" && len(is.Path) >= 2 { // beside its own input, each one
			field = fmt.Sprint(is.Path[1])
		}
		if field == "tools" && len(is.Path) >= 3 && is.Path[2] == "config" {
			tool := fmt.Sprint(is.Path[1])
			field, message = agents.ToolConfigField(tool), agents.ConfigMessage(tool, is.Path[3:], is.Message)
		}
		if line, ok := agents.LineOf(field, is.Path); ok {
			if part, named := partOf(is.Path); named && message == "Required" {
				message = part + " is required" // "Line 1: id is required", not "Line 1: Required"
			}
			message = "Line " + strconv.Itoa(line) + ": " + message
		}
		if _, seen := out[field]; !seen {
			out[field] = message
		}
	}
	return out
}

// Delete soft-deletes and shows the agent with its Restore button (undo).
func (h *Agents) Delete(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsDelete)
	if err != nil {
		return err
	}
	if err := h.Store.DeleteAgent(c.UserContext(), ActorOf(c), id); err != nil {
		return missing(err, "Agent %d", id)
	}
	return h.redirect(c, route.Path(route.Agent, id), "success", "Agent deleted. Restore it below if that was a mistake.")
}

// Restore brings a deleted agent back.
func (h *Agents) Restore(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsDelete)
	if err != nil {
		return err
	}
	ag, err := h.Store.RestoreAgent(c.UserContext(), ActorOf(c), id)
	if err != nil {
		return missing(err, "Agent %d", id)
	}
	return h.redirect(c, route.Path(route.Agent, id), "success", "Restored “"+ag.Name+"”.")
}

// Clone copies the agent under the name the clone dialog asked for ("Copy of X" when
// none is given) and opens the copy.
func (h *Agents) Clone(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsCreate)
	if err != nil {
		return err
	}
	ag, err := h.Store.CloneAgent(c.UserContext(), ActorOf(c), id, c.FormValue("name"))
	var ve *db.ValidationError
	if errors.As(err, &ve) { // the name: say why on the agent's page, nothing was created
		return h.redirect(c, route.Path(route.Agent, id), "error", "Not cloned: "+cloneRefusal(ve))
	}
	if err != nil {
		return missing(err, "Agent %d", id)
	}
	return h.redirect(c, route.Path(route.Agent, ag.ID), "success", "Cloned into “"+ag.Name+"”: this is the copy.")
}
