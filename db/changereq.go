package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// ChangeRequest is a proposed change to one protected agent awaiting review.
type ChangeRequest struct {
	ID              int64           `bun:"id" json:"id"`
	AgentID         int64           `bun:"agent_id" json:"agentId"`
	AgentName       string          `bun:"agent_name" json:"agentName"`
	Kind            string          `bun:"kind" json:"kind"`
	Title           string          `bun:"title" json:"title"`
	Message         string          `bun:"message" json:"message"`
	AuthorUserID    *int64          `bun:"author_user_id" json:"-"`
	Author          string          `bun:"author" json:"author"`
	Status          string          `bun:"status" json:"status"`
	BaseVersionID   *int64          `bun:"base_version_id" json:"baseVersionId"`
	Proposed        json.RawMessage `bun:"proposed" json:"proposed"`
	ContentHash     string          `bun:"content_hash" json:"contentHash"`
	Revision        int             `bun:"revision" json:"revision"`
	MergedVersionID *int64          `bun:"merged_version_id" json:"mergedVersionId"`
	MergedBy        *string         `bun:"merged_by" json:"mergedBy"`
	OverrideReason  *string         `bun:"override_reason" json:"overrideReason"`
	CreatedAt       time.Time       `bun:"created_at" json:"createdAt"`
	UpdatedAt       time.Time       `bun:"updated_at" json:"updatedAt"`
	ClosedAt        *time.Time      `bun:"closed_at" json:"closedAt"`
	// Approvals counts the approvals of the current proposal (stale ones do not count).
	Approvals         int             `bun:"approvals" json:"approvals"`
	ApprovalsRequired int             `bun:"approvals_required" json:"approvalsRequired"`
	Reviews           []ChangeReview  `bun:"-" json:"reviews"`
	Comments          []ChangeComment `bun:"-" json:"comments"`
}

// Open reports whether the request can still be reviewed, edited or merged.
func (cr *ChangeRequest) Open() bool { return cr.Status != StatusMerged && cr.Status != StatusClosed }

// ChangeReview is one verdict; Stale when the proposal changed after it.
type ChangeReview struct {
	ID         int64     `bun:"id" json:"id"`
	ReviewerID *int64    `bun:"reviewer_user_id" json:"-"`
	Reviewer   string    `bun:"reviewer" json:"reviewer"`
	Verdict    string    `bun:"verdict" json:"verdict"`
	Hash       string    `bun:"content_hash" json:"contentHash"`
	CreatedAt  time.Time `bun:"created_at" json:"createdAt"`
	Stale      bool      `bun:"-" json:"stale"`
}

// ChangeComment is a comment, general (Anchor "") or on a field, a prompt line
// ("systemPrompt:12") or a tool ("tools/web_search").
type ChangeComment struct {
	ID        int64     `bun:"id" json:"id"`
	Author    string    `bun:"author" json:"author"`
	Anchor    string    `bun:"anchor" json:"anchor"`
	Body      string    `bun:"body" json:"body"`
	Revision  int       `bun:"revision" json:"revision"`
	CreatedAt time.Time `bun:"created_at" json:"createdAt"`
}

// Statuses of a change request, and the verdicts of a review.
const (
	StatusOpen             = "open"
	StatusApproved         = "approved"
	StatusChangesRequested = "changes_requested"
	StatusMerged           = "merged"
	StatusClosed           = "closed"
	VerdictApproved        = "approved"
	VerdictChanges         = "changes_requested"
)

// ChangeStatuses lists the statuses (the API's filter and enum).
var ChangeStatuses = []string{StatusOpen, StatusApproved, StatusChangesRequested, StatusMerged, StatusClosed}

// Limits of a request's texts.
const (
	maxChangeTitle   = 200
	maxChangeMessage = 2000
	maxCommentBody   = 5000
	maxCommentAnchor = 200
)

// validApprovals counts, per reviewer, their latest verdict when it approves the
// current content (an approval of an earlier proposal is stale and does not count).
const validApprovals = `(SELECT count(*) FROM (SELECT DISTINCT ON (coalesce(r.reviewer_user_id::text, r.reviewer)) r.verdict, r.content_hash, r.reviewer_user_id
		FROM change_request_reviews r WHERE r.request_id = cr.id ORDER BY coalesce(r.reviewer_user_id::text, r.reviewer), r.id DESC) l
	WHERE l.verdict = 'approved' AND l.content_hash = cr.content_hash
		AND (coalesce(p.allow_self_approval, false) OR l.reviewer_user_id IS DISTINCT FROM cr.author_user_id))`

// A sync request (kind sync) concerns the whole organisation: no agent, id 0.
const changeRequestSelect = `SELECT cr.id, coalesce(cr.agent_id, 0) AS agent_id, coalesce(a.name, '` + FleetName + `') AS agent_name, cr.kind, cr.title, cr.message, cr.author_user_id, cr.author,
	cr.status, cr.base_version_id, cr.proposed, cr.content_hash, cr.revision, cr.merged_version_id, cr.merged_by, cr.override_reason,
	cr.created_at, cr.updated_at, cr.closed_at, ` + validApprovals + ` AS approvals, coalesce(p.approvals_required, 1) AS approvals_required
	FROM change_requests cr LEFT JOIN agents a ON a.id = cr.agent_id LEFT JOIN review_policies p ON p.org_id = cr.org_id`

// contentHash binds approvals to what they approved.
func contentHash(kind string, agentID int64, proposed []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00", kind, agentID)
	h.Write(proposed)
	return hex.EncodeToString(h.Sum(nil))
}

// openChangeRequest stores the change a protected agent refused (ReviewRequired).
func (s *Store) openChangeRequest(ctx context.Context, tx bun.Tx, actor *Actor, rr *ReviewRequired) (*ChangeRequest, error) {
	title := strings.TrimSpace(rr.Title)
	if utf8.RuneCountInString(title) > maxChangeTitle {
		title = string([]rune(title)[:maxChangeTitle])
	}
	var proposed any
	if rr.Proposed != nil {
		proposed = string(rr.Proposed)
	}
	var id int64
	err := tx.NewRaw(`INSERT INTO change_requests (org_id, agent_id, kind, title, message, author_user_id, author, base_version_id, proposed, content_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING id`, actor.OrgID, nonZero(rr.AgentID), rr.Kind, title, rr.Message,
		nonZero(actor.UserID), actor.Label(), rr.BaseVersionID, proposed, contentHash(rr.Kind, rr.AgentID, rr.Proposed)).Scan(ctx, &id)
	if err != nil {
		return nil, fmt.Errorf("db: open change request: %w", err)
	}
	if err := s.Audit(ctx, tx, actor, "change_request.opened", AuditChangeRequest, id, fmt.Sprintf("#%d %s (agent %d)", id, title, rr.AgentID)); err != nil {
		return nil, err
	}
	return s.changeRequest(ctx, tx, actor.OrgID, id, false)
}

// changeRequest reads one request of the organisation (row locked when lock is set).
func (s *Store) changeRequest(ctx context.Context, idb bun.IDB, orgID, id int64, lock bool) (*ChangeRequest, error) {
	q := changeRequestSelect + " WHERE cr.id = ? AND cr.org_id = ?"
	if lock {
		q += " FOR UPDATE OF cr"
	}
	cr := new(ChangeRequest)
	if err := idb.NewRaw(q, id, orgID).Scan(ctx, cr); err != nil {
		return nil, fmt.Errorf("db: change request %d: %w", id, notFound(err))
	}
	return cr, nil
}

// ChangeRequest reads one request whole: reviews (stale ones marked) and comments.
func (s *Store) ChangeRequest(ctx context.Context, orgID, id int64) (*ChangeRequest, error) {
	cr, err := s.changeRequest(ctx, s.DB, orgID, id, false)
	if err != nil {
		return nil, err
	}
	cr.Reviews, cr.Comments = []ChangeReview{}, []ChangeComment{}
	if err := s.DB.NewRaw(`SELECT id, reviewer_user_id, reviewer, verdict, content_hash, created_at FROM change_request_reviews
		WHERE request_id = ? AND org_id = ? ORDER BY id`, id, orgID).Scan(ctx, &cr.Reviews); err != nil {
		return nil, fmt.Errorf("db: reviews of change request %d: %w", id, err)
	}
	for i := range cr.Reviews {
		cr.Reviews[i].Stale = cr.Reviews[i].Hash != cr.ContentHash
	}
	if err := s.DB.NewRaw(`SELECT id, author, anchor, body, revision, created_at FROM change_request_comments
		WHERE request_id = ? AND org_id = ? ORDER BY id`, id, orgID).Scan(ctx, &cr.Comments); err != nil {
		return nil, fmt.Errorf("db: comments of change request %d: %w", id, err)
	}
	return cr, nil
}

// ChangeRequestFilter narrows the list: by status, author, agent, or the requests
// awaiting a reviewer's verdict on their current content (not their own).
type ChangeRequestFilter struct {
	Statuses       []string
	AuthorUserID   int64
	AgentID        int64
	AwaitingUserID int64
	Limit          int
}

// ChangeRequests lists the organisation's requests, most recently updated first.
func (s *Store) ChangeRequests(ctx context.Context, orgID int64, f ChangeRequestFilter) ([]ChangeRequest, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q, args := changeRequestSelect+" WHERE cr.org_id = ?", []any{orgID}
	if len(f.Statuses) > 0 {
		q, args = q+" AND cr.status IN (?)", append(args, bun.In(f.Statuses))
	}
	if f.AuthorUserID != 0 {
		q, args = q+" AND cr.author_user_id = ?", append(args, f.AuthorUserID)
	}
	if f.AgentID != 0 {
		q, args = q+" AND cr.agent_id = ?", append(args, f.AgentID)
	}
	if f.AwaitingUserID != 0 {
		q += " AND " + awaitingPredicate
		args = append(args, f.AwaitingUserID, f.AwaitingUserID)
	}
	out := []ChangeRequest{}
	if err := s.DB.NewRaw(q+" ORDER BY cr.updated_at DESC, cr.id DESC LIMIT ?", append(args, f.Limit)...).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("db: change requests: %w", err)
	}
	return out, nil
}

// AwaitingReview counts the requests awaiting the actor's verdict (the header's count);
// zero for those who may not approve.
func (s *Store) AwaitingReview(ctx context.Context, actor *Actor) (int, error) {
	ok, err := s.CanApprove(ctx, actor)
	if err != nil || !ok {
		return 0, err
	}
	var n int
	err = s.DB.NewRaw(`SELECT count(*) FROM change_requests cr WHERE cr.org_id = ? AND `+awaitingPredicate,
		actor.OrgID, actor.UserID, actor.UserID).Scan(ctx, &n)
	return n, err
}

// awaitingPredicate is the condition on a request (alias cr) awaiting the verdict of
// user ?0 (and again ?1): open or sent back, not theirs, and not yet judged by them in
// its current content. Written once for the Reviews list, the header count and the
// overview, so that a number and its list cannot disagree.
const awaitingPredicate = `cr.status IN ('open', 'changes_requested') AND cr.author_user_id IS DISTINCT FROM ?
	AND NOT EXISTS (SELECT 1 FROM change_request_reviews r WHERE r.request_id = cr.id AND r.reviewer_user_id = ? AND r.content_hash = cr.content_hash)`

// OpenStatuses are the statuses of a request still in review (the Reviews page's "my
// change requests" and the overview's count of them).
var OpenStatuses = []string{StatusOpen, StatusApproved, StatusChangesRequested}

// checkText refuses a text over its limit or with invalid characters, naming the field.
func checkText(field, v string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(v) == "":
		return invalid(Issue{Message: "Required", Path: []any{field}})
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		return invalid(Issue{Message: "Invalid characters", Path: []any{field}})
	case utf8.RuneCountInString(v) > max:
		return invalid(Issue{Message: fmt.Sprintf("String must contain at most %d character(s)", max), Path: []any{field}})
	}
	return nil
}
