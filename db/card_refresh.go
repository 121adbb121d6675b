package db

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/a2aproject/a2a-go/v2/a2a"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
	"agentconsole/db/cards"
	"agentconsole/db/catalog"
)

// FetchedCard is a card body as fetched (declared in db/cards, beside the parser).
type FetchedCard = cards.Fetched

// ErrCardNotFound is a 404 from the card host (the caller may try the older well-known path).
var ErrCardNotFound = cards.ErrNotFound

// CardURLs are the URLs to try for an external agent's card: agentCardUrl, or else the
// endpoint's origin with /.well-known/agent-card.json, then the older /.well-known/agent.json.
func CardURLs(c *ExternalConfig) []string {
	if c == nil {
		return nil
	}
	if c.AgentCardURL != "" {
		return []string{c.AgentCardURL}
	}
	u, err := url.Parse(c.EndpointURL)
	if err != nil || u.Host == "" {
		return nil
	}
	origin := u.Scheme + "://" + u.Host
	return []string{origin + "/.well-known/agent-card.json", origin + "/.well-known/agent.json"}
}

// CardState is an external agent's cached card and refresh status.
type CardState struct {
	AgentID       int64               `bun:"agent_id" json:"-"`
	Card          json.RawMessage     `bun:"card" json:"card"`
	SpecVersion   string              `bun:"spec_version" json:"specVersion"`
	ETag          string              `bun:"etag" json:"etag"`
	SourceURL     string              `bun:"source_url" json:"sourceUrl"`
	FetchedAt     *time.Time          `bun:"fetched_at" json:"fetchedAt"`
	LastError     string              `bun:"last_error" json:"lastError"`
	Failures      int                 `bun:"failures" json:"failures"`
	NextRefreshAt time.Time           `bun:"next_refresh_at" json:"nextRefreshAt"`
	SkillRoles    map[string][]string `bun:"-" json:"skillRoles"`
}

// CardState reads the cached card of an agent of the organisation.
func (s *Store) CardState(ctx context.Context, orgID, agentID int64) (*CardState, error) {
	st := new(CardState)
	err := s.DB.NewRaw(`SELECT agent_id, card, spec_version, etag, source_url, fetched_at, last_error, failures, next_refresh_at
		FROM agent_cards WHERE agent_id = ? AND org_id = ?`, agentID, orgID).Scan(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("db: card of agent %d: %w", agentID, notFound(err))
	}
	if string(st.Card) == "null" {
		st.Card = nil
	}
	var rows []struct {
		SkillID string   `bun:"skill_id"`
		Roles   []string `bun:"roles,array"`
	}
	if err := s.DB.NewRaw("SELECT skill_id, roles FROM agent_skill_roles WHERE agent_id = ?", agentID).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	st.SkillRoles = map[string][]string{}
	for _, r := range rows {
		st.SkillRoles[r.SkillID] = r.Roles
	}
	return st, nil
}

// CardRefresh is one entry of an agent's refresh history.
type CardRefresh struct {
	ID          int64           `bun:"id" json:"id"`
	AgentID     int64           `bun:"agent_id" json:"agentId"`
	By          string          `bun:"by_label" json:"by"`
	Outcome     string          `bun:"outcome" json:"outcome"`
	Error       string          `bun:"error" json:"error,omitempty"`
	URL         string          `bun:"url" json:"url"`
	SpecVersion string          `bun:"spec_version" json:"specVersion"`
	OldCard     json.RawMessage `bun:"old_card" json:"oldCard,omitempty"`
	NewCard     json.RawMessage `bun:"new_card" json:"newCard,omitempty"`
	Report      json.RawMessage `bun:"change_report" json:"changeReport,omitempty"`
	CreatedAt   time.Time       `bun:"created_at" json:"createdAt"`
}

// CardRefreshes lists an agent's refreshes, newest first (without the cards).
func (s *Store) CardRefreshes(ctx context.Context, orgID, agentID int64, limit int) ([]CardRefresh, error) {
	out := []CardRefresh{}
	err := s.DB.NewRaw(`SELECT id, agent_id, by_label, outcome, error, url, spec_version, change_report, created_at
		FROM card_refreshes WHERE agent_id = ? AND org_id = ? ORDER BY id DESC LIMIT ?`, agentID, orgID, limit).Scan(ctx, &out)
	return out, err
}

// CardRefreshByID reads one refresh whole.
func (s *Store) CardRefreshByID(ctx context.Context, orgID, id int64) (*CardRefresh, error) {
	r := new(CardRefresh)
	if err := s.DB.NewRaw(`SELECT id, agent_id, by_label, outcome, error, url, spec_version, old_card, new_card, change_report, created_at
		FROM card_refreshes WHERE id = ? AND org_id = ?`, id, orgID).Scan(ctx, r); err != nil {
		return nil, fmt.Errorf("db: card refresh %d: %w", id, notFound(err))
	}
	return r, nil
}

// RefreshOutcome is what a refresh did (seed 004's changeReport plus the stored state).
type RefreshOutcome struct {
	Agent     *Agent
	Report    *cards.Report
	RefreshID int64
}

// CardToRefresh is the external agent whose card is to be refreshed, with the ETag of
// its cached card (sent back as If-None-Match). Fetching is the caller's (db/cardsvc):
// the store never reaches the network.
func (s *Store) CardToRefresh(ctx context.Context, orgID, agentID int64) (*Agent, string, error) {
	a, err := s.Agent(ctx, orgID, agentID)
	if err != nil {
		return nil, "", err
	}
	if a.DeletedAt != nil {
		return nil, "", fmt.Errorf("db: agent %d: %w", agentID, ErrNotFound)
	}
	if a.AgentType != agentspec.TypeExternal {
		return nil, "", invalid(Issue{Message: "Only external agents have an agent card", Path: []any{"agentType"}})
	}
	var etag string
	s.DB.NewRaw("SELECT etag FROM agent_cards WHERE agent_id = ? AND card IS NOT NULL", agentID).Scan(ctx, &etag)
	return a, etag, nil
}

// StoreCardRefresh records one refresh of a's card in one transaction: got is what the
// fetch returned, or fetchErr why it failed. A success stores the cached copy, the
// change report, roles for new skills (organisation rules), a history entry, a version
// when the card changed and an audit entry; a failure is recorded and leaves the cached
// card untouched (answered as a CardRefreshError). actor nil means the scheduler, whose
// claim time is claimedAt.
func (s *Store) StoreCardRefresh(ctx context.Context, actor *Actor, a *Agent, got *FetchedCard, fetchErr error, claimedAt *time.Time) (*RefreshOutcome, error) {
	if actor == nil {
		actor = &Actor{OrgID: a.OrgID, Email: "scheduler", Via: "scheduler"}
	}
	out := &RefreshOutcome{Agent: a}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("INSERT INTO agent_cards (agent_id, org_id) VALUES (?, ?) ON CONFLICT DO NOTHING", a.ID, a.OrgID).Exec(ctx); err != nil {
			return err
		}
		var cur struct {
			Card json.RawMessage `bun:"card"`
		}
		if err := tx.NewRaw("SELECT card FROM agent_cards WHERE agent_id = ? FOR UPDATE", a.ID).Scan(ctx, &cur); err != nil {
			return err
		}
		if fetchErr != nil {
			return s.recordCardFailure(ctx, tx, actor, a, fetchErr, claimedAt)
		}
		return s.storeFetchedCard(ctx, tx, actor, a, cur.Card, got, claimedAt, out)
	})
	if err != nil {
		return nil, err
	}
	if fetchErr != nil {
		return nil, &CardRefreshError{Cause: fetchErr}
	}
	out.Agent, err = s.Agent(ctx, a.OrgID, a.ID)
	return out, err
}

// storeFetchedCard stores a fetched card over the cached one (cur, locked).
func (s *Store) storeFetchedCard(ctx context.Context, tx bun.Tx, actor *Actor, a *Agent, cur json.RawMessage, got *FetchedCard, claimedAt *time.Time, out *RefreshOutcome) error {
	var old *a2a.AgentCard
	if len(cur) > 0 && string(cur) != "null" {
		old = new(a2a.AgentCard)
		json.Unmarshal(cur, old)
	}
	newCard, spec := cur, ""
	var report *cards.Report
	if got.NotModified {
		report = cards.Compare(old, old)
	} else {
		newCard, report, spec = cards.Normalize(got.Card), cards.Compare(old, got.Card), cards.SpecVersion(got.Body)
	}
	report.LastRefresh = time.Now().UTC().Format(time.RFC3339)
	changed := !got.NotModified && !sameJSON(cur, newCard)
	if changed {
		pol, err := s.reviewPolicy(ctx, tx, a.OrgID)
		if err != nil {
			return err
		}
		if pol.Protects(a.Stage, a.TagIDs) { // the approved card stays in force
			return s.storePendingCard(ctx, tx, actor, a, cur, pendingCard{Card: newCard, SpecVersion: spec, ETag: got.ETag, SourceURL: got.URL},
				got.Card, report, claimedAt, out)
		}
	}
	// The card in force is what the host serves now: a pending card request, if any,
	// has nothing left to propose.
	if err := s.closeCardRequest(ctx, tx, actor, a.ID); err != nil {
		return err
	}
	if changed {
		roles, err := s.applySkillRoles(ctx, tx, a, got.Card, report)
		if err != nil {
			return err
		}
		report.RolesAutoApplied = roles
	}
	if _, err := tx.NewRaw(`UPDATE agent_cards SET card = ?::jsonb, spec_version = CASE WHEN ? = '' THEN spec_version ELSE ? END,
			etag = ?, source_url = ?, fetched_at = now(), last_error = '', failures = 0 WHERE agent_id = ?`,
		string(newCard), spec, spec, got.ETag, got.URL, a.ID).Exec(ctx); err != nil {
		return err
	}
	outcome := "unchanged"
	if changed {
		outcome = "changed"
	}
	reportJSON, _ := json.Marshal(report)
	if err := tx.NewRaw(`INSERT INTO card_refreshes (org_id, agent_id, by_label, outcome, url, spec_version, old_card, new_card, change_report, claimed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?) RETURNING id`, a.OrgID, a.ID, actor.Label(), outcome, got.URL, spec,
		jsonOrNull(cur), string(newCard), string(reportJSON), claimedAt).Scan(ctx, &out.RefreshID); err != nil {
		return err
	}
	if changed {
		summary := fmt.Sprintf("card refreshed: %s added, %d removed, %d changed", count(len(report.SkillsAdded), "skill", "skills"), len(report.SkillsRemoved), len(report.SkillsChanged))
		if err := s.appendDerivedVersions(ctx, tx, actor, []int64{a.ID}, SourceCardRefresh, summary, "prev.fields_ref", "prev.tools_ref"); err != nil {
			return err
		}
	}
	out.Report = report
	return s.Audit(ctx, tx, actor, "agent.card_refreshed", "agent", a.ID, a.Name+": "+outcome)
}

// CardRefreshError is a refresh that could not fetch or read the card; the cached card
// is unchanged and the failure is in the history.
type CardRefreshError struct{ Cause error }

func (e *CardRefreshError) Error() string {
	return "Could not refresh the agent card: " + e.Cause.Error()
}
func (e *CardRefreshError) Unwrap() error { return e.Cause }

func (s *Store) recordCardFailure(ctx context.Context, tx bun.Tx, actor *Actor, a *Agent, cause error, claimedAt *time.Time) error {
	urls := CardURLs(a.ExternalConfig)
	u := ""
	if len(urls) > 0 {
		u = urls[0]
	}
	if _, err := tx.NewRaw("UPDATE agent_cards SET last_error = ?, failures = failures + 1, last_attempt_at = now() WHERE agent_id = ?",
		cause.Error(), a.ID).Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewRaw(`INSERT INTO card_refreshes (org_id, agent_id, by_label, outcome, error, url, claimed_at) VALUES (?, ?, ?, 'error', ?, ?, ?)`,
		a.OrgID, a.ID, actor.Label(), cause.Error(), u, claimedAt).Exec(ctx); err != nil {
		return err
	}
	return s.Audit(ctx, tx, actor, "agent.card_refresh_failed", "agent", a.ID, a.Name+": "+cause.Error())
}

// applySkillRoles gives each new skill the roles of the organisation's rules that match
// it (a tag of the skill, or "*"), drops roles of removed skills, and returns the roles
// applied.
func (s *Store) applySkillRoles(ctx context.Context, tx bun.Tx, a *Agent, card *a2a.AgentCard, report *cards.Report) ([]string, error) {
	set, err := s.skillRolesFor(ctx, tx, a.OrgID, card, report)
	if err != nil {
		return nil, err
	}
	if len(report.SkillsRemoved) > 0 {
		if _, err := tx.NewRaw("DELETE FROM agent_skill_roles WHERE agent_id = ? AND skill_id = ANY(?)", a.ID, pgdialect.Array(report.SkillsRemoved)).Exec(ctx); err != nil {
			return nil, err
		}
	}
	if len(set.skillIDs) > 0 {
		if _, err := tx.NewRaw(`INSERT INTO agent_skill_roles (agent_id, skill_id, roles)
			SELECT ?, s, r::text[] FROM unnest(?::text[], ?::text[]) AS x(s, r)
			ON CONFLICT (agent_id, skill_id) DO UPDATE SET roles = EXCLUDED.roles`, a.ID, pgdialect.Array(set.skillIDs), pgdialect.Array(set.skillRoles)).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return set.applied, nil
}

// skillRoleSet is what the rules give a card's new skills: per skill its roles (as
// PostgreSQL array literals), and every role applied.
type skillRoleSet struct {
	skillIDs, skillRoles, applied []string
}

// skillRolesFor computes the roles the rules give the report's new skills without
// writing them (a pending card names them before they are applied).
func (s *Store) skillRolesFor(ctx context.Context, tx bun.IDB, orgID int64, card *a2a.AgentCard, report *cards.Report) (*skillRoleSet, error) {
	var rules []struct {
		Match string   `bun:"match"`
		Roles []string `bun:"roles,array"`
	}
	if err := tx.NewRaw("SELECT match, roles FROM skill_role_rules WHERE org_id = ?", orgID).Scan(ctx, &rules); err != nil {
		return nil, err
	}
	added := map[string]bool{}
	for _, id := range report.SkillsAdded {
		added[id] = true
	}
	applied := map[string]bool{}
	set := &skillRoleSet{}
	for _, sk := range card.Skills {
		if !added[sk.ID] {
			continue
		}
		roles := map[string]bool{}
		for _, r := range rules {
			if r.Match == "*" || slices.Contains(sk.Tags, r.Match) {
				for _, role := range r.Roles {
					roles[role] = true
				}
			}
		}
		list := sortedKeys(roles)
		for _, role := range list {
			applied[role] = true
		}
		set.skillIDs = append(set.skillIDs, sk.ID)
		set.skillRoles = append(set.skillRoles, "{"+strings.Join(quoteAll(list), ",")+"}")
	}
	set.applied = sortedKeys(applied)
	return set, nil
}

// SetSkillRoles replaces a skill's roles (people edit what the rules applied).
func (s *Store) SetSkillRoles(ctx context.Context, actor *Actor, agentID int64, skillID string, roles []string) error {
	if len(skillID) > maxShortText {
		return fmt.Errorf("db: skill of agent %d: %w", agentID, ErrNotFound) // no skill has such an id
	}
	if issues := rolesIssues(roles); len(issues) > 0 {
		return invalid(issues...)
	}
	clean := cleanRoles(roles)
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var ok bool
		if err := tx.NewRaw("SELECT EXISTS (SELECT 1 FROM agents WHERE id = ? AND org_id = ?)", agentID, actor.OrgID).Scan(ctx, &ok); err != nil {
			return err
		}
		if err := s.refuseProtected(ctx, tx, actor.OrgID, []int64{agentID}, "change skill roles of", 0); err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("db: agent %d: %w", agentID, ErrNotFound)
		}
		if _, err := tx.NewRaw(`INSERT INTO agent_skill_roles (agent_id, skill_id, roles) VALUES (?, ?, ?)
			ON CONFLICT (agent_id, skill_id) DO UPDATE SET roles = EXCLUDED.roles`, agentID, skillID, pgdialect.Array(clean)).Exec(ctx); err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "agent.skill_roles_changed", "agent", agentID, skillID+": "+strings.Join(clean, ", "))
	})
}

// SkillRoleRule maps a skill tag (or "*") to roles.
type SkillRoleRule struct {
	ID    int64    `bun:"id" json:"id"`
	Match string   `bun:"match" json:"match"`
	Roles []string `bun:"roles,array" json:"roles"`
	// Replaced holds the roles a save replaced (nil when the save created the rule), so
	// the console can say it updated an existing rule rather than added one.
	Replaced []string `bun:"-" json:"-"`
}

// SkillRoleRules lists the organisation's rules.
func (s *Store) SkillRoleRules(ctx context.Context, orgID int64) ([]SkillRoleRule, error) {
	out := []SkillRoleRule{}
	err := s.DB.NewRaw("SELECT id, match, roles FROM skill_role_rules WHERE org_id = ? ORDER BY match", orgID).Scan(ctx, &out)
	return out, err
}

// SaveSkillRoleRule creates or replaces the rule for a match.
func (s *Store) SaveSkillRoleRule(ctx context.Context, actor *Actor, match string, roles []string) (*SkillRoleRule, error) {
	match = strings.TrimSpace(match)
	clean := cleanRoles(roles)
	var issues []Issue
	if match == "" {
		issues = append(issues, Issue{Message: "Required: a skill tag, or * for every skill", Path: []any{"match"}})
	} else if len(match) > maxRoleText {
		issues = append(issues, Issue{Message: tooLong(maxRoleText), Path: []any{"match"}})
	}
	if ri := rolesIssues(roles); len(ri) > 0 {
		issues = append(issues, ri...)
	} else if len(clean) == 0 {
		issues = append(issues, Issue{Message: "Name at least one role", Path: []any{"roles"}})
	}
	if len(issues) > 0 {
		return nil, invalid(issues...)
	}
	r := &SkillRoleRule{Match: match, Roles: clean}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// The old roles come from the row as it was before this statement (one row per match).
		var old []string
		if err := tx.NewRaw(`WITH old AS (SELECT roles FROM skill_role_rules WHERE org_id = ? AND match = ?)
			INSERT INTO skill_role_rules (org_id, match, roles) VALUES (?, ?, ?)
			ON CONFLICT (org_id, match) DO UPDATE SET roles = EXCLUDED.roles RETURNING id, (SELECT roles FROM old)`,
			actor.OrgID, match, actor.OrgID, match, pgdialect.Array(clean)).Scan(ctx, &r.ID, pgdialect.Array(&old)); err != nil {
			return err
		}
		summary := match + " → " + strings.Join(clean, ", ")
		if old != nil {
			r.Replaced = old
			summary += " (was " + strings.Join(old, ", ") + ")"
		}
		return s.Audit(ctx, tx, actor, "skill_rule.saved", "skill_rule", r.ID, summary)
	})
	return r, err
}

// DeleteSkillRoleRule removes a rule.
func (s *Store) DeleteSkillRoleRule(ctx context.Context, actor *Actor, id int64) error {
	return s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var match string
		if err := tx.NewRaw("DELETE FROM skill_role_rules WHERE id = ? AND org_id = ? RETURNING match", id, actor.OrgID).Scan(ctx, &match); err != nil {
			return fmt.Errorf("db: skill rule %d: %w", id, notFound(err))
		}
		return s.Audit(ctx, tx, actor, "skill_rule.deleted", "skill_rule", id, match)
	})
}

// DueCard is an external agent whose card is due for a refresh, as claimed.
type DueCard struct {
	AgentID   int64     `bun:"agent_id"`
	OrgID     int64     `bun:"org_id"`
	ClaimedAt time.Time `bun:"claimed_at"` // the claiming statement's now()
}

// ClaimDueCards claims up to limit cards whose refresh is due, across every instance:
// SKIP LOCKED hands each due card to one claimer, and the claim moves next_refresh_at to
// the claim time plus the agent's interval (doubled per consecutive failure, at most
// 16×). unit is one "minute" of refreshIntervalMinutes (tests shorten it).
//
// "Once per interval" (SPEC §5) means: two scheduled claims of one card are never less
// than an interval apart, however late a tick comes and however many instances run. So
// the next due time counts from the claim, not from the old schedule: keeping the old
// grid (old next + interval) after a late tick put the next claim a fraction of an
// interval after this one. A schedule that fell behind does not catch up; it slips by
// the lateness (at most one tick per interval when the instances keep up). The bound
// holds across instances because a claimer that read the row before this claim
// committed re-checks next_refresh_at <= now() on the updated row, and its now() is
// earlier than this claim's.
func (s *Store) ClaimDueCards(ctx context.Context, limit int, unit time.Duration) ([]DueCard, error) {
	out := []DueCard{}
	err := s.DB.NewRaw(`WITH due AS (
			SELECT c.agent_id,
				make_interval(secs => ? * greatest(coalesce((a.external_config ->> 'refreshIntervalMinutes')::int, 0), 0)) AS iv0,
				power(2, least(c.failures, 4)) AS backoff
			FROM agent_cards c JOIN agents a ON a.id = c.agent_id
			WHERE c.next_refresh_at <= now() AND a.deleted_at IS NULL AND a.agent_type = 'external'
			ORDER BY c.next_refresh_at LIMIT ? FOR UPDATE OF c SKIP LOCKED),
		iv AS (SELECT agent_id, CASE WHEN iv0 = interval '0' THEN make_interval(secs => ? * ?) ELSE iv0 END * backoff AS iv FROM due)
		UPDATE agent_cards c SET last_attempt_at = now(), next_refresh_at = now() + iv.iv
		FROM iv WHERE c.agent_id = iv.agent_id RETURNING c.agent_id, c.org_id, now() AS claimed_at`,
		unit.Seconds(), limit, unit.Seconds(), agentspec.DefaultRefreshIntervalMinutes).Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("db: claim due cards: %w", err)
	}
	return out, nil
}

// RefreshAllCards makes every external agent of the organisation due now, and returns
// how many there are (the scheduler then refreshes them, with bounded concurrency).
func (s *Store) RefreshAllCards(ctx context.Context, actor *Actor) (int, time.Time, error) {
	var n int
	var at time.Time
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw(`WITH u AS (UPDATE agent_cards c SET next_refresh_at = now() FROM agents a
				WHERE a.id = c.agent_id AND c.org_id = ? AND a.deleted_at IS NULL AND a.agent_type = 'external' RETURNING 1)
			SELECT count(*), now() FROM u`, actor.OrgID).Scan(ctx, &n, &at); err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "cards.refresh_all", "organization", actor.OrgID, count(n, "external agent", "external agents"))
	})
	return n, at, err
}

// CardRefreshProgress counts the organisation's refreshes since a time, and its
// external agents.
func (s *Store) CardRefreshProgress(ctx context.Context, orgID int64, since time.Time) (done, total int, err error) {
	err = s.DB.NewRaw(`SELECT
		(SELECT count(DISTINCT agent_id) FROM card_refreshes WHERE org_id = ? AND created_at >= ?),
		(SELECT count(*) FROM agent_cards c JOIN agents a ON a.id = c.agent_id WHERE c.org_id = ? AND a.deleted_at IS NULL AND a.agent_type = 'external')`,
		orgID, since, orgID).Scan(ctx, &done, &total)
	return done, total, err
}

func sameJSON(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	return bytes.Equal(catalog.Canonical(a), catalog.Canonical(b))
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quoteAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return out
}

// Limits on skill roles and the rules that assign them.
const (
	maxRoles    = 20  // roles of one skill or rule
	maxRoleText = 100 // a role, or a rule's match
)

// rolesIssues refuses too many roles or too long a role (cleanRoles splits on commas,
// so a form's one field counts as its parts).
func rolesIssues(roles []string) []Issue {
	n := 0
	for i, r := range roles {
		for _, part := range strings.Split(r, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue // "a, ,b": the empty entry is dropped, not counted
			}
			n++
			if len(part) > maxRoleText {
				return []Issue{{Message: tooLong(maxRoleText), Path: []any{"roles", i}}}
			}
			if !rolePattern.MatchString(part) {
				return []Issue{{Message: fmt.Sprintf("Role %q: use letters, digits, spaces and - _ . : / only, starting with a letter or digit", Shorten(part)), Path: []any{"roles", i}}}
			}
		}
	}
	if n > maxRoles {
		return []Issue{{Message: tooMany(maxRoles), Path: []any{"roles"}}}
	}
	return nil
}

// rolePattern is what a role looks like: a word or short phrase people read and match
// on ("booking-agent", "travel:read"), not punctuation, quotes or control characters.
var rolePattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _.:/-]*$`)

func cleanRoles(roles []string) []string {
	seen := map[string]bool{}
	for _, r := range roles {
		for _, part := range strings.Split(r, ",") {
			if p := strings.TrimSpace(part); p != "" && len(p) <= 100 {
				seen[p] = true
			}
		}
	}
	return sortedKeys(seen)
}
