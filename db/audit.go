package db

import (
	"context"
	"fmt"
	"slices"
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

// Audit object types: what an audit entry is about. AuditObjectTypes is the one list:
// the audit log's filter offers it, and Audit and AuditPlatform refuse a type not on
// it, so a new kind of entry cannot be written without appearing in the filter.
const (
	AuditAgent         = "agent"
	AuditTag           = "tag"
	AuditUser          = "user"
	AuditAPIToken      = "api_token"
	AuditOrganization  = "organization"
	AuditSkillRule     = "skill_rule"
	AuditKnowledgeBase = "knowledge_base"
	AuditMCPServer     = "mcp_server"
	AuditModel         = "model"
	AuditCatalog       = "catalog"
	AuditChangeRequest = "change_request"
)

// AuditObjectTypes lists every audit object type, in the filter's order.
var AuditObjectTypes = []string{AuditAgent, AuditTag, AuditUser, AuditAPIToken, AuditOrganization, AuditSkillRule,
	AuditKnowledgeBase, AuditMCPServer, AuditModel, AuditCatalog, AuditChangeRequest}

func checkAuditObjectType(objectType string) error {
	if !slices.Contains(AuditObjectTypes, objectType) {
		return fmt.Errorf("db: audit object type %q is not in AuditObjectTypes", objectType)
	}
	return nil
}

// Audit appends an entry for actor inside the caller's transaction (idb), so the
// entry exists exactly when the change does.
func (s *Store) Audit(ctx context.Context, idb bun.IDB, actor *Actor, action, objectType string, objectID int64, summary string) error {
	if err := checkAuditObjectType(objectType); err != nil {
		return err
	}
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
	ActorID  int64     // the acting member's user id (their token's entries included)
	Object   string    // object type, e.g. "agent"
	From, To time.Time // entries at or after From and before To (zero: unbounded)
	BeforeID int64     // keyset pagination: entries older than this id
	Limit    int
}

// AuditActionCovers is what filtering by an exact action finds: the action and its
// bulk form ("agent.deleted" also finds "agent.bulk_deleted"), since someone looking
// for deleted agents means those deleted in bulk too.
func AuditActionCovers(action string) []string {
	prefix, verb, ok := strings.Cut(action, ".")
	if !ok || verb == "" || strings.HasPrefix(verb, "bulk_") {
		return []string{action}
	}
	return []string{action, prefix + ".bulk_" + verb}
}

// AuditEntries lists the organisation's audit log, newest first.
func (s *Store) AuditEntries(ctx context.Context, orgID int64, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var entries []AuditEntry
	q := s.DB.NewSelect().Model(&entries).Where("org_id = ?", orgID).OrderExpr("id DESC").Limit(int64(f.Limit))
	if err := f.apply(q).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: audit log of org %d: %w", orgID, err)
	}
	return entries, nil
}

// apply adds the filter's conditions (each backed by an index on org_id, …).
func (f AuditFilter) apply(q *bun.SelectQuery) *bun.SelectQuery {
	if strings.HasSuffix(f.Action, ".") {
		q = q.Where("action LIKE ?", escapeLike(f.Action)+"%")
	} else if f.Action != "" {
		q = q.Where("action IN (?)", bun.In(AuditActionCovers(f.Action)))
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.ActorID > 0 {
		q = q.Where("actor_user_id = ?", f.ActorID)
	}
	if f.Object != "" {
		q = q.Where("object_type = ?", f.Object)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To)
	}
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	return q
}

// auditExportPage is how many entries EachAuditEntry reads per query.
const auditExportPage = 500

// EachAuditEntry calls fn with every entry of the organisation's audit log that f
// selects, newest first, reading it in keyset pages so that an export of any size holds
// one page in memory. f.Limit and f.BeforeID are ignored. It stops at fn's first error.
func (s *Store) EachAuditEntry(ctx context.Context, orgID int64, f AuditFilter, fn func(*AuditEntry) error) error {
	f.BeforeID, f.Limit = 0, auditExportPage
	for {
		var page []AuditEntry
		q := s.DB.NewSelect().Model(&page).Where("org_id = ?", orgID).OrderExpr("id DESC").Limit(auditExportPage)
		if err := f.apply(q).Scan(ctx); err != nil {
			return fmt.Errorf("db: audit export of org %d: %w", orgID, err)
		}
		for i := range page {
			if err := fn(&page[i]); err != nil {
				return err
			}
		}
		if len(page) < auditExportPage {
			return nil
		}
		f.BeforeID = page[len(page)-1].ID
	}
}

// AuditActions lists the distinct actions in the organisation's audit log, in order:
// the choices of the log's action filter. A skip scan over audit_log_org_action_idx
// (one index probe per distinct action), so a long log costs no more than a short one.
func (s *Store) AuditActions(ctx context.Context, orgID int64) ([]string, error) {
	var actions []string
	err := s.DB.NewRaw(`WITH RECURSIVE a(action) AS (
			(SELECT action FROM audit_log WHERE org_id = ? ORDER BY action LIMIT 1)
			UNION ALL
			SELECT (SELECT l.action FROM audit_log l WHERE l.org_id = ? AND l.action > a.action ORDER BY l.action LIMIT 1)
			FROM a WHERE a.action IS NOT NULL)
		SELECT action FROM a WHERE action IS NOT NULL`, orgID, orgID).Scan(ctx, &actions)
	if err != nil {
		return nil, fmt.Errorf("db: audit actions of org %d: %w", orgID, err)
	}
	return actions, nil
}

func nonZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// AuditPlatform records a change of platform-wide data (the tool catalog, the model
// registry) in every organisation's audit log, since it changes what each of them sees
// and validates against: one INSERT … SELECT over the organisations, whatever their
// number. actor nil is the CLI or the binary's bundled data (named by via). The acting
// operator's address is kept only in their own organisation's entry.
func (s *Store) AuditPlatform(ctx context.Context, idb bun.IDB, actor *Actor, via, action, objectType, objectID, summary string) error {
	if err := checkAuditObjectType(objectType); err != nil {
		return err
	}
	var userID, tokenID *int64
	var ownOrg int64
	label, ip, route := via, "", ""
	if actor != nil {
		userID, tokenID, ownOrg = nonZero(actor.UserID), nonZero(actor.TokenID), actor.OrgID
		label, ip, route, via = actor.Label(), actor.IP, actor.Route, actor.Via
	}
	_, err := idb.NewRaw(`INSERT INTO audit_log (org_id, actor_user_id, actor_token_id, actor, action, object_type, object_id, summary, ip, via, route)
		SELECT o.id, ?, ?, ?, ?, ?, ?, ?, CASE WHEN o.id = ? THEN ? ELSE '' END, ?, ? FROM organizations o`,
		userID, tokenID, label, action, objectType, objectID, "platform: "+summary, ownOrg, ip, via, route).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: audit %s in every organisation: %w", action, err)
	}
	return nil
}
