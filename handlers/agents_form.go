package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/views/pages/agents"
)

// The agent editor's form: the stored agent as a Form, the posted form as a patch (only
// the fields the person changed), the pickers' options, and the text formats of the
// one-item-per-line fields.

// formOf is the editor's form for an agent: the fields the vocabulary maps (db.AgentFields
// with a form name), then those with their own text format.
func formOf(ag *db.Agent) agents.Form {
	f := agents.Form{UUID: ag.UUID, AgentType: ag.AgentType}
	for _, fd := range db.AgentFields {
		if values, ok := fd.FormValues(ag); ok {
			f.Set(fd.Form, values)
		}
	}
	f.ContextDocs, f.Inputs = formatContextDocs(ag.ContextDocs), formatInputs(ag.Inputs)
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
	for _, ff := range agents.FormFields {
		if ff.Same(&f, &b) {
			p.Unset(ff.Name)
		}
	}
	unset := func(same bool, fields ...string) {
		for _, name := range fields {
			if same {
				p.Unset(name)
			}
		}
	}
	unset(f.ShowInChat == b.ShowInChat, "showInChat")
	unset(sameIDs(p.TagIDs.V, base.TagIDs), "tagIds")
	unset(sameIDs(p.MCPServers.V, base.MCPServers), "mcpServers")
	unset(sameJSON(p.Tools.V, formTools(base.Tools)), "tools")
	unset(f.AgentType == b.AgentType && f.AgentCardURL == b.AgentCardURL && f.EndpointURL == b.EndpointURL && f.RefreshInterval == b.RefreshInterval,
		"agentType", "externalConfig")
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

// patchFromForm reads the editor into the same patch the API uses: one validator.
func patchFromForm(c *fiber.Ctx) (*db.AgentPatch, agents.Form) {
	f := agents.ReadForm(func(name string) string { return c.FormValue(name) })
	f.ShowInChat, f.BaseVersion = c.FormValue("showInChat") != "", c.FormValue("publishedVersionId")
	c.Context().PostArgs().VisitAll(func(k, v []byte) {
		if tool, ok := strings.CutPrefix(string(k), "cfgjson-"); ok {
			f.ToolConfigs[tool] = string(v) // shown again exactly as typed if the save is refused
		}
	})
	p := &db.AgentPatch{Tools: db.Some(toolsFromForm(c))}
	for _, fd := range db.AgentFields {
		if fd.Form == "" {
			continue // read below with its own parser
		}
		values, ok := f.Values(fd.Form)
		if !ok { // not a text field of the form: checkboxes, read as posted
			values = nil
			for _, raw := range c.Context().PostArgs().PeekMulti(fd.Form) {
				values = append(values, string(raw))
			}
		}
		fd.SetFromForm(p, values)
	}
	p.ContextDocs = db.Some(parseContextDocs(f.ContextDocs))
	inputs, inputIssues := parseInputs(f.Inputs)
	p.Inputs, p.ParseIssues = db.Some(inputs), inputIssues
	f.AgentType = c.FormValue("agentType")
	if f.AgentType == "external" {
		f.AgentCardURL, f.EndpointURL, f.RefreshInterval = strings.TrimSpace(c.FormValue("agentCardUrl")), strings.TrimSpace(c.FormValue("endpointUrl")), c.FormValue("refreshIntervalMinutes")
		minutes, err := strconv.Atoi(strings.TrimSpace(f.RefreshInterval))
		if err != nil && strings.TrimSpace(f.RefreshInterval) != "" { // "1.5", "abc": not the default, an error
			p.ParseIssues = append(p.ParseIssues, db.Issue{Message: db.MsgRefreshInterval, Path: []any{"externalConfig", "refreshIntervalMinutes"}})
		}
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

func lines(s string) []string { return agents.SplitLines(s) }

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

// partOf is the named part of a line item an issue is about (["contextDocs", 0, "id"]).
func partOf(path []any) (string, bool) {
	if len(path) < 3 {
		return "", false
	}
	s, ok := path[2].(string)
	return s, ok
}

// parseInputs reads "name | type | required | description" lines (seed 003's inputs);
// the type defaults to text; the third part is "required", "optional" or empty
// (optional). Anything else is an issue on that line, not silently "optional".
func parseInputs(text string) ([]db.AgentInput, []db.Issue) {
	inputs := []db.AgentInput{}
	var issues []db.Issue
	for i, line := range lines(text) {
		parts := strings.SplitN(line, "|", 4)
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		in := db.AgentInput{Name: strings.TrimSpace(parts[0]), Type: strings.TrimSpace(parts[1]), Description: strings.TrimSpace(parts[3])}
		if in.Type == "" {
			in.Type = "text"
		}
		switch req := strings.TrimSpace(parts[2]); strings.ToLower(req) {
		case "required":
			in.Required = true
		case "optional", "":
		default:
			issues = append(issues, db.Issue{Message: fmt.Sprintf("the third part must be required or optional (or empty), not %q", db.Shorten(req)),
				Path: []any{"inputs", i, "required"}})
		}
		inputs = append(inputs, in)
	}
	return inputs, issues
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
		if r, ok := agentspec.ConfigRefByTool(name); ok {
			if ids := formIDs(c, agents.RefPickerField(name)); len(ids) > 0 {
				config[r.IDKey] = ids
			}
		}
		def := map[string]any{}
		if len(config) > 0 {
			def["config"] = config
		}
		if text := strings.TrimSpace(configText(c, name)); text != "" {
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
// agent and knowledge-base choices for the two id configs. On a clean view (no form
// posted back) the rows of tools the agent does not have are drawn once per catalog.
func (h *Agents) toolOptions(c *fiber.Ctx, e *agents.Editor, cat []db.EditorTool, tools map[string]json.RawMessage, side *db.EditorSide) (err error) {
	clean := len(e.Errors) == 0 && len(e.ConfigErrors) == 0 && len(e.Form.ToolConfigs) == 0
	e.Tools = make([]agents.ToolOption, 0, len(cat))
	for i := range cat {
		t := &cat[i]
		_, selected := tools[t.Name]
		if t.RemovedAt != nil && !selected {
			continue
		}
		opt := agents.ToolOption{Name: t.Name, Category: t.Category, Description: t.Description, Selected: selected,
			Removed: t.RemovedAt != nil, HasConfig: len(t.ConfigSchema) > 0}
		_, opt.RefPicker = agentspec.ConfigRefByTool(t.Name)
		if clean && !selected && !opt.RefPicker {
			if opt.HTML, err = h.toolRows.row(cat, t.Name, func() ([]byte, error) {
				return agents.ToolRowHTML(toolOption(c, e, t, opt, nil))
			}); err != nil {
				return err
			}
			e.Tools = append(e.Tools, opt)
			continue
		}
		e.Tools = append(e.Tools, toolOption(c, e, t, opt, tools[t.Name]))
	}
	refPickers(e, tools, side)
	return nil
}

// toolOption fills a tool's config form, its raw JSON and messages from the agent's
// stored tool (nil: the agent does not have it) and what the form posted back.
func toolOption(c *fiber.Ctx, e *agents.Editor, t *db.EditorTool, opt agents.ToolOption, stored json.RawMessage) agents.ToolOption {
	var def struct {
		Config json.RawMessage `json:"config"`
	}
	if len(stored) > 0 && json.Unmarshal(stored, &def) == nil && len(def.Config) > 0 && string(def.Config) != "null" {
		opt.ConfigJSON = string(def.Config)
	}
	opt.ConfigInputs, opt.ConfigJSON0 = configInputs(c, t.Name, t.ConfigFields, def.Config, e.ConfigErrors), opt.ConfigJSON
	if typed, ok := e.Form.ToolConfigs[t.Name]; ok {
		opt.ConfigJSON = postedConfigJSON(c, t.Name, typed, opt.ConfigJSON) // a refused save shows the text as typed, not re-encoded
	}
	opt.ConfigError = agents.ToolConfigError(t.Name, opt.ConfigJSON, e.Errors)
	return opt
}

// options fills the model and tag choices.
func (h *Agents) options(c *fiber.Ctx, e *agents.Editor, lists editorLists, selectedTags, selectedServers []int64, tools map[string]json.RawMessage, side *db.EditorSide) error {
	e.Limits, e.ErrorLinks = editorLimits, errorLinks(e.Errors)
	if err := h.toolOptions(c, e, lists.catalog, tools, side); err != nil {
		return err
	}
	e.Models = h.modelOptions.of(lists.models)
	tags := lists.tags
	selected := func(id int64) bool { return slices.Contains(selectedTags, id) } // an agent has a few tags
	if len(selectedTags) > 16 {
		sel := make(map[int64]bool, len(selectedTags))
		for _, id := range selectedTags {
			sel[id] = true
		}
		selected = func(id int64) bool { return sel[id] }
	}
	e.Tags = make([]agents.Tag, len(tags))
	for i, t := range tags {
		e.Tags[i] = agents.Tag{ID: t.ID, Name: t.Name, Color: t.Color, Selected: selected(t.ID)}
	}
	mcpPicker(e, selectedServers, side)
	return nil
}

// editorLimits are the validator's limits as the editor's maxlength attributes.
var editorLimits = agents.Limits{Name: fieldMax("name"), Description: fieldMax("description"), Prompt: fieldMax("systemPrompt"),
	URL: fieldMax("logoUrl"), Slug: fieldMax("emailSlug")}

// fieldMax is the longest value the vocabulary allows for the field.
func fieldMax(name string) int {
	f, _ := db.AgentFieldByJSON(name)
	return f.Max
}

// errorLinks is the error summary: each field with a message, in the form's order
// (db.AgentFields), then tool configs, linked to the element to fix.
func errorLinks(errs map[string]string) []agents.ErrorLink {
	var out []agents.ErrorLink
	done := map[string]bool{}
	anchor := func(key string) string {
		if f, ok := db.AgentFieldByJSON(key); ok && f.JSON == key {
			return f.ErrorAnchor()
		}
		return key
	}
	for _, f := range db.AgentFields {
		if msg, ok := errs[f.JSON]; ok {
			out, done[f.JSON] = append(out, agents.ErrorLink{Anchor: f.ErrorAnchor(), Label: f.Label, Message: msg}), true
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
		if label, ok := agents.ExternalFieldLabels[k]; ok {
			l.Label = label
		}
		if tool, ok := strings.CutPrefix(strings.TrimSuffix(k, ".config"), "tools."); ok {
			l.Anchor, l.Label = "cfgjson-"+tool, "Config of "+tool
			if _, picked := agentspec.ConfigRefByTool(tool); picked { // chosen in a picker, not typed as JSON
				l.Anchor = "cfg-" + tool
			}
		}
		out = append(out, l)
	}
	return out
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
	for _, r := range agentspec.ConfigRefs {
		if len(formIDs(c, "cfg-"+r.Tool)) > 0 {
			note(r.Tool)
		}
	}
	c.Context().PostArgs().VisitAll(func(k, v []byte) {
		if tool, ok := strings.CutPrefix(string(k), "cfgjson-"); ok && strings.TrimSpace(string(v)) != "" && len(out) < 10 {
			note(tool)
		}
	})
	return out
}
