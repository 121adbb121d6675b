package db

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"
)

// Fleet-wide operations under the review policy (issue 19): a tool sync that affects a
// protected agent becomes the organisation's one sync request, whose proposal is the
// sync preview; a refresh that changes a protected external agent's card becomes that
// agent's one card request, holding the fetched card as pending. Both are ordinary
// change requests (reviews, comments, approvals bound to the content hash, merge).

// syncStateSQL hashes what a sync would act on: every catalog tool's definition (and
// whether it left the catalog) and each affected agent with its live version. An
// approval of a sync binds to it, so a catalog load or a save of any affected agent
// after the approval makes the request stale.
const syncStateSQL = `SELECT encode(sha256(convert_to(
	coalesce((SELECT string_agg(c.name || '=' || coalesce(encode(c.definition_ref, 'hex'), '') || coalesce('-' || c.removed_at::text, ''), ',' ORDER BY c.name)
		FROM catalog_tools c), '')
	|| '|' ||
	coalesce((SELECT string_agg(a.id || '@' || coalesce(a.published_version_id, 0), ',' ORDER BY a.id)
		FROM agents a WHERE a.org_id = ? AND a.deleted_at IS NULL AND ` + agentOutdated + `), ''), 'UTF8')), 'hex')`

// syncHash is the content hash of a sync request over the current state.
func (s *Store) syncHash(ctx context.Context, idb bun.IDB, orgID int64) (string, error) {
	var state string
	if err := idb.NewRaw(syncStateSQL, orgID).Scan(ctx, &state); err != nil {
		return "", fmt.Errorf("db: sync state: %w", err)
	}
	return contentHash(ChangeSync, 0, []byte(state)), nil
}

// syncScope sorts the agents a sync would change under the policy: whether any is
// protected, and the ids of the unprotected ones.
func (s *Store) syncScope(ctx context.Context, idb bun.IDB, orgID int64) (*ReviewPolicy, bool, []int64, error) {
	pol, err := s.reviewPolicy(ctx, idb, orgID)
	if err != nil || !pol.Enabled {
		return pol, false, nil, err
	}
	var rows []struct {
		ID    int64   `bun:"id"`
		Stage string  `bun:"stage"`
		Tags  []int64 `bun:"tags,array"`
	}
	if err := idb.NewRaw(`SELECT a.id, a.stage, array(SELECT at.tag_id FROM agent_tags at WHERE at.agent_id = a.id) AS tags
		FROM agents a WHERE a.org_id = ? AND a.deleted_at IS NULL AND `+agentOutdated+` ORDER BY a.id`, orgID).Scan(ctx, &rows); err != nil {
		return nil, false, nil, fmt.Errorf("db: sync protection: %w", err)
	}
	gated, unprotected := false, []int64{}
	for _, r := range rows {
		if pol.Protects(r.Stage, r.Tags) {
			gated = true
		} else {
			unprotected = append(unprotected, r.ID)
		}
	}
	return pol, gated, unprotected, nil
}

// SyncNeedsReview reports whether "Sync all agents" would open a change request now,
// and the organisation's open sync request (0 when none).
func (s *Store) SyncNeedsReview(ctx context.Context, orgID int64) (bool, int64, error) {
	_, gated, _, err := s.syncScope(ctx, s.DB, orgID)
	if err != nil {
		return false, 0, err
	}
	var id int64
	err = s.DB.NewRaw(`SELECT coalesce(max(id), 0) FROM change_requests WHERE org_id = ? AND kind = 'sync'
		AND status IN ('open', 'approved', 'changes_requested')`, orgID).Scan(ctx, &id)
	return gated, id, err
}

// syncGate opens or updates the sync request when the sync affects a protected agent
// (the caller holds the sync lock); nil when the sync may run. When the policy lets
// unprotected agents sync at once, they are synced first (synced), so the request's
// preview and hash cover only what waits.
func (s *Store) syncGate(ctx context.Context, tx bun.Tx, actor *Actor) (cr *ChangeRequest, synced *SyncResult, err error) {
	pol, gated, unprotected, err := s.syncScope(ctx, tx, actor.OrgID)
	if err != nil || !gated {
		return nil, nil, err
	}
	if pol.SyncUnprotectedNow && len(unprotected) > 0 {
		if synced, err = s.runSync(ctx, tx, actor, unprotected); err != nil {
			return nil, nil, err
		}
	}
	p, err := s.previewSync(ctx, tx, actor.OrgID)
	if err != nil {
		return nil, nil, err
	}
	hash, err := s.syncHash(ctx, tx, actor.OrgID)
	if err != nil {
		return nil, nil, err
	}
	proposed, _ := json.Marshal(p)
	title := fmt.Sprintf("Sync %s to the latest tool schemas", count(len(p.Agents), "agent", "agents"))
	cr, err = s.upsertFleetRequest(ctx, tx, actor, ChangeSync, 0, title, proposed, hash)
	return cr, synced, err
}

// upsertFleetRequest opens a sync or card request, or updates the open one (at most
// one per organisation or agent, by a unique index): a new proposal changes its
// content hash, so earlier approvals go stale and the request is open again.
func (s *Store) upsertFleetRequest(ctx context.Context, tx bun.Tx, actor *Actor, kind string, agentID int64, title string, proposed json.RawMessage, hash string) (*ChangeRequest, error) {
	var open struct {
		ID   int64  `bun:"id"`
		Hash string `bun:"content_hash"`
	}
	err := tx.NewRaw(`SELECT id, content_hash FROM change_requests WHERE org_id = ? AND kind = ? AND agent_id IS NOT DISTINCT FROM ?
		AND status IN ('open', 'approved', 'changes_requested') FOR UPDATE`, actor.OrgID, kind, nonZero(agentID)).Scan(ctx, &open)
	if err != nil && notFound(err) != ErrNotFound {
		return nil, err
	}
	if open.ID == 0 {
		var id int64
		if err := tx.NewRaw(`INSERT INTO change_requests (org_id, agent_id, kind, title, author_user_id, author, proposed, content_hash)
			VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?) RETURNING id`, actor.OrgID, nonZero(agentID), kind, title,
			nonZero(actor.UserID), actor.Label(), string(proposed), hash).Scan(ctx, &id); err != nil {
			return nil, fmt.Errorf("db: open %s change request: %w", kind, err)
		}
		if err := s.Audit(ctx, tx, actor, "change_request.opened", AuditChangeRequest, id, fmt.Sprintf("#%d %s", id, title)); err != nil {
			return nil, err
		}
		return s.changeRequest(ctx, tx, actor.OrgID, id, false)
	}
	if open.Hash != hash {
		if _, err := tx.NewRaw(`UPDATE change_requests SET title = ?, proposed = ?::jsonb, content_hash = ?, revision = revision + 1, updated_at = now()
			WHERE id = ?`, title, string(proposed), hash, open.ID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("db: update %s change request %d: %w", kind, open.ID, err)
		}
		if err := s.settleStatus(ctx, tx, actor.OrgID, open.ID); err != nil {
			return nil, err
		}
		if err := s.Audit(ctx, tx, actor, "change_request.updated", AuditChangeRequest, open.ID, fmt.Sprintf("#%d %s (proposal brought up to date)", open.ID, title)); err != nil {
			return nil, err
		}
	}
	return s.changeRequest(ctx, tx, actor.OrgID, open.ID, false)
}

// mergeSync runs an approved sync request: refused as stale when the catalog or an
// affected agent changed since it was proposed (what the approvals saw), else the
// unchanged set-based sync, all or nothing in the merge's transaction.
func (s *Store) mergeSync(ctx context.Context, tx bun.Tx, actor *Actor, cr *ChangeRequest) error {
	if !actor.Can(PermAdmin) {
		return &ReviewDenied{Message: "Unauthorized: Only admins can sync agent tools"}
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?, ?)", syncLockKey, actor.OrgID); err != nil {
		return err
	}
	hash, err := s.syncHash(ctx, tx, actor.OrgID)
	if err != nil {
		return err
	}
	if hash != cr.ContentHash {
		return &ReviewStateError{Message: fmt.Sprintf("Change request %d is stale: the tool catalog or an affected agent changed since this sync was proposed. "+
			"Run \"Sync all agents\" again to bring the request up to date, then have it approved again", cr.ID)}
	}
	_, err = s.runSync(ctx, tx, actor, nil)
	return err
}

// SyncRequestStale reports whether an open sync request no longer matches what a
// sync would do now (its page says so; its merge is refused).
func (s *Store) SyncRequestStale(ctx context.Context, orgID int64, cr *ChangeRequest) (bool, error) {
	if cr.Kind != ChangeSync || !cr.Open() {
		return false, nil
	}
	hash, err := s.syncHash(ctx, s.DB, orgID)
	return hash != cr.ContentHash, err
}
