package versions

import (
	"context"
	"io"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"agentconsole/views/components"
	"agentconsole/views/route"
)

// timelineRows writes the history's rows by hand, byte for byte the markup of the templ
// loop they replace: templ passes each of a row's dozen expressions through fmt.Sprint,
// and the 50 rows were a third of the page's server CPU (CPU profile, make bench 5a).
func timelineRows(h History, csrf string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		out := &components.HTML{W: w}
		links := rowLinks{snapshot: versionLink(route.AgentVersion, h.AgentID), restore: versionLink(route.AgentVersionRestore, h.AgentID),
			changes: templ.EscapeString(string(templ.URL(route.Path(route.AgentDiff, h.AgentID) + "?to=")))}
		for _, r := range h.Rows {
			timelineRow(out, h, links, r, csrf)
		}
		return out.Err
	})
}

// idLink is a link to one of an agent's versions, escaped, cut where the version's id
// goes: route.Path builds it once per page rather than once per row.
type idLink struct{ head, tail string }

// versionIDMark stands for the version id in the path route.Path builds (escaped by it).
const versionIDMark = "{versionId}"

func versionLink(pattern string, agentID int64) idLink {
	path := templ.EscapeString(string(templ.URL(route.Path(pattern, agentID, versionIDMark))))
	head, tail, _ := strings.Cut(path, url.PathEscape(versionIDMark))
	return idLink{head, tail}
}

// rowLinks are the links every row has, but for its version's id.
type rowLinks struct {
	snapshot, restore idLink
	changes           string // the diff of a version with the one before, but for ?to='s value
}

// write writes l with id.
func (l idLink) write(out *components.HTML, id int64) {
	out.Lit(l.head)
	out.Int(id)
	out.Lit(l.tail)
}

// timelineRow writes one version's <li>: pick it for a comparison, what it was,
// its snapshot and changes, and Restore (when allowed and not live).
func timelineRow(out *components.HTML, h History, links rowLinks, r Row, csrf string) {
	out.Lit(`<li class="flex flex-wrap items-center gap-3 px-4 py-2" data-testid="version-row"><span class="flex gap-2 text-xs"><label class="inline-flex items-center gap-1"><input type="radio" name="from" value="`)
	out.Int(r.ID)
	out.Lit(`" form="pick" aria-label="Compare from version `)
	out.Int(r.Number)
	out.Lit(`">from</label> <label class="inline-flex items-center gap-1"><input type="radio" name="to" value="`)
	out.Int(r.ID)
	out.Lit(`" form="pick" aria-label="Compare to version `)
	out.Int(r.Number)
	out.Lit(`">to</label></span> <span class="font-mono text-sm font-semibold">v`)
	out.Int(r.Number)
	out.Lit(`</span> `)
	if r.Live {
		out.Lit(`<span class="badge rounded bg-green-100 px-1.5 text-xs font-medium text-green-900">live</span> `)
	}
	out.Lit(`<span class="badge rounded bg-slate-100 px-1.5 text-xs text-slate-800">`)
	out.Esc(SourceLabel(r.Source))
	out.Lit(`</span> <span class="text-sm">`)
	out.Esc(r.Summary)
	out.Lit(`</span> <span class="text-xs text-slate-600">`)
	out.Esc(r.Author)
	out.Lit(` · `)
	out.Esc(r.When)
	out.Lit(`</span> `)
	if r.Message != "" {
		out.Lit(`<p class="order-last w-full whitespace-pre-line text-sm text-slate-700" data-testid="version-message">`)
		out.Esc(r.Message)
		out.Lit(`</p>`)
	}
	out.Lit(`<span class="ml-auto flex gap-2"><a href="`)
	links.snapshot.write(out, r.ID)
	out.Lit(`" class="text-sm text-indigo-700 underline" data-testid="snapshot-link" aria-label="Snapshot of version `)
	out.Int(r.Number)
	out.Lit(`">Snapshot</a> <a href="`, links.changes)
	out.Int(r.ID)
	out.Lit(`" class="text-sm text-indigo-700 underline" data-testid="diff-link">Changes</a> `)
	if h.CanRestore && !r.Live {
		out.Lit(`<form method="post" action="`)
		links.restore.write(out, r.ID)
		out.Lit(`" hx-confirm="Restore version `)
		out.Int(r.Number)
		out.Lit(`? This saves it as a new version."><input type="hidden" name="_csrf" value="`)
		out.Esc(csrf)
		out.Lit(`"><button type="submit" class="btn-secondary py-0.5" data-testid="restore-version">Restore</button></form>`)
	}
	out.Lit(`</span></li>`)
}
