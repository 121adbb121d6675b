package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	bun.BaseModel `bun:"table:audit_log"`
	ID            int64     `bun:"id,pk,autoincrement" json:"id"`
	OrgID         *int64    `bun:"org_id" json:"-"`
	ActorUserID   *int64    `bun:"actor_user_id" json:"actorUserId"`
	ActorTokenID  *int64    `bun:"actor_token_id" json:"actorTokenId"`
	Actor         string    `bun:"actor" json:"actor"`
	Action        string    `bun:"action" json:"action"`
	ObjectType    string    `bun:"object_type" json:"objectType"`
	ObjectID      string    `bun:"object_id" json:"objectId"`
	Summary       string    `bun:"summary" json:"summary"`
	IP            string    `bun:"ip" json:"ip"`
	Via           string    `bun:"via" json:"via"`
	Route         string    `bun:"route" json:"route"`
	CreatedAt     time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp" json:"createdAt"`
}

// Audit appends an entry for actor inside the caller's transaction (idb), so the
// entry exists exactly when the change does.
func (s *Store) Audit(ctx context.Context, idb bun.IDB, actor *Actor, action, objectType string, objectID int64, summary string) error {
	e := &AuditEntry{Action: action, ObjectType: objectType, Summary: summary}
	if objectID != 0 {
		e.ObjectID = strconv.FormatInt(objectID, 10)
	}
	if actor != nil {
		e.OrgID = nonZero(actor.OrgID)
		e.ActorUserID = nonZero(actor.UserID)
		e.ActorTokenID = nonZero(actor.TokenID)
		e.Actor, e.IP, e.Via, e.Route = actor.Label(), actor.IP, actor.Via, actor.Route
	}
	if _, err := idb.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("db: audit %s: %w", action, err)
	}
	return nil
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Action   string // exact action, or a prefix ending in "." (e.g. "agent.")
	Actor    string
	Object   string // object type, e.g. "agent"
	BeforeID int64  // keyset pagination: entries older than this id
	Limit    int
}

// AuditEntries lists the organisation's audit log, newest first.
func (s *Store) AuditEntries(ctx context.Context, orgID int64, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var entries []AuditEntry
	q := s.DB.NewSelect().Model(&entries).Where("org_id = ?", orgID).OrderExpr("id DESC").Limit(int64(f.Limit))
	if strings.HasSuffix(f.Action, ".") {
		q = q.Where("action LIKE ?", escapeLike(f.Action)+"%")
	} else if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Object != "" {
		q = q.Where("object_type = ?", f.Object)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: audit log of org %d: %w", orgID, err)
	}
	return entries, nil
}

// RecordLoginFailure notes a failed login for throttling (and the audit log when the
// account exists in an organisation).
func (s *Store) RecordLoginFailure(ctx context.Context, email, ip string) error {
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("INSERT INTO login_failures (email, ip) VALUES (?, ?)", email, ip).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw(`INSERT INTO audit_log (org_id, actor_user_id, actor, action, object_type, object_id, ip, via, route)
			SELECT m.org_id, u.id, u.email, 'login.failed', 'user', u.id::text, ?, 'console', 'POST /login'
			FROM users u JOIN memberships m ON m.user_id = u.id WHERE lower(u.email) = lower(?)`, ip, email).Exec(ctx)
		return err
	})
}

// LoginFailures counts recent failures for an account and for an address.
func (s *Store) LoginFailures(ctx context.Context, email, ip string, window time.Duration) (byEmail, byIP int, err error) {
	since := time.Now().Add(-window)
	err = s.DB.NewRaw(`SELECT
		(SELECT count(*) FROM login_failures WHERE lower(email) = lower(?) AND at > ?),
		(SELECT count(*) FROM login_failures WHERE ip = ? AND at > ?)`, email, since, ip, since).Scan(ctx, &byEmail, &byIP)
	return byEmail, byIP, err
}

// ClearLoginFailures forgets an account's failures after a successful login.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	_, err := s.DB.NewRaw("DELETE FROM login_failures WHERE lower(email) = lower(?)", email).Exec(ctx)
	return err
}

func nonZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}
