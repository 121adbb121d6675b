// Package admin renders the organisation admin pages: users and roles, API tokens,
// and the audit log.
package admin

import "time"

// MemberRow is one line of the users table.
type MemberRow struct {
	UserID            int64
	Email, Name, Role string
	Self              bool
	Active            bool
	DeactivatedAt     *time.Time
}

// NewUserForm is the add-user form with its field errors.
type NewUserForm struct {
	Email, Name, Role string
	Errors            map[string]string
	RowErrors         map[int64]string // role changes refused, by user id
}

// TokenRow is one line of the tokens table.
type TokenRow struct {
	ID                               int64
	Name, Prefix, Owner              string
	CreatedAt                        time.Time
	LastUsedAt, RevokedAt, ExpiresAt *time.Time
	Expired                          bool
}

// NewTokenForm is the create-token form; Secret is set once, right after creation.
type NewTokenForm struct {
	Name, OwnerID, Expires string
	Errors                 map[string]string
	Secret, SecretName     string
}

// Option is a choice in a select.
type Option struct{ Value, Label string }

// AuditRow is one audit log entry as shown.
type AuditRow struct {
	ID                                             int64
	At                                             time.Time
	Actor, Action, Object, Summary, IP, Via, Route string
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func expires(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return when(t)
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// NewModelForm is the add-model form with its field errors.
type NewModelForm struct {
	ID, Name string
	Errors   map[string]string
}

// AuditQuery is the audit log's filter.
type AuditQuery struct {
	Action, Actor, Object string
	Objects               []string // the object types the filter offers (db.AuditObjectTypes)
}
