package handlers

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/views/pages/agents"
)

// pickerLimit is how many matching names one search of an editor picker answers: the
// page carries only the chosen ones, the rest is fetched as the person types.
const pickerLimit = 20

// pickerRef is the reference a picker searches: a config reference's tool name, or
// "mcpServers"; ok false for anything else.
func pickerRef(name string) (agentspec.ConfigRef, string, bool) {
	if name == "mcpServers" {
		return db.MCPServerRef, "mcpServers", true
	}
	r, ok := agentspec.ConfigRefByTool(name)
	return r, agents.RefPickerField(name), ok
}

// refPickers builds the pickers of the tool configs that hold ids: the chosen ones
// as chips (names read with the editor's side, organisation-scoped); nothing else.
func refPickers(e *agents.Editor, tools map[string]json.RawMessage, side *db.EditorSide) {
	for _, r := range agentspec.ConfigRefs {
		p := chosen(r, db.ConfigRefIDs(tools[r.Tool], r.IDKey), side)
		p.Tool, p.Field, p.For, p.Label = r.Tool, agents.RefPickerField(r.Tool), r.Tool, r.Tool+" "+r.May
		p.Error = e.Errors[agents.ToolConfigField(r.Tool)]
		if r.NotSelf {
			p.Exclude = e.ID
		}
		e.RefPickers = append(e.RefPickers, p)
	}
}

// mcpPicker builds the MCP server picker with the agent's servers as chips.
func mcpPicker(e *agents.Editor, ids []int64, side *db.EditorSide) {
	p := chosen(db.MCPServerRef, ids, side)
	p.Field, p.For, p.Label, p.Error = "mcpServers", "mcpServers", "MCP servers", e.Errors["mcpServers"]
	e.MCPPicker = p
}

// chosen is a picker holding the given ids as chips, in the order chosen. An id the
// organisation does not have (refused by the save) stays as a chip with its number,
// so the person sees what was refused.
func chosen(r agentspec.ConfigRef, ids []int64, side *db.EditorSide) agents.RefPicker {
	var p agents.RefPicker
	names := side.Names[r.Table]
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		name, ok := names[id]
		if !ok {
			name = r.Label + " " + strconv.FormatInt(id, 10) + " (not found)"
		}
		p.Choices = append(p.Choices, agents.Choice{ID: id, Name: name, Selected: true})
	}
	return p
}

// Picker answers an editor picker's search (htmx): at most pickerLimit names of the
// organisation's agents, knowledge bases or MCP servers containing q, without the
// chosen ones (posted back as the picker's field) and the agent itself.
func (h *Agents) Picker(c *fiber.Ctx) error {
	r, field, ok := pickerRef(c.Query("for"))
	if !ok {
		return fiber.NewError(fiber.StatusBadRequest, "for: unknown picker")
	}
	q := c.Query("q")
	if len(q) > db.MaxName {
		q = q[:db.MaxName] // a search longer than any name matches nothing anyway
	}
	skip := []int64{}
	for _, raw := range c.Context().QueryArgs().PeekMulti(field) {
		if id, err := strconv.ParseInt(string(raw), 10, 64); err == nil && len(skip) < 1000 {
			skip = append(skip, id)
		}
	}
	if id, err := strconv.ParseInt(c.Query("exclude"), 10, 64); err == nil {
		skip = append(skip, id)
	}
	rows, err := h.Store.PickerChoices(c.UserContext(), ActorOf(c).OrgID, r, q, skip, pickerLimit)
	if err != nil {
		return err
	}
	opts := make([]agents.Choice, len(rows))
	for i, row := range rows {
		opts[i] = agents.Choice{ID: row.ID, Name: row.Name}
	}
	return Render(c, fiber.StatusOK, agents.PickerResults(field, strings.TrimSpace(q), opts))
}
