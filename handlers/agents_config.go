package handlers

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/catalog"
	"agentconsole/views/pages/agents"
)

// Per-tool config as a form generated from the tool's configSchema. The server
// assembles the config (no JavaScript needed): each input posts cfg.<tool>.<key> with
// its kind beside it (cfgk.<tool>.<key>); the raw JSON (cfgjson-<tool>, behind the
// "advanced" toggle) wins when the person changed it from what the page showed
// (cfgjson0-<tool>). Keys the form cannot show stay as the JSON holds them. What is
// assembled is the same JSON text the raw textarea would have posted, so the save,
// the validator and the conflict merge see no difference.

// configText is the config JSON text of a tool as posted: the raw textarea's, or the
// one the form's inputs assemble.
func configText(c *fiber.Ctx, tool string) string {
	raw := c.FormValue("cfgjson-" + tool)
	if !formConfigUsed(c, tool) {
		return raw
	}
	config := map[string]any{}
	if strings.TrimSpace(raw) != "" && json.Unmarshal([]byte(raw), &config) != nil {
		return raw // not an object: the raw text goes to the validator as typed
	}
	prefix := "cfgk." + tool + "."
	c.Context().PostArgs().VisitAll(func(k, v []byte) {
		key, ok := strings.CutPrefix(string(k), prefix)
		if !ok || key == "" {
			return
		}
		f := catalog.ConfigField{Key: key, Kind: string(v)}
		text := strings.ReplaceAll(c.FormValue("cfg."+tool+"."+key), "\r\n", "\n")
		if old, had := config[key]; had && f.FormText(old) == text {
			return // untouched: the value stays exactly as stored ([] stays [], "" stays "")
		}
		if val, set := f.FormValue(text); set {
			config[key] = val
		} else {
			delete(config, key)
		}
	})
	if len(config) == 0 {
		return ""
	}
	b, _ := json.Marshal(config)
	return string(b)
}

// configInputs is a tool's config form: one input per property its configSchema
// declares (fields, parsed once per catalog change) that a form can edit, filled from the config, each with its own message
// when the config came from the form (a refused raw JSON keeps its message beside it).
func configInputs(c *fiber.Ctx, tool string, fields []catalog.ConfigField, config json.RawMessage, errs map[string]string) []agents.ConfigInput {
	if !formConfigUsed(c, tool) {
		errs = nil
	}
	values := map[string]any{}
	if len(config) > 0 {
		json.Unmarshal(config, &values)
	}
	var out []agents.ConfigInput
	for _, f := range fields {
		if !f.Formable() {
			continue
		}
		out = append(out, agents.ConfigInput{Tool: tool, Key: f.Key, Kind: f.Kind, Description: f.Description, Required: f.Required,
			Enum: f.Enum, Value: f.FormText(values[f.Key]), Error: errs[tool+"."+f.Key]})
	}
	return out
}

// configKeyErrors are the messages of config problems that belong to one property
// (path tools.<tool>.config.<key>…), keyed "<tool>.<key>", worded as the tool's.
func configKeyErrors(issues []db.Issue) map[string]string {
	out := map[string]string{}
	for _, is := range issues {
		if len(is.Path) < 4 || is.Path[0] != "tools" || is.Path[2] != "config" {
			continue
		}
		tool, key := fmt.Sprint(is.Path[1]), fmt.Sprint(is.Path[3])
		if _, seen := out[tool+"."+key]; !seen {
			out[tool+"."+key] = agents.ConfigMessage(tool, is.Path[3:], is.Message)
		}
	}
	return out
}

// postedConfigJSON is the raw JSON a refused save shows again: the text as typed when
// the person edited it, otherwise the config the form assembled (the typed text is
// then the stale one the page started with).
func postedConfigJSON(c *fiber.Ctx, tool, typed, assembled string) string {
	if formConfigUsed(c, tool) {
		return assembled
	}
	return typed
}

// formConfigUsed reports whether a tool's config comes from its form: the form was
// drawn and the raw JSON is what the page showed (browsers post a textarea's line
// breaks as CRLF, and a leading one is dropped, so those do not count as edits).
func formConfigUsed(c *fiber.Ctx, tool string) bool {
	if c.FormValue("cfgform-"+tool) == "" {
		return false
	}
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(c.FormValue("cfgjson-"+tool)) == norm(c.FormValue("cfgjson0-"+tool))
}
