package agents

import (
	"slices"
	"strings"

	"agentconsole/db/catalog"
)

// ToolGroup is a heading of the tool picker and its tools.
type ToolGroup struct {
	Key, Label string
	Tools      []ToolOption
}

// ToolGroups orders the picker: the agent's tools first, then the others by category
// (each by name), so what the agent has is never below a long catalog. A catalog has
// a handful of categories: they are found by a scan, not a map.
func ToolGroups(tools []ToolOption) []ToolGroup {
	out := make([]ToolGroup, 1, 10)
	out[0] = ToolGroup{Key: "selected", Label: "On this agent"}
	for _, t := range tools {
		i := 0
		if !t.Selected {
			i = slices.IndexFunc(out[1:], func(g ToolGroup) bool { return g.Key == t.Category }) + 1
			if i == 0 {
				out, i = append(out, ToolGroup{Key: t.Category, Label: t.Category}), len(out)
			}
		}
		out[i].Tools = append(out[i].Tools, t)
	}
	slices.SortFunc(out[1:], func(a, b ToolGroup) int { return strings.Compare(a.Key, b.Key) })
	if len(out[0].Tools) == 0 {
		out = out[1:]
	}
	for _, g := range out {
		slices.SortStableFunc(g.Tools, func(a, b ToolOption) int { return strings.Compare(a.Name, b.Name) })
	}
	return out
}

// toolSearchText is what the tool search matches: name, category and description.
func toolSearchText(t ToolOption) string {
	return strings.ToLower(t.Name + " " + t.Category + " " + t.Description)
}

func anyInputError(t ToolOption) bool {
	for _, in := range t.ConfigInputs {
		if in.Error != "" {
			return true
		}
	}
	return false
}

// configChoices are a select's options: an enum's values, or yes/no for a boolean.
func configChoices(in ConfigInput) []Option {
	if in.Kind == catalog.KindBoolean {
		return []Option{{"true", "yes (true)"}, {"false", "no (false)"}}
	}
	out := make([]Option, len(in.Enum))
	for i, v := range in.Enum {
		out[i] = Option{v, v}
	}
	return out
}
