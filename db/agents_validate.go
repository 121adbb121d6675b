package db

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"agentconsole/db/agentspec"
	"agentconsole/db/catalog"
)

// Issue is one problem with one field: the seeds' details[] entry.
type Issue struct {
	Message string `json:"message"`
	Path    []any  `json:"path"`
}

// ValidationError is a refused save. Message is the seeds' top-level "error"; Details
// name the fields (the console shows each message under its field).
type ValidationError struct {
	Message string
	Details []Issue
	// Bare: Message is the seed's own top-level error for a single field (an emailSlug
	// problem, a duplicate tag name); the API answers it without details.
	Bare bool
	// cause is the typed reason behind the message, where a caller must tell it apart
	// (errors.Is(err, errDuplicateTag)); never compared as text.
	cause error
}

func (e *ValidationError) Unwrap() error { return e.cause }

func (e *ValidationError) Error() string { return "db: " + e.Message }

// Field is the first path element the error is about ("" when none).
func (e *ValidationError) Field() string {
	if len(e.Details) > 0 && len(e.Details[0].Path) > 0 {
		if s, ok := e.Details[0].Path[0].(string); ok {
			return s
		}
	}
	return ""
}

func invalid(details ...Issue) *ValidationError {
	return &ValidationError{Message: "Validation Error", Details: details}
}

// refusal is a bare validation error: msg is both the top-level error and the field's.
func refusal(msg string, path ...any) *ValidationError {
	return &ValidationError{Message: msg, Details: []Issue{{Message: msg, Path: path}}, Bare: true}
}

// slugError is an emailSlug problem with the seed's top-level message; the path is kept
// for the console.
func slugError(format string, args ...any) *ValidationError {
	return refusal(fmt.Sprintf(format, args...), "emailSlug")
}

var (
	slugPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*[a-z0-9]$|^[a-z0-9]$`)
	systemSlug    = regexp.MustCompile(`^(agent|kb)-[0-9]+$`)
	reservedSlugs = map[string]bool{
		"admin": true, "administrator": true, "support": true, "help": true, "noreply": true, "no-reply": true,
		"postmaster": true, "hostmaster": true, "webmaster": true, "abuse": true, "security": true, "root": true,
		"info": true, "mailer-daemon": true, "billing": true, "system": true,
	}
)

// ValidateEmailSlug applies seed 001's rules, with its exact messages.
func ValidateEmailSlug(slug string) *ValidationError {
	switch {
	case len(slug) > MaxSlug:
		return slugError("Email slug must be at most %d characters", MaxSlug)
	case !slugPattern.MatchString(slug):
		return slugError("Email slug must be lowercase alphanumeric with hyphens and cannot start or end with a hyphen")
	case reservedSlugs[slug]:
		return slugError("Email slug %q is reserved and cannot be used", slug)
	case systemSlug.MatchString(slug):
		return slugError("Email slug %q matches a reserved system pattern and cannot be used", slug)
	}
	return nil
}

func duplicateSlug(slug string) *ValidationError {
	return slugError("Email slug %q is already in use by another agent", slug)
}

// Limits on free text and lists, generous but bounded; one rule for the console and
// the API (both save through Apply), stated in openapi.yaml as maxLength / maxItems.
const (
	maxName           = 200
	maxDescription    = 2000
	maxPrompt         = 100_000
	maxStarters       = 20
	maxStarterLen     = 500
	maxListItems      = 200 // integrations, mcpServers, tagIds, contextDocs, ids in a tool's config
	maxInputs         = 50
	maxURL            = 2000
	maxTools          = 100 // tools (or toolNames) on one agent
	maxShortText      = 200 // a tool name, an integration, a context doc's fields, a model id
	maxToolRoundtrips = 1<<31 - 1
)

// MaxTools is how many tools one agent may have.
const MaxTools = maxTools

// MaxURL is the longest URL (logo, card, endpoint, MCP server).
const MaxURL = maxURL

// MaxName is the longest name of an agent, knowledge base or MCP server.
const MaxName = maxName

// The other limits the validator applies, exported so the console's fields carry them
// as maxlength from this one declaration.
const (
	MaxDescription = maxDescription // an agent's description
	MaxPrompt      = maxPrompt      // the system prompt
	MaxShortText   = maxShortText   // a model id, a tool or integration name
	MaxSlug        = 63             // seed 001: an email slug
)

// Shorten cuts a value echoed in a message ("received '…'") to a readable length, so
// a 100,000-character value never makes a 100,000-character error.
func Shorten(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

func tooLong(max int) string { return fmt.Sprintf("String must contain at most %d character(s)", max) }

func tooMany(max int) string { return fmt.Sprintf("Array must contain at most %d element(s)", max) }

// InputTypes are the kinds of value an agent input may ask for (seed 003's inputs[].type).
var InputTypes = []string{"text", "number", "boolean", "date", "file", "select"}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports a UUID in its canonical 8-4-4-4-12 form.
func IsUUID(s string) bool { return uuidPattern.MatchString(s) }

// applyInputs applies seed 003's inputs.
func (p *AgentPatch) applyInputs(v *applier) {
	if !p.Inputs.Set {
		return
	}
	a, add := v.a, v.add
	inputs := p.Inputs.V
	if len(inputs) > maxInputs {
		add(tooMany(maxInputs), "inputs")
	}
	names := map[string]bool{}
	for i, in := range inputs {
		inputs[i].Name = strings.TrimSpace(in.Name)
		switch name := inputs[i].Name; {
		case name == "":
			add("Required", "inputs", i, "name")
		case len(name) > 100 || !utf8.ValidString(name) || strings.ContainsRune(name, 0):
			add("String must contain at most 100 character(s)", "inputs", i, "name")
		case names[strings.ToLower(name)]:
			add(fmt.Sprintf("Input %q appears twice", name), "inputs", i, "name")
		}
		names[strings.ToLower(inputs[i].Name)] = true
		if len(in.Description) > maxDescription || !utf8.ValidString(in.Description) || strings.ContainsRune(in.Description, 0) {
			add(fmt.Sprintf("String must contain at most %d character(s)", maxDescription), "inputs", i, "description")
		}
		if !slices.Contains(InputTypes, in.Type) {
			add(fmt.Sprintf("Invalid enum value. Expected '%s', received '%s'", strings.Join(InputTypes, "' | '"), Shorten(in.Type)), "inputs", i, "type")
		}
	}
	a.Inputs = inputs
	if len(inputs) == 0 {
		a.Inputs = nil
	}
}

// applyTinesStory applies seed 003's tinesStoryImportId (a UUID, stored lower case).
func (p *AgentPatch) applyTinesStory(v *applier) {
	switch o := p.TinesStoryImportID; {
	case !o.Set:
	case o.Null:
		v.a.TinesStoryImportID = nil
	case !IsUUID(o.V):
		v.add("Invalid uuid", "tinesStoryImportId")
	default:
		id := strings.ToLower(o.V)
		v.a.TinesStoryImportID = &id
	}
}

// Apply merges the patch into a (a copy of the stored agent, or a new one) and
// returns every problem found by the rules that need no database. Rules that do
// (model registry, ids of the organisation, slug uniqueness) run in SaveAgent. Each
// field of AgentFields is applied in turn, so the issues keep the fields' order.
func (p *AgentPatch) Apply(a *Agent) []Issue {
	v := &applier{a: a, issues: append([]Issue(nil), p.ParseIssues...)}
	for i := range AgentFields {
		v.applyField(p, &AgentFields[i])
	}
	if a.AgentType == agentspec.TypeExternal && (a.ExternalConfig == nil || a.ExternalConfig.AgentCardURL == "" && a.ExternalConfig.EndpointURL == "") {
		v.add("External agents need externalConfig.agentCardUrl or externalConfig.endpointUrl", "externalConfig")
	}
	canonicalLists(a)
	return v.issues
}

// applier carries Apply's agent and the issues found so far through the fields.
type applier struct {
	a      *Agent
	issues []Issue
}

func (v *applier) add(msg string, path ...any) {
	v.issues = append(v.issues, Issue{Message: msg, Path: path})
}

// text applies an optional text field: newlines normalised (the limit applies to
// what is stored), invalid characters and overlong values refused.
func (v *applier) text(o Opt[string], field string, max int, dst **string) {
	if !o.Set {
		return
	}
	if o.Null {
		*dst = nil
		return
	}
	s := NormalizeNewlines(o.V)
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		v.add("Invalid characters", field)
		return
	}
	if len(s) > max {
		v.add(fmt.Sprintf("String must contain at most %d character(s)", max), field)
		return
	}
	*dst = &s
}

// applyName: required on a new agent, trimmed.
func (p *AgentPatch) applyName(v *applier) {
	if !p.Name.Set {
		if v.a.ID == 0 {
			v.add("Required", "name")
		}
		return
	}
	name := strings.TrimSpace(p.Name.V)
	switch {
	case p.Name.Null || name == "":
		v.add("Required", "name")
	case !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		v.add("Invalid characters", "name")
	case len(name) > maxName:
		v.add(fmt.Sprintf("String must contain at most %d character(s)", maxName), "name")
	default:
		v.a.Name = name
	}
}

// applyLogo: logoUrl, or its alias icon; an http(s) URL.
func (p *AgentPatch) applyLogo(v *applier) {
	a, add := v.a, v.add
	logo, logoField := aliased(p.LogoURL, "logoUrl", p.Icon, "icon")
	if p.LogoURL.Set && p.Icon.Set && p.LogoURL != p.Icon {
		add("icon is another name for logoUrl: send one of them, or the same value in both", "icon")
	}
	if logo.Has() && len(logo.V) > maxURL {
		add(tooLong(maxURL), logoField)
	} else if logo.Has() && logo.V != "" && !isHTTPURL(logo.V) {
		add("Invalid url", logoField)
	} else {
		v.text(logo, logoField, maxURL, &a.LogoURL)
		if a.LogoURL != nil && *a.LogoURL == "" {
			a.LogoURL = nil
		}
	}
}

// applyStarters: conversation starters, each normalised like a text field.
func (p *AgentPatch) applyStarters(v *applier) {
	if !p.ConversationStarters.Set {
		return
	}
	starters := p.ConversationStarters.V
	if len(starters) > maxStarters {
		v.add(tooMany(maxStarters), "conversationStarters")
	}
	starters = slices.Clone(starters)
	for i, s := range starters {
		starters[i] = NormalizeNewlines(s)
		if len(starters[i]) > maxStarterLen || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			v.add(tooLong(maxStarterLen), "conversationStarters", i)
		}
	}
	v.a.ConversationStarters = starters
	if p.ConversationStarters.Null {
		v.a.ConversationStarters = nil
	}
}

// aliased is a field as sent: under its own name, or else under its alias (Runtype's
// icon, Cotool's modelAlias), with the name it came under.
func aliased(o Opt[string], name string, alias Opt[string], aliasName string) (Opt[string], string) {
	if !o.Set && alias.Set {
		return alias, aliasName
	}
	return o, name
}

// applyModel: model (or modelAlias), a provider:model id.
func (p *AgentPatch) applyModel(v *applier) {
	a, add := v.a, v.add
	model, modelField := aliased(p.Model, "model", p.ModelAlias, "modelAlias")
	if model.Set {
		if model.Null || model.V == "" {
			a.Model = nil
		} else if len(model.V) > maxShortText {
			add(tooLong(maxShortText), modelField)
		} else if !strings.Contains(model.V, ":") {
			add("Model must be a provider:model identifier from the registry", modelField)
		} else {
			v := model.V
			a.Model = &v
		}
	}
}

// applyTools: the tools map, or Cotool's list of tool names.
func (p *AgentPatch) applyTools(v *applier) {
	a, add := v.a, v.add
	if p.Tools.Set {
		tools := map[string]json.RawMessage{}
		if len(p.Tools.V) > maxTools {
			add(fmt.Sprintf("Object must contain at most %d tool(s)", maxTools), "tools")
		}
		for name, def := range p.Tools.V {
			var obj map[string]json.RawMessage
			if strings.TrimSpace(name) == "" {
				add("Tool name must not be empty", "tools")
			} else if len(name) > maxShortText {
				add(tooLong(maxShortText), "tools", Shorten(name))
			} else if json.Unmarshal(def, &obj) != nil {
				add("Expected object", "tools", name)
			} else if _, ok := obj[storedRefKey]; ok {
				add("Unrecognized key(s) in object: '"+storedRefKey+"'", "tools", name) // reserved for stored references
			} else if key := tooManyRefIDs(def); key != "" {
				add(tooMany(maxListItems), "tools", name, "config", key)
			} else {
				tools[name] = catalog.Canonical(def)
			}
		}
		a.Tools = tools
	} else if p.ToolNames.Set {
		// Cotool's view: the list of tool names. Keep definitions of tools already
		// present; new names get an empty definition for the catalog to fill.
		tools := map[string]json.RawMessage{}
		if len(p.ToolNames.V) > maxTools {
			add(tooMany(maxTools), "toolNames")
		}
		for i, name := range p.ToolNames.V {
			if strings.TrimSpace(name) == "" {
				add("Tool name must not be empty", "toolNames", i)
				continue
			}
			if len(name) > maxShortText {
				add(tooLong(maxShortText), "toolNames", i)
				continue
			}
			if def, ok := a.Tools[name]; ok {
				tools[name] = def
			} else {
				tools[name] = json.RawMessage(`{}`) // the catalog's definition is filled in on save
			}
		}
		a.Tools = tools
	}
	if a.Tools == nil {
		a.Tools = map[string]json.RawMessage{}
	}
}

// applyEmailSlug: seed 001's slug rules (uniqueness is checked on save).
func (p *AgentPatch) applyEmailSlug(v *applier) {
	if !p.EmailSlug.Set {
		return
	}
	if p.EmailSlug.Null || p.EmailSlug.V == "" {
		v.a.EmailSlug = nil
	} else if err := ValidateEmailSlug(p.EmailSlug.V); err != nil {
		v.issues = append(v.issues, err.Details...)
	} else {
		slug := p.EmailSlug.V
		v.a.EmailSlug = &slug
	}
}

// applyTags: at most maxListItems tags, each once.
func (p *AgentPatch) applyTags(v *applier) {
	if p.TagIDs.Set {
		if len(p.TagIDs.V) > maxListItems {
			v.add(tooMany(maxListItems), "tagIds")
		}
		v.a.TagIDs = dedupe(p.TagIDs.V)
	}
}

// applyContextDocs: each document names its provider and id.
func (p *AgentPatch) applyContextDocs(v *applier) {
	if !p.ContextDocs.Set {
		return
	}
	add := v.add
	if len(p.ContextDocs.V) > maxListItems {
		add(tooMany(maxListItems), "contextDocs")
	}
	for i, d := range p.ContextDocs.V {
		if strings.TrimSpace(d.Provider) == "" {
			add("Required", "contextDocs", i, "provider")
		}
		if strings.TrimSpace(d.ID) == "" {
			add("Required", "contextDocs", i, "id")
		}
		for field, v := range map[string]string{"provider": d.Provider, "id": d.ID, "name": d.Name, "mimeType": d.MimeType} {
			if len(v) > maxShortText {
				add(tooLong(maxShortText), "contextDocs", i, field)
			}
		}
	}
	v.a.ContextDocs = p.ContextDocs.V
}

// MsgRefreshInterval refuses a refresh interval: one sentence that does not contradict
// itself (0, or nothing, is the default; anything else must be in range).
var MsgRefreshInterval = fmt.Sprintf("Use a whole number from 1 to %d (30 days), or leave it empty for the default of %d",
	agentspec.MaxRefreshIntervalMinutes, agentspec.DefaultRefreshIntervalMinutes)

// applyExternalConfig: an external agent's card and endpoint URLs and refresh interval.
func (p *AgentPatch) applyExternalConfig(v *applier) {
	a, add := v.a, v.add
	if p.ExternalConfig.Set {
		if p.ExternalConfig.Null {
			a.ExternalConfig = nil
		} else {
			c := p.ExternalConfig.V
			if len(c.AgentCardURL) > maxURL {
				add(tooLong(maxURL), "externalConfig", "agentCardUrl")
			} else if c.AgentCardURL != "" && !isHTTPURL(c.AgentCardURL) {
				add("Invalid url", "externalConfig", "agentCardUrl")
			}
			if len(c.EndpointURL) > maxURL {
				add(tooLong(maxURL), "externalConfig", "endpointUrl")
			} else if c.EndpointURL != "" && !isHTTPURL(c.EndpointURL) {
				add("Invalid url", "externalConfig", "endpointUrl")
			}
			if c.RefreshIntervalMinutes < 0 || c.RefreshIntervalMinutes > agentspec.MaxRefreshIntervalMinutes {
				add(MsgRefreshInterval, "externalConfig", "refreshIntervalMinutes")
			}
			a.ExternalConfig = &c
		}
	}
}

// NormalizeNewlines turns CRLF and lone CR line breaks into LF. Browsers submit
// textareas with CRLF; stored as sent, every diff would mark untouched lines as
// changed and API clients would read CRLF back. Apply runs it on every multi-line
// field, so the console, the API, import and restore all store LF.
func NormalizeNewlines(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// canonicalLists stores an empty list as absent (nil: JSON null, as seed 001 answers
// mcpServers for an agent created without them). The console always sends its lists,
// the API may leave them out: without this, a console save of an API-created agent
// would record conversationStarters, contextDocs and mcpServers going from absent to
// [] that nobody touched. snapshot applies it too, for rows stored before.
func canonicalLists(a *Agent) {
	for _, f := range AgentFields {
		if f.NilWhenEmpty {
			if l := agentValue(a, f.JSON); l.Len() == 0 {
				l.Set(reflect.Zero(l.Type()))
			}
		}
	}
}

func enum(o Opt[string], field string, allowed []string, issues *[]Issue, set func(string)) {
	if !o.Has() {
		return
	}
	for _, v := range allowed {
		if o.V == v {
			set(v)
			return
		}
	}
	quoted := make([]string, len(allowed))
	for i, v := range allowed {
		quoted[i] = "'" + v + "'"
	}
	*issues = append(*issues, Issue{Message: fmt.Sprintf("Invalid enum value. Expected %s, received '%s'", strings.Join(quoted, " | "), Shorten(o.V)), Path: []any{field}})
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func dedupe(ids []int64) []int64 {
	seen := map[int64]bool{}
	out := []int64{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// tooManyRefIDs names the first config id list of a tool definition over the list
// limit, or "".
func tooManyRefIDs(def json.RawMessage) string {
	ids := configRefIDs(def)
	for _, r := range agentspec.ConfigRefs {
		if len(ids[r.IDKey]) > maxListItems {
			return r.IDKey
		}
	}
	return ""
}
