package agents

import (
	"agentconsole/views/components"
	"context"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/a-h/templ"
)

// The editor's text fields (input, textarea and their counters) are written directly
// for the reason the tool rows are (editor_tools_html.go): a dozen of them on every
// view, each a class list and an attribute map through templ. Same markup, byte for byte.

// input is a labelled text input with inline validation, its counter and message.
func input(name, label, typ, value, err string, required bool, maxlen int) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		fieldStart(h, name, label)
		h.Lit(`<input id="`)
		h.Esc(name)
		h.Lit(`" name="`)
		h.Esc(name)
		h.Lit(`" type="`)
		h.Esc(typ)
		h.Lit(`" value="`)
		h.Esc(value)
		h.Lit(`"`, when(required, " required"))
		fieldAttrs(h, name, err, maxlen)
		h.Lit(`>`)
		fieldEnd(h, name, value, err, maxlen)
		return h.Err
	})
}

// textarea is input for several lines.
func textarea(name, label, value, err string, rows, maxlen int) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		fieldStart(h, name, label)
		h.Lit(`<textarea id="`)
		h.Esc(name)
		h.Lit(`" name="`)
		h.Esc(name)
		h.Lit(`" rows="`, strconv.Itoa(rows), `"`)
		fieldAttrs(h, name, err, maxlen)
		h.Lit(`>`)
		h.Esc(value)
		h.Lit(`</textarea>`)
		fieldEnd(h, name, value, err, maxlen)
		return h.Err
	})
}

func fieldStart(h *components.HTML, name, label string) {
	h.Lit(`<div><label for="`)
	h.Esc(name)
	h.Lit(`" class="label">`)
	h.Esc(label)
	h.Lit(`</label> `)
}

// fieldAttrs are a field's limit (tying it to its counter; no maxlength: a browser
// silently cuts a pasted over-long value at maxlength, the counter shows it instead),
// message and inline validation.
func fieldAttrs(h *components.HTML, name, err string, maxlen int) {
	if maxlen > 0 {
		h.Lit(` data-counter="`)
		h.Esc(name)
		h.Lit(`-count" data-limit="`, strconv.Itoa(maxlen), `"`)
	}
	h.Lit(` aria-invalid="`, strconv.FormatBool(err != ""), `" aria-describedby="`)
	h.Esc(name)
	h.Lit(`-error" class="input`, when(err != "", " input-error"), `" hx-post="/agents/validate" hx-trigger="input changed delay:400ms" hx-target="#`)
	h.Esc(name)
	h.Lit(`-error" hx-swap="outerHTML" hx-include="closest form"`)
}

func fieldEnd(h *components.HTML, name, value, err string, maxlen int) {
	if maxlen > 0 {
		counterHTML(h, name, utf8.RuneCountInString(value), maxlen)
	}
	fieldErrorOf(h, name, "-error", err)
	h.Lit(`</div>`)
}

// counter shows a field's length against the server's limit; editor.js updates it as
// the person types. Over the limit it says so (nothing is cut off: the save refuses
// it naming the field).
func counter(name string, n, limit int) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		counterHTML(h, name, n, limit)
		return h.Err
	})
}

func counterHTML(h *components.HTML, name string, n, limit int) {
	if limit <= 0 {
		return
	}
	h.Lit(`<p id="`)
	h.Esc(name)
	h.Lit(`-count" class="text-xs`, when(n <= limit, " text-slate-600"), when(n > limit, " font-medium text-red-700"), `" data-testid="`)
	h.Esc(name)
	h.Lit(`-count">`)
	countText(h, n, limit)
	h.Lit(`</p>`)
}

// tagOptions are the tag checkboxes (an organisation has dozens of tags: each was a
// class list and an attribute map through templ). The markup is tags.templ's option's.
func tagOptions(tags []Tag) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		for _, t := range tags {
			id := itoa(t.ID)
			h.Lit(`<label id="tag-opt-`, id, `" class="inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-sm `, components.ChipClass(t.Color), `" data-chip-color="`)
			h.Esc(components.ChipColor(t.Color))
			h.Lit(`" data-testid="tag-option"><input type="checkbox" name="tagIds" value="`, id, `"`, when(t.Selected, " checked"), ` class="rounded"> `)
			h.Esc(t.Name)
			h.Lit(`</label>`)
		}
		return h.Err
	})
}

// tagNames are the add-a-tag box's suggestions: every tag's name.
func tagNames(tags []Tag) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		for _, t := range tags {
			h.Lit(`<option value="`)
			h.Esc(t.Name)
			h.Lit(`"></option>`)
		}
		return h.Err
	})
}

// selectOptions are a select's options, the one whose value is selected marked so.
func selectOptions(opts []Option, selected string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		for _, o := range opts {
			option(h, o.Value, o.Label, o.Value == selected)
		}
		return h.Err
	})
}

// selectValues is selectOptions for options labelled by their values.
func selectValues(values []string, selected string) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		for _, v := range values {
			option(h, v, v, v == selected)
		}
		return h.Err
	})
}

func option(h *components.HTML, value, label string, selected bool) {
	h.Lit(`<option value="`)
	h.Esc(value)
	h.Lit(`"`, when(selected, " selected"), `>`)
	h.Esc(label)
	h.Lit(`</option>`)
}

// refPicker chooses agents, knowledge bases or MCP servers by name: the chosen ones are
// chips (ticked checkboxes: untick to remove, works without JavaScript), and the search
// fetches at most 20 matching names as the person types (GET /picker), without the
// chosen ones. The search box belongs to no form: Enter in it submits nothing.
func refPicker(p RefPicker) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		refPickerHTML(h, p)
		return h.Err
	})
}

func refPickerHTML(h *components.HTML, p RefPicker) {
	h.Lit(`<fieldset class="space-y-2" data-testid="picker-`)
	h.Esc(p.For)
	h.Lit(`" data-picker><legend class="label">`)
	h.Esc(p.Label)
	h.Lit(`</legend><div id="`)
	h.Esc(p.Field)
	h.Lit(`-chips" class="flex flex-wrap gap-2" data-testid="chips-`)
	h.Esc(p.For)
	h.Lit(`" data-chips>`)
	for _, ch := range p.Choices {
		pickerOptionHTML(h, p.Field, ch, true)
	}
	h.Lit(`</div><label for="`)
	h.Esc(p.Field)
	h.Lit(`" class="sr-only">Find by name: `)
	h.Esc(p.Label)
	h.Lit(`</label> <input id="`)
	h.Esc(p.Field)
	h.Lit(`" type="search" name="q" form="no-form" autocomplete="off" placeholder="Type to find by name" class="input max-w-md" aria-describedby="`)
	h.Esc(p.Field)
	h.Lit(`-error" aria-controls="`)
	h.Esc(p.Field)
	h.Lit(`-results" data-testid="search-`)
	h.Esc(p.For)
	h.Lit(`" hx-get="/picker?for=`)
	h.Esc(p.For)
	h.Lit(`&amp;exclude=`, itoa(p.Exclude), `" hx-trigger="input changed delay:300ms" hx-target="#`)
	h.Esc(p.Field)
	h.Lit(`-results" hx-swap="innerHTML" hx-include="#`)
	h.Esc(p.Field)
	h.Lit(`-chips input" hx-sync="this:replace"><div id="`)
	h.Esc(p.Field)
	h.Lit(`-results" class="flex flex-wrap gap-2" aria-live="polite" data-testid="results-`)
	h.Esc(p.For)
	h.Lit(`" data-results></div>`)
	fieldErrorOf(h, p.Field, "-error", p.Error)
	h.Lit(`</fieldset>`)
}

// pickerOption is a chip (chosen) or a search result (a checkbox to tick).
func pickerOption(field string, ch Choice, chosen bool) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		pickerOptionHTML(h, field, ch, chosen)
		return h.Err
	})
}

func pickerOptionHTML(h *components.HTML, field string, ch Choice, chosen bool) {
	h.Lit(`<label class="inline-flex max-w-full items-center gap-1 rounded-full px-2 py-0.5 text-sm `,
		when(chosen, `bg-indigo-50 text-indigo-900 ring-1 ring-indigo-200`), when(!chosen, `bg-slate-100 text-slate-800`),
		`" data-testid="picker-option"><input type="checkbox" name="`)
	h.Esc(field)
	h.Lit(`" value="`, itoa(ch.ID), `"`, when(chosen, " checked"), ` class="rounded"> <span class="min-w-0">`)
	h.Esc(ch.Name)
	h.Lit(`</span></label>`)
}

// promptInput is the system prompt's label and textarea: the page's longest value (up
// to 100,000 characters), escaped as it is written (components.HTML.Esc).
func promptInput(prompt, err string, limit int) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		h.Lit(`<label for="systemPrompt" class="label">System prompt</label> <textarea id="systemPrompt" name="systemPrompt" rows="14" data-limit="`, strconv.Itoa(limit),
			`" data-counter="prompt-count" class="input font-mono`, when(err != "", " input-error"), `" aria-invalid="`, strconv.FormatBool(err != ""),
			`" aria-describedby="prompt-count systemPrompt-error" hx-post="/agents/validate" hx-trigger="input changed delay:500ms" hx-target="#systemPrompt-error" hx-swap="outerHTML" hx-include="closest form">`)
		h.Esc(prompt)
		h.Lit(`</textarea>`)
		return h.Err
	})
}

// PromptCount is the prompt's character count against its limit; inline validation
// refreshes it out of band while the user types (editor.js counts live too).
func PromptCount(n, limit int, oob bool) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &components.HTML{W: w}
		h.Lit(`<p id="prompt-count" class="text-xs`, when(n <= limit, " text-slate-600"), when(n > limit, " font-medium text-red-700"),
			`" data-testid="prompt-count"`, when(oob, ` hx-swap-oob="true"`), `>`)
		countText(h, n, limit)
		h.Lit(`</p>`)
		return h.Err
	})
}

// countText writes a length against its limit, as the counters read (CountText).
func countText(h *components.HTML, n, limit int) {
	h.Lit(strconv.Itoa(n), " characters (limit ", strconv.Itoa(limit), ")")
	if n > limit {
		h.Lit(": ", strconv.Itoa(n-limit), " over the limit")
	}
}
