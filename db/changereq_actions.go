package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// The actions on a change request: each one transaction on the locked request row.

// ChangeRequestUpdate edits a request: its title and message, and the proposed agent
// (a patch applied to the proposal, validated as a save would be).
type ChangeRequestUpdate struct {
	Title   Opt[string] `json:"title"`
	Message Opt[string] `json:"message"`
	Agent   *AgentPatch `json:"agent"`
}

// lockedRequest locks an open request the actor may act on; author says whether only
// its author (or an admin) may.
func (s *Store) lockedRequest(ctx context.Context, tx bun.Tx, actor *Actor, id int64, authorOnly bool) (*ChangeRequest, error) {
	cr, err := s.changeRequest(ctx, tx, actor.OrgID, id, true)
	if err != nil {
		return nil, err
	}
	if authorOnly && !actor.Can(PermAdmin) && (cr.AuthorUserID == nil || *cr.AuthorUserID != actor.UserID) {
		return nil, &ReviewDenied{Message: "Unauthorized: Only the author or an admin can change this change request"}
	}
	if !cr.Open() {
		return nil, &ReviewStateError{Message: fmt.Sprintf("Change request %d is %s", cr.ID, cr.Status)}
	}
	return cr, nil
}

// UpdateChangeRequest edits an open request (its author or an admin). A new proposal
// changes the content hash: earlier approvals become stale and the request is open again.
func (s *Store) UpdateChangeRequest(ctx context.Context, actor *Actor, id int64, u ChangeRequestUpdate) (*ChangeRequest, error) {
	if u.Title.Has() {
		if err := checkText("title", u.Title.V, maxChangeTitle, true); err != nil {
			return nil, err
		}
	}
	if u.Message.Has() {
		if err := checkText("message", u.Message.V, maxChangeMessage, false); err != nil {
			return nil, err
		}
	}
	if !actor.Can(PermAgentsUpdate) { // reviewers never author a request
		return nil, &ReviewDenied{Message: "Unauthorized: Only the author or an admin can change this change request"}
	}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		cr, err := s.lockedRequest(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		title, message, proposed := cr.Title, cr.Message, cr.Proposed
		if u.Title.Has() {
			title = strings.TrimSpace(u.Title.V)
		}
		if u.Message.Has() {
			message = strings.TrimSpace(NormalizeNewlines(u.Message.V))
		}
		if u.Agent != nil {
			if cr.Kind != ChangeEdit {
				return invalid(Issue{Message: "Only an edit proposes an agent", Path: []any{"agent"}})
			}
			if proposed, err = s.reviseProposal(ctx, tx, actor.OrgID, cr, u.Agent); err != nil {
				return err
			}
			if !u.Title.Has() {
				if title, err = s.retitle(ctx, tx, actor.OrgID, cr, proposed); err != nil {
					return err
				}
			}
		}
		hash, revision := cr.ContentHash, cr.Revision
		if newHash := contentHash(cr.Kind, cr.AgentID, proposed); newHash != hash {
			hash, revision = newHash, revision+1
		}
		if _, err := tx.NewRaw(`UPDATE change_requests SET title = ?, message = ?, proposed = ?::jsonb, content_hash = ?, revision = ?, updated_at = now()
			WHERE id = ?`, title, message, nullJSON(proposed), hash, revision, cr.ID).Exec(ctx); err != nil {
			return fmt.Errorf("db: update change request %d: %w", cr.ID, err)
		}
		if err := s.settleStatus(ctx, tx, actor.OrgID, cr.ID); err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "change_request.updated", AuditChangeRequest, cr.ID, fmt.Sprintf("#%d %s (revision %d)", cr.ID, title, revision))
	})
	if err != nil {
		return nil, err
	}
	return s.ChangeRequest(ctx, actor.OrgID, id)
}

// retitle is the title of request cr once its proposal becomes proposed: a title the
// author typed stays; the default one (ProposalTitle of the old proposal) is written
// again for the new proposal, so it names the fields that now change.
func (s *Store) retitle(ctx context.Context, tx bun.Tx, orgID int64, cr *ChangeRequest, proposed json.RawMessage) (string, error) {
	if cr.BaseVersionID == nil {
		return cr.Title, nil
	}
	var snap string
	if err := tx.NewRaw("SELECT agent_snapshot(v.fields_ref, v.prompt_ref, v.tools_ref)::text FROM agent_versions v WHERE v.id = ? AND v.org_id = ?", *cr.BaseVersionID, orgID).Scan(ctx, &snap); err != nil {
		return "", fmt.Errorf("db: base version of change request %d: %w", cr.ID, err)
	}
	base := json.RawMessage(snap)
	name := func(b json.RawMessage) string {
		var a struct{ Name string }
		json.Unmarshal(b, &a)
		return a.Name
	}
	if cr.Title != ProposalTitle(name(cr.Proposed), base, cr.Proposed) {
		return cr.Title, nil
	}
	return ProposalTitle(name(proposed), base, proposed), nil
}

func nullJSON(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// reviseProposal applies a patch to the proposed agent and validates the result.
func (s *Store) reviseProposal(ctx context.Context, tx bun.Tx, orgID int64, cr *ChangeRequest, p *AgentPatch) (json.RawMessage, error) {
	a := &Agent{}
	if err := json.Unmarshal(cr.Proposed, a); err != nil {
		return nil, fmt.Errorf("db: proposal of change request %d: %w", cr.ID, err)
	}
	a.ID, a.OrgID = cr.AgentID, orgID
	if a.Tools == nil {
		a.Tools = map[string]json.RawMessage{}
	}
	c := *p
	c.ID, c.PublishedVersionID, c.StrictBase, c.KeepStored = Opt[int64]{}, Opt[int64]{}, false, nil
	issues, err := s.applyPatch(ctx, tx, orgID, a, &c)
	if err != nil {
		return nil, err
	}
	if err := validationResult(issues); err != nil {
		return nil, err
	}
	return proposal(a), nil
}

// proposal is the proposed agent as versions store it: the snapshot without
// bookkeeping, so it diffs against a version field for field.
func proposal(a *Agent) json.RawMessage {
	var m map[string]json.RawMessage
	json.Unmarshal(snapshot(a), &m)
	for _, k := range []string{"id", "createdAt", "updatedAt", "deletedAt", "publishedVersionId"} {
		delete(m, k)
	}
	b, _ := json.Marshal(m)
	return b
}

// settleStatus derives an open request's status from its current verdicts: any
// reviewer asking for changes to this content, else approved with enough approvals.
func (s *Store) settleStatus(ctx context.Context, tx bun.Tx, orgID, id int64) error {
	cr, err := s.changeRequest(ctx, tx, orgID, id, false)
	if err != nil {
		return err
	}
	var changes bool
	if err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT ON (coalesce(reviewer_user_id::text, reviewer)) verdict, content_hash
		FROM change_request_reviews WHERE request_id = ? ORDER BY coalesce(reviewer_user_id::text, reviewer), id DESC) l
		WHERE l.verdict = 'changes_requested' AND l.content_hash = ?)`, id, cr.ContentHash).Scan(ctx, &changes); err != nil {
		return err
	}
	status := StatusOpen
	switch {
	case changes:
		status = StatusChangesRequested
	case cr.Approvals >= cr.ApprovalsRequired:
		status = StatusApproved
	}
	_, err = tx.NewRaw("UPDATE change_requests SET status = ? WHERE id = ? AND status NOT IN ('merged', 'closed')", status, id).Exec(ctx)
	return err
}

// CommentOnChangeRequest adds a comment (any member: reviewers comment too).
func (s *Store) CommentOnChangeRequest(ctx context.Context, actor *Actor, id int64, anchor, body string) (*ChangeComment, error) {
	body = strings.TrimSpace(NormalizeNewlines(body))
	anchor = strings.TrimSpace(anchor)
	if err := checkText("body", body, maxCommentBody, true); err != nil {
		return nil, err
	}
	if err := checkText("anchor", anchor, maxCommentAnchor, false); err != nil {
		return nil, err
	}
	var c *ChangeComment
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		cr, err := s.changeRequest(ctx, tx, actor.OrgID, id, true)
		if err != nil {
			return err
		}
		c, err = s.insertComment(ctx, tx, actor, id, cr.Revision, anchor, body)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// insertComment writes a checked comment on revision of request id, with its audit entry.
func (s *Store) insertComment(ctx context.Context, tx bun.Tx, actor *Actor, id int64, revision int, anchor, body string) (*ChangeComment, error) {
	c := &ChangeComment{}
	if err := tx.NewRaw(`INSERT INTO change_request_comments (org_id, request_id, author_user_id, author, anchor, body, revision)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, author, anchor, body, revision, created_at`,
		actor.OrgID, id, nonZero(actor.UserID), actor.Label(), anchor, body, revision).Scan(ctx, c); err != nil {
		return nil, fmt.Errorf("db: comment on change request %d: %w", id, err)
	}
	on := ""
	if anchor != "" {
		on = " on " + anchor
	}
	return c, s.Audit(ctx, tx, actor, "change_request.commented", AuditChangeRequest, id, fmt.Sprintf("#%d comment%s", id, on))
}

// RequestChanges records a "changes requested" verdict together with the comment that
// says which changes (required: a bare "request changes" leaves the author guessing),
// in one transaction.
func (s *Store) RequestChanges(ctx context.Context, actor *Actor, id int64, comment string) (*ChangeRequest, error) {
	comment = strings.TrimSpace(NormalizeNewlines(comment))
	if err := checkText("comment", comment, maxCommentBody, true); err != nil {
		return nil, err
	}
	if err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		revision, err := s.review(ctx, tx, actor, id, VerdictChanges)
		if err != nil {
			return err
		}
		_, err = s.insertComment(ctx, tx, actor, id, revision, "", comment)
		return err
	}); err != nil {
		return nil, err
	}
	return s.ChangeRequest(ctx, actor.OrgID, id)
}

// ReviewChangeRequest records a verdict on the current content: approve (approvers
// only, never one's own request unless the policy allows it) or request changes.
func (s *Store) ReviewChangeRequest(ctx context.Context, actor *Actor, id int64, verdict string) (*ChangeRequest, error) {
	if verdict != VerdictApproved && verdict != VerdictChanges {
		return nil, invalid(Issue{Message: "Invalid enum value. Expected 'approved' | 'changes_requested'", Path: []any{"verdict"}})
	}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := s.review(ctx, tx, actor, id, verdict)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.ChangeRequest(ctx, actor.OrgID, id)
}

// review records actor's verdict on request id inside tx and answers the revision it
// applies to.
func (s *Store) review(ctx context.Context, tx bun.Tx, actor *Actor, id int64, verdict string) (int, error) {
	ok, err := s.canApprove(ctx, tx, actor)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, &ReviewDenied{Message: "Unauthorized: Only reviewers and admins can review change requests"}
	}
	cr, err := s.lockedRequest(ctx, tx, actor, id, false)
	if err != nil {
		return 0, err
	}
	pol, err := s.reviewPolicy(ctx, tx, actor.OrgID)
	if err != nil {
		return 0, err
	}
	if verdict == VerdictApproved && SelfApprovalRefused(pol, cr, actor) {
		return 0, &ReviewDenied{Message: "Unauthorized: Authors cannot approve their own change request"}
	}
	if verdict == VerdictApproved {
		// Approving again what one already approved (a double click) records nothing new:
		// the record would list the same reviewer twice for one approval.
		var again bool
		if err := tx.NewRaw(`SELECT coalesce((SELECT verdict = ? AND content_hash = ? FROM change_request_reviews
			WHERE request_id = ? AND coalesce(reviewer_user_id::text, reviewer) = coalesce(?::text, ?) ORDER BY id DESC LIMIT 1), false)`,
			VerdictApproved, cr.ContentHash, id, nonZero(actor.UserID), actor.Label()).Scan(ctx, &again); err != nil {
			return 0, err
		}
		if again {
			return cr.Revision, nil
		}
	}
	if _, err := tx.NewRaw(`INSERT INTO change_request_reviews (org_id, request_id, reviewer_user_id, reviewer, verdict, content_hash)
		VALUES (?, ?, ?, ?, ?, ?)`, actor.OrgID, id, nonZero(actor.UserID), actor.Label(), verdict, cr.ContentHash).Exec(ctx); err != nil {
		return 0, fmt.Errorf("db: review change request %d: %w", id, err)
	}
	if err := s.settleStatus(ctx, tx, actor.OrgID, id); err != nil {
		return 0, err
	}
	return cr.Revision, s.Audit(ctx, tx, actor, "change_request."+verdict, AuditChangeRequest, id, fmt.Sprintf("#%d %s (revision %d)", id, verdict, cr.Revision))
}

// CloseChangeRequest closes an open request without merging (its author or an admin).
func (s *Store) CloseChangeRequest(ctx context.Context, actor *Actor, id int64) (*ChangeRequest, error) {
	if !actor.Can(PermAgentsUpdate) {
		return nil, &ReviewDenied{Message: "Unauthorized: Only the author or an admin can close this change request"}
	}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		cr, err := s.lockedRequest(ctx, tx, actor, id, true)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw("UPDATE change_requests SET status = 'closed', closed_at = now(), updated_at = now() WHERE id = ?", id).Exec(ctx); err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "change_request.closed", AuditChangeRequest, id, fmt.Sprintf("#%d %s", id, cr.Title))
	})
	if err != nil {
		return nil, err
	}
	return s.ChangeRequest(ctx, actor.OrgID, id)
}

// SelfApprovalRefused says whether the policy keeps actor, the request's author, from
// approving it (the page hides Approve then; the store refuses it anyway).
func SelfApprovalRefused(pol *ReviewPolicy, cr *ChangeRequest, actor *Actor) bool {
	return !pol.AllowSelfApproval && cr.AuthorUserID != nil && *cr.AuthorUserID == actor.UserID
}

// MergeChangeRequest applies an approved request through the ordinary save path as
// one version (source change_request). The request row is locked first, so of two
// racing merges one applies and the other finds it merged. An admin may merge without
// the approvals only with a reason, recorded on the request, the version and the log.
func (s *Store) MergeChangeRequest(ctx context.Context, actor *Actor, id int64, overrideReason string) (*ChangeRequest, error) {
	overrideReason = strings.TrimSpace(overrideReason)
	if err := checkText("reason", overrideReason, maxChangeMessage, false); err != nil {
		return nil, err
	}
	if !actor.Can(PermAgentsUpdate) {
		return nil, &ReviewDenied{Message: "Unauthorized: Only builders and admins can merge change requests"}
	}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		cr, err := s.lockedRequest(ctx, tx, actor, id, false)
		if err != nil {
			return err
		}
		var reason *string
		if cr.Approvals < cr.ApprovalsRequired {
			switch {
			case overrideReason != "" && !actor.Can(PermAdmin):
				return &ReviewDenied{Message: "Unauthorized: Only admins can merge without the required approvals"}
			case overrideReason == "":
				return &ReviewStateError{Message: MergeShortfall(cr.ApprovalsRequired, cr.Approvals)}
			}
			reason = &overrideReason
		}
		versionID, err := s.applyChangeRequest(ctx, tx, actor, cr, reason)
		if err != nil {
			return err
		}
		if _, err := tx.NewRaw(`UPDATE change_requests SET status = 'merged', merged_version_id = ?, merged_by = ?, override_reason = ?,
			closed_at = now(), updated_at = now() WHERE id = ?`, versionID, actor.Label(), reason, id).Exec(ctx); err != nil {
			return err
		}
		summary := fmt.Sprintf("#%d %s", id, cr.Title)
		if reason != nil {
			summary += " — merged without the required approvals: " + *reason
		}
		return s.Audit(ctx, tx, actor, "change_request.merged", AuditChangeRequest, id, summary)
	})
	if err != nil {
		return nil, err
	}
	return s.ChangeRequest(ctx, actor.OrgID, id)
}

// applyChangeRequest makes the change: an edit is saved from its base version, so a
// live agent that moved since is merged three-way (overlaps block the merge).
func (s *Store) applyChangeRequest(ctx context.Context, tx bun.Tx, actor *Actor, cr *ChangeRequest, reason *string) (*int64, error) {
	note := fmt.Sprintf("change request #%d", cr.ID)
	switch cr.Kind {
	case ChangeSync:
		return nil, s.mergeSync(ctx, tx, actor, cr)
	case ChangeCard:
		return s.mergeCard(ctx, tx, actor, cr)
	case ChangeDelete, ChangeRestore:
		set, where, action := "now()", "deleted_at IS NULL", "agent.deleted"
		if cr.Kind == ChangeRestore {
			set, where, action = "NULL", "deleted_at IS NOT NULL", "agent.restored"
		}
		var name string
		if err := tx.NewRaw("UPDATE agents SET deleted_at = "+set+", updated_at = now() WHERE id = ? AND org_id = ? AND "+where+" RETURNING name",
			cr.AgentID, actor.OrgID).Scan(ctx, &name); err != nil {
			return nil, &ReviewStateError{Message: fmt.Sprintf("Agent %d is already %sd", cr.AgentID, cr.Kind)}
		}
		return nil, s.Audit(ctx, tx, actor, action, AuditAgent, cr.AgentID, name+" ("+note+")")
	}
	p := new(AgentPatch)
	if err := json.Unmarshal(cr.Proposed, p); err != nil {
		return nil, fmt.Errorf("db: proposal of change request %d: %w", cr.ID, err)
	}
	p.ID, p.ModelAlias, p.ToolNames, p.viaReview = Some(cr.AgentID), Opt[string]{}, Opt[[]string]{}, true
	p.PublishedVersionID = Opt[int64]{}
	if cr.BaseVersionID != nil {
		p.PublishedVersionID = Some(*cr.BaseVersionID)
	}
	if p.TagIDs.Has() && len(p.TagIDs.V) > 0 { // tags deleted since the proposal are dropped
		var live []int64
		if err := tx.NewRaw("SELECT id FROM tags WHERE org_id = ? AND id = ANY(?) ORDER BY id", actor.OrgID, pgdialect.Array(p.TagIDs.V)).Scan(ctx, &live); err != nil {
			return nil, err
		}
		p.TagIDs = Some(live)
	}
	message := strings.TrimSpace(cr.Title + "\n\n" + cr.Message)
	if reason != nil {
		message += "\n\nMerged by " + actor.Label() + " without the required approvals: " + *reason
	}
	p.Message = Some(message)
	o, err := s.saveAgent(ctx, tx, actor, p, SourceChangeRequest, note+": "+cr.Title)
	var ce *ConflictError
	if errors.As(err, &ce) {
		paths := make([]string, len(ce.Conflicts))
		for i, c := range ce.Conflicts {
			paths[i] = c.Key()
		}
		return nil, &ReviewStateError{Conflicts: ce.Conflicts, Message: fmt.Sprintf(
			"The agent was changed since this request was proposed, in the same places: %s. The author must update the proposal", strings.Join(paths, ", "))}
	}
	if err != nil {
		return nil, err
	}
	return o.Agent.PublishedVersionID, nil
}

// MergeShortfall says why a request cannot be merged without an override ("Needs 1
// approval of the current proposal; has 0."), or "" when it has its approvals. The
// merge refusal and the review page's disabled Merge say the same.
func MergeShortfall(required, approvals int) string {
	if approvals >= required {
		return ""
	}
	return "Needs " + count(required, "approval", "approvals") + " of the current proposal; has " + strconv.Itoa(approvals) + "."
}
