package db

import (
	"context"
	"fmt"
	"strings"
)

// OrgUUID is the organisation's UUID (seed 003's organizationId). It never changes,
// so each process reads it once.
func (s *Store) OrgUUID(ctx context.Context, orgID int64) (string, error) {
	if v, ok := s.orgUUIDs.Load(orgID); ok {
		return v.(string), nil
	}
	var id string
	if err := s.DB.NewRaw("SELECT uuid::text FROM organizations WHERE id = ?", orgID).Scan(ctx, &id); err != nil {
		return "", fmt.Errorf("db: uuid of organisation %d: %w", orgID, notFound(err))
	}
	s.orgUUIDs.Store(orgID, id)
	return id, nil
}

// AgentIDByUUID is the id of the organisation's agent with that UUID (deleted ones
// too, as Agent reads them); another organisation's UUID is ErrNotFound.
func (s *Store) AgentIDByUUID(ctx context.Context, orgID int64, agentUUID string) (int64, error) {
	if !IsUUID(agentUUID) {
		return 0, ErrNotFound
	}
	var id int64
	err := s.prepared(ctx, s.DB, "SELECT id FROM agents WHERE org_id = ? AND uuid = ?::uuid", []any{orgID, strings.ToLower(agentUUID)}, &id)
	if err != nil {
		return 0, fmt.Errorf("db: agent %s: %w", agentUUID, notFound(err))
	}
	return id, nil
}
