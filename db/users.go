package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

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
	TagsChanges   int64     `bun:"tags_changes,nullzero,notnull,default:1"` // the tag list's change counter (caches.go)
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
	PlatformOperator  bool      `bun:"platform_operator,notnull,default:false"`
}

// Member is a user as seen from one organisation.
type Member struct {
	UserID    int64     `bun:"user_id"`
	Email     string    `bun:"email"`
	Name      string    `bun:"name"`
	Role      Role      `bun:"role"`
	CreatedAt time.Time `bun:"created_at"`
	// DeactivatedAt is set while the member is deactivated in this organisation.
	DeactivatedAt *time.Time `bun:"deactivated_at"`
}

// Active reports whether the member may sign in and use tokens in the organisation.
func (m *Member) Active() bool { return m.DeactivatedAt == nil }

// ErrEmailTaken is returned when creating a user whose email exists already.
var ErrEmailTaken = errors.New("db: email already registered")

// ErrBadCredentials is returned for an unknown email or a wrong password alike.
var ErrBadCredentials = errors.New("db: invalid email or password")

// PasswordCost is bcrypt's work factor; tests lower it to stay fast.
var PasswordCost = 12

// Limits on what a user is made of, the same in the console, the CLI and the store.
const (
	// MinPasswordLength is the shortest password accepted anywhere.
	MinPasswordLength = 10
	// MaxPasswordBytes is the longest: bcrypt reads only the first 72 bytes, so a longer
	// password would be checked by its prefix alone (and x/crypto refuses to hash it).
	MaxPasswordBytes = 72
	// MaxUserName is the longest display name, in characters.
	MaxUserName = 200
	// MaxEmail is the longest email address (RFC 5321's path limit).
	MaxEmail = 254
)

// PasswordIssue says what keeps password from being set ("" when nothing does).
func PasswordIssue(password string) string {
	switch {
	case len(password) < MinPasswordLength:
		return fmt.Sprintf("Use at least %d characters.", MinPasswordLength)
	case len(password) > MaxPasswordBytes:
		return fmt.Sprintf("Use at most %d bytes (%d plain characters; accented letters and emoji take 2–4 each).", MaxPasswordBytes, MaxPasswordBytes)
	}
	return ""
}

// UserIssues checks a new user's email, name and password: one rule for every place a
// user is created (console, CLI). Paths are "email", "name" and "password".
func UserIssues(email, name, password string) []Issue {
	var issues []Issue
	email, name = strings.TrimSpace(email), strings.TrimSpace(name)
	switch addr, err := mail.ParseAddress(email); {
	case len(email) > MaxEmail:
		issues = append(issues, Issue{Message: fmt.Sprintf("Use an email address of at most %d characters.", MaxEmail), Path: []any{"email"}})
	case email == "":
		issues = append(issues, Issue{Message: "Required: the address they sign in with.", Path: []any{"email"}})
	case err != nil || addr.Address != email || !strings.Contains(email, "@"):
		issues = append(issues, Issue{Message: "Enter a valid email address.", Path: []any{"email"}})
	}
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		issues = append(issues, Issue{Message: "Name is required.", Path: []any{"name"}})
	case n > MaxUserName || !utf8.ValidString(name) || strings.ContainsRune(name, 0):
		issues = append(issues, Issue{Message: fmt.Sprintf("Use a name of at most %d characters.", MaxUserName), Path: []any{"name"}})
	}
	if msg := PasswordIssue(password); msg != "" {
		issues = append(issues, Issue{Message: msg, Path: []any{"password"}})
	}
	return issues
}

// HashPassword returns a bcrypt hash of password.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	return string(h), err
}

// CreateOrganization inserts an organisation.
func (s *Store) CreateOrganization(ctx context.Context, idb bun.IDB, name, slug string) (*Organization, error) {
	org := &Organization{Name: name, Slug: slug}
	if _, err := idb.NewInsert().Model(org).Returning("*").Exec(ctx); err != nil {
		if isUniqueViolation(err, "organizations_slug_key") {
			err = fmt.Errorf("%w (%w)", ErrSlugTaken, err)
		}
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
	if issues := UserIssues(email, name, password); len(issues) > 0 {
		return nil, invalid(issues...)
	}
	name = strings.TrimSpace(name)
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
// first organisation where they are active. Unknown email, wrong password and a user
// deactivated everywhere give the same error and cost.
func (s *Store) Authenticate(ctx context.Context, email, password string) (*Actor, error) {
	var row struct {
		User
		OrgID       int64  `bun:"org_id"`
		OrgName     string `bun:"org_name"`
		Role        Role   `bun:"role"`
		Deactivated bool   `bun:"deactivated"`
	}
	err := s.DB.NewRaw(`SELECT u.*, m.org_id, o.name AS org_name, m.role, m.deactivated_at IS NOT NULL AS deactivated
		FROM users u JOIN memberships m ON m.user_id = u.id JOIN organizations o ON o.id = m.org_id
		WHERE lower(u.email) = lower(?) ORDER BY m.deactivated_at IS NOT NULL, m.org_id LIMIT 1`, strings.TrimSpace(email)).Scan(ctx, &row)
	if err != nil {
		err = notFound(err)
		if errors.Is(err, ErrNotFound) {
			s.comparePassword(dummyHash(), password)
			return nil, ErrBadCredentials
		}
		return nil, fmt.Errorf("db: authenticate: %w", err)
	}
	// The password is checked even for a deactivated member: the answer and its cost
	// must not tell a deactivated account from a wrong password. No password longer
	// than MaxPasswordBytes was ever set, and bcrypt would compare only its first 72
	// bytes: refuse it, after the same comparison so timing tells nothing.
	if s.comparePassword([]byte(row.PasswordHash), password) != nil || row.Deactivated || len(password) > MaxPasswordBytes {
		return nil, ErrBadCredentials
	}
	return &Actor{UserID: row.ID, OrgID: row.OrgID, OrgName: row.OrgName, Email: row.Email, Name: row.Name, Role: row.Role,
		PlatformOperator: row.PlatformOperator}, nil
}

// ChangePassword sets a new password and ends every other session of the user.
func (s *Store) ChangePassword(ctx context.Context, userID int64, password string, keepSession []byte) error {
	if msg := PasswordIssue(password); msg != "" {
		return invalid(Issue{Message: msg, Path: []any{"password"}})
	}
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
	err := s.DB.NewRaw(`SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at, m.deactivated_at
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY lower(u.email)`, orgID).Scan(ctx, &members)
	if err != nil {
		return nil, fmt.Errorf("db: members of org %d: %w", orgID, err)
	}
	return members, nil
}

// SetRole changes a member's role. The last active admin of an organisation cannot be
// demoted.
func (s *Store) SetRole(ctx context.Context, actor *Actor, userID int64, role Role) error {
	if !role.Valid() {
		names := make([]string, len(Roles))
		for i, r := range Roles {
			names[i] = string(r)
		}
		return invalid(Issue{Message: fmt.Sprintf("Invalid enum value. Expected '%s', received '%s'", strings.Join(names, "' | '"), Shorten(string(role))), Path: []any{"role"}})
	}
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := lockMemberships(ctx, tx, actor.OrgID); err != nil {
			return err
		}
		var old Role
		var deactivated bool
		err := tx.NewRaw("SELECT role, deactivated_at IS NOT NULL FROM memberships WHERE org_id = ? AND user_id = ?", actor.OrgID, userID).Scan(ctx, &old, &deactivated)
		if err != nil {
			return fmt.Errorf("db: set role of user %d: %w", userID, notFound(err))
		}
		if old == role {
			return nil
		}
		if old == RoleAdmin && !deactivated {
			if err := s.keepAnAdmin(ctx, tx, actor.OrgID, userID); err != nil {
				return err
			}
		}
		if _, err := tx.NewRaw("UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?", role, actor.OrgID, userID).Exec(ctx); err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "member.role_changed", "user", userID, fmt.Sprintf("%s → %s", old, role))
	})
}

// membershipsLock is the advisory lock class serialising role changes and
// deactivations within one organisation ("memb").
const membershipsLock = 0x6d656d62

// lockMemberships serialises the organisation's role changes and deactivations until
// the transaction ends. Two admins demoting or deactivating each other at once then
// cannot both pass the last-admin check (each saw the other still active), and no two
// transactions lock the same memberships in opposite orders (row locks did deadlock).
func lockMemberships(ctx context.Context, tx bun.Tx, orgID int64) error {
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", membershipsLock<<32^orgID); err != nil {
		return fmt.Errorf("db: lock memberships of org %d: %w", orgID, err)
	}
	return nil
}

// keepAnAdmin refuses (ErrLastAdmin) when userID is the organisation's only active
// admin. Callers hold lockMemberships.
func (s *Store) keepAnAdmin(ctx context.Context, tx bun.Tx, orgID, userID int64) error {
	var admins []int64
	err := tx.NewRaw(`SELECT user_id FROM memberships WHERE org_id = ? AND role = 'admin' AND deactivated_at IS NULL`, orgID).Scan(ctx, &admins)
	if err != nil {
		return fmt.Errorf("db: lock admins of org %d: %w", orgID, err)
	}
	for _, id := range admins {
		if id != userID {
			return nil
		}
	}
	return ErrLastAdmin
}

// ErrLastAdmin protects an organisation from losing its last active admin.
var ErrLastAdmin = errors.New("db: an organisation needs at least one active admin")

// ErrDeactivateSelf refuses an admin deactivating their own membership.
var ErrDeactivateSelf = errors.New("db: you cannot deactivate yourself")

// Deactivation reports what deactivating a member ended.
type Deactivation struct {
	Member        Member
	SessionsEnded int64
	TokensRevoked int64
}

// DeactivateMember stops a member of the actor's organisation at once: their console
// sessions there are deleted and their API tokens there revoked (they stay revoked if
// the member is reactivated), and they can no longer sign in to it. The last active
// admin and the actor themselves are refused. Deactivating twice changes nothing more.
func (s *Store) DeactivateMember(ctx context.Context, actor *Actor, userID int64) (*Deactivation, error) {
	if userID == actor.UserID {
		return nil, ErrDeactivateSelf
	}
	d := &Deactivation{}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := lockMemberships(ctx, tx, actor.OrgID); err != nil {
			return err
		}
		var role Role
		var deactivated bool
		err := tx.NewRaw("SELECT role, deactivated_at IS NOT NULL FROM memberships WHERE org_id = ? AND user_id = ?",
			actor.OrgID, userID).Scan(ctx, &role, &deactivated)
		if err != nil {
			return notFound(err)
		}
		if role == RoleAdmin && !deactivated {
			if err := s.keepAnAdmin(ctx, tx, actor.OrgID, userID); err != nil {
				return err
			}
		}
		if _, err := tx.NewRaw("UPDATE memberships SET deactivated_at = coalesce(deactivated_at, now()) WHERE org_id = ? AND user_id = ?",
			actor.OrgID, userID).Exec(ctx); err != nil {
			return err
		}
		res, err := tx.NewRaw("DELETE FROM sessions WHERE org_id = ? AND user_id = ?", actor.OrgID, userID).Exec(ctx)
		if err != nil {
			return err
		}
		d.SessionsEnded, _ = res.RowsAffected()
		res, err = tx.NewRaw("UPDATE api_tokens SET revoked_at = now() WHERE org_id = ? AND user_id = ? AND revoked_at IS NULL",
			actor.OrgID, userID).Exec(ctx)
		if err != nil {
			return err
		}
		d.TokensRevoked, _ = res.RowsAffected()
		if deactivated && d.SessionsEnded == 0 && d.TokensRevoked == 0 {
			return nil
		}
		return s.Audit(ctx, tx, actor, "member.deactivated", "user", userID,
			count(int(d.SessionsEnded), "session", "sessions")+" ended, "+count(int(d.TokensRevoked), "token", "tokens")+" revoked")
	})
	if err != nil {
		return nil, fmt.Errorf("db: deactivate user %d: %w", userID, err)
	}
	m, err := s.Member(ctx, actor.OrgID, userID)
	if err != nil {
		return nil, err
	}
	d.Member = *m
	return d, nil
}

// ReactivateMember lets a deactivated member sign in again. Their old sessions and
// tokens stay ended: they sign in anew and an admin creates new tokens.
func (s *Store) ReactivateMember(ctx context.Context, actor *Actor, userID int64) (*Member, error) {
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var was *time.Time
		err := tx.NewRaw(`UPDATE memberships m SET deactivated_at = NULL FROM memberships old
			WHERE m.org_id = ? AND m.user_id = ? AND old.org_id = m.org_id AND old.user_id = m.user_id
			RETURNING old.deactivated_at`, actor.OrgID, userID).Scan(ctx, &was)
		if err != nil {
			return notFound(err)
		}
		if was == nil {
			return nil
		}
		return s.Audit(ctx, tx, actor, "member.reactivated", "user", userID, "old sessions and tokens stay ended")
	})
	if err != nil {
		return nil, fmt.Errorf("db: reactivate user %d: %w", userID, err)
	}
	return s.Member(ctx, actor.OrgID, userID)
}

// Member reads one member of the organisation.
func (s *Store) Member(ctx context.Context, orgID, userID int64) (*Member, error) {
	m := new(Member)
	err := s.DB.NewRaw(`SELECT u.id AS user_id, u.email, u.name, m.role, m.created_at, m.deactivated_at
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND m.user_id = ?`, orgID, userID).Scan(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("db: member %d of org %d: %w", userID, orgID, notFound(err))
	}
	return m, nil
}

// SetPlatformOperator turns a user's platform-operator flag on or off (the CLI's
// job: no route of the console or the API calls it).
func (s *Store) SetPlatformOperator(ctx context.Context, email string, on bool) (*User, error) {
	u := new(User)
	err := s.DB.NewRaw("UPDATE users SET platform_operator = ? WHERE lower(email) = lower(?) RETURNING *", on, strings.TrimSpace(email)).Scan(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("db: platform operator %q: %w", email, notFound(err))
	}
	return u, nil
}

// orgSlugPattern is what an organisation slug looks like (URL- and CLI-friendly).
var orgSlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidOrgSlug reports whether slug can name an organisation.
func ValidOrgSlug(slug string) bool { return orgSlugPattern.MatchString(slug) }

// OrgSlugFrom derives a slug from an organisation's name: lowercase letters and digits,
// other runs of characters become one "-".
func OrgSlugFrom(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	slug := b.String()
	if len(slug) > 63 {
		slug = strings.TrimRight(slug[:63], "-")
	}
	return slug
}

// ErrSlugTaken is returned when creating an organisation whose slug exists already.
var ErrSlugTaken = errors.New("db: organisation slug already taken")

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
	err := s.DB.NewRaw(`SELECT u.id, m.org_id, o.name, u.email, u.name, m.role, u.platform_operator
		FROM users u JOIN memberships m ON m.user_id = u.id JOIN organizations o ON o.id = m.org_id
		WHERE lower(u.email) = lower(?) ORDER BY m.org_id LIMIT 1`, email).Scan(ctx, &a.UserID, &a.OrgID, &a.OrgName, &a.Email, &a.Name, &a.Role, &a.PlatformOperator)
	if err != nil {
		return nil, fmt.Errorf("db: user %q: %w", email, notFound(err))
	}
	return &a, nil
}
