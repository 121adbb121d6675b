package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
)

// Review before release (issue 19): an organisation's policy says which agents are
// protected; every change to a protected agent, whoever makes it, becomes a change
// request instead (one check in the save path and the other mutation paths).

// ReviewPolicy is an organisation's review policy (off by default).
type ReviewPolicy struct {
	Enabled           bool    `json:"enabled"`
	ProtectReleased   bool    `json:"protectReleased"`
	TagIDs            []int64 `json:"tagIds"`
	ApprovalsRequired int     `json:"approvalsRequired"`
	AllowSelfApproval bool    `json:"allowSelfApproval"`
	// SyncUnprotectedNow: a gated sync runs at once for unprotected agents; by default
	// they wait with the protected ones for the sync request's approval.
	SyncUnprotectedNow bool      `json:"syncUnprotectedNow"`
	UpdatedAt          time.Time `json:"updatedAt"`
}

// MaxApprovalsRequired bounds the approvals a policy may ask for.
const MaxApprovalsRequired = 10

// defaultPolicy is what an organisation that never set one has: off.
func defaultPolicy() *ReviewPolicy {
	return &ReviewPolicy{ProtectReleased: true, TagIDs: []int64{}, ApprovalsRequired: 1}
}

// Protects reports whether an agent with this stage and these tags is protected.
func (p *ReviewPolicy) Protects(stage string, tagIDs []int64) bool {
	if p == nil || !p.Enabled {
		return false
	}
	if p.ProtectReleased && stage == agentspec.StageReleased {
		return true
	}
	for _, t := range tagIDs {
		if slices.Contains(p.TagIDs, t) {
			return true
		}
	}
	return false
}

// ReviewPolicy reads the organisation's policy (the default when none was set).
func (s *Store) ReviewPolicy(ctx context.Context, orgID int64) (*ReviewPolicy, error) {
	return s.reviewPolicy(ctx, s.DB, orgID)
}

func (s *Store) reviewPolicy(ctx context.Context, idb bun.IDB, orgID int64) (*ReviewPolicy, error) {
	p := defaultPolicy()
	err := idb.NewRaw(`SELECT enabled, protect_released, tag_ids, approvals_required, allow_self_approval, sync_unprotected_now, updated_at
		FROM review_policies WHERE org_id = ?`, orgID).Scan(ctx, &p.Enabled, &p.ProtectReleased, pgdialect.Array(&p.TagIDs),
		&p.ApprovalsRequired, &p.AllowSelfApproval, &p.SyncUnprotectedNow, &p.UpdatedAt)
	if err != nil && notFound(err) != ErrNotFound {
		return nil, fmt.Errorf("db: review policy: %w", err)
	}
	if p.TagIDs == nil {
		p.TagIDs = []int64{}
	}
	return p, nil
}

// SetReviewPolicy stores the organisation's policy (admins only); tags must be the
// organisation's.
func (s *Store) SetReviewPolicy(ctx context.Context, actor *Actor, p ReviewPolicy) (*ReviewPolicy, error) {
	if !actor.Can(PermAdmin) {
		return nil, &ReviewDenied{Message: "Unauthorized: User is not an admin in this organization"}
	}
	if p.ApprovalsRequired < 1 || p.ApprovalsRequired > MaxApprovalsRequired {
		return nil, invalid(Issue{Message: fmt.Sprintf("Number must be between 1 and %d", MaxApprovalsRequired), Path: []any{"approvalsRequired"}})
	}
	if len(p.TagIDs) > maxIDs {
		return nil, invalid(Issue{Message: fmt.Sprintf("Array must contain at most %d element(s)", maxIDs), Path: []any{"tagIds"}})
	}
	if p.TagIDs == nil {
		p.TagIDs = []int64{}
	}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var found []int64
		if len(p.TagIDs) > 0 {
			if err := tx.NewRaw("SELECT id FROM tags WHERE org_id = ? AND id = ANY(?)", actor.OrgID, pgdialect.Array(p.TagIDs)).Scan(ctx, &found); err != nil {
				return err
			}
		}
		for i, id := range p.TagIDs {
			if !slices.Contains(found, id) {
				return invalid(Issue{Message: fmt.Sprintf("Tag %d does not belong to this organization", id), Path: []any{"tagIds", i}})
			}
		}
		_, err := tx.NewRaw(`INSERT INTO review_policies (org_id, enabled, protect_released, tag_ids, approvals_required, allow_self_approval, sync_unprotected_now, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, now())
			ON CONFLICT (org_id) DO UPDATE SET enabled = EXCLUDED.enabled, protect_released = EXCLUDED.protect_released,
				tag_ids = EXCLUDED.tag_ids, approvals_required = EXCLUDED.approvals_required,
				allow_self_approval = EXCLUDED.allow_self_approval, sync_unprotected_now = EXCLUDED.sync_unprotected_now, updated_at = now()`,
			actor.OrgID, p.Enabled, p.ProtectReleased, pgdialect.Array(p.TagIDs), p.ApprovalsRequired, p.AllowSelfApproval, p.SyncUnprotectedNow).Exec(ctx)
		if err != nil {
			return fmt.Errorf("db: set review policy: %w", err)
		}
		state := "off"
		if p.Enabled {
			state = fmt.Sprintf("on (released: %t, tags: %v, approvals: %d, self-approval: %t, unprotected agents sync at once: %t)",
				p.ProtectReleased, p.TagIDs, p.ApprovalsRequired, p.AllowSelfApproval, p.SyncUnprotectedNow)
		}
		return s.Audit(ctx, tx, actor, "review_policy.updated", AuditOrganization, actor.OrgID, "review policy "+state)
	})
	if err != nil {
		return nil, err
	}
	return s.ReviewPolicy(ctx, actor.OrgID)
}

// maxIDs bounds a list of ids (the README's 200).
const maxIDs = 200

// ReviewDenied refuses a review action the actor may not take (403).
type ReviewDenied struct{ Message string }

func (e *ReviewDenied) Error() string { return e.Message }

// ReviewStateError refuses an action the request's state does not allow (409): it is
// merged or closed, lacks approvals, or its merge collides with the live agent.
type ReviewStateError struct {
	Message   string
	Conflicts []MergeConflict // a blocked merge: the paths both sides changed
	// Protected names the agents an operation over many would have changed (refuseProtected);
	// Details has one entry per such agent the request named (path ["agentIds", i]).
	Protected []AgentLink
	Details   []Issue
}

func (e *ReviewStateError) Error() string { return e.Message }

// ReviewRequired is what a change to a protected agent answers instead of changing it:
// the change request it opened (Request, set once stored).
type ReviewRequired struct {
	AgentID       int64
	Kind          string          // ChangeEdit, ChangeDelete, ChangeRestore
	Proposed      json.RawMessage // the agent as the change would leave it (edit)
	BaseVersionID *int64
	Title         string
	Message       string
	Request       *ChangeRequest
	// Synced (a sync request under SyncUnprotectedNow): the unprotected agents synced at once.
	Synced *SyncResult
}

func (e *ReviewRequired) Error() string {
	if e.Kind == ChangeSync {
		return "db: the sync affects agents protected by the review policy: change request opened"
	}
	return fmt.Sprintf("db: agent %d is protected by the review policy: change request opened", e.AgentID)
}

// Kinds of change request.
const (
	ChangeEdit    = "edit"
	ChangeDelete  = "delete"
	ChangeRestore = "restore"
	ChangeSync    = "sync" // the organisation's tool sync (no agent)
	ChangeCard    = "card" // an external agent's fetched card, pending
)

// FleetName names a sync request's subject where an agent's name would be.
const FleetName = "All agents"

// reviewGate answers a ReviewRequired when the policy protects the agent before or
// after the change (so removing the protecting tag, or publishing, is reviewed too).
func (s *Store) reviewGate(ctx context.Context, tx bun.IDB, orgID int64, beforeStage string, beforeTags []int64, after *Agent) (*ReviewPolicy, bool, error) {
	pol, err := s.reviewPolicy(ctx, tx, orgID)
	if err != nil {
		return nil, false, err
	}
	protected := pol.Protects(beforeStage, beforeTags) || (after != nil && pol.Protects(after.Stage, after.TagIDs))
	return pol, protected, nil
}

// proposing runs fn in a transaction; when fn answered ReviewRequired (nothing was
// written), the change request is stored in a transaction of its own and returned in
// the error.
func (s *Store) proposing(ctx context.Context, actor *Actor, fn func(ctx context.Context, tx bun.Tx) error) error {
	err := s.InTx(ctx, fn)
	var rr *ReviewRequired
	if err == nil || !errors.As(err, &rr) || rr.Request != nil {
		return err
	}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		cr, err := s.openChangeRequest(ctx, tx, actor, rr)
		rr.Request = cr
		return err
	})
	if err != nil {
		return err
	}
	return rr
}

// CanApprove reports whether the actor may approve change requests: reviewers and
// admins, and builders an admin granted it to.
func (s *Store) CanApprove(ctx context.Context, actor *Actor) (bool, error) {
	return s.canApprove(ctx, s.DB, actor)
}

func (s *Store) canApprove(ctx context.Context, idb bun.IDB, actor *Actor) (bool, error) {
	if actor == nil {
		return false, nil
	}
	if actor.Role == RoleAdmin || actor.Role == RoleReviewer {
		return true, nil
	}
	var ok bool
	err := idb.NewRaw("SELECT can_approve FROM memberships WHERE org_id = ? AND user_id = ?", actor.OrgID, actor.UserID).Scan(ctx, &ok)
	if err != nil && notFound(err) != ErrNotFound {
		return false, err
	}
	return ok, nil
}

// SetApprover grants or takes back the approve permission of a member (admins only).
func (s *Store) SetApprover(ctx context.Context, actor *Actor, userID int64, on bool) error {
	if !actor.Can(PermAdmin) {
		return &ReviewDenied{Message: "Unauthorized: User is not an admin in this organization"}
	}
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var email string
		err := tx.NewRaw(`UPDATE memberships m SET can_approve = ? FROM users u WHERE u.id = m.user_id AND m.org_id = ? AND m.user_id = ? RETURNING u.email`,
			on, actor.OrgID, userID).Scan(ctx, &email)
		if err != nil {
			return fmt.Errorf("db: member %d: %w", userID, notFound(err))
		}
		return s.Audit(ctx, tx, actor, "member.approver_changed", AuditUser, userID, fmt.Sprintf("%s may approve change requests: %t", email, on))
	})
}

// Approvers lists the organisation's builders with their approve flag (the policy page).
func (s *Store) Approvers(ctx context.Context, orgID int64) ([]Approver, error) {
	out := []Approver{}
	err := s.DB.NewRaw(`SELECT u.id, u.email, u.name, m.can_approve FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? AND m.role = 'builder' AND m.deactivated_at IS NULL ORDER BY lower(u.email)`, orgID).Scan(ctx, &out)
	return out, err
}

// Approver is a builder and whether they may approve.
type Approver struct {
	UserID     int64  `bun:"id"`
	Email      string `bun:"email"`
	Name       string `bun:"name"`
	CanApprove bool   `bun:"can_approve"`
}

// checkReview is the save path's gate: a change to an agent the policy protects
// (before or after it) is refused with ReviewRequired, carrying the proposed agent.
func (s *Store) checkReview(ctx context.Context, tx bun.IDB, actor *Actor, beforeStage string, beforeTags []int64, a *Agent, before, after []byte, title string, message *string) error {
	_, protected, err := s.reviewGate(ctx, tx, actor.OrgID, beforeStage, beforeTags, a)
	if err != nil || !protected {
		return err
	}
	if strings.TrimSpace(title) == "" {
		title = a.Name + ": " + changeSummary(before, after)
	}
	rr := &ReviewRequired{AgentID: a.ID, Kind: ChangeEdit, Proposed: proposal(a), BaseVersionID: a.PublishedVersionID, Title: title}
	if message != nil {
		rr.Message = *message
	}
	return rr
}

// checkDeletion is the gate of delete and restore: a protected agent's deletion or
// restoration becomes a change request of that kind.
func (s *Store) checkDeletion(ctx context.Context, tx bun.Tx, actor *Actor, id int64, kind string) error {
	a := new(Agent)
	where := "a.deleted_at IS NULL"
	if kind == ChangeRestore {
		where = "a.deleted_at IS NOT NULL"
	}
	err := tx.NewSelect().Model(a).ColumnExpr(agentColumns).Where("a.id = ? AND a.org_id = ? AND "+where, id, actor.OrgID).Scan(ctx)
	if err != nil {
		return fmt.Errorf("db: %s agent %d: %w", kind, id, notFound(err))
	}
	if err := s.loadTags(ctx, tx, []*Agent{a}); err != nil {
		return err
	}
	_, protected, err := s.reviewGate(ctx, tx, actor.OrgID, a.Stage, a.TagIDs, nil)
	if err != nil || !protected {
		return err
	}
	verb := "Delete "
	if kind == ChangeRestore {
		verb = "Restore "
	}
	return &ReviewRequired{AgentID: a.ID, Kind: kind, BaseVersionID: a.PublishedVersionID, Title: verb + a.Name}
}
