package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"golang.org/x/crypto/bcrypt"
)

// Organization owns everything else.
type Organization struct {
	bun.BaseModel `bun:"table:organizations"`
	ID            int64     `bun:"id,pk,autoincrement"`
	Name          string    `bun:"name,notnull"`
	Slug          string    `bun:"slug,notnull"`
	UUID          string    `bun:"uuid,nullzero,notnull,default:gen_random_uuid()"` // seed 003's organizationId
	CreatedAt     time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// User is a person who logs in to the console.
type User struct {
	bun.BaseModel     `bun:"table:users"`
	ID                int64     `bun:"id,pk,autoincrement"`
	Email             string    `bun:"email,notnull"`
	Name              string    `bun:"name,notnull"`
	PasswordHash      string    `bun:"password_hash,notnull"`
	CreatedAt         time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	PasswordChangedAt time.Time `bun:"password_changed_at,nullzero,notnull,default:current_timestamp"`
}

// Member is a user as seen from one organisation.
type Member struct {
	UserID    int64     `bun:"user_id"`
	Email     string    `bun:"email"`
	Name      string    `bun:"name"`
	Role      Role      `bun:"role"`
	CreatedAt time.Time `bun:"created_at"`
}

// ErrEmailTaken is returned when creating a user whose email exists already.
var ErrEmailTaken = errors.New("db: email already registered")

// ErrBadCredentials is returned for an unknown email or a wrong password alike.
var ErrBadCredentials = errors.New("db: invalid email or password")

// PasswordCost is bcrypt's work factor; tests lower it to stay fast.
var PasswordCost = 12

// MinPasswordLength is the shortest password accepted anywhere.
const MinPasswordLength = 10

// HashPassword returns a bcrypt hash of password.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	return string(h), err
}

// CreateOrganization inserts an organisation.
func (s *Store) CreateOrganization(ctx context.Context, idb bun.IDB, name, slug string) (*Organization, error) {
	org := &Organization{Name: name, Slug: slug}
	if _, err := idb.NewInsert().Model(org).Returning("*").Exec(ctx); err != nil {
		return nil, fmt.Errorf("db: create organization %q: %w", slug, err)
	}
	return org, nil
}

// OrganizationBySlug finds an organisation by its slug.
func (s *Store) OrganizationBySlug(ctx context.Context, slug string) (*Organization, error) {
	org := new(Organization)
	if err := s.DB.NewSelect().Model(org).Where("slug = ?", slug).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: organization %q: %w", slug, notFound(err))
	}
	return org, nil
}

// CreateUser inserts a user with a hashed password and makes them a member of org.
func (s *Store) CreateUser(ctx context.Context, orgID int64, email, name, password string, role Role) (*User, error) {
	if !role.Valid() {
		return nil, fmt.Errorf("db: create user: unknown role %q", role)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, fmt.Errorf("db: create user: %w", err)
	}
	u := &User{Email: strings.TrimSpace(email), Name: name, PasswordHash: hash}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(u).Returning("*").Exec(ctx); err != nil {
			if isUniqueViolation(err, "users_email_key") {
				return ErrEmailTaken
			}
			return err
		}
		_, err := tx.NewRaw("INSERT INTO memberships (org_id, user_id, role) VALUES (?, ?, ?)", orgID, u.ID, role).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: create user %q: %w", email, err)
	}
	return u, nil
}

// Authenticate checks an email and password and returns the user's actor in their
// first organisation. Unknown email and wrong password give the same error and cost.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*Actor, error) {
	var row struct {
		User
		OrgID   int64  `bun:"org_id"`
		OrgName string `bun:"org_name"`
		Role    Role   `bun:"role"`
	}
	err := s.DB.NewRaw(`SELECT u.*, m.org_id, o.name AS org_name, m.role
		FROM users u JOIN memberships m ON m.user_id = u.id JOIN organizations o ON o.id = m.org_id
		WHERE lower(u.email) = lower(?) ORDER BY m.org_id LIMIT 1`, strings.TrimSpace(email)).Scan(ctx, &row)
	if err != nil {
		err = notFound(err)
		if errors.Is(err, ErrNotFound) {
			s.comparePassword(dummyHash(), password)
			return nil, ErrBadCredentials
		}
		return nil, fmt.Errorf("db: authenticate: %w", err)
	}
	if s.comparePassword([]byte(row.PasswordHash), password) != nil {
		return nil, ErrBadCredentials
	}
	return &Actor{UserID: row.ID, OrgID: row.OrgID, OrgName: row.OrgName, Email: row.Email, Name: row.Name, Role: row.Role}, nil
}

// ChangePassword sets a new password and ends every other session of the user.
func (s *Store) ChangePassword(ctx context.Context, userID int64, password string, keepSession []byte) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("UPDATE users SET password_hash = ?, password_changed_at = now() WHERE id = ?", hash, userID).Exec(ctx); err != nil {
			return fmt.Errorf("db: change password: %w", err)
		}
		_, err := tx.NewRaw("DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?", userID, keepSession).Exec(ctx)
		return err
	})
}

// Members lists the organisation's users with their roles.
func (s *Store) Members(ctx context.Context, orgID int64) ([]Member, error) {
	var members []Member
	err := s.DB.NewRaw(`SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY lower(u.email)`, orgID).Scan(ctx, &members)
	if err != nil {
		return nil, fmt.Errorf("db: members of org %d: %w", orgID, err)
	}
	return members, nil
}

// SetRole changes a member's role. The last admin of an organisation cannot be demoted.
func (s *Store) SetRole(ctx context.Context, actor *Actor, userID int64, role Role) error {
	if !role.Valid() {
		names := make([]string, len(Roles))
		for i, r := range Roles {
			names[i] = string(r)
		}
		return invalid(Issue{Message: fmt.Sprintf("Invalid enum value. Expected '%s', received '%s'", strings.Join(names, "' | '"), Shorten(string(role))), Path: []any{"role"}})
	}
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var old Role
		err := tx.NewRaw("SELECT role FROM memberships WHERE org_id = ? AND user_id = ? FOR UPDATE", actor.OrgID, userID).Scan(ctx, &old)
		if err != nil {
			return fmt.Errorf("db: set role of user %d: %w", userID, notFound(err))
		}
		if old == role {
			return nil
		}
		if old == RoleAdmin {
			var admins int
			if err := tx.NewRaw("SELECT count(*) FROM memberships WHERE org_id = ? AND role = 'admin'", actor.OrgID).Scan(ctx, &admins); err != nil {
				return err
			}
			if admins <= 1 {
				return ErrLastAdmin
			}
		}
		if _, err := tx.NewRaw("UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?", role, actor.OrgID, userID).Exec(ctx); err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "member.role_changed", "user", userID, fmt.Sprintf("%s → %s", old, role))
	})
}

// ErrLastAdmin protects an organisation from losing its last admin.
var ErrLastAdmin = errors.New("db: an organisation needs at least one admin")

// randomSecret returns n random bytes, base64url encoded.
func randomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sha(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func stdBase64(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// ActorByEmail is the user's actor in their first organisation (for the CLI).
func (s *Store) ActorByEmail(ctx context.Context, email string) (*Actor, error) {
	var a Actor
	err := s.DB.NewRaw(`SELECT u.id, m.org_id, o.name, u.email, u.name, m.role
		FROM users u JOIN memberships m ON m.user_id = u.id JOIN organizations o ON o.id = m.org_id
		WHERE lower(u.email) = lower(?) ORDER BY m.org_id LIMIT 1`, email).Scan(ctx, &a.UserID, &a.OrgID, &a.OrgName, &a.Email, &a.Name, &a.Role)
	if err != nil {
		return nil, fmt.Errorf("db: user %q: %w", email, notFound(err))
	}
	return &a, nil
}
