// Package admin renders the organisation admin pages: users and roles, API tokens,
// and the audit log.
package admin

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

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

// AuditQuery is the audit log's filter: what is chosen and the choices.
type AuditQuery struct {
	Action, Actor, Object string
	ActorID               string        // the chosen member's user id
	From, To              string        // days, YYYY-MM-DD, both included
	Objects               []string      // the object types the filter offers (db.AuditObjectTypes)
	Actions               []ActionGroup // the actions the log holds
	Actors                []Option      // the organisation's members
	Error                 string        // a refused filter, naming the field by its label
}

// ActionGroup is the actions sharing a prefix ("agent."): the group as a whole is a
// choice too.
type ActionGroup struct {
	Prefix  string
	Actions []string
}

// GroupActions groups sorted action names by the part before their first dot.
func GroupActions(actions []string) []ActionGroup {
	var groups []ActionGroup
	for _, a := range actions {
		prefix := a
		if i := strings.IndexByte(a, '.'); i >= 0 {
			prefix = a[:i+1]
		}
		if n := len(groups); n > 0 && groups[n-1].Prefix == prefix {
			groups[n-1].Actions = append(groups[n-1].Actions, a)
		} else {
			groups = append(groups, ActionGroup{Prefix: prefix, Actions: []string{a}})
		}
	}
	return groups
}

// Values is the filter as query parameters (without paging): the CSV export and the
// "older entries" link carry it.
func (q AuditQuery) Values() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"action": q.Action, "actor": q.Actor, "actorId": q.ActorID, "object": q.Object, "from": q.From, "to": q.To} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

// OlderURL is the next page of the log: the filter plus the last shown entry's id.
func (q AuditQuery) OlderURL(beforeID int64) string {
	v := q.Values()
	v.Set("before", strconv.FormatInt(beforeID, 10))
	return "/admin/audit?" + v.Encode()
}

// CSVURL is the export of the filtered log.
func (q AuditQuery) CSVURL() string {
	if v := q.Values(); len(v) > 0 {
		return "/admin/audit.csv?" + v.Encode()
	}
	return "/admin/audit.csv"
}
