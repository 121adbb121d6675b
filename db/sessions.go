package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CreateSession stores a logged-in session and returns its secret id for the cookie.
// Only the hash is stored, so a database read does not yield usable cookies.
func (s *Store) CreateSession(ctx context.Context, actor *Actor, ttl time.Duration) (string, error) {
	id := randomSecret(32)
	_, err := s.DB.NewRaw(`INSERT INTO sessions (id_hash, user_id, org_id, expires_at) VALUES (?, ?, ?, now() + ?::interval)`,
		sha(id), actor.UserID, actor.OrgID, fmt.Sprintf("%d seconds", int(ttl.Seconds()))).Exec(ctx)
	if err != nil {
		return "", fmt.Errorf("db: create session: %w", err)
	}
	return id, nil
}

// ActorBySession resolves a session id to its actor; expired or deleted sessions are
// ErrNotFound, as are sessions of a member deactivated since. The user's role and
// platform-operator flag are read live, so a change applies at once.
func (s *Store) ActorBySession(ctx context.Context, id string) (*Actor, error) {
	var a Actor
	found := false
	// Every console request runs this: it is scanned with pgx directly (see native),
	// not through database/sql's driver.Value conversions and Bun's scanner. The change
	// counters come along (see caches.go): the caches are checked without a round trip
	// of their own.
	err := s.native(ctx, actorBySessionSQL, []any{sha(id)}, func(rows pgx.Rows) error {
		found = true
		return rows.Scan(&a.UserID, &a.OrgID, &a.OrgName, &a.Email, &a.Name, &a.Role, &a.PlatformOperator,
			&a.Seen.Tags, &a.Seen.Catalog, &a.Seen.Models)
	})
	if err == nil && !found {
		err = ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	a.OrgUUID, err = s.OrgUUID(ctx, a.OrgID)
	return &a, err
}

const actorBySessionSQL = `SELECT s.user_id, s.org_id, o.name AS org_name, u.email, u.name, m.role, u.platform_operator,
		o.tags_changes, pc.catalog, pc.models
	FROM sessions s
	JOIN users u ON u.id = s.user_id
	JOIN memberships m ON m.user_id = s.user_id AND m.org_id = s.org_id
	JOIN organizations o ON o.id = s.org_id
	CROSS JOIN platform_changes pc
	WHERE s.id_hash = ? AND s.expires_at > now() AND m.deactivated_at IS NULL`

// SessionHash is the stored form of a session id.
func SessionHash(id string) []byte { return sha(id) }

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	_, err := s.DB.NewRaw("DELETE FROM sessions WHERE id_hash = ?", sha(id)).Exec(ctx)
	return err
}

// DeleteExpiredSessions removes sessions past their expiry (housekeeping).
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.DB.NewRaw("DELETE FROM sessions WHERE expires_at < now()").Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Secret returns the shared secret called name, creating it (n random bytes) the first
// time. Every instance reads the same value, so cookies made by one are read by all.
func (s *Store) Secret(ctx context.Context, name string, n int) ([]byte, error) {
	var v []byte
	_, err := s.DB.NewRaw("INSERT INTO app_secrets (name, value) VALUES (?, decode(?, 'base64')) ON CONFLICT (name) DO NOTHING",
		name, stdBase64(n)).Exec(ctx)
	if err == nil {
		err = s.DB.NewRaw("SELECT value FROM app_secrets WHERE name = ?", name).Scan(ctx, &v)
	}
	if err != nil {
		return nil, fmt.Errorf("db: secret %s: %w", name, err)
	}
	return v, nil
}
