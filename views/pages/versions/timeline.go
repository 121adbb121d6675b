package versions

import (
	"context"
	"io"
	"strconv"

	"github.com/a-h/templ"

	"agentconsole/views/route"
)

// timelineRows writes the history's rows by hand, byte for byte the markup of the templ
// loop they replace: templ passes each of a row's dozen expressions through fmt.Sprint,
// and the 50 rows were a third of the page's server CPU (CPU profile, make bench 5a).
func timelineRows(h History, csrf string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		b := make([]byte, 0, len(h.Rows)*1500)
		for _, r := range h.Rows {
			b = timelineRow(b, h, r, csrf)
		}
		_, err := w.Write(b)
		return err
	})
}

// timelineRow appends one version's <li>: pick it for a comparison, what it was,
// its snapshot and changes, and Restore (when allowed and not live).
func timelineRow(b []byte, h History, r Row, csrf string) []byte {
	id, n := strconv.FormatInt(r.ID, 10), strconv.FormatInt(r.Number, 10)
	b = append(b, `<li class="flex flex-wrap items-center gap-3 px-4 py-2" data-testid="version-row"><span class="flex gap-2 text-xs"><label class="inline-flex items-center gap-1"><input type="radio" name="from" value="`...)
	b = append(b, id...)
	b = append(b, `" form="pick" aria-label="Compare from version `...)
	b = append(b, n...)
	b = append(b, `">from</label> <label class="inline-flex items-center gap-1"><input type="radio" name="to" value="`...)
	b = append(b, id...)
	b = append(b, `" form="pick" aria-label="Compare to version `...)
	b = append(b, n...)
	b = append(b, `">to</label></span> <span class="font-mono text-sm font-semibold">v`...)
	b = append(b, n...)
	b = append(b, `</span> `...)
	if r.Live {
		b = append(b, `<span class="badge rounded bg-green-100 px-1.5 text-xs font-medium text-green-900">live</span> `...)
	}
	b = append(b, `<span class="badge rounded bg-slate-100 px-1.5 text-xs text-slate-800">`...)
	b = append(b, templ.EscapeString(SourceLabel(r.Source))...)
	b = append(b, `</span> <span class="text-sm">`...)
	b = append(b, templ.EscapeString(r.Summary)...)
	b = append(b, `</span> <span class="text-xs text-slate-600">`...)
	b = append(b, templ.EscapeString(r.Author)...)
	b = append(b, ` · `...)
	b = append(b, templ.EscapeString(r.When)...)
	b = append(b, `</span> `...)
	if r.Message != "" {
		b = append(b, `<p class="order-last w-full whitespace-pre-line text-sm text-slate-700" data-testid="version-message">`...)
		b = append(b, templ.EscapeString(r.Message)...)
		b = append(b, `</p>`...)
	}
	b = append(b, `<span class="ml-auto flex gap-2"><a href="`...)
	b = append(b, templ.EscapeString(string(templ.URL(route.Path(route.AgentVersion, h.AgentID, r.ID))))...)
	b = append(b, `" class="text-sm text-indigo-700 underline" data-testid="snapshot-link" aria-label="Snapshot of version `...)
	b = append(b, n...)
	b = append(b, `">Snapshot</a> <a href="`...)
	b = append(b, templ.EscapeString(string(templ.URL(route.Path(route.AgentDiff, h.AgentID)+"?to="+id)))...)
	b = append(b, `" class="text-sm text-indigo-700 underline" data-testid="diff-link">Changes</a> `...)
	if h.CanRestore && !r.Live {
		b = append(b, `<form method="post" action="`...)
		b = append(b, templ.EscapeString(string(templ.URL(route.Path(route.AgentVersionRestore, h.AgentID, r.ID))))...)
		b = append(b, `" hx-confirm="Restore version `...)
		b = append(b, n...)
		b = append(b, `? This saves it as a new version."><input type="hidden" name="_csrf" value="`...)
		b = append(b, templ.EscapeString(csrf)...)
		b = append(b, `"><button type="submit" class="btn-secondary py-0.5" data-testid="restore-version">Restore</button></form>`...)
	}
	return append(b, `</span></li>`...)
}
