package agents

import (
	"agentconsole/views/components"
	"context"
	"io"
	"strconv"

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
		h.Esc(name + "-count")
		h.Lit(`" data-limit="`, strconv.Itoa(maxlen), `"`)
	}
	h.Lit(` aria-invalid="`, strconv.FormatBool(err != ""), `" aria-describedby="`)
	h.Esc(name + "-error")
	h.Lit(`" class="input`, when(err != "", " input-error"), `" hx-post="/agents/validate" hx-trigger="input changed delay:400ms" hx-target="`)
	h.Esc("#" + name + "-error")
	h.Lit(`" hx-swap="outerHTML" hx-include="closest form"`)
}

func fieldEnd(h *components.HTML, name, value, err string, maxlen int) {
	counterHTML(h, name, len([]rune(value)), maxlen)
	fieldError(h, name+"-error", err)
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
	h.Esc(name + "-count")
	h.Lit(`" class="text-xs`, when(n <= limit, " text-slate-600"), when(n > limit, " font-medium text-red-700"), `" data-testid="`)
	h.Esc(name + "-count")
	h.Lit(`">`)
	h.Esc(CountText(n, limit))
	h.Lit(`</p>`)
}
