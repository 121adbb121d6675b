package db

import (
	"context"
	"fmt"
	"strings"

	"agentconsole/db/agentspec"
)

// MCPServerRef is the editor's MCP server picker as a reference: the same search and
// lookup by id as the config references, over the organisation's MCP servers.
var MCPServerRef = agentspec.ConfigRef{Table: "mcp_servers", Label: "MCP server"}

// PickerChoices are at most limit rows of a reference's table in the organisation
// whose name contains q (case-insensitive; the agents' trigram index serves it), by
// name, leaving out the ids in skip (those already chosen, the agent itself).
func (s *Store) PickerChoices(ctx context.Context, orgID int64, r agentspec.ConfigRef, q string, skip []int64, limit int) ([]AgentRef, error) {
	live := ""
	if r.Live {
		live = " AND deleted_at IS NULL"
	}
	out := []AgentRef{}
	err := s.prepared(ctx, s.DB, `SELECT id, name FROM `+r.Table+` WHERE org_id = ?`+live+`
		AND name ILIKE ? AND NOT (id = ANY(?)) ORDER BY lower(name), id LIMIT ?`,
		[]any{orgID, "%" + escapeLike(strings.TrimSpace(q)) + "%", append([]int64{}, skip...), limit}, &out)
	if err != nil {
		return nil, fmt.Errorf("db: picker choices of %s: %w", r.Table, err)
	}
	return out, nil
}

// copyBase is base cut to leave room for " (99)" within the name limit.
func copyBase(base string) string {
	if r := []rune(base); len(r) > maxName-6 {
		return string(r[:maxName-6])
	}
	return base
}

// uniqueName is base, or base (2), (3)… the first not among taken.
func uniqueName(base string, taken []string) string {
	used := map[string]bool{}
	for _, n := range taken {
		used[n] = true
	}
	name := base
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s (%d)", base, i)
	}
	return name
}
