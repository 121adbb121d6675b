package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db"
	"agentconsole/db/versiondiff"
	"agentconsole/views/pages/reviews"
	"agentconsole/views/pages/versions"
	"agentconsole/views/route"
)

// Reviews serves the console's change requests: the Reviews page, a request's page
// and its actions, the header count, and the admin's review policy page.
type Reviews struct{ Base }

// List is the Reviews page: awaiting my review, my requests, recently merged.
func (h *Reviews) List(c *fiber.Ctx) error {
	ctx, actor := c.UserContext(), ActorOf(c)
	canApprove, err := h.Store.CanApprove(ctx, actor)
	if err != nil {
		return err
	}
	view := reviews.ListPage{CanApprove: canApprove}
	for _, part := range []struct {
		into *[]reviews.Row
		f    db.ChangeRequestFilter
		skip bool
	}{
		{&view.Awaiting, db.ChangeRequestFilter{AwaitingUserID: actor.UserID}, !canApprove},
		{&view.Mine, db.ChangeRequestFilter{AuthorUserID: actor.UserID, Statuses: db.OpenStatuses}, false},
		{&view.Merged, db.ChangeRequestFilter{Statuses: []string{db.StatusMerged}, Limit: 20}, false},
	} {
		if part.skip {
			continue
		}
		list, err := h.Store.ChangeRequests(ctx, actor.OrgID, part.f)
		if err != nil {
			return err
		}
		for _, cr := range list {
			*part.into = append(*part.into, reviews.Row{ID: cr.ID, AgentID: cr.AgentID, Title: cr.Title, AgentName: cr.AgentName, Author: cr.Author,
				Status: cr.Status, Updated: stampTime(cr.UpdatedAt), Approvals: cr.Approvals, Required: cr.ApprovalsRequired})
		}
	}
	return Render(c, fiber.StatusOK, reviews.List(h.Page(c, "Reviews", "reviews"), view))
}

// Count is the header's number of requests awaiting the viewer (a fragment for htmx;
// a page visit goes to the Reviews page).
func (h *Reviews) Count(c *fiber.Ctx) error {
	if !IsHTMX(c) {
		return c.Redirect(route.Reviews, fiber.StatusSeeOther)
	}
	n, err := h.Store.AwaitingReview(c.UserContext(), ActorOf(c))
	if err != nil {
		return err
	}
	return Render(c, fiber.StatusOK, reviews.Count(n))
}

// request reads {id} as the organisation's change request.
func (h *Reviews) request(c *fiber.Ctx) (*db.ChangeRequest, error) {
	id, err := requestID(c)
	if err != nil {
		return nil, err
	}
	cr, err := h.Store.ChangeRequest(c.UserContext(), ActorOf(c).OrgID, id)
	return cr, missing(err, "Change request %d", id)
}

// Show is a change request's page: the diff against its base and against the live
// agent, reviews (stale ones marked), comments, and the actions the viewer may take.
func (h *Reviews) Show(c *fiber.Ctx) error {
	cr, err := h.request(c)
	if err != nil {
		return err
	}
	ctx, actor := c.UserContext(), ActorOf(c)
	canApprove, err := h.Store.CanApprove(ctx, actor)
	if err != nil {
		return err
	}
	pol, err := h.Store.ReviewPolicy(ctx, actor.OrgID)
	if err != nil {
		return err
	}
	isAuthor := cr.AuthorUserID != nil && *cr.AuthorUserID == actor.UserID
	d := reviews.Detail{ID: cr.ID, AgentID: cr.AgentID, AgentName: cr.AgentName, Title: cr.Title, Message: cr.Message, Author: cr.Author,
		Status: cr.Status, Kind: cr.Kind, Created: stampTime(cr.CreatedAt), Revision: cr.Revision, Approvals: cr.Approvals, Required: cr.ApprovalsRequired,
		CanReview: cr.Open() && canApprove && !db.SelfApprovalRefused(pol, cr, actor), CanMerge: cr.Open() && actor.Can(db.PermAgentsUpdate), CanOverride: actor.Can(db.PermAdmin),
		CanEdit: cr.Open() && cr.Kind == db.ChangeEdit && (isAuthor || actor.Can(db.PermAdmin)), CanClose: cr.Open() && (isAuthor || actor.Can(db.PermAdmin))}
	d.MergeBlocked = db.MergeShortfall(cr.ApprovalsRequired, cr.Approvals)
	if cr.MergedVersionID != nil {
		d.MergedVersionID = *cr.MergedVersionID
	}
	if cr.OverrideReason != nil {
		d.OverrideReason = *cr.OverrideReason
	}
	if cr.MergedBy != nil {
		d.MergedBy = *cr.MergedBy
	}
	if cr.ClosedAt != nil {
		d.SettledAt = stampTime(*cr.ClosedAt)
	}
	for _, r := range cr.Reviews {
		d.Reviews = append(d.Reviews, reviews.Review{Reviewer: r.Reviewer, Verdict: r.Verdict, When: stampTime(r.CreatedAt), Stale: r.Stale})
	}
	if cr.Kind == db.ChangeSync {
		d.CanMerge = d.CanMerge && actor.Can(db.PermAdmin) // the sync is the admins'
	}
	if err := h.kindDiff(c, cr, &d); err != nil {
		return err
	}
	d.Anchors = anchors(&d)
	for _, cm := range cr.Comments {
		d.Comments = append(d.Comments, reviews.Comment{Author: cm.Author, Anchor: cm.Anchor, AnchorLabel: anchorLabel(cm.Anchor), Body: cm.Body,
			When: stampTime(cm.CreatedAt), Revision: cm.Revision})
	}
	d.VsBase.Attach(d.Comments)
	return Render(c, fiber.StatusOK, reviews.Show(h.Page(c, "Change request #"+strconv.FormatInt(cr.ID, 10)+": "+cr.Title, "reviews"), d))
}

// kindDiff fills what the request proposes: an edit's diffs, a sync's preview (and
// whether it went stale), a card's pending skills and roles.
func (h *Reviews) kindDiff(c *fiber.Ctx, cr *db.ChangeRequest, d *reviews.Detail) error {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	switch cr.Kind {
	case db.ChangeEdit:
		return h.diffs(c, cr, d)
	case db.ChangeSync:
		var p db.SyncPreview
		if err := json.Unmarshal(cr.Proposed, &p); err != nil {
			return err
		}
		s := SyncView(&p)
		s.Merged, s.Closed = cr.Status == db.StatusMerged, cr.Status == db.StatusClosed
		d.Sync = &s
		stale, err := h.Store.SyncRequestStale(ctx, org, cr)
		d.Stale = stale
		return err
	case db.ChangeCard:
		rep, _, err := h.Store.PendingCardOf(ctx, org, cr)
		if err != nil {
			return err
		}
		d.Card = &reviews.CardChange{Added: rep.SkillsAdded, Removed: rep.SkillsRemoved, Changed: rep.SkillsChanged, Roles: rep.RolesAutoApplied,
			CardHref: route.Path(route.AgentCard, cr.AgentID)}
	}
	return nil
}

// diffs fills the semantic diffs of the proposal against its base and the live agent.
func (h *Reviews) diffs(c *fiber.Ctx, cr *db.ChangeRequest, d *reviews.Detail) error {
	ctx, org := c.UserContext(), ActorOf(c).OrgID
	live, err := h.Store.AgentHead(ctx, org, cr.AgentID) // only its live version is needed
	if err != nil {
		return err
	}
	// Once merged the live agent is the merge itself, and once closed nothing will be
	// combined: only an open request compares against the live agent.
	d.LiveMoved = cr.Open() && cr.BaseVersionID != nil && live.PublishedVersionID != nil && *cr.BaseVersionID != *live.PublishedVersionID
	type side struct {
		into    *reviews.DiffView
		id      *int64
		caption string
	}
	sides := []side{{&d.VsBase, cr.BaseVersionID, "Against the version it was proposed from"}}
	if d.LiveMoved { // the page shows the diff against the live agent only then
		sides = append(sides, side{&d.VsLive, live.PublishedVersionID, "Against the live agent"})
	}
	for _, side := range sides {
		if side.id == nil {
			continue
		}
		v, err := h.Store.Version(ctx, org, *side.id)
		if err != nil {
			return err
		}
		names, err := h.Store.DiffNames(ctx, org, v.Snapshot, cr.Proposed)
		if err != nil {
			return err
		}
		diff, err := versiondiff.Compare(v.Snapshot, cr.Proposed, names)
		if err != nil {
			return err
		}
		*side.into = diffView(diff, side.caption, v.Number)
	}
	return nil
}

// diffView shapes a version diff for the request page (prompt lines numbered as in
// the proposal, so comments can point at them).
func diffView(d *versiondiff.Diff, caption string, from int) reviews.DiffView {
	v := reviews.DiffView{Caption: caption, FromNumber: from, PromptSame: d.PromptSame, Empty: d.Empty(),
		Added: toolRows(d.ToolsAdded, d.AddedConfigs), Removed: toolRows(d.ToolsRemoved, d.RemovedConfigs)}
	for _, f := range d.Fields {
		v.Fields = append(v.Fields, reviews.FieldRow{Key: f.Field, Label: db.FieldLabelOf(f.Field), Before: f.Before, After: f.After})
	}
	n := 0
	for _, l := range d.Prompt {
		pl := reviews.Line{PromptLine: versions.PromptLine{Op: l.Op, Old: l.Old, New: l.New}}
		if l.Op != "-" {
			n++
			pl.No = n
		}
		for _, w := range l.Words {
			pl.Words = append(pl.Words, versions.Word{Op: w.Op, Text: w.Text})
		}
		v.Prompt = append(v.Prompt, pl)
	}
	for _, t := range d.ToolsChanged {
		v.Changed = append(v.Changed, versions.ToolRow{Name: t.Name, Schema: pathChanges(t.Schema), Config: pathChanges(t.Config)})
	}
	return v
}

// maxAnchors bounds the comment target choices (a long prompt's lines).
const maxAnchors = 400

// anchors lists what a comment may point at: general, each changed field, each line
// of the proposed prompt, each changed tool.
func anchors(d *reviews.Detail) []reviews.Anchor {
	out := []reviews.Anchor{{Value: "", Label: "General"}}
	for _, f := range d.VsBase.Fields {
		out = append(out, reviews.Anchor{Value: f.Key, Label: "Field " + f.Label})
	}
	for _, l := range d.VsBase.Prompt {
		if l.No > 0 && len(out) < maxAnchors {
			out = append(out, reviews.Anchor{Value: fmt.Sprintf("systemPrompt:%d", l.No), Label: anchorLabel(fmt.Sprintf("systemPrompt:%d", l.No)) + ": " + shorten(l.New, 60)})
		}
	}
	for _, group := range [][]versions.ToolRow{d.VsBase.Added, d.VsBase.Removed, d.VsBase.Changed} {
		for _, t := range group {
			out = append(out, reviews.Anchor{Value: "tools/" + t.Name, Label: "Tool " + t.Name})
		}
	}
	return out
}

// anchorLabel names a comment's anchor for people.
func anchorLabel(anchor string) string {
	switch {
	case anchor == "":
		return ""
	case strings.HasPrefix(anchor, "systemPrompt:"):
		return "Prompt line " + strings.TrimPrefix(anchor, "systemPrompt:")
	case strings.HasPrefix(anchor, "tools/"):
		return "Tool " + strings.TrimPrefix(anchor, "tools/")
	}
	return "Field " + db.FieldLabelOf(anchor)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Comment posts a comment (any member).
func (h *Reviews) Comment(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	_, err = h.Store.CommentOnChangeRequest(c.UserContext(), ActorOf(c), id, c.FormValue("anchor"), c.FormValue("body"))
	return h.after(c, id, err, "Comment added.")
}

// Review records approve or request changes.
func (h *Reviews) Review(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	verdict := c.FormValue("verdict")
	if verdict == db.VerdictChanges { // the console asks for the changes in words
		_, err = h.Store.RequestChanges(c.UserContext(), ActorOf(c), id, c.FormValue("comment"))
		return h.after(c, id, err, "Changes requested.")
	}
	_, err = h.Store.ReviewChangeRequest(c.UserContext(), ActorOf(c), id, verdict)
	return h.after(c, id, err, "Approved.")
}

// Merge applies the request (an admin's override needs a reason).
func (h *Reviews) Merge(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	cr, err := h.Store.MergeChangeRequest(c.UserContext(), ActorOf(c), id, c.FormValue("reason"))
	done := "Merged: the agent holds the change as a new version."
	if err == nil && cr.Kind == db.ChangeSync {
		done = "Merged: the sync ran; each agent it changed holds its new tool schemas as a new version."
	}
	return h.after(c, id, err, done)
}

// Close closes the request without merging.
func (h *Reviews) Close(c *fiber.Ctx) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	_, err = h.Store.CloseChangeRequest(c.UserContext(), ActorOf(c), id)
	return h.after(c, id, err, "Closed.")
}

// after answers an action: back to the request's page with the outcome; a refusal the
// person can act on (validation, state, permission) is the page's error flash.
func (h *Reviews) after(c *fiber.Ctx, id int64, err error, success string) error {
	to := route.Path(route.Review, id)
	if err == nil {
		return h.redirect(c, to, "success", success)
	}
	var ve *db.ValidationError
	var se *db.ReviewStateError
	var rd *db.ReviewDenied
	switch {
	case errors.As(err, &ve):
		if c.Get("HX-Request") == "true" {
			return err // the alert box names the field, the form keeps what was typed
		}
		return h.redirect(c, to, "error", ValidationText(ve))
	case errors.As(err, &se):
		return h.redirect(c, to, "error", se.Message)
	case errors.As(err, &rd):
		return err // 403: the page says what is needed
	}
	return missing(err, "Change request %d", id)
}
