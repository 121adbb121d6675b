package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/uptrace/bun"

	"agentconsole/db/cards"
	"agentconsole/db/catalog"
)

// pendingCard is a card request's proposal: the fetched card as the cache would store
// it once approved.
type pendingCard struct {
	Card        json.RawMessage `json:"card"`
	SpecVersion string          `json:"specVersion"`
	ETag        string          `json:"etag"`
	SourceURL   string          `json:"sourceUrl"`
}

// storePendingCard records a changed card of a protected agent as pending: the card in
// force (agent_cards, skill roles, no version) is untouched; the agent's one open card
// request is opened or updated with the fetched card (a scheduled refresh that fetches
// the same card again leaves it, and its approvals, as they are). The report names the
// roles the rules will apply on approval.
func (s *Store) storePendingCard(ctx context.Context, tx bun.Tx, actor *Actor, a *Agent, cur json.RawMessage, p pendingCard, parsed *a2a.AgentCard,
	report *cards.Report, claimedAt *time.Time, out *RefreshOutcome) error {
	roles, err := s.skillRolesFor(ctx, tx, a.OrgID, parsed, report)
	if err != nil {
		return err
	}
	report.RolesAutoApplied = roles.applied
	if report.RolesAutoApplied == nil {
		report.RolesAutoApplied = []string{}
	}
	proposed, _ := json.Marshal(p)
	title := fmt.Sprintf("%s: new agent card (%s added, %d removed, %d changed)", a.Name,
		count(len(report.SkillsAdded), "skill", "skills"), len(report.SkillsRemoved), len(report.SkillsChanged))
	cr, err := s.upsertFleetRequest(ctx, tx, actor, ChangeCard, a.ID, title, proposed, contentHash(ChangeCard, a.ID, catalog.Canonical(p.Card)))
	if err != nil {
		return err
	}
	report.Pending, report.ChangeRequestID = true, &cr.ID
	// The fetch worked: the failure count (and its backoff) resets; the card does not.
	if _, err := tx.NewRaw("UPDATE agent_cards SET last_error = '', failures = 0 WHERE agent_id = ?", a.ID).Exec(ctx); err != nil {
		return err
	}
	reportJSON, _ := json.Marshal(report)
	if err := tx.NewRaw(`INSERT INTO card_refreshes (org_id, agent_id, by_label, outcome, url, spec_version, old_card, new_card, change_report, claimed_at)
		VALUES (?, ?, ?, 'pending', ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?) RETURNING id`, a.OrgID, a.ID, actor.Label(), p.SourceURL, p.SpecVersion,
		jsonOrNull(cur), string(p.Card), string(reportJSON), claimedAt).Scan(ctx, &out.RefreshID); err != nil {
		return err
	}
	out.Report = report
	return s.Audit(ctx, tx, actor, "agent.card_refresh_pending", "agent", a.ID, fmt.Sprintf("%s: new card held for review in change request #%d", a.Name, cr.ID))
}

// closeCardRequest closes the agent's open card request when the card in force became
// what the host serves (fetched again unchanged, or applied with the policy off).
func (s *Store) closeCardRequest(ctx context.Context, tx bun.Tx, actor *Actor, agentID int64) error {
	return s.closeFleetRequests(ctx, tx, actor, "agent_id = ? AND kind = 'card'", agentID, "the agent's host serves the card in force again")
}

// closeFleetRequests closes the open sync or card requests matching where, saying why
// in the audit log: what they proposed happened, or is no longer to be done.
func (s *Store) closeFleetRequests(ctx context.Context, tx bun.Tx, actor *Actor, where string, arg any, why string) error {
	var ids []int64
	if err := tx.NewRaw(`UPDATE change_requests SET status = 'closed', closed_at = now(), updated_at = now()
		WHERE `+where+` AND status IN ('open', 'approved', 'changes_requested') RETURNING id`, arg).Scan(ctx, &ids); err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.Audit(ctx, tx, actor, "change_request.closed", AuditChangeRequest, id, fmt.Sprintf("#%d closed: %s", id, why)); err != nil {
			return err
		}
	}
	return nil
}

// PendingCardRequest is the agent's open card request (0 when none): the card page
// links to it.
func (s *Store) PendingCardRequest(ctx context.Context, orgID, agentID int64) (int64, error) {
	var id int64
	err := s.DB.NewRaw(`SELECT coalesce(max(id), 0) FROM change_requests WHERE org_id = ? AND agent_id = ? AND kind = 'card'
		AND status IN ('open', 'approved', 'changes_requested')`, orgID, agentID).Scan(ctx, &id)
	return id, err
}

// PendingCardOf reads a card request's proposal and its change against the card in
// force, with the roles a merge now would apply (the request's page).
func (s *Store) PendingCardOf(ctx context.Context, orgID int64, cr *ChangeRequest) (*cards.Report, json.RawMessage, error) {
	var p pendingCard
	if err := json.Unmarshal(cr.Proposed, &p); err != nil {
		return nil, nil, fmt.Errorf("db: proposal of change request %d: %w", cr.ID, err)
	}
	st, err := s.CardState(ctx, orgID, cr.AgentID)
	if err != nil {
		return nil, nil, err
	}
	var old *a2a.AgentCard
	if len(st.Card) > 0 {
		old = new(a2a.AgentCard)
		json.Unmarshal(st.Card, old)
	}
	next := new(a2a.AgentCard)
	if err := json.Unmarshal(p.Card, next); err != nil {
		return nil, nil, err
	}
	rep := cards.Compare(old, next)
	roles, err := s.skillRolesFor(ctx, s.DB, orgID, next, rep)
	if err != nil {
		return nil, nil, err
	}
	rep.RolesAutoApplied = roles.applied
	return rep, p.Card, nil
}

// mergeCard applies an approved card request: the pending card replaces the one in
// force, new skills get the rules' roles, removed skills lose theirs, the history gains
// the refresh and the agent one version (source change_request).
func (s *Store) mergeCard(ctx context.Context, tx bun.Tx, actor *Actor, cr *ChangeRequest) (*int64, error) {
	var p pendingCard
	if err := json.Unmarshal(cr.Proposed, &p); err != nil {
		return nil, fmt.Errorf("db: proposal of change request %d: %w", cr.ID, err)
	}
	a := new(Agent)
	if err := liveAgent(tx, a, actor.OrgID, cr.AgentID).For("UPDATE").Scan(ctx); err != nil {
		return nil, &ReviewStateError{Message: fmt.Sprintf("Agent %d no longer exists", cr.AgentID)}
	}
	var row struct {
		Card json.RawMessage `bun:"card"`
	}
	if err := tx.NewRaw("SELECT card FROM agent_cards WHERE agent_id = ? FOR UPDATE", a.ID).Scan(ctx, &row); err != nil {
		return nil, err
	}
	cur := row.Card
	var old *a2a.AgentCard
	if len(cur) > 0 && string(cur) != "null" {
		old = new(a2a.AgentCard)
		json.Unmarshal(cur, old)
	}
	next := new(a2a.AgentCard)
	if err := json.Unmarshal(p.Card, next); err != nil {
		return nil, err
	}
	report := cards.Compare(old, next)
	report.LastRefresh = time.Now().UTC().Format(time.RFC3339)
	roles, err := s.applySkillRoles(ctx, tx, a, next, report)
	if err != nil {
		return nil, err
	}
	report.RolesAutoApplied = roles
	if _, err := tx.NewRaw(`UPDATE agent_cards SET card = ?::jsonb, spec_version = CASE WHEN ? = '' THEN spec_version ELSE ? END,
			etag = ?, source_url = ?, fetched_at = now(), last_error = '', failures = 0 WHERE agent_id = ?`,
		string(p.Card), p.SpecVersion, p.SpecVersion, p.ETag, p.SourceURL, a.ID).Exec(ctx); err != nil {
		return nil, err
	}
	reportJSON, _ := json.Marshal(report)
	if _, err := tx.NewRaw(`INSERT INTO card_refreshes (org_id, agent_id, by_label, outcome, url, spec_version, old_card, new_card, change_report)
		VALUES (?, ?, ?, 'changed', ?, ?, ?::jsonb, ?::jsonb, ?::jsonb)`, a.OrgID, a.ID, actor.Label(), p.SourceURL, p.SpecVersion,
		jsonOrNull(cur), string(p.Card), string(reportJSON)).Exec(ctx); err != nil {
		return nil, err
	}
	summary := fmt.Sprintf("change request #%d: agent card approved (%s added, %d removed, %d changed)", cr.ID,
		count(len(report.SkillsAdded), "skill", "skills"), len(report.SkillsRemoved), len(report.SkillsChanged))
	if err := s.appendDerivedVersions(ctx, tx, actor, []int64{a.ID}, SourceChangeRequest, summary, "prev.fields_ref", "prev.tools_ref"); err != nil {
		return nil, err
	}
	var versionID int64
	if err := tx.NewRaw("SELECT published_version_id FROM agents WHERE id = ?", a.ID).Scan(ctx, &versionID); err != nil {
		return nil, err
	}
	return &versionID, s.Audit(ctx, tx, actor, "agent.card_refreshed", "agent", a.ID, a.Name+": changed ("+fmt.Sprintf("change request #%d", cr.ID)+")")
}
