package db

import (
	"context"
	"fmt"
)

// AgentName is the name of one of the organisation's agents (deleted ones included):
// the breadcrumbs of an agent's sub-pages name it without loading the whole agent.
func (s *Store) AgentName(ctx context.Context, orgID, id int64) (string, error) {
	var name string
	err := s.prepared(ctx, s.DB, "SELECT name FROM agents WHERE org_id = ? AND id = ?", []any{orgID, id}, &name)
	if err != nil {
		return "", fmt.Errorf("db: name of agent %d: %w", id, notFound(err))
	}
	return name, nil
}
