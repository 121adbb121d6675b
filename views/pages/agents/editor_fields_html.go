package agents

import (
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
		h := &htmlWriter{w: w}
		fieldStart(h, name, label)
		h.lit(`<input id="`)
		h.esc(name)
		h.lit(`" name="`)
		h.esc(name)
		h.lit(`" type="`)
		h.esc(typ)
		h.lit(`" value="`)
		h.esc(value)
		h.lit(`"`, when(required, " required"))
		fieldAttrs(h, name, err, maxlen)
		h.lit(`>`)
		fieldEnd(h, name, value, err, maxlen)
		return h.err
	})
}

// textarea is input for several lines.
func textarea(name, label, value, err string, rows, maxlen int) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &htmlWriter{w: w}
		fieldStart(h, name, label)
		h.lit(`<textarea id="`)
		h.esc(name)
		h.lit(`" name="`)
		h.esc(name)
		h.lit(`" rows="`, strconv.Itoa(rows), `"`)
		fieldAttrs(h, name, err, maxlen)
		h.lit(`>`)
		h.esc(value)
		h.lit(`</textarea>`)
		fieldEnd(h, name, value, err, maxlen)
		return h.err
	})
}

func fieldStart(h *htmlWriter, name, label string) {
	h.lit(`<div><label for="`)
	h.esc(name)
	h.lit(`" class="label">`)
	h.esc(label)
	h.lit(`</label> `)
}

// fieldAttrs are a field's limit (tying it to its counter; no maxlength: a browser
// silently cuts a pasted over-long value at maxlength, the counter shows it instead),
// message and inline validation.
func fieldAttrs(h *htmlWriter, name, err string, maxlen int) {
	if maxlen > 0 {
		h.lit(` data-counter="`)
		h.esc(name + "-count")
		h.lit(`" data-limit="`, strconv.Itoa(maxlen), `"`)
	}
	h.lit(` aria-invalid="`, strconv.FormatBool(err != ""), `" aria-describedby="`)
	h.esc(name + "-error")
	h.lit(`" class="input`, when(err != "", " input-error"), `" hx-post="/agents/validate" hx-trigger="input changed delay:400ms" hx-target="`)
	h.esc("#" + name + "-error")
	h.lit(`" hx-swap="outerHTML" hx-include="closest form"`)
}

func fieldEnd(h *htmlWriter, name, value, err string, maxlen int) {
	counterHTML(h, name, len([]rune(value)), maxlen)
	fieldError(h, name+"-error", err)
	h.lit(`</div>`)
}

// counter shows a field's length against the server's limit; editor.js updates it as
// the person types. Over the limit it says so (nothing is cut off: the save refuses
// it naming the field).
func counter(name string, n, limit int) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		h := &htmlWriter{w: w}
		counterHTML(h, name, n, limit)
		return h.err
	})
}

func counterHTML(h *htmlWriter, name string, n, limit int) {
	if limit <= 0 {
		return
	}
	h.lit(`<p id="`)
	h.esc(name + "-count")
	h.lit(`" class="text-xs`, when(n <= limit, " text-slate-600"), when(n > limit, " font-medium text-red-700"), `" data-testid="`)
	h.esc(name + "-count")
	h.lit(`">`)
	h.esc(CountText(n, limit))
	h.lit(`</p>`)
}
