package agents

import (
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

// htmlWriter writes literal markup and escaped values, keeping the first error.
type htmlWriter struct {
	w   io.Writer
	err error
}

// lit writes markup as is.
func (h *htmlWriter) lit(parts ...string) {
	for _, s := range parts {
		if h.err == nil {
			_, h.err = io.WriteString(h.w, s)
		}
	}
}

// esc writes a value escaped for HTML text and attribute values (as templ does).
func (h *htmlWriter) esc(s string) { h.lit(templ.EscapeString(s)) }

// when is s if cond, else "".
func when(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

// toolRow is one tool: its checkbox, name, category and description, and, while it is
// ticked, its config (editor.js shows and hides it; without JavaScript the config of
// a tool ticked when the page was drawn shows).
func toolRow(e Editor, t ToolOption) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &htmlWriter{w: w}
		h.lit(`<li class="px-2 py-1.5" data-tool-row data-search="`)
		h.esc(toolSearchText(t))
		h.lit(`"><label class="flex items-start gap-2 text-sm"><input type="checkbox" name="tools" value="`)
		h.esc(t.Name)
		h.lit(`"`, when(t.Selected, " checked"), ` class="mt-0.5 rounded" data-testid="tool-`)
		h.esc(t.Name)
		h.lit(`" data-tool-toggle="toolcfg-`)
		h.esc(t.Name)
		h.lit(`"> <span class="min-w-0"><span class="font-mono">`)
		h.esc(t.Name)
		h.lit(`</span> <span class="text-xs text-slate-500">`)
		h.esc(t.Category)
		h.lit(`</span> `, when(t.Removed, `<span class="badge rounded bg-red-100 px-1 text-xs text-red-900">left the catalog</span> `))
		if t.Description != "" {
			h.lit(`<span class="block text-xs text-slate-600">`)
			h.esc(t.Description)
			h.lit(`</span>`)
		}
		h.lit(`</span></label> `)
		if t.HasConfig {
			h.lit(`<div id="toolcfg-`)
			h.esc(t.Name)
			h.lit(`" class="ml-6 mt-2 space-y-3 border-l-2 border-indigo-100 pl-3"`, when(!t.Selected, " hidden"), ` data-testid="config-`)
			h.esc(t.Name)
			h.lit(`">`)
			if t.RefPicker {
				for _, p := range e.RefPickers {
					if p.Tool == t.Name && h.err == nil {
						h.err = refPicker(p).Render(ctx, w)
					}
				}
			} else {
				configForm(h, t)
			}
			h.lit(`</div>`)
		}
		h.lit(`</li>`)
		return h.err
	})
}

// configForm is a tool's config as inputs generated from its configSchema, with the
// raw JSON behind "Advanced" (it wins when edited; see handlers/agents_config.go).
func configForm(h *htmlWriter, t ToolOption) {
	h.lit(`<input type="hidden" name="cfgform-`)
	h.esc(t.Name)
	h.lit(`" value="1"> <input type="hidden" name="cfgjson0-`)
	h.esc(t.Name)
	h.lit(`" value="`)
	h.esc(t.ConfigJSON0)
	h.lit(`"><div class="grid gap-3 md:grid-cols-2">`)
	for _, in := range t.ConfigInputs {
		configInput(h, in)
	}
	inputError := anyInputError(t)
	h.lit(`</div><details class="text-sm"`, when(len(t.ConfigInputs) == 0 || (t.ConfigError != "" && !inputError), " open"), ` data-testid="advanced-`)
	h.esc(t.Name)
	h.lit(`"><summary class="cursor-pointer text-indigo-700">Advanced: `)
	h.esc(t.Name)
	h.lit(` config as JSON</summary> <label for="cfgjson-`)
	h.esc(t.Name)
	h.lit(`" class="label mt-2">`)
	h.esc(t.Name)
	h.lit(` config (JSON; editing it here replaces the fields above)</label> <textarea id="cfgjson-`)
	h.esc(t.Name)
	h.lit(`" name="cfgjson-`)
	h.esc(t.Name)
	h.lit(`" rows="3" aria-invalid="`, strconv.FormatBool(t.ConfigError != ""), `" aria-describedby="cfgjson-`)
	h.esc(t.Name)
	h.lit(`-error" class="input font-mono text-xs`, when(t.ConfigError != "", " input-error"),
		`" hx-post="/agents/validate" hx-trigger="input changed delay:500ms" hx-target="#cfgjson-`)
	h.esc(t.Name)
	h.lit(`-error" hx-swap="outerHTML" hx-include="closest form">`)
	h.esc(t.ConfigJSON)
	h.lit(`</textarea></details> `)
	message := t.ConfigError
	if inputError {
		message = ""
	}
	fieldError(h, "cfgjson-"+t.Name+"-error", message)
}

// configInput is one config property: text, number, a choice, yes/no, or lines.
func configInput(h *htmlWriter, in ConfigInput) {
	id := in.ID()
	h.lit(`<div data-testid="cfgfield-`)
	h.esc(in.Tool + "-" + in.Key)
	h.lit(`"><input type="hidden" name="`)
	h.esc(in.KindName())
	h.lit(`" value="`)
	h.esc(in.Kind)
	h.lit(`"> <label for="`)
	h.esc(id)
	h.lit(`" class="label"><span class="font-mono">`)
	h.esc(in.Key)
	h.lit(`</span> `, when(in.Required, `<span class="text-red-700">(required)</span>`), `</label> `)
	switch in.Kind {
	case catalog.KindEnum, catalog.KindBoolean:
		h.lit(`<select id="`)
		h.esc(id)
		h.lit(`" name="`)
		h.esc(in.Name())
		h.lit(`"`)
		configAttrs(h, in, id)
		h.lit(`><option value="">(not set)</option> `)
		for _, o := range configChoices(in) {
			h.lit(`<option value="`)
			h.esc(o.Value)
			h.lit(`"`, when(o.Value == in.Value, " selected"), `>`)
			h.esc(o.Label)
			h.lit(`</option>`)
		}
		h.lit(`</select> `)
	case catalog.KindStrings:
		h.lit(`<textarea id="`)
		h.esc(id)
		h.lit(`" name="`)
		h.esc(in.Name())
		h.lit(`" rows="3"`)
		configAttrs(h, in, id)
		h.lit(`>`)
		h.esc(in.Value)
		h.lit(`</textarea> `)
	default:
		h.lit(`<input id="`)
		h.esc(id)
		h.lit(`" name="`)
		h.esc(in.Name())
		h.lit(`" type="text"`, when(in.Kind == catalog.KindNumber || in.Kind == catalog.KindInteger, ` inputmode="decimal"`), ` value="`)
		h.esc(in.Value)
		h.lit(`"`)
		configAttrs(h, in, id)
		h.lit(`> `)
	}
	if in.Description != "" {
		h.lit(`<p class="mt-1 text-xs text-slate-600">`)
		h.esc(in.Description)
		h.lit(` `, when(in.Kind == catalog.KindStrings, "(one per line)"), `</p>`)
	}
	fieldError(h, id+"-error", in.Error)
	h.lit(`</div>`)
}

// configAttrs are a config input's shared attributes (in the order templ wrote them
// from a map: by name): its message, error styling and inline validation (the server
// names the tool and the property).
func configAttrs(h *htmlWriter, in ConfigInput, id string) {
	class := "input"
	if in.Error != "" {
		class = "input input-error"
	}
	if in.Kind == catalog.KindString || in.Kind == catalog.KindNumber || in.Kind == catalog.KindInteger {
		class += " font-mono"
	}
	h.lit(` aria-describedby="`)
	h.esc(id + "-error")
	h.lit(`" aria-invalid="`, strconv.FormatBool(in.Error != ""), `" class="`, class, `" hx-include="closest form" hx-post="/agents/validate" hx-swap="outerHTML" hx-target="`)
	h.esc("#" + id + "-error")
	h.lit(`" hx-trigger="input changed delay:500ms, change"`)
}

// fieldError is components.FieldError's markup (TestFieldErrorMarkupMatchesTheComponent).
func fieldError(h *htmlWriter, id, message string) {
	h.lit(`<p id="`)
	h.esc(id)
	h.lit(`" class="field-error" data-testid="`)
	h.esc(id)
	h.lit(`" aria-live="polite">`)
	h.esc(message)
	h.lit(`</p>`)
}
