package db

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"agentconsole/db/agentspec"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// The writers of agent_versions: one row from a whole agent (every save), or one
// derived row per agent in a single statement (bulk tagging, card refresh, capability).
// SyncTools writes its versions inside its own statement.

// appendVersion records the agent as it now is and points publishedVersionId at it.
// The snapshot is stored by reference (migration 003): unchanged parts cost nothing.
func (s *Store) appendVersion(ctx context.Context, tx bun.Tx, actor *Actor, a *Agent, source, summary string, message *string) error {
	if err := checkVersionSource(source); err != nil {
		return err
	}
	fields, prompt, tools := splitSnapshot(a)
	var versionID int64
	err := tx.NewRaw(`INSERT INTO agent_versions (org_id, agent_id, number, source, author_user_id, author_token_id, author, summary,
			fields_ref, prompt_ref, tools_ref, message)
		VALUES (?, ?, (SELECT coalesce(max(number), 0) + 1 FROM agent_versions WHERE agent_id = ?), ?, ?, ?, ?, ?,
			agent_blob_put(?::jsonb), agent_blob_put(?::jsonb), agent_tools_put(?::jsonb), ?)
		RETURNING id`, a.OrgID, a.ID, a.ID, source, nonZero(actor.UserID), nonZero(actor.TokenID), actor.Label(), summary,
		string(fields), string(prompt), string(tools), message).Scan(ctx, &versionID)
	if err != nil {
		return fmt.Errorf("db: append version of agent %d: %w", a.ID, err)
	}
	if err := tx.NewRaw("UPDATE agents SET published_version_id = ? WHERE id = ? RETURNING updated_at", versionID, a.ID).Scan(ctx, &a.UpdatedAt); err != nil {
		return err
	}
	a.PublishedVersionID = &versionID
	return nil
}

// splitSnapshot cuts the snapshot into the three stored parts: every field but the
// prompt and tools, the prompt, and the tools map.
func splitSnapshot(a *Agent) (fields, prompt, tools []byte) {
	var m map[string]json.RawMessage
	json.Unmarshal(snapshot(a), &m)
	prompt, tools = m["systemPrompt"], m["tools"]
	// Bookkeeping is not content: leave it out of the stored fields (every version has them
	// zeroed), which keeps the per-version blob small.
	for _, k := range []string{"systemPrompt", "tools", "createdAt", "updatedAt", "deletedAt", "publishedVersionId"} {
		delete(m, k)
	}
	fields, _ = json.Marshal(m)
	return fields, prompt, tools
}

// appendDerivedVersions appends one version to each agent in ids, derived from its
// previous version: fieldsExpr and toolsExpr are SQL for the new references (prev.*,
// f.body — the previous fields — and a.* are in scope). One statement.
func (s *Store) appendDerivedVersions(ctx context.Context, tx bun.Tx, actor *Actor, ids []int64, source, summary, fieldsExpr, toolsExpr string) error {
	if err := checkVersionSource(source); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.NewRaw(`WITH v AS (
			INSERT INTO agent_versions (org_id, agent_id, number, source, author_user_id, author_token_id, author, summary, fields_ref, prompt_ref, tools_ref)
			SELECT a.org_id, a.id, prev.number + 1, ?, ?, ?, ?, ?, `+fieldsExpr+`, prev.prompt_ref, `+toolsExpr+`
			FROM agents a
			JOIN agent_versions prev ON prev.id = a.published_version_id
			JOIN agent_blobs f ON f.hash = prev.fields_ref
			WHERE a.id = ANY(?) AND a.org_id = ?
			RETURNING agent_id, id)
		UPDATE agents a SET published_version_id = v.id, updated_at = now() FROM v WHERE a.id = v.agent_id`,
		source, nonZero(actor.UserID), nonZero(actor.TokenID), actor.Label(), summary, pgdialect.Array(ids), actor.OrgID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: versions for %s: %w", source, err)
	}
	return nil
}

// appendTagVersions records a new version for agents whose tags changed: the new
// fields blob is the previous one with tagIds replaced, so nothing else is rewritten.
func (s *Store) appendTagVersions(ctx context.Context, tx bun.Tx, actor *Actor, agentIDs []int64, summary string) error {
	return s.appendDerivedVersions(ctx, tx, actor, agentIDs, SourceTags, summary,
		`agent_blob_put(jsonb_set(f.body, '{tagIds}', (SELECT coalesce(jsonb_agg(at.tag_id ORDER BY at.tag_id), '[]'::jsonb) FROM agent_tags at WHERE at.agent_id = a.id)))`,
		"prev.tools_ref")
}

// checkVersionSource refuses a source the History filter does not offer
// (agentspec.VersionSources), so a new kind of version cannot be written unlisted.
func checkVersionSource(source string) error {
	if !slices.Contains(agentspec.VersionSources, source) {
		return fmt.Errorf("db: version source %q is not in agentspec.VersionSources", source)
	}
	return nil
}
