package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
	"agentconsole/db/versiondiff"
)

// Version is one immutable entry of an agent's history.
type Version struct {
	ID        int64           `bun:"id" json:"id"`
	AgentID   int64           `bun:"agent_id" json:"agentId"`
	Number    int             `bun:"number" json:"number"`
	Source    string          `bun:"source" json:"source"`
	Author    string          `bun:"author" json:"author"`
	Summary   string          `bun:"summary" json:"summary"`
	Message   *string         `bun:"message" json:"message"` // why, as the save said (null when it said nothing)
	CreatedAt time.Time       `bun:"created_at" json:"createdAt"`
	Snapshot  json.RawMessage `bun:"snapshot" json:"snapshot,omitempty"`
}

// VersionFilter narrows an agent's history.
type VersionFilter struct {
	Source       string
	Author       string
	BeforeNumber int // keyset pagination: versions older than this number
	Limit        int
}

// Versions lists an agent's versions, newest first (without snapshots).
func (s *Store) Versions(ctx context.Context, orgID, agentID int64, f VersionFilter) ([]Version, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	query, args := "SELECT id, agent_id, number, source, author, summary, message, created_at FROM agent_versions WHERE agent_id = ? AND org_id = ?", []any{agentID, orgID}
	if f.Source != "" {
		query, args = query+" AND source = ?", append(args, f.Source)
	}
	if f.Author != "" {
		query, args = query+" AND author = ?", append(args, f.Author)
	}
	if f.BeforeNumber > 0 {
		query, args = query+" AND number < ?", append(args, f.BeforeNumber)
	}
	out := []Version{}
	if err := s.prepared(ctx, s.DB, query+" ORDER BY number DESC LIMIT ?", append(args, f.Limit), &out); err != nil {
		return nil, fmt.Errorf("db: versions of agent %d: %w", agentID, err)
	}
	return out, nil
}

// VersionAuthors lists who has saved the agent (for the history filter).
func (s *Store) VersionAuthors(ctx context.Context, orgID, agentID int64) ([]string, error) {
	out := []string{}
	err := s.prepared(ctx, s.DB, "SELECT DISTINCT author FROM agent_versions WHERE agent_id = ? AND org_id = ? ORDER BY author", []any{agentID, orgID}, &out)
	return out, err
}

const versionColumns = `v.id, v.agent_id, v.number, v.source, v.author, v.summary, v.message, v.created_at,
	agent_snapshot(v.fields_ref, v.prompt_ref, v.tools_ref) AS snapshot`

// Version reads one version whole, snapshot included, in one query.
func (s *Store) Version(ctx context.Context, orgID, versionID int64) (*Version, error) {
	v := new(Version)
	err := s.DB.NewRaw("SELECT "+versionColumns+" FROM agent_versions v WHERE v.id = ? AND v.org_id = ?", versionID, orgID).Scan(ctx, v)
	if err != nil {
		return nil, fmt.Errorf("db: version %d: %w", versionID, notFound(err))
	}
	return v, nil
}

// VersionPair reads two versions of one agent whole, in one query. A zero fromID
// means "the version before to" (or to itself when it is the first).
func (s *Store) VersionPair(ctx context.Context, orgID, agentID, fromID, toID int64) (from, to *Version, err error) {
	var vs []Version
	err = s.prepared(ctx, s.DB, `WITH t AS (SELECT id, number FROM agent_versions WHERE id = ? AND agent_id = ? AND org_id = ?)
		SELECT `+versionColumns+` FROM agent_versions v, t
		WHERE v.agent_id = ? AND v.org_id = ? AND (v.id = t.id OR v.id = ? OR (?::bigint = 0 AND v.number = greatest(t.number - 1, 1)))`,
		[]any{toID, agentID, orgID, agentID, orgID, fromID, fromID}, &vs)
	if err != nil {
		return nil, nil, fmt.Errorf("db: versions %d..%d: %w", fromID, toID, err)
	}
	for i := range vs {
		if vs[i].ID == toID {
			to = &vs[i]
		}
	}
	if to == nil {
		return nil, nil, fmt.Errorf("db: version %d: %w", toID, ErrNotFound)
	}
	for i := range vs {
		if (fromID != 0 && vs[i].ID == fromID) || (fromID == 0 && vs[i].Number == max(to.Number-1, 1)) {
			from = &vs[i]
		}
	}
	if from == nil {
		return nil, nil, fmt.Errorf("db: version %d: %w", fromID, ErrNotFound)
	}
	return from, to, nil
}

// DiffNames resolves the ids both snapshots mention to names, one query per kind.
func (s *Store) DiffNames(ctx context.Context, orgID int64, snapshots ...json.RawMessage) (versiondiff.Names, error) {
	var tagIDs, mcpIDs []int64
	refIDs := map[string][]int64{}
	for _, raw := range snapshots {
		var snap struct {
			TagIDs     []int64                    `json:"tagIds"`
			MCPServers []int64                    `json:"mcpServers"`
			Tools      map[string]json.RawMessage `json:"tools"`
		}
		json.Unmarshal(raw, &snap)
		tagIDs, mcpIDs = append(tagIDs, snap.TagIDs...), append(mcpIDs, snap.MCPServers...)
		for _, def := range snap.Tools {
			for key, ids := range configRefIDs(def) {
				refIDs[key] = append(refIDs[key], ids...)
			}
		}
	}
	n := versiondiff.Names{Config: map[string]map[int64]string{}}
	var err error
	if n.Tags, err = idNames(ctx, s.DB, "tags", orgID, tagIDs); err != nil {
		return n, err
	}
	if n.MCPServers, err = idNames(ctx, s.DB, "mcp_servers", orgID, mcpIDs); err != nil {
		return n, err
	}
	for _, r := range agentspec.ConfigRefs {
		if n.Config[r.IDKey], err = idNames(ctx, s.DB, r.Table, orgID, refIDs[r.IDKey]); err != nil {
			return n, err
		}
	}
	return n, nil
}

// RestoreVersion makes the agent equal to an old version by saving it again: a new
// version (source restore) — history is never rewritten. Tags deleted since are dropped.
func (s *Store) RestoreVersion(ctx context.Context, actor *Actor, agentID, versionID int64) (*Agent, error) {
	v, err := s.Version(ctx, actor.OrgID, versionID)
	if err != nil {
		return nil, err
	}
	if v.AgentID != agentID {
		return nil, fmt.Errorf("db: version %d of agent %d: %w", versionID, agentID, ErrNotFound)
	}
	p := new(AgentPatch)
	if err := json.Unmarshal(v.Snapshot, p); err != nil {
		return nil, fmt.Errorf("db: restore version %d: %w", versionID, err)
	}
	p.ID, p.PublishedVersionID, p.ModelAlias, p.ToolNames = Some(agentID), Opt[int64]{}, Opt[string]{}, Opt[[]string]{}
	if p.TagIDs.Has() && len(p.TagIDs.V) > 0 {
		var live []int64
		if err := s.DB.NewRaw("SELECT id FROM tags WHERE org_id = ? AND id = ANY(?) ORDER BY id", actor.OrgID, pgdialect.Array(p.TagIDs.V)).Scan(ctx, &live); err != nil {
			return nil, err
		}
		p.TagIDs = Some(live)
	}
	var a *Agent
	err = s.proposing(ctx, actor, func(ctx context.Context, tx bun.Tx) error {
		var err error
		a, err = s.saveAgentTx(ctx, tx, actor, p, SourceRestore, fmt.Sprintf("restored version %d", v.Number))
		return err
	})
	return a, err
}

// InconsistentAgents lists the organisation's agents whose live row differs from their
// newest version (the soak test's final check; empty when nothing was lost).
func (s *Store) InconsistentAgents(ctx context.Context, orgID int64) ([]int64, error) {
	var ids []int64
	if err := s.DB.NewRaw("SELECT id FROM agents WHERE org_id = ? ORDER BY id", orgID).Scan(ctx, &ids); err != nil {
		return nil, err
	}
	var bad []int64
	for _, id := range ids {
		a, err := s.Agent(ctx, orgID, id)
		if err != nil {
			return nil, err
		}
		if a.PublishedVersionID == nil {
			bad = append(bad, id)
			continue
		}
		v, err := s.Version(ctx, orgID, *a.PublishedVersionID)
		if err != nil {
			return nil, err
		}
		var newest int
		if err := s.DB.NewRaw("SELECT max(number) FROM agent_versions WHERE agent_id = ?", id).Scan(ctx, &newest); err != nil {
			return nil, err
		}
		d, err := versiondiff.Compare(snapshot(a), v.Snapshot, versiondiff.Names{})
		if err != nil || !d.Empty() || v.Number != newest {
			bad = append(bad, id)
		}
	}
	return bad, nil
}
