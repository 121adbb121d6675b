package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
)

// BulkRequest is a bulk action on agents chosen in the list (agentspec.BulkActions):
// Model is the new model of changeModel.
type BulkRequest struct {
	Action   string
	AgentIDs []int64
	Model    string
}

// BulkResult says what a bulk action did: the agents it changed, in id order (an agent
// already in the wanted state is not changed, as the single action would not change it).
type BulkResult struct {
	Action   string
	Selected int
	Changed  []int64
}

// BulkPermission is the permission a bulk action needs (as its single action does).
func BulkPermission(action string) Permission {
	if action == agentspec.BulkDelete || action == agentspec.BulkRestore {
		return PermAgentsDelete
	}
	return PermAgentsUpdate
}

// bulkAuditKey marks a context whose saves are audited once, by the bulk action.
type bulkAuditKey struct{}

// auditedByBulk says whether saveAgent leaves its audit entry to the bulk action.
func auditedByBulk(ctx context.Context) bool { return ctx.Value(bulkAuditKey{}) != nil }

// bulkAgent is a selected agent, locked for the bulk action.
type bulkAgent struct {
	ID      int64  `bun:"id"`
	Name    string `bun:"name"`
	Model   string `bun:"model"`
	Deleted bool   `bun:"deleted"`
}

// BulkAgents runs a bulk action on agents of the organisation, all or nothing in one
// transaction: publish and changeModel save each agent through the one save path (a
// version per agent the single action would version), delete and restore are one
// statement each. Any agent that cannot take the action refuses the whole request,
// naming the agent. One audit entry records the bulk action.
func (s *Store) BulkAgents(ctx context.Context, actor *Actor, req BulkRequest) (*BulkResult, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	ids := dedupe(req.AgentIDs)
	res := &BulkResult{Action: req.Action, Selected: len(ids), Changed: []int64{}}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Lock the agents first, in id order, as SaveAgent and BulkTag do.
		var rows []bulkAgent
		if err := tx.NewRaw("SELECT id, name, model, deleted_at IS NOT NULL AS deleted FROM agents WHERE org_id = ? AND id = ANY(?) ORDER BY id FOR UPDATE",
			actor.OrgID, pgdialect.Array(ids)).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("db: bulk %s: %w", req.Action, err)
		}
		if err := bulkCheckAgents(req, ids, rows); err != nil {
			return err
		}
		if err := s.refuseProtectedChange(ctx, tx, actor.OrgID, ids, bulkProtectedChange(req, ids)); err != nil {
			return err
		}
		var err error
		switch req.Action {
		case agentspec.BulkDelete:
			err = tx.NewRaw("UPDATE agents SET deleted_at = now(), deleted_by = ?, updated_at = now() WHERE org_id = ? AND id = ANY(?) AND deleted_at IS NULL RETURNING id",
				actor.Label(), actor.OrgID, pgdialect.Array(ids)).Scan(ctx, &res.Changed)
		case agentspec.BulkRestore:
			err = tx.NewRaw("UPDATE agents SET deleted_at = NULL, deleted_by = NULL, updated_at = now() WHERE org_id = ? AND id = ANY(?) AND deleted_at IS NOT NULL RETURNING id",
				actor.OrgID, pgdialect.Array(ids)).Scan(ctx, &res.Changed)
		default:
			res.Changed, err = s.bulkSave(context.WithValue(ctx, bulkAuditKey{}, true), tx, actor, req, ids, rows)
		}
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, bulkAuditActions[req.Action], AuditAgent, 0, bulkSummary(req, res, rows))
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// bulkProtectedChange is what the bulk action does to protected agents: refused as a
// whole when it would change any (a change request holds one agent's change).
func bulkProtectedChange(req BulkRequest, ids []int64) protectedChange {
	ch := protectedChange{Request: ids, What: map[string]string{agentspec.BulkPublish: "publish", agentspec.BulkDelete: "delete",
		agentspec.BulkRestore: "restore", agentspec.BulkChangeModel: "change the model of"}[req.Action]}
	switch req.Action {
	case agentspec.BulkPublish:
		ch.Stage = agentspec.StageReleased
	case agentspec.BulkChangeModel:
		ch.Model = strings.TrimSpace(req.Model)
	}
	return ch
}

// bulkAuditActions names the audit entry of each bulk action.
var bulkAuditActions = map[string]string{
	agentspec.BulkPublish: "agent.bulk_published", agentspec.BulkDelete: "agent.bulk_deleted",
	agentspec.BulkRestore: "agent.bulk_restored", agentspec.BulkChangeModel: "agent.bulk_model_changed",
}

// check refuses a request before anything is read: its action, selection and model.
// (Handlers check BulkPermission first, as for every other change.)
func (req BulkRequest) check() error {
	if !agentspec.OneOf(req.Action, agentspec.BulkActions) {
		return invalid(Issue{Message: "Invalid enum value. Expected '" + strings.Join(agentspec.BulkActions, "' | '") + "', received '" + Shorten(req.Action) + "'", Path: []any{"action"}})
	}
	switch {
	case len(req.AgentIDs) == 0:
		return invalid(Issue{Message: "Select at least one agent", Path: []any{"agentIds"}})
	case len(req.AgentIDs) > MaxBulkAgents:
		return invalid(Issue{Message: tooMany(MaxBulkAgents), Path: []any{"agentIds"}})
	}
	switch model := strings.TrimSpace(req.Model); {
	case len(req.Model) > MaxModelIDLen:
		return invalid(Issue{Message: tooLong(MaxModelIDLen), Path: []any{"model"}})
	case req.Action == agentspec.BulkChangeModel && model == "":
		return invalid(Issue{Message: "Required", Path: []any{"model"}})
	}
	return nil
}

// bulkCheckAgents refuses a selection naming an agent of another organisation (or none),
// or one the action cannot apply to: restoring a live agent, anything else on a deleted
// one (as the single actions answer "not found").
func bulkCheckAgents(req BulkRequest, ids []int64, rows []bulkAgent) error {
	byID := make(map[int64]bulkAgent, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	var issues []Issue
	for i, id := range ids {
		r, ok := byID[id]
		switch {
		case !ok:
			issues = append(issues, Issue{Message: fmt.Sprintf("Agent %d does not belong to this organization", id), Path: []any{"agentIds", i}})
		case req.Action == agentspec.BulkRestore && !r.Deleted:
			issues = append(issues, Issue{Message: fmt.Sprintf("Agent “%s” (%d) is not deleted", Shorten(r.Name), id), Path: []any{"agentIds", i}})
		case req.Action != agentspec.BulkRestore && r.Deleted:
			issues = append(issues, Issue{Message: fmt.Sprintf("Agent “%s” (%d) is deleted: restore it first", Shorten(r.Name), id), Path: []any{"agentIds", i}})
		}
	}
	if len(issues) > 0 {
		return invalid(issues...)
	}
	return nil
}

// bulkSave saves each agent through the one save path (validation, version, card) as
// the single publish or model change does; the first agent refused refuses all, its
// issues named by the agent. It answers the agents that changed.
func (s *Store) bulkSave(ctx context.Context, tx bun.Tx, actor *Actor, req BulkRequest, ids []int64, rows []bulkAgent) ([]int64, error) {
	names, models := make(map[int64]string, len(rows)), make(map[int64]string, len(rows))
	for _, r := range rows {
		names[r.ID], models[r.ID] = r.Name, r.Model
	}
	changed := []int64{}
	for i, id := range ids {
		p, source, summary := &AgentPatch{ID: Some(id), Stage: Some(agentspec.StageReleased)}, SourcePublish, ""
		if req.Action == agentspec.BulkChangeModel {
			model := strings.TrimSpace(req.Model)
			p, source = &AgentPatch{ID: Some(id), Model: Some(model)}, SourceUpdate
			summary = bulkModelSummary(models[id], model)
		}
		o, err := s.saveAgent(ctx, tx, actor, p, source, summary)
		if ve, ok := err.(*ValidationError); ok {
			return nil, bulkRefusal(ve, i, id, names[id])
		}
		if rr, ok := err.(*ReviewRequired); ok { // refuseProtectedChange let none through; never a 500
			return nil, protectedRefusal([]AgentLink{{ID: rr.AgentID, Name: names[id]}}, bulkProtectedChange(req, ids))
		}
		if err != nil {
			return nil, fmt.Errorf("db: bulk %s agent %d: %w", req.Action, id, err)
		}
		if !o.Unchanged {
			changed = append(changed, id)
		}
	}
	return changed, nil
}

// bulkModelSummary is a bulk model change's version summary: the history says what
// happened to the agent and that it was one of a bulk change, not a plain "changed Model"
// (the form the card refresh's "card refreshed: …" and a clone's summary take).
func bulkModelSummary(from, to string) string {
	if from == "" {
		return "bulk model change: model set to " + Shorten(to)
	}
	return "bulk model change: " + Shorten(from) + " → " + Shorten(to)
}

// bulkRefusal names the agent in each issue of its refusal: “Name” (id): message, at
// agentIds[i] followed by the field's own path.
func bulkRefusal(ve *ValidationError, i int, id int64, name string) *ValidationError {
	details := ve.Details
	if len(details) == 0 {
		details = []Issue{{Message: ve.Message}}
	}
	out := make([]Issue, len(details))
	for j, d := range details {
		out[j] = Issue{Message: fmt.Sprintf("Agent “%s” (%d): %s", Shorten(name), id, d.Message), Path: append([]any{"agentIds", i}, d.Path...)}
	}
	return invalid(out...)
}

// bulkSummary is the audit entry's text: what was done to how many, and which (the
// first ten by name).
func bulkSummary(req BulkRequest, res *BulkResult, rows []bulkAgent) string {
	verb := map[string]string{agentspec.BulkPublish: "published", agentspec.BulkDelete: "deleted",
		agentspec.BulkRestore: "restored", agentspec.BulkChangeModel: "set model " + Shorten(strings.TrimSpace(req.Model)) + " on"}[req.Action]
	changed := make(map[int64]bool, len(res.Changed))
	for _, id := range res.Changed {
		changed[id] = true
	}
	var names []string
	for _, r := range rows {
		if changed[r.ID] && len(names) < 10 {
			names = append(names, Shorten(r.Name))
		}
	}
	out := fmt.Sprintf("%s %d of %s", verb, len(res.Changed), count(res.Selected, "selected agent", "selected agents"))
	if len(names) > 0 {
		out += ": " + strings.Join(names, ", ")
		if len(res.Changed) > len(names) {
			out += fmt.Sprintf(" and %d more", len(res.Changed)-len(names))
		}
	}
	return out
}
