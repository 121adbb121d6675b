package agents

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"agentconsole/views/components"
)

// The editor's messages: how a conflict, a tool config problem and a line of a
// one-item-per-line field are worded for people.

// gotWant is the JSON Schema library's type mismatch ("got string, want object").
var gotWant = regexp.MustCompile(`^got (\w+), want (\w+)$`)

// ConflictText shows one side of a conflict: text as is, a tool as its config (or
// whether the agent has it), anything else as compact JSON.
func ConflictText(path []any, v json.RawMessage) string {
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

// ConfigMessage words a config problem for the console: "Config of run_sql: readOnly
// must be a boolean, not a string". where is the path inside the config.
func ConfigMessage(tool string, where []any, message string) string {
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
			return fmt.Sprintf("Config of %s: must be %s, not %s", tool, components.WithArticle(m[2]), components.WithArticle(m[1]))
		}
		return fmt.Sprintf("Config of %s: %s must be %s, not %s", tool, subject, components.WithArticle(m[2]), components.WithArticle(m[1]))
	}
	if at.Len() > 0 {
		return fmt.Sprintf("Config of %s: %s (at %s)", tool, message, at.String())
	}
	return fmt.Sprintf("Config of %s: %s", tool, message)
}

// ToolConfigError is the message beside a tool's JSON config field: text that is not
// JSON at all says so (the validator only sees it as a string), anything else is the
// validator's message for that tool.
func ToolConfigError(tool, typed string, errs map[string]string) string {
	msg := errs[ToolConfigField(tool)]
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

// LineOf is the textarea line an issue is about, for the fields edited one item per
// line (FormFields of kind Lines).
func LineOf(field string, path []any) (int, bool) {
	if ff, ok := formField(field); len(path) < 2 || !ok || ff.Kind != Lines {
		return 0, false
	}
	i, ok := path[1].(int)
	return i + 1, ok
}
