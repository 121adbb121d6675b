package db

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// Operations over many agents and the review policy. A change request holds one agent's
// change, so an operation that would change several agents at once (bulk actions and
// tagging, deleting an agent with its references, deleting a tag, a knowledge base or an
// MCP server) cannot become one: while it would change a protected agent it is refused
// as a whole (409, nothing changed), naming those agents, and the person changes them
// one by one, each change proposing a request. Unprotected agents are unaffected.

// protectedChange says what an operation does to the agents refuseProtected checks.
type protectedChange struct {
	What     string  // the verb for the message: "publish", "tag", …
	AddedTag int64   // a tag the operation adds (0: none)
	Stage    string  // the stage it leaves them in ("": theirs); agents already there do not change
	Model    string  // the model it sets ("": none); agents already on it do not change
	Instead  string  // what to do instead, {them} naming the agents ("": What {them} one by one from the editor)
	Request  []int64 // the request's agentIds, so each refusal names its index there
}

// refuseProtected refuses an operation over many agents (bulk tagging, skill roles)
// that would change a protected one: those changes go through the agent's editor.
func (s *Store) refuseProtected(ctx context.Context, tx bun.Tx, orgID int64, ids []int64, what string, addedTag int64) error {
	return s.refuseProtectedChange(ctx, tx, orgID, ids, protectedChange{What: what, AddedTag: addedTag})
}

// refuseProtectedChange answers a ReviewStateError naming every agent of ids the policy
// protects before the change or would protect after it; nil when there is none or the
// policy is off.
func (s *Store) refuseProtectedChange(ctx context.Context, tx bun.Tx, orgID int64, ids []int64, ch protectedChange) error {
	pol, err := s.reviewPolicy(ctx, tx, orgID)
	if err != nil || !pol.Enabled || len(ids) == 0 {
		return err
	}
	var rows []struct {
		AgentLink
		Stage string  `bun:"stage"`
		Model string  `bun:"model"`
		Tags  []int64 `bun:"tags,array"`
	}
	if err := tx.NewRaw(`SELECT a.id, a.uuid, a.name, a.deleted_at IS NOT NULL AS deleted, a.stage, coalesce(a.model, '') AS model,
			coalesce(array_agg(at.tag_id) FILTER (WHERE at.tag_id IS NOT NULL), '{}') AS tags
		FROM agents a LEFT JOIN agent_tags at ON at.agent_id = a.id WHERE a.org_id = ? AND a.id = ANY(?) GROUP BY a.id ORDER BY a.id`,
		orgID, pgdialect.Array(ids)).Scan(ctx, &rows); err != nil {
		return fmt.Errorf("db: review policy over agents: %w", err)
	}
	var protected []AgentLink
	for _, r := range rows {
		if (ch.Stage != "" && r.Stage == ch.Stage) || (ch.Model != "" && r.Model == ch.Model) {
			continue // the operation leaves this agent as it is
		}
		after := r.Stage
		if ch.Stage != "" {
			after = ch.Stage
		}
		if pol.Protects(r.Stage, r.Tags) || pol.Protects(after, append(slices.Clone(r.Tags), ch.AddedTag)) {
			protected = append(protected, r.AgentLink)
		}
	}
	if len(protected) == 0 {
		return nil
	}
	return protectedRefusal(protected, ch)
}

// protectedRefusal is the 409 of an operation that would change protected agents: the
// message names them (the first ten), Details each one at its index in the request.
func protectedRefusal(protected []AgentLink, ch protectedChange) *ReviewStateError {
	names := make([]string, 0, 10)
	for i, a := range protected {
		if i == 10 {
			names = append(names, fmt.Sprintf("%d more", len(protected)-10))
			break
		}
		names = append(names, fmt.Sprintf("“%s” (%d)", Shorten(a.Name), a.ID))
	}
	subject := "Agent " + names[0] + " is"
	if len(protected) > 1 {
		subject = "Agents " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " are"
	}
	instead := ch.Instead
	if instead == "" {
		instead = ch.What + " {them} one by one from the editor, which proposes a change request"
	}
	them := "them"
	if len(protected) == 1 {
		them = "it"
	}
	instead = strings.ReplaceAll(instead, "{them}", them)
	e := &ReviewStateError{Message: subject + " protected by the review policy: " + instead + ".", Protected: protected}
	for _, a := range protected {
		if i := slices.Index(ch.Request, a.ID); i >= 0 {
			e.Details = append(e.Details, Issue{Message: fmt.Sprintf("Agent “%s” (%d) is protected by the review policy", Shorten(a.Name), a.ID), Path: []any{"agentIds", i}})
		}
	}
	return e
}
