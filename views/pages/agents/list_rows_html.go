package agents

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/a-h/templ"

	"agentconsole/db/agentspec"
	"agentconsole/views/components"
	"agentconsole/views/layout"
	"agentconsole/views/route"
)

// listRows are the table's rows, written in Go with the markup the templ component
// wrote, byte for byte (TestListRowsAsTemplWroteThem compares them with its generated
// code, kept in list_rows_ref_test.go). templ joined and escaped every attribute value
// through a copy, rendered each text cell as a component (an interface value each),
// formatted both dates and every number into new strings and drew each tag chip
// through a closure: about 20 allocations a row, three quarters of the list page's
// (BenchmarkListPage). Here numbers and dates go through one scratch buffer and text
// is escaped as it is written.
func listRows(p layout.Page, l *List) templ.Component { return rowsHTML{p: &p, l: l} }

type rowsHTML struct {
	p *layout.Page
	l *List
}

func (r rowsHTML) Render(ctx context.Context, w io.Writer) error {
	h := &components.HTML{W: w}
	var scratch [64]byte
	selectable := r.l.Selectable()
	h.Lit(`<tbody class="divide-y divide-slate-100">`)
	for i := range r.l.Rows {
		row := &r.l.Rows[i]
		id := strconv.AppendInt(scratch[:0], row.ID, 10)
		h.Lit(`<tr data-testid="agent-row">`)
		if selectable {
			h.Lit(`<td class="table-cell"><input type="checkbox" form="bulk-form" name="agentIds" value="`)
			h.Bytes(id)
			h.Lit(`" aria-label="Select `)
			h.Esc(row.Name)
			h.Lit(`" class="rounded" data-testid="select-agent" data-select-item></td>`)
		}
		h.Lit(`<td class="table-cell text-col"><div class="flex items-center gap-3">`)
		if row.LogoURL != "" {
			h.Lit(`<img src="`)
			h.Esc(row.LogoURL)
			h.Lit(`" alt="" class="h-8 w-8 shrink-0 rounded object-cover" loading="lazy" referrerpolicy="no-referrer">`)
		} else {
			h.Lit(`<span class="flex h-8 w-8 shrink-0 items-center justify-center rounded bg-indigo-100 text-sm font-semibold text-indigo-800" aria-hidden="true">`)
			h.Esc(initialOf(row.Name))
			h.Lit(`</span>`)
		}
		h.Lit(`<div class="min-w-0"><a href="`, agentPathPrefix) // route.Path(route.Agent, id)
		h.Bytes(id)
		h.Lit(`" class="font-medium text-slate-900 hover:underline" data-testid="agent-link">`)
		h.Esc(row.Name)
		h.Lit(`</a><p class="line-clamp-2 max-w-md text-xs text-slate-600">`)
		h.Esc(row.Description)
		h.Lit(`</p></div></div></td><td class="table-cell whitespace-nowrap text-xs" data-testid="agent-type">`)
		h.Esc(row.Type)
		h.Lit(`</td><td class="table-cell text-col text-xs" data-testid="agent-model">`)
		h.Esc(row.Model)
		h.Lit(`</td><td class="table-cell whitespace-nowrap" data-testid="agent-stage">`)
		writeStageCell(h, row, scratch[:0])
		h.Lit(`</td><td class="table-cell text-col"><div class="flex flex-wrap gap-1">`)
		for _, t := range row.Tags {
			writeTagChip(h, t.Name, t.Color)
		}
		h.Lit(`</div></td>`)
		if r.l.Trash {
			if h.Err == nil {
				h.Err = deletedCells(*r.p, *r.l, *row).Render(ctx, w)
			}
		} else {
			h.Lit(`<td class="table-cell text-xs text-slate-700"><span class="whitespace-nowrap">`)
			h.Bytes(appendStamp(scratch[:0], row.UpdatedAt))
			h.Lit(`</span> `)
			if row.UpdatedBy != "" {
				h.Lit(`<span class="block text-col text-slate-600" data-testid="updated-by">by `)
				h.Esc(row.UpdatedBy)
				h.Lit(`</span>`)
			}
			h.Lit(`</td><td class="table-cell whitespace-nowrap text-xs text-slate-700">`)
			h.Bytes(appendStamp(scratch[:0], row.CreatedAt))
			h.Lit(`</td>`)
		}
		h.Lit(`</tr>`)
	}
	h.Lit(`</tbody>`)
	return h.Err
}

// initialOf is initial(name) without a new string: the first character as it is
// written, or what string(rune) gives for a name that does not start with valid UTF-8.
func initialOf(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	switch {
	case size == 0:
		return "?"
	case r == utf8.RuneError && size == 1:
		return string(utf8.RuneError)
	}
	return name[:size]
}

// appendStamp appends stamp(t): time's layout parser was a quarter of the rows' CPU
// (make bench, scenario 1). Years outside 1000–9999 go through it as before.
func appendStamp(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if y < 1000 || y > 9999 {
		return t.AppendFormat(b, stampLayout)
	}
	h, mi, _ := t.Clock()
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	b = two(two(b, y/100), y%100)
	b = two(append(b, '-'), int(mo))
	b = two(append(b, '-'), d)
	b = two(append(b, ' '), h)
	return two(append(b, ':'), mi)
}

// agentPathPrefix is route.Agent up to its id.
var agentPathPrefix = strings.TrimSuffix(route.Agent, "{id}")

// writeTagChip writes what components.TagChip does, without a closure per chip.
func writeTagChip(h *components.HTML, name, color string) {
	h.Lit(`<span class="rounded-full px-2 py-0.5 text-xs font-medium `, components.ChipClass(color), `"`)
	if c := components.ChipColor(color); c != "" {
		h.Lit(` data-chip-color="`, c, `"`)
	}
	h.Lit(` data-testid="tag-chip">`)
	h.Esc(name)
	h.Lit(`</span>`)
}

// bulkTagOptions and bulkModelOptions are the bulk bar's choices, written as templ wrote
// "<option value={ v }>{ label }</option>" for each: an organisation's 50 tags cost
// templ three copies and an fmt.Sprint each, most of what the page allocated once its
// rows were written in Go.
type bulkTagOptions []Tag

func (ts bulkTagOptions) Render(_ context.Context, w io.Writer) error {
	h := &components.HTML{W: w}
	var scratch [20]byte
	for _, t := range ts {
		h.Lit(`<option value="`)
		h.Bytes(strconv.AppendInt(scratch[:0], t.ID, 10))
		h.Lit(`">`)
		h.Esc(t.Name)
		h.Lit(`</option>`)
	}
	return h.Err
}

type bulkModelOptions []Option

func (os bulkModelOptions) Render(_ context.Context, w io.Writer) error {
	h := &components.HTML{W: w}
	h.Lit(" ") // templ's space between "Choose a model…" and its loop
	for _, o := range os {
		h.Lit(`<option value="`)
		h.Esc(o.Value)
		h.Lit(`">`)
		h.Esc(o.Label)
		h.Lit(`</option>`)
	}
	return h.Err
}

// writeStageCell: the stage badge, the live version and the "in review" count.
func writeStageCell(h *components.HTML, row *Row, scratch []byte) {
	if row.Stage == agentspec.StageReleased {
		h.Lit(`<span class="badge rounded bg-green-100 px-1.5 py-0.5 text-xs font-medium text-green-900">released</span> `)
	} else {
		h.Lit(`<span class="badge rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-800">development</span> `)
	}
	if row.Version != 0 {
		h.Lit(`<span class="badge ml-1 text-xs text-slate-600">v`)
		h.Bytes(strconv.AppendInt(scratch, row.Version, 10))
		h.Lit(`</span> `)
	}
	if row.OpenRequests > 0 {
		h.Lit(`<span class="badge ml-1 rounded bg-indigo-100 px-1.5 py-0.5 text-xs font-medium text-indigo-900" data-testid="in-review">`)
		h.Bytes(strconv.AppendInt(scratch, int64(row.OpenRequests), 10))
		h.Lit(` in review</span>`)
	}
}
