package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/views/components"
	"agentconsole/views/pages/agents"
)

// Agents serves the console's agents list and editor.
type Agents struct {
	Base
	EmailDomain string // shown with the emailSlug: slug@EmailDomain
}

// List renders the agents index; every filter lives in the URL.
func (h *Agents) List(c *fiber.Ctx) error {
	a := ActorOf(c)
	f, err := filterFromQuery(c)
	if err != nil {
		return err
	}
	f.Summary = true
	page, err := h.Store.Agents(c.UserContext(), a.OrgID, f)
	if err != nil {
		return err
	}
	tags, err := h.Store.Tags(c.UserContext(), a.OrgID)
	if err != nil {
		return err
	}
	selected := map[int64]bool{}
	for _, id := range f.TagIDs {
		selected[id] = true
	}
	l := agents.List{Query: f.Query, Stage: f.Stage, Type: f.Type, Sort: f.Sort, Trash: f.Deleted, AllTags: f.AllTags, Total: page.Total, Page: page.Page,
		CanCreate: a.Can(db.PermAgentsCreate), CanDelete: a.Can(db.PermAgentsDelete), CanTag: a.Can(db.PermAgentsUpdate),
		ClearURL: "/agents", Back: c.OriginalURL()}
	if f.Deleted {
		l.ClearURL = "/agents?deleted=true"
	}
	for _, t := range tags {
		l.Tags = append(l.Tags, agents.Tag{ID: t.ID, Name: t.Name, Selected: selected[t.ID]})
	}
	for _, ag := range page.Agents {
		r := agents.Row{ID: ag.ID, Name: ag.Name, Description: deref(ag.Description), LogoURL: deref(ag.LogoURL), Stage: ag.Stage,
			Type: ag.AgentType, UpdatedAt: ag.UpdatedAt, Deleted: ag.DeletedAt != nil}
		r.Version = int64(ag.LiveVersion)
		for _, t := range ag.Tags {
			r.Tags = append(r.Tags, agents.Tag{ID: t.ID, Name: t.Name, Color: t.Color})
		}
		l.Rows = append(l.Rows, r)
	}
	l.Pages = max(1, (page.Total+page.PerPage-1)/page.PerPage)
	if page.Page > 1 {
		l.PrevURL = pageURL(c, page.Page-1)
	}
	if page.Page < l.Pages {
		l.NextURL = pageURL(c, page.Page+1)
	}
	return Render(c, fiber.StatusOK, agents.ListPage(h.Page(c, "Agents", "agents"), l))
}

func pageURL(c *fiber.Ctx, page int) string {
	q, _ := url.ParseQuery(string(c.Context().QueryArgs().QueryString()))
	q.Set("page", strconv.Itoa(page))
	return "/agents?" + q.Encode()
}

// New renders an empty editor.
func (h *Agents) New(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	e, err := h.editor(c, &db.Agent{Stage: "development", ShowInChat: true})
	if err != nil {
		return err
	}
	return Render(c, fiber.StatusOK, agents.EditorPage(h.Page(c, "New agent", "agents"), e))
}

// Show renders the editor for an agent (read-only for reviewers).
func (h *Agents) Show(c *fiber.Ctx) error {
	_, ag, err := h.pathAgent(c)
	if err != nil {
		return err
	}
	e, err := h.editor(c, ag)
	if err != nil {
		return err
	}
	return Render(c, fiber.StatusOK, agents.EditorPage(h.Page(c, ag.Name, "agents"), e))
}

// editor builds the editor view model from an agent.
func (h *Agents) editor(c *fiber.Ctx, ag *db.Agent) (agents.Editor, error) {
	a := ActorOf(c)
	e := agents.Editor{ID: ag.ID, Errors: map[string]string{}, EmailDomain: h.EmailDomain, Deleted: ag.DeletedAt != nil,
		CanEdit: a.Can(db.PermAgentsUpdate) || ag.ID == 0 && a.Can(db.PermAgentsCreate), CanDelete: a.Can(db.PermAgentsDelete), CanCreate: a.Can(db.PermAgentsCreate)}
	e.Form, e.Title = formOf(ag), ag.Name
	e.Version = int64(ag.LiveVersion)
	return e, h.options(c, &e, ag.TagIDs, ag.MCPServers, ag.Tools)
}

// formOf is the editor's form for an agent.
func formOf(ag *db.Agent) agents.Form {
	f := agents.Form{Name: ag.Name, Description: deref(ag.Description), LogoURL: deref(ag.LogoURL), Model: deref(ag.Model),
		SystemPrompt: deref(ag.SystemPrompt), Stage: ag.Stage, EmailSlug: deref(ag.EmailSlug), PlanningMode: deref(ag.PlanningMode),
		ConversationStarters: strings.Join(ag.ConversationStarters, "\n"), ShowInChat: ag.ShowInChat}
	if ag.MaxToolRoundtrips != nil {
		f.MaxToolRoundtrips = strconv.Itoa(*ag.MaxToolRoundtrips)
	}
	f.ContextDocs = formatContextDocs(ag.ContextDocs)
	f.Inputs, f.TinesStoryImportID, f.UUID = formatInputs(ag.Inputs), deref(ag.TinesStoryImportID), ag.UUID
	f.AgentType = ag.AgentType
	if x := ag.ExternalConfig; x != nil {
		f.AgentCardURL, f.EndpointURL = x.AgentCardURL, x.EndpointURL
		if x.RefreshIntervalMinutes > 0 {
			f.RefreshInterval = strconv.Itoa(x.RefreshIntervalMinutes)
		}
	}
	if ag.PublishedVersionID != nil {
		f.BaseVersion = strconv.FormatInt(*ag.PublishedVersionID, 10)
	}
	return f
}

// withoutUntouched is the patch without the fields whose submitted value is what the
// editor showed for the version the form was based on. The person did not change
// them, so the save leaves them as they now are: the form's own spelling of a value
// (an empty list for none, say) is never taken for an edit, and a stale save never
// sends an old value back over someone else's change to a field the person did not touch.
func (h *Agents) withoutUntouched(c *fiber.Ctx, form *db.AgentPatch, f agents.Form) (*db.AgentPatch, error) {
	if !form.ID.Has() || !form.PublishedVersionID.Has() {
		return form, nil
	}
	v, err := h.Store.Version(c.UserContext(), ActorOf(c).OrgID, form.PublishedVersionID.V)
	if errors.Is(err, db.ErrNotFound) {
		return form, nil // the save refuses the base with its own message
	}
	if err != nil {
		return nil, err
	}
	var base db.Agent
	if v.AgentID != form.ID.V || json.Unmarshal(v.Snapshot, &base) != nil {
		return form, nil
	}
	p := new(db.AgentPatch)
	*p = *form
	b := formOf(&base)
	text := func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") } // textareas post CRLF
	unset := func(same bool, fields ...func()) {
		if same {
			for _, clear := range fields {
				clear()
			}
		}
	}
	unset(f.Name == b.Name, func() { p.Name = db.Opt[string]{} })
	unset(text(f.Description) == text(b.Description), func() { p.Description = db.Opt[string]{} })
	unset(f.LogoURL == b.LogoURL, func() { p.LogoURL = db.Opt[string]{} })
	unset(f.Model == b.Model, func() { p.Model = db.Opt[string]{} })
	unset(f.MaxToolRoundtrips == b.MaxToolRoundtrips, func() { p.MaxToolRoundtrips = db.Opt[int]{} })
	unset(text(f.SystemPrompt) == text(b.SystemPrompt), func() { p.SystemPrompt = db.Opt[string]{} })
	unset(f.Stage == b.Stage, func() { p.Stage = db.Opt[string]{} })
	unset(f.EmailSlug == b.EmailSlug, func() { p.EmailSlug = db.Opt[string]{} })
	unset(f.PlanningMode == b.PlanningMode, func() { p.PlanningMode = db.Opt[string]{} })
	unset(slices.Equal(lines(text(f.ConversationStarters)), lines(b.ConversationStarters)), func() { p.ConversationStarters = db.Opt[[]string]{} })
	unset(slices.Equal(lines(text(f.ContextDocs)), lines(b.ContextDocs)), func() { p.ContextDocs = db.Opt[[]db.ContextDoc]{} })
	unset(slices.Equal(lines(text(f.Inputs)), lines(b.Inputs)), func() { p.Inputs = db.Opt[[]db.AgentInput]{} })
	unset(strings.EqualFold(f.TinesStoryImportID, b.TinesStoryImportID), func() { p.TinesStoryImportID = db.Opt[string]{} })
	unset(f.ShowInChat == b.ShowInChat, func() { p.ShowInChat = db.Opt[bool]{} })
	unset(sameIDs(p.TagIDs.V, base.TagIDs), func() { p.TagIDs = db.Opt[[]int64]{} })
	unset(sameIDs(p.MCPServers.V, base.MCPServers), func() { p.MCPServers = db.Opt[[]int64]{} })
	unset(sameJSON(p.Tools.V, formTools(base.Tools)), func() { p.Tools = db.Opt[map[string]json.RawMessage]{} })
	unset(f.AgentType == b.AgentType && f.AgentCardURL == b.AgentCardURL && f.EndpointURL == b.EndpointURL && f.RefreshInterval == b.RefreshInterval,
		func() { p.AgentType, p.ExternalConfig = db.Opt[string]{}, db.Opt[db.ExternalConfig]{} })
	return p, nil
}

func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// formTools is an agent's tools as the editor posts them: each tool with its config
// only (the definition is the catalog's).
func formTools(tools map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(tools))
	for name, def := range tools {
		var d struct {
			Config json.RawMessage `json:"config"`
		}
		json.Unmarshal(def, &d)
		if len(d.Config) > 0 && string(d.Config) != "null" {
			out[name], _ = json.Marshal(map[string]json.RawMessage{"config": d.Config})
		} else {
			out[name] = json.RawMessage(`{}`)
		}
	}
	return out
}

// sameJSON compares two values by their meaning (key order and spacing aside).
func sameJSON(a, b any) bool {
	var x, y any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if json.Unmarshal(ja, &x) != nil || json.Unmarshal(jb, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// editorLimits are the validator's limits as the editor's maxlength attributes.
var editorLimits = agents.Limits{Name: db.MaxName, Description: db.MaxDescription, Prompt: db.MaxPrompt, URL: db.MaxURL, Slug: db.MaxSlug}

// errorLinks is the error summary: each field with a message, in the form's order
// (db.AgentFieldLabels), then tool configs, linked to the element to fix.
func errorLinks(errs map[string]string) []agents.ErrorLink {
	var out []agents.ErrorLink
	done := map[string]bool{}
	anchor := func(key string) string {
		switch key {
		case "tagIds", "tools", "mcpServers":
			return key + "-error" // a group of checkboxes: its message
		case "externalConfig":
			return "agentCardUrl"
		}
		return key
	}
	for _, f := range db.AgentFieldLabels {
		if msg, ok := errs[f.Key]; ok {
			out, done[f.Key] = append(out, agents.ErrorLink{Anchor: anchor(f.Key), Label: f.Label, Message: msg}), true
		}
	}
	keys := make([]string, 0, len(errs))
	for k := range errs {
		if !done[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		l := agents.ErrorLink{Anchor: anchor(k), Label: k, Message: errs[k]}
		if tool, ok := strings.CutPrefix(strings.TrimSuffix(k, ".config"), "tools."); ok {
			l.Anchor, l.Label = "cfgjson-"+tool, "Config of "+tool
			if tool == "call_agent" || tool == "search_knowledge_base" {
				l.Anchor = "cfg-" + tool
			}
		}
		out = append(out, l)
	}
	return out
}

// options fills the model and tag choices.
func (h *Agents) options(c *fiber.Ctx, e *agents.Editor, selectedTags, selectedServers []int64, tools map[string]json.RawMessage) error {
	e.Limits, e.ErrorLinks = editorLimits, errorLinks(e.Errors)
	if err := h.toolOptions(c, e, tools); err != nil {
		return err
	}
	models, err := h.Store.Models(c.UserContext())
	if err != nil {
		return err
	}
	for _, m := range models {
		e.Models = append(e.Models, agents.Option{Value: m.ID, Label: m.DisplayName + " (" + m.ID + ")"})
	}
	tags, err := h.Store.Tags(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	sel := map[int64]bool{}
	for _, id := range selectedTags {
		sel[id] = true
	}
	for _, t := range tags {
		e.Tags = append(e.Tags, agents.Tag{ID: t.ID, Name: t.Name, Selected: sel[t.ID]})
	}
	servers, err := h.Store.MCPServers(c.UserContext(), ActorOf(c).OrgID)
	if err != nil {
		return err
	}
	connected := map[int64]bool{}
	for _, id := range selectedServers {
		connected[id] = true
	}
	for _, m := range servers {
		e.MCPServers = append(e.MCPServers, agents.Tag{ID: m.ID, Name: m.Name, Selected: connected[m.ID]})
	}
	return nil
}

// patchFromForm reads the editor into the same patch the API uses: one validator.
func patchFromForm(c *fiber.Ctx) (*db.AgentPatch, agents.Form) {
	f := agents.Form{Name: c.FormValue("name"), Description: c.FormValue("description"), LogoURL: strings.TrimSpace(c.FormValue("logoUrl")),
		Model: c.FormValue("model"), MaxToolRoundtrips: strings.TrimSpace(c.FormValue("maxToolRoundtrips")), SystemPrompt: c.FormValue("systemPrompt"),
		Stage: c.FormValue("stage"), EmailSlug: strings.TrimSpace(c.FormValue("emailSlug")), PlanningMode: c.FormValue("planningMode"),
		ConversationStarters: c.FormValue("conversationStarters"),
		ShowInChat:           c.FormValue("showInChat") != "", BaseVersion: c.FormValue("publishedVersionId"), ToolConfigs: map[string]string{}}
	c.Context().PostArgs().VisitAll(func(k, v []byte) {
		if tool, ok := strings.CutPrefix(string(k), "cfgjson-"); ok {
			f.ToolConfigs[tool] = string(v) // shown again exactly as typed if the save is refused
		}
	})
	p := &db.AgentPatch{Name: db.Some(f.Name), Description: optString(f.Description), LogoURL: optString(f.LogoURL),
		Model: optString(f.Model), SystemPrompt: optString(f.SystemPrompt), Stage: db.Some(f.Stage), EmailSlug: optString(f.EmailSlug),
		PlanningMode: optString(f.PlanningMode), ConversationStarters: db.Some(lines(f.ConversationStarters)),
		Tools: db.Some(toolsFromForm(c)), ShowInChat: db.Some(f.ShowInChat)}
	if f.MaxToolRoundtrips == "" {
		p.MaxToolRoundtrips = db.Opt[int]{Set: true, Null: true}
	} else if n, err := strconv.Atoi(f.MaxToolRoundtrips); err == nil {
		p.MaxToolRoundtrips = db.Some(n)
	} else {
		p.MaxToolRoundtrips = db.Some(0) // refused by the validator with its message
	}
	p.TagIDs = db.Some(formIDs(c, "tagIds"))
	p.MCPServers = db.Some(formIDs(c, "mcpServers"))
	f.ContextDocs = c.FormValue("contextDocs")
	p.ContextDocs = db.Some(parseContextDocs(f.ContextDocs))
	f.Inputs, f.TinesStoryImportID = c.FormValue("inputs"), strings.TrimSpace(c.FormValue("tinesStoryImportId"))
	p.Inputs, p.TinesStoryImportID = db.Some(parseInputs(f.Inputs)), optString(f.TinesStoryImportID)
	f.AgentType = c.FormValue("agentType")
	if f.AgentType == "external" {
		f.AgentCardURL, f.EndpointURL, f.RefreshInterval = strings.TrimSpace(c.FormValue("agentCardUrl")), strings.TrimSpace(c.FormValue("endpointUrl")), c.FormValue("refreshIntervalMinutes")
		minutes, _ := strconv.Atoi(f.RefreshInterval)
		p.AgentType = db.Some("external")
		p.ExternalConfig = db.Some(db.ExternalConfig{AgentCardURL: f.AgentCardURL, EndpointURL: f.EndpointURL, RefreshIntervalMinutes: minutes})
	}
	if id, err := strconv.ParseInt(c.FormValue("id"), 10, 64); err == nil && id > 0 {
		p.ID = db.Some(id)
	}
	if v, err := strconv.ParseInt(f.BaseVersion, 10, 64); err == nil && p.ID.Has() {
		p.PublishedVersionID = db.Some(v)
	}
	// After a conflict, "keep theirs" on a field keeps the value of the version the form
	// was based on (the one saved in between), whatever the form holds for it.
	c.Context().PostArgs().VisitAll(func(k, v []byte) {
		if key, ok := strings.CutPrefix(string(k), "resolve:"); ok && string(v) == "theirs" && key != "" {
			p.KeepStored = append(p.KeepStored, strings.Split(key, "/"))
		}
	})
	return p, f
}

// Create saves a new agent and opens it.
func (h *Agents) Create(c *fiber.Ctx) error {
	if err := require(c, db.PermAgentsCreate); err != nil {
		return err
	}
	p, f := patchFromForm(c)
	p.ID = db.Opt[int64]{}
	return h.save(c, p, f, db.SourceCreate)
}

// Update saves an existing agent from the editor.
func (h *Agents) Update(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsUpdate)
	if err != nil {
		return err
	}
	p, f := patchFromForm(c)
	p.ID = db.Some(id)
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
		return h.redirect(c, "/agents/"+strconv.FormatInt(o.Agent.ID, 10), "success", msg)
	}
	var ve *db.ValidationError
	var ce *db.ConflictError
	if !errors.As(err, &ve) && !errors.As(err, &ce) {
		return err
	}
	if ce != nil && ce.Merged != nil {
		return h.conflict(c, ce)
	}
	// Re-render the form with what the user typed and the reason it was refused.
	e := agents.Editor{Form: f, Errors: map[string]string{}, EmailDomain: h.EmailDomain, CanEdit: true,
		CanDelete: ActorOf(c).Can(db.PermAgentsDelete), CanCreate: ActorOf(c).Can(db.PermAgentsCreate)}
	if p.ID.Has() {
		// The heading, title and breadcrumbs name the agent as stored: the refused name
		// stays in the form only, so the page never looks as if the rename worked.
		e.ID = p.ID.V
		stored, err := h.Store.Agent(c.UserContext(), ActorOf(c).OrgID, e.ID)
		if err != nil {
			return missing(err, "Agent %d", e.ID)
		}
		e.Title, e.Version = stored.Name, int64(stored.LiveVersion)
	}
	if ve != nil {
		e.Errors = fieldErrors(ve.Details)
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
	if err := h.options(c, &e, p.TagIDs.V, p.MCPServers.V, p.Tools.V); err != nil {
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
	e, err := h.editor(c, ce.Merged)
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
			Theirs: conflictText(cf.Path, cf.Theirs), Mine: conflictText(cf.Path, cf.Yours)})
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

// conflictText shows one side of a conflict: text as is, a tool as its config (or
// whether the agent has it), anything else as compact JSON.
func conflictText(path []any, v json.RawMessage) string {
	if len(path) == 2 && path[0] == "tools" {
		if string(v) == "null" {
			return "(not on the agent)"
		}
		var def struct {
			Config json.RawMessage `json:"config"`
		}
		if json.Unmarshal(v, &def) == nil && len(def.Config) > 0 && string(def.Config) != "null" {
			return "on the agent, config " + string(def.Config)
		}
		return "on the agent, no config"
	}
	var s string
	switch {
	case string(v) == "null":
		return "(empty)"
	case json.Unmarshal(v, &s) == nil:
		return s
	}
	return string(v)
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
	message := fieldErrors(issues)[field]
	if tool, ok := strings.CutPrefix(field, "cfgjson-"); ok {
		message = toolConfigError(tool, c.FormValue(field), fieldErrors(issues))
	}
	msg := components.FieldError(field+"-error", message)
	if field == "systemPrompt" { // counted as stored: the browser sends each line break as CRLF
		return Render(c, fiber.StatusOK, templ.Join(msg, agents.PromptCount(len([]rune(db.NormalizeNewlines(c.FormValue("systemPrompt")))), true)))
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
		if field == "tools" && len(is.Path) >= 3 && is.Path[2] == "config" {
			tool := fmt.Sprint(is.Path[1])
			field, message = agents.ToolConfigField(tool), configMessage(tool, is.Path[3:], is.Message)
		}
		if line, ok := lineOf(field, is.Path); ok {
			message = "Line " + strconv.Itoa(line) + ": " + message
		}
		if _, seen := out[field]; !seen {
			out[field] = message
		}
	}
	return out
}

// gotWant is the JSON Schema library's type mismatch ("got string, want object").
var gotWant = regexp.MustCompile(`^got (\w+), want (\w+)$`)

// configMessage words a config problem for the console: "Config of run_sql: readOnly
// must be a boolean, not a string". where is the path inside the config.
func configMessage(tool string, where []any, message string) string {
	var at strings.Builder
	for _, part := range where {
		switch p := part.(type) {
		case int:
			fmt.Fprintf(&at, "[%d]", p)
		default:
			if s := fmt.Sprint(p); s != "" && strings.Trim(s, "0123456789") == "" && at.Len() > 0 {
				fmt.Fprintf(&at, "[%s]", s) // an array index from a JSON pointer
			} else {
				if at.Len() > 0 {
					at.WriteByte('.')
				}
				at.WriteString(s)
			}
		}
	}
	if m := gotWant.FindStringSubmatch(message); m != nil {
		subject := "it"
		if at.Len() > 0 {
			subject = at.String()
		}
		if at.Len() == 0 {
			return fmt.Sprintf("Config of %s: must be %s, not %s", tool, withArticle(m[2]), withArticle(m[1]))
		}
		return fmt.Sprintf("Config of %s: %s must be %s, not %s", tool, subject, withArticle(m[2]), withArticle(m[1]))
	}
	if at.Len() > 0 {
		return fmt.Sprintf("Config of %s: %s (at %s)", tool, message, at.String())
	}
	return fmt.Sprintf("Config of %s: %s", tool, message)
}

// withArticle names a JSON type the way people say it: "an object", "a string".
func withArticle(jsonType string) string {
	if jsonType == "null" {
		return "null"
	}
	if strings.ContainsRune("aeiou", rune(jsonType[0])) {
		return "an " + jsonType
	}
	return "a " + jsonType
}

// toolConfigError is the message beside a tool's JSON config field: text that is not
// JSON at all says so (the validator only sees it as a string), anything else is the
// validator's message for that tool.
func toolConfigError(tool, typed string, errs map[string]string) string {
	msg := errs[agents.ToolConfigField(tool)]
	if msg == "" || strings.TrimSpace(typed) == "" {
		return msg
	}
	var v any
	if err := json.Unmarshal([]byte(typed), &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Sprintf("Config of %s: not valid JSON (%s, at character %d)", tool, err.Error(), se.Offset)
		}
		return fmt.Sprintf("Config of %s: not valid JSON (%s)", tool, err.Error())
	}
	return msg
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
	return h.redirect(c, "/agents/"+strconv.FormatInt(id, 10), "success", "Agent deleted. Restore it below if that was a mistake.")
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
	return h.redirect(c, "/agents/"+strconv.FormatInt(id, 10), "success", "Restored “"+ag.Name+"”.")
}

// Clone copies the agent in one click and opens the copy.
func (h *Agents) Clone(c *fiber.Ctx) error {
	id, err := permittedID(c, db.PermAgentsCreate)
	if err != nil {
		return err
	}
	ag, err := h.Store.CloneAgent(c.UserContext(), ActorOf(c), id, "")
	if err != nil {
		return missing(err, "Agent %d", id)
	}
	return h.redirect(c, "/agents/"+strconv.FormatInt(ag.ID, 10), "success", "Cloned into “"+ag.Name+"”: this is the copy.")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func optString(s string) db.Opt[string] {
	if strings.TrimSpace(s) == "" {
		return db.Opt[string]{Set: true, Null: true}
	}
	return db.Some(s)
}

func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// formIDs reads a repeated numeric form field (checkbox lists).
func formIDs(c *fiber.Ctx, name string) []int64 {
	ids := []int64{}
	for _, raw := range c.Context().PostArgs().PeekMulti(name) {
		if id, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// parseContextDocs reads "provider | id | name | mimeType" lines; missing parts stay
// empty and the validator names them.
func parseContextDocs(text string) []db.ContextDoc {
	docs := []db.ContextDoc{}
	for _, line := range lines(text) {
		parts := strings.Split(line, "|")
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		docs = append(docs, db.ContextDoc{Provider: strings.TrimSpace(parts[0]), ID: strings.TrimSpace(parts[1]),
			Name: strings.TrimSpace(parts[2]), MimeType: strings.TrimSpace(parts[3])})
	}
	return docs
}

// lineOf is the textarea line an issue is about, for the fields edited one item per line.
func lineOf(field string, path []any) (int, bool) {
	if len(path) < 2 || field != "conversationStarters" && field != "contextDocs" && field != "inputs" {
		return 0, false
	}
	i, ok := path[1].(int)
	return i + 1, ok
}

// parseInputs reads "name | type | required | description" lines (seed 003's inputs);
// the type defaults to text, and "required" (or yes/true) marks a required input.
func parseInputs(text string) []db.AgentInput {
	inputs := []db.AgentInput{}
	for _, line := range lines(text) {
		parts := strings.SplitN(line, "|", 4)
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		in := db.AgentInput{Name: strings.TrimSpace(parts[0]), Type: strings.TrimSpace(parts[1]), Description: strings.TrimSpace(parts[3])}
		if in.Type == "" {
			in.Type = "text"
		}
		switch strings.ToLower(strings.TrimSpace(parts[2])) {
		case "required", "yes", "true":
			in.Required = true
		}
		inputs = append(inputs, in)
	}
	return inputs
}

func formatInputs(inputs []db.AgentInput) string {
	out := make([]string, len(inputs))
	for i, in := range inputs {
		required := "optional"
		if in.Required {
			required = "required"
		}
		out[i] = strings.TrimRight(strings.Join([]string{in.Name, in.Type, required, in.Description}, " | "), " |")
	}
	return strings.Join(out, "\n")
}

func formatContextDocs(docs []db.ContextDoc) string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = strings.TrimRight(strings.Join([]string{d.Provider, d.ID, d.Name, d.MimeType}, " | "), " |")
	}
	return strings.Join(out, "\n")
}

// ignoredConfigs names each tool whose config the form carries while the tool is not
// ticked: the save leaves such a config out, and says so rather than answering
// "No changes to save." with no hint.
func ignoredConfigs(c *fiber.Ctx) []string {
	ticked := map[string]bool{}
	for _, raw := range c.Context().PostArgs().PeekMulti("tools") {
		ticked[string(raw)] = true
	}
	var out []string
	note := func(tool string) {
		if !ticked[tool] && !slices.Contains(out, tool+" is not selected: its config is ignored.") {
			out = append(out, tool+" is not selected: its config is ignored.")
		}
	}
	for _, tool := range []string{"call_agent", "search_knowledge_base"} {
		if len(formIDs(c, "cfg-"+tool)) > 0 {
			note(tool)
		}
	}
	c.Context().PostArgs().VisitAll(func(k, v []byte) {
		if tool, ok := strings.CutPrefix(string(k), "cfgjson-"); ok && strings.TrimSpace(string(v)) != "" && len(out) < 10 {
			note(tool)
		}
	})
	return out
}

// toolsFromForm reads the tool picker and the config inputs into seed 001's tools map.
func toolsFromForm(c *fiber.Ctx) map[string]json.RawMessage {
	tools := map[string]json.RawMessage{}
	for _, raw := range c.Context().PostArgs().PeekMulti("tools") {
		name := string(raw)
		// Each tool reads its config fields by scanning the form: a repeated name is
		// read once, and reading stops one past the limit (the validator refuses it),
		// so 10,000 values cost 10,000 steps, not 10,000 scans.
		if _, seen := tools[name]; seen {
			continue
		}
		if len(tools) > db.MaxTools {
			break
		}
		config := map[string]any{}
		switch name {
		case "call_agent":
			if ids := formIDs(c, "cfg-call_agent"); len(ids) > 0 {
				config["callableAgentIds"] = ids
			}
		case "search_knowledge_base":
			if ids := formIDs(c, "cfg-search_knowledge_base"); len(ids) > 0 {
				config["accessibleKnowledgeBaseIds"] = ids
			}
		}
		def := map[string]any{}
		if len(config) > 0 {
			def["config"] = config
		}
		if text := strings.TrimSpace(c.FormValue("cfgjson-" + name)); text != "" {
			var v any
			if json.Unmarshal([]byte(text), &v) == nil {
				def["config"] = v
			} else {
				def["config"] = text // not JSON: the config schema refuses it with a message
			}
		}
		b, _ := json.Marshal(def)
		tools[name] = b
	}
	return tools
}

// toolOptions fills the tool picker from the catalog and the agent's tools, and the
// agent and knowledge-base choices for the two id configs.
func (h *Agents) toolOptions(c *fiber.Ctx, e *agents.Editor, tools map[string]json.RawMessage) error {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	cat, err := h.Store.CatalogTools(ctx)
	if err != nil {
		return err
	}
	var cfg struct {
		Config struct {
			CallableAgentIDs           []int64 `json:"callableAgentIds"`
			AccessibleKnowledgeBaseIDs []int64 `json:"accessibleKnowledgeBaseIds"`
		} `json:"config"`
	}
	json.Unmarshal(tools["call_agent"], &cfg)
	callable := cfg.Config.CallableAgentIDs
	json.Unmarshal(tools["search_knowledge_base"], &cfg)
	kbs := cfg.Config.AccessibleKnowledgeBaseIDs
	for _, t := range cat {
		_, selected := tools[t.Name]
		if t.RemovedAt != nil && !selected {
			continue
		}
		opt := agents.ToolOption{Name: t.Name, Category: t.Category, Description: t.Description, Selected: selected,
			Removed: t.RemovedAt != nil, HasConfig: len(t.ConfigSchema) > 0}
		var def struct {
			Config json.RawMessage `json:"config"`
		}
		if json.Unmarshal(tools[t.Name], &def) == nil && len(def.Config) > 0 && string(def.Config) != "null" {
			opt.ConfigJSON = string(def.Config)
		}
		if typed, ok := e.Form.ToolConfigs[t.Name]; ok {
			opt.ConfigJSON = typed // a refused save shows the text as typed, not re-encoded
		}
		opt.ConfigError = toolConfigError(t.Name, opt.ConfigJSON, e.Errors)
		e.Tools = append(e.Tools, opt)
	}
	choices, err := h.Store.AgentChoices(ctx, org, callable, 500)
	if err != nil {
		return err
	}
	sel := map[int64]bool{}
	for _, id := range callable {
		sel[id] = true
	}
	for _, a := range choices {
		if a.ID != e.ID {
			e.Callable = append(e.Callable, agents.Choice{ID: a.ID, Name: a.Name, Selected: sel[a.ID]})
		}
	}
	all, err := h.Store.KnowledgeBases(ctx, org)
	if err != nil {
		return err
	}
	sel = map[int64]bool{}
	for _, id := range kbs {
		sel[id] = true
	}
	for _, kb := range all {
		e.KBs = append(e.KBs, agents.Choice{ID: kb.ID, Name: kb.Name, Selected: sel[kb.ID]})
	}
	return nil
}
