package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// APIToken is an organisation-scoped bearer token; only its hash is stored.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens"`
	ID            int64      `bun:"id,pk,autoincrement"`
	OrgID         int64      `bun:"org_id,notnull"`
	UserID        int64      `bun:"user_id,notnull"`
	Name          string     `bun:"name,notnull"`
	Prefix        string     `bun:"prefix,notnull"`
	TokenHash     []byte     `bun:"token_hash,notnull"`
	CreatedAt     time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	LastUsedAt    *time.Time `bun:"last_used_at"`
	RevokedAt     *time.Time `bun:"revoked_at"`
	ExpiresAt     *time.Time `bun:"expires_at"` // nil: never expires
	OwnerEmail    string     `bun:"owner_email,scanonly"`
}

// Expired reports whether the token's expiry has passed at now.
func (t *APIToken) Expired(now time.Time) bool {
	return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)
}

// TokenLifetime is a choice of expiry offered when creating a token.
type TokenLifetime struct {
	Key, Label string
	Duration   time.Duration // 0: never expires
}

// TokenLifetimes are the expiries the console offers (the API takes any future time).
var TokenLifetimes = []TokenLifetime{
	{"never", "Never", 0},
	{"7d", "7 days", 7 * 24 * time.Hour},
	{"30d", "30 days", 30 * 24 * time.Hour},
	{"90d", "90 days", 90 * 24 * time.Hour},
	{"365d", "1 year", 365 * 24 * time.Hour},
}

// ErrTokenExpiry refuses a token whose expiry is not in the future.
var ErrTokenExpiry = errors.New("db: a token's expiry must be in the future")

// MaxTokenName is the longest name a token may have.
const MaxTokenName = 100

// tokenPrefix marks agentconsole secrets so that scanners can find leaked ones.
const tokenPrefix = "acon_"

// CreateToken makes a token acting as member ownerID of the actor's organisation and
// returns the secret, which is shown once and never stored. expiresAt nil means the token
// does not expire. ErrNotFound when ownerID is not an active member; ErrTokenExpiry
// when expiresAt has passed.
func (s *Store) CreateToken(ctx context.Context, actor *Actor, ownerID int64, name string, expiresAt ...*time.Time) (*APIToken, string, error) {
	// One rule for the console and the API.
	if name = strings.TrimSpace(name); name == "" {
		return nil, "", invalid(Issue{Message: "Required", Path: []any{"name"}})
	} else if len(name) > MaxTokenName {
		return nil, "", invalid(Issue{Message: tooLong(MaxTokenName), Path: []any{"name"}})
	}
	secret := tokenPrefix + randomSecret(32)
	tok := &APIToken{OrgID: actor.OrgID, UserID: ownerID, Name: strings.TrimSpace(name), Prefix: secret[:len(tokenPrefix)+6], TokenHash: sha(secret)}
	if len(expiresAt) > 0 && expiresAt[0] != nil {
		if !expiresAt[0].After(time.Now()) {
			return nil, "", ErrTokenExpiry
		}
		exp := expiresAt[0].UTC()
		tok.ExpiresAt = &exp
	}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, expires_at)
			SELECT org_id, user_id, ?, ?, ?, ? FROM memberships WHERE org_id = ? AND user_id = ? AND deactivated_at IS NULL
			RETURNING id, created_at`, tok.Name, tok.Prefix, tok.TokenHash, tok.ExpiresAt, actor.OrgID, ownerID).Scan(ctx, &tok.ID, &tok.CreatedAt)
		if err != nil {
			return notFound(err)
		}
		summary := tok.Name
		if tok.ExpiresAt != nil {
			summary += ", expires " + tok.ExpiresAt.Format(time.RFC3339)
		}
		return s.Audit(ctx, tx, actor, "token.created", "api_token", tok.ID, summary)
	})
	if err != nil {
		return nil, "", fmt.Errorf("db: create token: %w", err)
	}
	return tok, secret, nil
}

// Tokens lists the organisation's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, orgID int64) ([]APIToken, error) {
	var toks []APIToken
	err := s.DB.NewSelect().Model(&toks).ColumnExpr("t.*, u.email AS owner_email").
		Join("JOIN users u ON u.id = t.user_id").Where("t.org_id = ?", orgID).OrderExpr("t.id DESC").
		ModelTableExpr("api_tokens AS t").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: tokens of org %d: %w", orgID, err)
	}
	return toks, nil
}

// UserTokens lists one member's tokens in the organisation, newest first (their
// account page).
func (s *Store) UserTokens(ctx context.Context, orgID, userID int64) ([]APIToken, error) {
	var toks []APIToken
	err := s.DB.NewSelect().Model(&toks).ColumnExpr("t.*, u.email AS owner_email").
		Join("JOIN users u ON u.id = t.user_id").Where("t.org_id = ? AND t.user_id = ?", orgID, userID).OrderExpr("t.id DESC").
		ModelTableExpr("api_tokens AS t").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: tokens of user %d: %w", userID, err)
	}
	return toks, nil
}

// RevokeToken revokes one of the organisation's tokens; revoking twice is harmless.
func (s *Store) RevokeToken(ctx context.Context, actor *Actor, id int64) error {
	return s.revokeToken(ctx, actor, id, false)
}

// RevokeOwnToken revokes one of the actor's own tokens (ErrNotFound for anyone else's).
func (s *Store) RevokeOwnToken(ctx context.Context, actor *Actor, id int64) error {
	return s.revokeToken(ctx, actor, id, true)
}

func (s *Store) revokeToken(ctx context.Context, actor *Actor, id int64, ownOnly bool) error {
	owner := int64(0)
	if ownOnly {
		owner = actor.UserID
	}
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var name string
		err := tx.NewRaw(`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
			WHERE id = ? AND org_id = ? AND (? = 0 OR user_id = ?) RETURNING name`, id, actor.OrgID, owner, owner).Scan(ctx, &name)
		if err != nil {
			return fmt.Errorf("db: revoke token %d: %w", id, notFound(err))
		}
		return s.Audit(ctx, tx, actor, "token.revoked", "api_token", id, name)
	})
}

// ActorByToken resolves a bearer secret to its actor. Revoked, expired and unknown
// tokens, and tokens of a deactivated member, are ErrNotFound. last_used_at is written at most once a minute to keep reads cheap.
func (s *Store) ActorByToken(ctx context.Context, secret string) (*Actor, error) {
	var row struct {
		TokenID int64  `bun:"token_id"`
		UserID  int64  `bun:"user_id"`
		OrgID   int64  `bun:"org_id"`
		OrgName string `bun:"org_name"`
		Email   string `bun:"email"`
		Name    string `bun:"name"`
		Role    Role   `bun:"role"`
		Op      bool   `bun:"platform_operator"`
		Stale   bool   `bun:"stale"`
	}
	err := s.prepared(ctx, s.DB, `SELECT t.id AS token_id, t.user_id, t.org_id, o.name AS org_name, u.email, u.name, m.role, u.platform_operator,
			(t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale
		FROM api_tokens t
		JOIN users u ON u.id = t.user_id
		JOIN memberships m ON m.user_id = t.user_id AND m.org_id = t.org_id
		JOIN organizations o ON o.id = t.org_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
			AND m.deactivated_at IS NULL`, []any{sha(secret)}, &row)
	if err != nil {
		return nil, notFound(err)
	}
	if row.Stale {
		if _, err := s.DB.NewRaw("UPDATE api_tokens SET last_used_at = now() WHERE id = ?", row.TokenID).Exec(ctx); err != nil {
			return nil, fmt.Errorf("db: token last used: %w", err)
		}
	}
	orgUUID, err := s.OrgUUID(ctx, row.OrgID)
	return &Actor{TokenID: row.TokenID, UserID: row.UserID, OrgID: row.OrgID, OrgName: row.OrgName, OrgUUID: orgUUID,
		Email: row.Email, Name: row.Name, Role: row.Role, PlatformOperator: row.Op}, err
}
