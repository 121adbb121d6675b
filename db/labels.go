package db

import "strings"

// FieldLabel is an agent field's JSON name and the label the console shows for it.
type FieldLabel struct{ Key, Label string }

// AgentFieldLabels lists the agent's fields in the editor's order with the labels of
// its form (AgentFields). The console's history, diffs, flashes and error summary name
// fields by these labels; the API keeps the JSON names.
var AgentFieldLabels = func() []FieldLabel {
	out := make([]FieldLabel, len(AgentFields))
	for i, f := range AgentFields {
		out[i] = FieldLabel{f.JSON, f.Label}
	}
	return out
}()

// FieldLabelOf is the console label of an agent field's JSON name or alias (the name
// itself when none is declared).
func FieldLabelOf(key string) string {
	if f, ok := AgentFieldByJSON(key); ok {
		return f.Label
	}
	return key
}

// LabelSummary rewrites a version summary written with JSON names ("changed model,
// systemPrompt") with the console's labels ("changed Model, Prompt"); any other
// summary is returned as it is.
func LabelSummary(summary string) string {
	head, rest, ok := strings.Cut(summary, "changed ")
	if !ok || head != "" && !strings.HasSuffix(head, "; ") { // "Released; changed model"
		return summary
	}
	names := strings.Split(rest, ", ")
	for i, n := range names {
		names[i] = FieldLabelOf(n)
	}
	return head + "changed " + strings.Join(names, ", ")
}
