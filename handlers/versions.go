package handlers

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/agentspec"
	"agentconsole/db/versiondiff"
	"agentconsole/views/components"
	"agentconsole/views/pages/versions"
	"agentconsole/views/route"
)

// Versions serves the console's history timeline, diff view and restore.
type Versions struct{ Base }

// History renders the timeline, filtered by source and author, newest first.
func (h *Versions) History(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return missing(err, "Agent %q", c.Params("id"))
	}
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	f, err := versionFilter(c)
	if err != nil {
		// An agent that is not there is Not Found before its filter is wrong: the head
		// alone, on this path only (the page reads it with the history).
		if _, _, headErr := h.pathAgentHead(c); headErr != nil {
			return headErr
		}
		return err
	}
	// An unknown source (an old link, a typo) is said and dropped, not shown as a
	// blank select over an empty list.
	unknown := ""
	if f.Source != "" && !agentspec.OneOf(f.Source, agentspec.VersionSources) {
		unknown, f.Source = f.Source, ""
	}
	a, page, err := h.Store.AgentHistory(ctx, org, id, f)
	rememberAgentName(c, a)
	if err != nil {
		return missing(err, "Agent %d", id)
	}
	vs := page.Versions
	hv := versions.History{AgentID: a.ID, AgentName: a.Name, Source: f.Source, Author: f.Author, Authors: page.Authors,
		Sources:       agentspec.VersionSources,
		CanRestore:    ActorOf(c).Can(db.PermAgentsUpdate) && a.DeletedAt == nil,
		UnknownSource: db.Shorten(unknown), ClearURL: route.Path(route.AgentVersions, id)}
	hv.Rows = rows(vs, a.PublishedVersionID)
	if page.HasOlder {
		hv.OlderURL = historyPageURL(id, f, vs[len(vs)-1].Number)
	}
	if page.HasNewer {
		hv.NewerURL = historyPageURL(id, f, page.NewerBefore)
	}
	return Render(c, fiber.StatusOK, versions.HistoryPage(h.Page(c, "History of "+a.Name, "agents"), hv))
}

// historyPageURL is the history under f's filters from the version before number
// before (0: from the newest); a page size other than the default is kept.
func historyPageURL(id int64, f db.VersionFilter, before int) string {
	q := url.Values{"source": {f.Source}, "author": {f.Author}}
	if before > 0 {
		q.Set("before", strconv.Itoa(before))
	}
	if f.Limit != defaultHistoryLimit {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	return route.Path(route.AgentVersions, id) + "?" + q.Encode()
}

func rows(vs []db.Version, live *int64) []versions.Row {
	out := make([]versions.Row, len(vs))
	var summary, label string // neighbours mostly say the same ("changed systemPrompt"): label it once
	for i := range vs {
		v := &vs[i]
		if i == 0 || v.Summary != summary {
			summary, label = v.Summary, db.LabelSummary(v.Summary)
		}
		out[i] = versions.Row{ID: v.ID, Number: int64(v.Number), Source: v.Source, Author: v.Author, When: stampTime(v.CreatedAt), Summary: label, Message: deref(v.Message),
			Live: live != nil && *live == v.ID}
	}
	return out
}

// choices are versions as the diff's pickers offer them: the newest ones, then each
// version compared that is older than those (newest first), so each picker shows its
// choice.
func choices(vs []db.Version, chosen ...*db.Version) []versions.Choice {
	out := make([]versions.Choice, len(vs), len(vs)+len(chosen))
	for i := range vs {
		out[i] = versions.NewChoice(vs[i].ID, int64(vs[i].Number), vs[i].Source, vs[i].Author)
	}
	slices.SortFunc(chosen, func(a, b *db.Version) int { return b.Number - a.Number })
	for _, v := range chosen {
		if !slices.ContainsFunc(out, func(c versions.Choice) bool { return c.ID == v.ID }) {
			out = append(out, versions.NewChoice(v.ID, int64(v.Number), v.Source, v.Author))
		}
	}
	return out
}

// Diff renders the comparison of two versions (default: the live one and its predecessor).
func (h *Versions) Diff(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return missing(err, "Agent %q", c.Params("id"))
	}
	a, from, to, recent, d, err := diffWithHead(c, h.Store, id, 200)
	rememberAgentName(c, a)
	if a == nil {
		return missing(err, "Agent %d", id)
	}
	if err != nil {
		return missing(err, "Version to compare of agent %d", id)
	}
	view := versions.Diff{AgentID: id, AgentName: a.Name, Choices: choices(recent, from, to),
		From:       side(from),
		To:         side(to),
		PromptSame: d.PromptSame, Added: toolRows(d.ToolsAdded, d.AddedConfigs), Removed: toolRows(d.ToolsRemoved, d.RemovedConfigs),
		Unchanged: labels(d.Unchanged), Empty: d.Empty(),
		CanRestore: ActorOf(c).Can(db.PermAgentsUpdate) && a.DeletedAt == nil && from.ID != to.ID && (a.PublishedVersionID == nil || *a.PublishedVersionID != from.ID)}
	diffLinks(c, id, from.ID, to.ID, &view)
	for _, f := range d.Fields {
		view.Fields = append(view.Fields, versions.FieldRow{Field: db.FieldLabelOf(f.Field), Before: f.Before, After: f.After})
	}
	view.Prompt = promptLines(d.Prompt)
	for _, t := range d.ToolsChanged {
		view.Changed = append(view.Changed, versions.ToolRow{Name: t.Name, Schema: pathChanges(t.Schema), Config: pathChanges(t.Config)})
	}
	return Render(c, fiber.StatusOK, versions.DiffPage(h.Page(c, "Changes to "+a.Name, "agents"), view))
}

// diffLinks fills the layout (?view=) and whitespace option of the diff page and the
// links that switch them, keeping the versions compared.
func diffLinks(c *fiber.Ctx, id, fromID, toID int64, v *versions.Diff) {
	v.Split = c.Query("view") == versions.ViewSplit
	v.IgnoreWhitespace = c.Query("ignoreWhitespace") == "true"
	link := func(split, ws bool) string {
		q := url.Values{"from": {strconv.FormatInt(fromID, 10)}, "to": {strconv.FormatInt(toID, 10)}}
		if split {
			q.Set("view", versions.ViewSplit)
		}
		if ws {
			q.Set("ignoreWhitespace", "true")
		}
		return route.Path(route.AgentDiff, id) + "?" + q.Encode()
	}
	v.UnifiedURL, v.SplitURL = link(false, v.IgnoreWhitespace), link(true, v.IgnoreWhitespace)
	v.WhitespaceURL = link(v.Split, !v.IgnoreWhitespace)
}

func side(v *db.Version) versions.Side {
	return versions.Side{ID: v.ID, Number: int64(v.Number), Source: v.Source, Author: v.Author, When: stampTime(v.CreatedAt), Message: deref(v.Message)}
}

func promptLines(lines []versiondiff.Line) []versions.PromptLine {
	out := make([]versions.PromptLine, 0, len(lines))
	for _, l := range lines {
		pl := versions.PromptLine{Op: l.Op, Old: l.Old, New: l.New, OldNo: l.OldLine, NewNo: l.NewLine}
		for _, w := range l.Words {
			pl.Words = append(pl.Words, versions.Word{Op: w.Op, Text: w.Text})
		}
		out = append(out, pl)
	}
	return out
}

// Snapshot renders one version of the agent whole and read-only.
func (h *Versions) Snapshot(c *fiber.Ctx) error {
	id, a, err := h.pathAgent(c)
	if err != nil {
		return err
	}
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	versionID, err := paramID(c, "versionId")
	if err != nil {
		return err
	}
	v, err := h.Store.Version(ctx, org, versionID)
	if err == nil && v.AgentID != id {
		err = db.ErrNotFound
	}
	if err != nil {
		return missing(err, "Version %d of agent %d", versionID, id)
	}
	names, err := h.Store.DiffNames(ctx, org, v.Snapshot)
	if err != nil {
		return err
	}
	// The snapshot as a diff from nothing: every value named as the diff names it.
	d, err := versiondiff.Compare([]byte("{}"), v.Snapshot, names)
	if err != nil {
		return err
	}
	s := versions.Snapshot{AgentID: id, AgentName: a.Name, Version: side(v), Empty: labels(d.Unchanged),
		Live: a.PublishedVersionID != nil && *a.PublishedVersionID == v.ID, Prompt: promptLines(d.Prompt), Tools: toolRows(d.ToolsAdded, d.AddedConfigs)}
	for _, f := range d.Fields {
		s.Fields = append(s.Fields, versions.FieldRow{Field: db.FieldLabelOf(f.Field), After: f.After})
	}
	return Render(c, fiber.StatusOK, versions.SnapshotPage(h.Page(c, "Version "+strconv.Itoa(v.Number)+" of "+a.Name, "agents"), s))
}

// Restore saves an old version as the new one.
func (h *Versions) Restore(c *fiber.Ctx) error {
	id, versionID, a, err := h.restoreVersion(c)
	if id == 0 {
		return err
	}
	if err != nil {
		err = missing(err, "Version %d of agent %d", versionID, id)
		if msg := validationMessage(err); msg != "" {
			return h.redirect(c, route.Path(route.AgentVersions, id), "error", "This version can no longer be restored: "+msg)
		}
		return err
	}
	return h.redirect(c, route.Path(route.AgentVersions, id), "success", "Restored as a new version of “"+a.Name+"”.")
}

// pathChanges is a diff's JSON paths as every diff view shows them.
func pathChanges(changes []versiondiff.PathChange) []components.PathChange {
	out := make([]components.PathChange, len(changes))
	for i, c := range changes {
		out[i] = components.PathChange{Path: c.Path, Before: c.Before, After: c.After}
	}
	return out
}

// labels is a list of agent fields by their console labels.
func labels(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = db.FieldLabelOf(k)
	}
	return out
}

// toolRows is the tools added (or removed) with the config each came (or went) with.
func toolRows(names []string, configs []versiondiff.ToolChange) []versions.ToolRow {
	out := make([]versions.ToolRow, len(names))
	for i, n := range names {
		out[i].Name = n
		for _, c := range configs {
			if c.Name == n {
				out[i].Config = pathChanges(c.Config)
			}
		}
	}
	return out
}
