package catalog

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Kinds of a config property the editor can show as a form input. Anything else
// (objects, arrays of numbers, unions) is edited in the raw JSON only.
const (
	KindString  = "string"
	KindNumber  = "number"
	KindInteger = "integer"
	KindBoolean = "boolean"
	KindEnum    = "enum"
	KindStrings = "strings" // an array of strings, one per line
	KindIDs     = "ids"     // an array of integers: ids, chosen in a picker when the tool carries references
	KindOther   = "other"
)

// ConfigField is one top-level property of a tool's configSchema, as a form input.
type ConfigField struct {
	Key, Kind, Description string
	Required               bool
	Enum                   []string // KindEnum: the allowed strings
}

// ConfigFields lists a configSchema's top-level properties (required first, then by
// name), each with the input kind that edits it.
func ConfigFields(schema json.RawMessage) []ConfigField {
	var root map[string]any
	if json.Unmarshal(schema, &root) != nil {
		return nil
	}
	props, _ := root["properties"].(map[string]any)
	required := map[string]bool{}
	if req, ok := root["required"].([]any); ok {
		for _, r := range req {
			if s, ok := r.(string); ok {
				required[s] = true
			}
		}
	}
	out := make([]ConfigField, 0, len(props))
	for key, raw := range props {
		p, _ := raw.(map[string]any)
		f := ConfigField{Key: key, Kind: configKind(p), Required: required[key]}
		f.Description, _ = p["description"].(string)
		if f.Kind == KindEnum {
			for _, e := range p["enum"].([]any) {
				f.Enum = append(f.Enum, e.(string))
			}
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Required != out[j].Required {
			return out[i].Required
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func configKind(p map[string]any) string {
	if enum, ok := p["enum"].([]any); ok && len(enum) > 0 {
		for _, e := range enum {
			if _, ok := e.(string); !ok {
				return KindOther
			}
		}
		return KindEnum
	}
	switch typeOf(p) {
	case "string":
		return KindString
	case "number":
		return KindNumber
	case "integer":
		return KindInteger
	case "boolean":
		return KindBoolean
	case "string[]":
		return KindStrings
	case "integer[]":
		return KindIDs
	}
	return KindOther
}

// FormText is a config value as its input shows it: strings as they are, numbers and
// booleans as JSON, arrays of strings one per line; "" when absent or of another shape.
func (f ConfigField) FormText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		if f.Kind != KindStrings {
			break
		}
		lines := make([]string, 0, len(x))
		for _, s := range x {
			str, ok := s.(string)
			if !ok {
				return ""
			}
			lines = append(lines, str)
		}
		return strings.Join(lines, "\n")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// FormValue reads a posted input back into the config value: ok false means the key
// is left out (an empty input). A number that does not parse stays the text typed, so
// the schema check refuses it with its own message instead of the form dropping it.
func (f ConfigField) FormValue(text string) (any, bool) {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" && f.Kind != KindString {
		return nil, false
	}
	switch f.Kind {
	case KindString, KindEnum:
		if text == "" {
			return nil, false
		}
		return text, true
	case KindNumber, KindInteger:
		if n, err := strconv.ParseFloat(trimmed, 64); err == nil {
			return json.Number(strconv.FormatFloat(n, 'f', -1, 64)), true
		}
		return trimmed, true
	case KindBoolean:
		return trimmed == "true", true
	case KindStrings:
		items := []string{}
		for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				items = append(items, l)
			}
		}
		return items, true
	}
	return nil, false
}

// Formable reports whether the field has a form input (KindOther and ids do not: the
// raw JSON, or the tool's reference picker, edits them).
func (f ConfigField) Formable() bool { return f.Kind != KindOther && f.Kind != KindIDs }
