package agents

import (
	"sort"
	"strings"

	"agentconsole/db/catalog"
)

// ToolGroup is a heading of the tool picker and its tools.
type ToolGroup struct {
	Key, Label string
	Tools      []ToolOption
}

// ToolGroups orders the picker: the agent's tools first, then the others by category
// (each by name), so what the agent has is never below a long catalog.
func ToolGroups(tools []ToolOption) []ToolGroup {
	selected := ToolGroup{Key: "selected", Label: "On this agent"}
	byCat := map[string]*ToolGroup{}
	var cats []string
	for _, t := range tools {
		if t.Selected {
			selected.Tools = append(selected.Tools, t)
			continue
		}
		g, ok := byCat[t.Category]
		if !ok {
			g = &ToolGroup{Key: t.Category, Label: t.Category}
			byCat[t.Category], cats = g, append(cats, t.Category)
		}
		g.Tools = append(g.Tools, t)
	}
	sort.Strings(cats)
	var out []ToolGroup
	if len(selected.Tools) > 0 {
		out = append(out, selected)
	}
	for _, c := range cats {
		out = append(out, *byCat[c])
	}
	for _, g := range out {
		sort.SliceStable(g.Tools, func(i, j int) bool { return g.Tools[i].Name < g.Tools[j].Name })
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
