package db

import "strings"

// FieldLabel is an agent field's JSON name and the label the console shows for it.
type FieldLabel struct{ Key, Label string }

// AgentFieldLabels lists the agent's fields in the editor's order with the labels of
// its form. The console's history, diffs, flashes and error summary name fields by
// these labels; the API keeps the JSON names.
var AgentFieldLabels = []FieldLabel{
	{"name", "Name"},
	{"description", "Description"},
	{"logoUrl", "Logo URL"},
	{"conversationStarters", "Conversation starters"},
	{"tagIds", "Tags"},
	{"systemPrompt", "Prompt"},
	{"model", "Model"},
	{"maxToolRoundtrips", "Max tool roundtrips"},
	{"planningMode", "Planning mode"},
	{"tools", "Tools"},
	{"agentType", "Agent type"},
	{"externalConfig", "External agent (A2A)"},
	{"mcpServers", "MCP servers"},
	{"contextDocs", "Context documents"},
	{"inputs", "Inputs"},
	{"integrations", "Integrations"},
	{"stage", "Stage"},
	{"emailSlug", "Email slug"},
	{"showInChat", "Show in chat"},
	{"tinesStoryImportId", "Tines story import"},
}

// FieldLabelOf is the console label of an agent field's JSON name (the name itself
// when none is declared).
func FieldLabelOf(key string) string {
	for _, f := range AgentFieldLabels {
		if f.Key == key {
			return f.Label
		}
	}
	switch key {
	case "modelAlias":
		return FieldLabelOf("model")
	case "icon":
		return FieldLabelOf("logoUrl")
	case "toolNames":
		return FieldLabelOf("tools")
	}
	return key
}

// LabelSummary rewrites a version summary written with JSON names ("changed model,
// systemPrompt") with the console's labels ("changed Model, Prompt"); any other
// summary is returned as it is.
func LabelSummary(summary string) string {
	rest, ok := strings.CutPrefix(summary, "changed ")
	if !ok {
		return summary
	}
	names := strings.Split(rest, ", ")
	for i, n := range names {
		names[i] = FieldLabelOf(n)
	}
	return "changed " + strings.Join(names, ", ")
}
