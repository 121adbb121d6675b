package db

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"agentconsole/db/agentspec"
)

// The agent's fields as data: each field is declared once in AgentFields with its JSON
// name (API, snapshots, export), form name, label (the editor's and the diff's), kind,
// limits and export rule. Apply, export/import, the diff labels, the editor's form
// mapping and its maxlength attributes range over it; the accessors find the Go field
// of Agent, AgentPatch and ExportAgent by JSON name, so a simple new field is a model
// field, a patch field and one entry here (TestAgentFieldsRoundTrip covers it).

// FieldKind says what an agent field holds, and so which generic rule applies it.
type FieldKind int

// Kinds of agent field.
const (
	KindString     FieldKind = iota // one line of text
	KindText                        // multi-line text: newlines normalised
	KindInt                         // a number between Min and Max
	KindBool                        // a flag
	KindEnum                        // one of Options (Default when empty)
	KindStringList                  // at most Max strings of at most ItemMax bytes
	KindIDList                      // at most Max ids of the organisation's objects
	KindJSON                        // a structured value with its own rule
)

// ExportRule says how an agent export carries a field.
type ExportRule int

// Export rules.
const (
	ExportCopy   ExportRule = iota // copied as is (ExportAgent has a field of the same JSON name and type)
	ExportByName                   // references written by name and resolved on import (tags, MCP servers, tools' ids, model)
	ExportNever                    // not exported (unique within an organisation: the email slug)
)

// AgentField is one field of an agent.
type AgentField struct {
	JSON    string // name in the API, the snapshots and the export document
	Form    string // the editor's input name, "" when the editor reads it with its own parser
	Label   string // the editor's label, also the name history and diffs give it
	Anchor  string // the element the error summary links to ("" = Form, or JSON)
	Kind    FieldKind
	Min     int      // KindInt: smallest value
	Max     int      // longest value in bytes, largest KindInt, or most list items
	ItemMax int      // KindStringList: longest item
	Options []string // KindEnum: allowed values
	Default string   // KindEnum: the value stored when none is given
	Export  ExportRule
	Aliases []string // other JSON names clients may send for it (Cotool's modelAlias, Runtype's icon)
	// NilWhenEmpty stores an empty list as absent (see canonicalLists).
	NilWhenEmpty bool
	// Example is a valid value as JSON, for fields whose kind's sample would be refused
	// (tests round-trip every field with it).
	Example string

	apply func(p *AgentPatch, v *applier) // the field's own rule, when the kind's is not enough
}

// AgentFields lists the agent's fields in the editor's order: the error summary and
// the diff follow it.
var AgentFields = []AgentField{
	{JSON: "name", Form: "name", Label: "Name", Kind: KindString, Max: maxName, apply: (*AgentPatch).applyName},
	{JSON: "description", Form: "description", Label: "Description", Kind: KindText, Max: maxDescription},
	{JSON: "logoUrl", Form: "logoUrl", Label: "Logo URL", Kind: KindString, Max: maxURL, Aliases: []string{"icon"},
		Example: `"https://example.com/logo.png"`, apply: (*AgentPatch).applyLogo},
	{JSON: "conversationStarters", Form: "conversationStarters", Label: "Conversation starters", Kind: KindStringList,
		Max: maxStarters, ItemMax: maxStarterLen, NilWhenEmpty: true, apply: (*AgentPatch).applyStarters},
	{JSON: "tagIds", Form: "tagIds", Label: "Tags", Anchor: "tagIds-error", Kind: KindIDList, Max: maxListItems,
		Export: ExportByName, apply: (*AgentPatch).applyTags},
	{JSON: "systemPrompt", Form: "systemPrompt", Label: "Prompt", Kind: KindText, Max: maxPrompt},
	{JSON: "model", Form: "model", Label: "Model", Kind: KindString, Max: maxShortText, Aliases: []string{"modelAlias"},
		Export: ExportByName, Example: `"openai:gpt-4o"`, apply: (*AgentPatch).applyModel},
	{JSON: "maxToolRoundtrips", Form: "maxToolRoundtrips", Label: "Max tool roundtrips", Kind: KindInt, Min: 1, Max: maxToolRoundtrips},
	{JSON: "planningMode", Form: "planningMode", Label: "Planning mode", Kind: KindEnum, Options: agentspec.PlanningModes},
	{JSON: "tools", Label: "Tools", Anchor: "tools-error", Kind: KindJSON, Max: maxTools, Aliases: []string{"toolNames"},
		Export: ExportByName, Example: `{"web_search":{"config":{"depth":2}}}`, apply: (*AgentPatch).applyTools},
	{JSON: "agentType", Label: "Agent type", Kind: KindEnum, Options: agentspec.AgentTypes, Default: agentspec.TypeNative},
	{JSON: "externalConfig", Label: "External agent (A2A)", Anchor: "agentCardUrl", Kind: KindJSON,
		Example: `{"agentCardUrl":"https://example.com/.well-known/agent-card.json","refreshIntervalMinutes":30}`, apply: (*AgentPatch).applyExternalConfig},
	{JSON: "mcpServers", Form: "mcpServers", Label: "MCP servers", Anchor: "mcpServers-error", Kind: KindIDList, Max: maxListItems,
		NilWhenEmpty: true, Export: ExportByName},
	{JSON: "contextDocs", Label: "Context documents", Kind: KindJSON, Max: maxListItems, NilWhenEmpty: true,
		Example: `[{"provider":"drive","id":"doc-1","name":"Handbook"}]`, apply: (*AgentPatch).applyContextDocs},
	{JSON: "inputs", Label: "Inputs", Kind: KindJSON, Max: maxInputs,
		Example: `[{"type":"text","name":"ticket","description":"The ticket","required":true}]`, apply: (*AgentPatch).applyInputs},
	{JSON: "integrations", Label: "Integrations", Kind: KindStringList, Max: maxListItems, ItemMax: maxShortText, NilWhenEmpty: true},
	{JSON: "stage", Form: "stage", Label: "Stage", Kind: KindEnum, Options: agentspec.Stages, Default: agentspec.StageDevelopment},
	{JSON: "emailSlug", Form: "emailSlug", Label: "Email slug", Kind: KindString, Max: MaxSlug, Export: ExportNever,
		Example: `"support-bot"`, apply: (*AgentPatch).applyEmailSlug},
	{JSON: "showInChat", Form: "showInChat", Label: "Show in chat", Kind: KindBool},
	{JSON: "tinesStoryImportId", Form: "tinesStoryImportId", Label: "Tines story import", Kind: KindString,
		Example: `"0f8fad5b-d9cb-469f-a165-70867728950e"`, apply: (*AgentPatch).applyTinesStory},
}

// AgentFieldByJSON is the field with that JSON name (or alias).
func AgentFieldByJSON(name string) (AgentField, bool) {
	for _, f := range AgentFields {
		if f.JSON == name {
			return f, true
		}
	}
	for _, f := range AgentFields {
		for _, a := range f.Aliases {
			if a == name {
				return f, true
			}
		}
	}
	return AgentField{}, false
}

// ErrorAnchor is the id of the element an error summary links to for the field.
func (f AgentField) ErrorAnchor() string {
	switch {
	case f.Anchor != "":
		return f.Anchor
	case f.Form != "":
		return f.Form
	}
	return f.JSON
}

// jsonFieldIndex maps each JSON name of a struct type to its field's index.
func jsonFieldIndex(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}

var (
	agentType        = reflect.TypeOf(Agent{})
	agentFieldIndex  = jsonFieldIndex(agentType)
	exportFieldIndex = jsonFieldIndex(reflect.TypeOf(ExportAgent{}))
)

// agentValue is the agent's Go field with that JSON name (addressable).
func agentValue(a *Agent, name string) reflect.Value {
	return reflect.ValueOf(a).Elem().Field(agentFieldIndex[name])
}

// patchValue is the patch's Opt field with that JSON name (addressable).
func patchValue(p *AgentPatch, name string) reflect.Value {
	return reflect.ValueOf(p).Elem().Field(patchFieldIndex[name])
}

// patchOpt is the patch's field with that JSON name, as the Opt it is.
func patchOpt[T any](p *AgentPatch, name string) Opt[T] {
	return patchValue(p, name).Interface().(Opt[T])
}

// agentRef points at the agent's field with that JSON name.
func agentRef[T any](a *Agent, name string) *T {
	return agentValue(a, name).Addr().Interface().(*T)
}

// setOpt sets an Opt field from a value of the export's or agent's type: a nil pointer
// is an explicit null, anything else a present value.
func setOpt(opt, val reflect.Value) {
	opt.Set(reflect.Zero(opt.Type()))
	opt.FieldByName("Set").SetBool(true)
	if val.Kind() == reflect.Pointer {
		if val.IsNil() {
			opt.FieldByName("Null").SetBool(true)
			return
		}
		val = val.Elem()
	}
	opt.FieldByName("V").Set(val)
}

// applyField applies one field of the patch: its own rule, or its kind's.
func (v *applier) applyField(p *AgentPatch, f *AgentField) {
	if f.apply != nil {
		f.apply(p, v)
		return
	}
	switch f.Kind {
	case KindString, KindText:
		v.text(patchOpt[string](p, f.JSON), f.JSON, f.Max, agentRef[*string](v.a, f.JSON))
	case KindInt:
		v.intField(patchOpt[int](p, f.JSON), f, agentRef[*int](v.a, f.JSON))
	case KindBool:
		if o := patchOpt[bool](p, f.JSON); o.Has() {
			*agentRef[bool](v.a, f.JSON) = o.V
		}
	case KindEnum:
		v.enumField(patchOpt[string](p, f.JSON), f)
	case KindStringList:
		v.stringList(patchOpt[[]string](p, f.JSON), f, agentRef[[]string](v.a, f.JSON))
	case KindIDList:
		if o := patchOpt[[]int64](p, f.JSON); o.Set {
			if len(o.V) > f.Max {
				v.add(tooMany(f.Max), f.JSON)
			}
			*agentRef[[]int64](v.a, f.JSON) = o.V
		}
	default:
		panic("db: agent field " + f.JSON + " needs its own rule")
	}
}

func (v *applier) intField(o Opt[int], f *AgentField, dst **int) {
	switch {
	case !o.Set:
	case o.Null:
		*dst = nil
	case o.V < f.Min:
		v.add(fmt.Sprintf("Number must be greater than or equal to %d", f.Min), f.JSON)
	case o.V > f.Max:
		v.add(fmt.Sprintf("Number must be less than or equal to %d", f.Max), f.JSON)
	default:
		n := o.V
		*dst = &n
	}
}

// enumField applies an enum to a required field (a string: null is ignored, empty
// takes the default) or an optional one (a *string: null clears it).
func (v *applier) enumField(o Opt[string], f *AgentField) {
	if dst, ok := agentValue(v.a, f.JSON).Addr().Interface().(**string); ok {
		if o.Set && o.Null {
			*dst = nil
			return
		}
		enum(o, f.JSON, f.Options, &v.issues, func(s string) { *dst = &s })
		return
	}
	dst := agentRef[string](v.a, f.JSON)
	enum(o, f.JSON, f.Options, &v.issues, func(s string) { *dst = s })
	if *dst == "" {
		*dst = f.Default
	}
}

func (v *applier) stringList(o Opt[[]string], f *AgentField, dst *[]string) {
	if !o.Set {
		return
	}
	if len(o.V) > f.Max {
		v.add(tooMany(f.Max), f.JSON)
	}
	for i, s := range o.V {
		if len(s) > f.ItemMax {
			v.add(tooLong(f.ItemMax), f.JSON, i)
		}
	}
	*dst = o.V
}

// Sample is a valid value of the field as JSON, one that is never the default: its
// Example, or one made from its kind. Tests round-trip every field with it.
func (f AgentField) Sample() json.RawMessage {
	if f.Example != "" {
		return json.RawMessage(f.Example)
	}
	switch f.Kind {
	case KindString, KindText:
		return json.RawMessage(`"sample ` + f.JSON + `"`)
	case KindInt:
		return json.RawMessage(strconv.Itoa(max(f.Min, 7)))
	case KindBool:
		return json.RawMessage("true")
	case KindEnum:
		b, _ := json.Marshal(f.Options[len(f.Options)-1]) // the last: never the default
		return b
	case KindStringList:
		return json.RawMessage(`["first", "second"]`)
	case KindIDList:
		return json.RawMessage(`[3, 5]`)
	}
	panic("db: agent field " + f.JSON + " needs an Example")
}

// CopyAgentFields copies every field of the vocabulary from a into the struct dst
// points at (an API answer), into its field of the same JSON name and type; fields
// dst lacks are left to the caller. A nil list is copied as an empty one ([] in JSON).
func CopyAgentFields(a *Agent, dst any) {
	dv, av := reflect.ValueOf(dst).Elem(), reflect.ValueOf(a).Elem()
	for _, c := range copyPlan(dv.Type()) {
		src := av.Field(c.src)
		if src.Kind() == reflect.Slice && src.IsNil() {
			src = reflect.MakeSlice(src.Type(), 0, 0)
		}
		dv.Field(c.dst).Set(src)
	}
}

// fieldCopy is one field CopyAgentFields copies: its index in the destination and in Agent.
type fieldCopy struct{ dst, src int }

// copyPlans caches each destination type's fields to copy: working them out from the
// struct tags on every call was a fifth of GET /api/agents' CPU (50 agents a page).
var copyPlans sync.Map // reflect.Type → []fieldCopy

func copyPlan(t reflect.Type) []fieldCopy {
	if p, ok := copyPlans.Load(t); ok {
		return p.([]fieldCopy)
	}
	index := jsonFieldIndex(t)
	var plan []fieldCopy
	for _, f := range AgentFields {
		i, ok := index[f.JSON]
		j := agentFieldIndex[f.JSON]
		if ok && t.Field(i).Type == agentType.Field(j).Type {
			plan = append(plan, fieldCopy{dst: i, src: j})
		}
	}
	copyPlans.Store(t, plan)
	return plan
}

// exportCopy copies the fields an export carries as they are.
func exportCopy(a *Agent, out *ExportAgent) {
	ev := reflect.ValueOf(out).Elem()
	for _, f := range AgentFields {
		if f.Export == ExportCopy {
			ev.Field(exportFieldIndex[f.JSON]).Set(agentValue(a, f.JSON))
		}
	}
}

// importCopy sets every field an export carries as it is on the patch (a nil pointer
// as an explicit null).
func importCopy(in *ExportAgent, p *AgentPatch) {
	ev := reflect.ValueOf(in).Elem()
	for _, f := range AgentFields {
		if f.Export == ExportCopy {
			setOpt(patchValue(p, f.JSON), ev.Field(exportFieldIndex[f.JSON]))
		}
	}
}

// FormValues is the field as the editor's inputs carry it: one value for text, a
// number or an enum (empty when unset), the items of a list, the ids ticked, "on" for
// a set flag. ok is false for a field the editor reads with its own parser.
func (f AgentField) FormValues(a *Agent) (values []string, ok bool) {
	if f.Form == "" {
		return nil, false
	}
	switch v := agentValue(a, f.JSON).Interface().(type) {
	case string:
		return []string{v}, true
	case *string:
		if v == nil {
			return []string{""}, true
		}
		return []string{*v}, true
	case *int:
		if v == nil {
			return []string{""}, true
		}
		return []string{strconv.Itoa(*v)}, true
	case bool:
		if v {
			return []string{"on"}, true
		}
		return nil, true
	case []string:
		return append([]string{}, v...), true
	case []int64:
		out := make([]string, len(v))
		for i, id := range v {
			out[i] = strconv.FormatInt(id, 10)
		}
		return out, true
	}
	return nil, false
}

// SetFromForm sets the patch's field from the editor's posted values (as FormValues
// gives them): a blank optional value is null, an unreadable number is 0 (refused with
// the validator's message), ids that are not numbers are dropped. It reports false for
// a field the editor reads with its own parser.
func (f AgentField) SetFromForm(p *AgentPatch, values []string) bool {
	if f.Form == "" {
		return false
	}
	first := ""
	if len(values) > 0 {
		first = values[0]
	}
	switch o := patchValue(p, f.JSON).Addr().Interface().(type) {
	case *Opt[string]:
		*o = Some(first)
		if optional := agentType.Field(agentFieldIndex[f.JSON]).Type.Kind() == reflect.Pointer; optional && strings.TrimSpace(first) == "" {
			*o = Opt[string]{Set: true, Null: true}
		}
	case *Opt[int]:
		n, err := strconv.Atoi(first)
		*o = Some(n)
		if first == "" {
			*o = Opt[int]{Set: true, Null: true}
		} else if err != nil {
			*o = Some(0)
		}
	case *Opt[bool]:
		*o = Some(first != "")
	case *Opt[[]string]:
		*o = Some(append([]string{}, values...))
	case *Opt[[]int64]:
		ids := []int64{}
		for _, raw := range values {
			if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		*o = Some(ids)
	default:
		return false
	}
	return true
}
