package agents

import (
	"agentconsole/views/components"
	"bytes"
	"context"
	"io"
	"strconv"

	"github.com/a-h/templ"

	"agentconsole/db/catalog"
)

// The tool picker's rows are written directly, not through templ components: every
// catalog tool is a row with its config form on every editor view (23 tools, about a
// hundred attributes), and templ formats each interpolated value with fmt.Sprint and
// builds each class list through a map, which made these rows a sixth of the editor's
// server CPU. The markup is the one the templ components wrote, byte for byte.

// when is s if cond, else "".
func when(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

// toolPicker is the picker's legend and its groups of tool rows (ToolGroups).
func toolPicker(e *Editor) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		h.Lit(`<legend class="sr-only">Tools from the catalog</legend> `)
		for _, g := range ToolGroups(e.Tools) {
			h.Lit(`<div data-tool-group data-testid="tool-group-`)
			h.Esc(g.Key)
			h.Lit(`"><h3 class="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">`)
			h.Esc(g.Label)
			h.Lit(`</h3><ul class="divide-y divide-slate-100 rounded ring-1 ring-slate-200">`)
			for i := range g.Tools {
				toolRow(ctx, h, e, &g.Tools[i])
			}
			h.Lit(`</ul></div>`)
		}
		return h.Err
	})
}

// toolRow is one tool: its checkbox, name, category and description, and, while it is
// ticked, its config (editor.js shows and hides it; without JavaScript the config of
// a tool ticked when the page was drawn shows). A row drawn before (t.HTML) is
// written as it is.
func toolRow(ctx context.Context, h *components.HTML, e *Editor, t *ToolOption) {
	if t.HTML != nil {
		h.Bytes(t.HTML)
		return
	}
	h.Lit(`<li class="px-2 py-1.5" data-tool-row data-search="`)
	h.Esc(toolSearchText(*t))
	h.Lit(`"><label class="flex items-start gap-2 text-sm"><input type="checkbox" name="tools" value="`)
	h.Esc(t.Name)
	h.Lit(`"`, when(t.Selected, " checked"), ` class="mt-0.5 rounded" data-testid="tool-`)
	h.Esc(t.Name)
	h.Lit(`" data-tool-toggle="toolcfg-`)
	h.Esc(t.Name)
	h.Lit(`"> <span class="min-w-0"><span class="font-mono">`)
	h.Esc(t.Name)
	h.Lit(`</span> <span class="text-xs text-slate-500">`)
	h.Esc(t.Category)
	h.Lit(`</span> `, when(t.Removed, `<span class="badge rounded bg-red-100 px-1 text-xs text-red-900">left the catalog</span> `))
	if t.Description != "" {
		h.Lit(`<span class="block text-xs text-slate-600">`)
		h.Esc(t.Description)
		h.Lit(`</span>`)
	}
	h.Lit(`</span></label> `)
	if t.HasConfig {
		h.Lit(`<div id="toolcfg-`)
		h.Esc(t.Name)
		h.Lit(`" class="ml-6 mt-2 space-y-3 border-l-2 border-indigo-100 pl-3"`, when(!t.Selected, " hidden"), ` data-testid="config-`)
		h.Esc(t.Name)
		h.Lit(`">`)
		if t.RefPicker {
			for _, p := range e.RefPickers {
				if p.Tool == t.Name {
					refPickerHTML(h, p)
				}
			}
		} else {
			configForm(h, *t)
		}
		h.Lit(`</div>`)
	}
	h.Lit(`</li>`)
}

// ToolRowHTML draws a tool's row once, to be kept in t.HTML and reused: only for a
// tool whose row holds nothing of the agent or the request (not ticked, no config
// typed or refused, not configured through a picker, which excludes the agent itself).
func ToolRowHTML(t ToolOption) ([]byte, error) {
	var b bytes.Buffer
	h := &components.HTML{W: &b}
	toolRow(context.Background(), h, &Editor{}, &t)
	return b.Bytes(), h.Err
}

// configForm is a tool's config as inputs generated from its configSchema, with the
// raw JSON behind "Advanced" (it wins when edited; see handlers/agents_config.go).
func configForm(h *components.HTML, t ToolOption) {
	h.Lit(`<input type="hidden" name="cfgform-`)
	h.Esc(t.Name)
	h.Lit(`" value="1"> <input type="hidden" name="cfgjson0-`)
	h.Esc(t.Name)
	h.Lit(`" value="`)
	h.Esc(t.ConfigJSON0)
	h.Lit(`"><div class="grid gap-3 md:grid-cols-2">`)
	for _, in := range t.ConfigInputs {
		configInput(h, in)
	}
	inputError := anyInputError(t)
	h.Lit(`</div><details class="text-sm"`, when(len(t.ConfigInputs) == 0 || (t.ConfigError != "" && !inputError), " open"), ` data-testid="advanced-`)
	h.Esc(t.Name)
	h.Lit(`"><summary class="cursor-pointer text-indigo-700">Advanced: `)
	h.Esc(t.Name)
	h.Lit(` config as JSON</summary> <label for="cfgjson-`)
	h.Esc(t.Name)
	h.Lit(`" class="label mt-2">`)
	h.Esc(t.Name)
	h.Lit(` config (JSON; editing it here replaces the fields above)</label> <textarea id="cfgjson-`)
	h.Esc(t.Name)
	h.Lit(`" name="cfgjson-`)
	h.Esc(t.Name)
	h.Lit(`" rows="3" aria-invalid="`, strconv.FormatBool(t.ConfigError != ""), `" aria-describedby="cfgjson-`)
	h.Esc(t.Name)
	h.Lit(`-error" class="input font-mono text-xs`, when(t.ConfigError != "", " input-error"),
		`" hx-post="/agents/validate" hx-trigger="input changed delay:500ms" hx-target="#cfgjson-`)
	h.Esc(t.Name)
	h.Lit(`-error" hx-swap="outerHTML" hx-include="closest form">`)
	h.Esc(t.ConfigJSON)
	h.Lit(`</textarea></details> `)
	message := t.ConfigError
	if inputError {
		message = ""
	}
	fieldError(h, "cfgjson-"+t.Name+"-error", message)
}

// configInput is one config property: text, number, a choice, yes/no, or lines.
func configInput(h *components.HTML, in ConfigInput) {
	id := in.ID()
	h.Lit(`<div data-testid="cfgfield-`)
	h.Esc(in.Tool + "-" + in.Key)
	h.Lit(`"><input type="hidden" name="`)
	h.Esc(in.KindName())
	h.Lit(`" value="`)
	h.Esc(in.Kind)
	h.Lit(`"> <label for="`)
	h.Esc(id)
	h.Lit(`" class="label"><span class="font-mono">`)
	h.Esc(in.Key)
	h.Lit(`</span> `, when(in.Required, `<span class="text-red-700">(required)</span>`), `</label> `)
	switch in.Kind {
	case catalog.KindEnum, catalog.KindBoolean:
		h.Lit(`<select id="`)
		h.Esc(id)
		h.Lit(`" name="`)
		h.Esc(in.Name())
		h.Lit(`"`)
		configAttrs(h, in, id)
		h.Lit(`><option value="">(not set)</option> `)
		for _, o := range configChoices(in) {
			h.Lit(`<option value="`)
			h.Esc(o.Value)
			h.Lit(`"`, when(o.Value == in.Value, " selected"), `>`)
			h.Esc(o.Label)
			h.Lit(`</option>`)
		}
		h.Lit(`</select> `)
	case catalog.KindStrings:
		h.Lit(`<textarea id="`)
		h.Esc(id)
		h.Lit(`" name="`)
		h.Esc(in.Name())
		h.Lit(`" rows="3"`)
		configAttrs(h, in, id)
		h.Lit(`>`)
		h.Esc(in.Value)
		h.Lit(`</textarea> `)
	default:
		h.Lit(`<input id="`)
		h.Esc(id)
		h.Lit(`" name="`)
		h.Esc(in.Name())
		h.Lit(`" type="text"`, when(in.Kind == catalog.KindNumber || in.Kind == catalog.KindInteger, ` inputmode="decimal"`), ` value="`)
		h.Esc(in.Value)
		h.Lit(`"`)
		configAttrs(h, in, id)
		h.Lit(`> `)
	}
	if in.Description != "" {
		h.Lit(`<p class="mt-1 text-xs text-slate-600">`)
		h.Esc(in.Description)
		h.Lit(` `, when(in.Kind == catalog.KindStrings, "(one per line)"), `</p>`)
	}
	fieldError(h, id+"-error", in.Error)
	h.Lit(`</div>`)
}

// configAttrs are a config input's shared attributes (in the order templ wrote them
// from a map: by name): its message, error styling and inline validation (the server
// names the tool and the property).
func configAttrs(h *components.HTML, in ConfigInput, id string) {
	class := "input"
	if in.Error != "" {
		class = "input input-error"
	}
	if in.Kind == catalog.KindString || in.Kind == catalog.KindNumber || in.Kind == catalog.KindInteger {
		class += " font-mono"
	}
	h.Lit(` aria-describedby="`)
	h.Esc(id + "-error")
	h.Lit(`" aria-invalid="`, strconv.FormatBool(in.Error != ""), `" class="`, class, `" hx-include="closest form" hx-post="/agents/validate" hx-swap="outerHTML" hx-target="`)
	h.Esc("#" + id + "-error")
	h.Lit(`" hx-trigger="input changed delay:500ms, change"`)
}

// fieldError is components.FieldError's markup (TestFieldErrorMarkupMatchesTheComponent).
func fieldError(h *components.HTML, id, message string) { fieldErrorOf(h, id, "", message) }

// fieldErrorOf is fieldError for the id name+suffix (written in two parts).
func fieldErrorOf(h *components.HTML, name, suffix, message string) {
	h.Lit(`<p id="`)
	h.Esc(name)
	h.Lit(suffix, `" class="field-error" data-testid="`)
	h.Esc(name)
	h.Lit(suffix, `" aria-live="polite">`)
	h.Esc(message)
	h.Lit(`</p>`)
}
