package catalog

import (
	"encoding/json"
	"sort"
	"strings"
)

// Field is one parameter of a tool, flattened for a readable table: nested objects
// become dotted paths and array items get "[]".
type Field struct {
	Path        string
	Type        string
	Required    bool
	Description string
	Enum        []string
	Constraints []string // min/max, pattern, format, default…
	Depth       int
}

// Fields flattens a JSON Schema's properties into rows, in schema order of names.
func Fields(schema json.RawMessage) []Field {
	var root map[string]any
	if json.Unmarshal(schema, &root) != nil {
		return nil
	}
	var out []Field
	flatten(root, "", 0, &out)
	return out
}

func flatten(node map[string]any, prefix string, depth int, out *[]Field) {
	props, _ := node["properties"].(map[string]any)
	required := map[string]bool{}
	if req, ok := node["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if required[names[i]] != required[names[j]] {
			return required[names[i]]
		}
		return names[i] < names[j]
	})
	for _, name := range names {
		p, _ := props[name].(map[string]any)
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		f := Field{Path: path, Type: typeOf(p), Required: required[name], Depth: depth}
		f.Description, _ = p["description"].(string)
		if enum, ok := p["enum"].([]any); ok {
			for _, e := range enum {
				b, _ := json.Marshal(e)
				f.Enum = append(f.Enum, strings.Trim(string(b), `"`))
			}
		}
		for _, k := range []string{"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern", "format", "default", "uniqueItems"} {
			if v, ok := p[k]; ok {
				b, _ := json.Marshal(v)
				f.Constraints = append(f.Constraints, k+": "+strings.Trim(string(b), `"`))
			}
		}
		*out = append(*out, f)
		if p["type"] == "object" {
			flatten(p, path, depth+1, out)
		}
		if items, ok := p["items"].(map[string]any); ok && items["type"] == "object" {
			flatten(items, path+"[]", depth+1, out)
		}
	}
}

func typeOf(p map[string]any) string {
	switch t := p["type"].(type) {
	case string:
		if t == "array" {
			if items, ok := p["items"].(map[string]any); ok {
				return typeOf(items) + "[]"
			}
		}
		return t
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i], _ = x.(string)
		}
		return strings.Join(parts, " | ")
	}
	if _, ok := p["properties"]; ok {
		return "object"
	}
	return "any"
}
