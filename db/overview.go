package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Card states the overview and the list filter (?cardStatus=) name.
const (
	CardFailed  = "failed"  // the last refresh failed (the cached card stays)
	CardOverdue = "overdue" // due for longer than CardOverdueAfter: no instance refreshed it
)

// CardStatuses lists the list's card filters.
var CardStatuses = []string{CardFailed, CardOverdue}

// CardOverdueAfter is how long past its due time a card counts as overdue: the
// scheduler claims due cards every CARD_REFRESH_TICK (15 s by default), so a card
// this late means refreshes are not happening.
const CardOverdueAfter = 15 * time.Minute

// The predicates behind the overview's numbers and the list filters they link to,
// written once so that a number and its list cannot disagree. Each takes the agent as a.
const (
	outdatedAgentPredicate = `EXISTS (SELECT 1 FROM jsonb_each(a.tools) t JOIN catalog_tools c ON c.name = t.key WHERE ` + outdatedPredicate + `)`
	cardFailedPredicate    = `a.agent_type = 'external' AND EXISTS (SELECT 1 FROM agent_cards c WHERE c.agent_id = a.id AND c.last_error <> '')`
	cardOverduePredicate   = `a.agent_type = 'external' AND EXISTS (SELECT 1 FROM agent_cards c WHERE c.agent_id = a.id AND c.last_error = ''
		AND c.next_refresh_at < now() - make_interval(secs => ?))`
	// changedSinceReleasePredicate: a draft (stage development) published before, whose
	// live version is newer than its last publish — work in progress on a released agent.
	changedSinceReleasePredicate = `a.stage = 'development' AND (SELECT max(p.number) FROM agent_versions p WHERE p.agent_id = a.id AND p.source = 'publish')
		< (SELECT v.number FROM agent_versions v WHERE v.id = a.published_version_id)`
)

// CardAttention is an external agent whose card needs a look.
type CardAttention struct {
	ID        int64     `bun:"id"`
	Name      string    `bun:"name"`
	Status    string    `bun:"status"` // CardFailed or CardOverdue
	LastError string    `bun:"last_error"`
	DueAt     time.Time `bun:"next_refresh_at"`
}

// Overview is the admin's morning page: counts over the organisation's live agents.
type Overview struct {
	Total               int
	ByStage, ByType     map[string]int
	Outdated            int
	CardFailed          int
	CardOverdue         int
	Cards               []CardAttention // the first few, failed first
	ChangedSinceRelease int
}

// OverviewCardsShown bounds the overview's list of cards needing attention.
const OverviewCardsShown = 10

// Overview computes the overview in three set-based statements, whatever the number
// of agents: counts by stage and type with every flag, and the cards needing a look.
func (s *Store) Overview(ctx context.Context, orgID int64) (*Overview, error) {
	o := &Overview{ByStage: map[string]int{}, ByType: map[string]int{}}
	overdue := CardOverdueAfter.Seconds()
	var groups []struct {
		Stage, Type                            string
		N, Outdated, Failed, Overdue, SinceRel int
	}
	err := s.DB.NewRaw(`SELECT a.stage, a.agent_type AS type, count(*) AS n,
			(SELECT coalesce(sum(u.outdated), 0) FROM tool_usage u WHERE u.org_id = min(a.org_id) AND u.name = '') AS outdated,
			count(*) FILTER (WHERE `+cardFailedPredicate+`) AS failed,
			count(*) FILTER (WHERE `+cardOverduePredicate+`) AS overdue,
			count(*) FILTER (WHERE `+changedSinceReleasePredicate+`) AS since_rel
		FROM agents a WHERE a.org_id = ? AND a.deleted_at IS NULL GROUP BY 1, 2`, overdue, orgID).Scan(ctx, &groups)
	if err != nil {
		return nil, fmt.Errorf("db: overview of org %d: %w", orgID, err)
	}
	for _, g := range groups {
		o.Total += g.N
		o.ByStage[g.Stage] += g.N
		o.ByType[g.Type] += g.N
		o.Outdated = g.Outdated // the organisation's, from the counts migration 034 keeps (each group has it)
		o.CardFailed += g.Failed
		o.CardOverdue += g.Overdue
		o.ChangedSinceRelease += g.SinceRel
	}
	o.Cards = []CardAttention{}
	err = s.DB.NewRaw(`SELECT a.id, a.name, CASE WHEN c.last_error <> '' THEN 'failed' ELSE 'overdue' END AS status, c.last_error, c.next_refresh_at
		FROM agents a JOIN agent_cards c ON c.agent_id = a.id
		WHERE a.org_id = ? AND a.deleted_at IS NULL AND a.agent_type = 'external'
			AND (c.last_error <> '' OR c.next_refresh_at < now() - make_interval(secs => ?))
		ORDER BY c.last_error = '', c.next_refresh_at, a.id LIMIT ?`, orgID, overdue, OverviewCardsShown).Scan(ctx, &o.Cards)
	if err != nil {
		return nil, fmt.Errorf("db: overview cards of org %d: %w", orgID, err)
	}
	return o, nil
}

// AwaitingYou is the overview's "awaiting you": change requests awaiting the person's
// verdict (zero for those who may not approve) and their own requests still in review,
// counted with the predicates of the Reviews page lists the numbers link to.
type AwaitingYou struct {
	Review int // awaiting my review
	Mine   int // my change requests in review
}

// AwaitingYou counts both in one statement.
func (s *Store) AwaitingYou(ctx context.Context, actor *Actor) (*AwaitingYou, error) {
	canApprove, err := s.CanApprove(ctx, actor)
	if err != nil {
		return nil, err
	}
	out := &AwaitingYou{}
	err = s.DB.NewRaw(`SELECT count(*) FILTER (WHERE ? AND `+awaitingPredicate+`) AS review,
			count(*) FILTER (WHERE cr.author_user_id = ? AND cr.status IN (?)) AS mine
		FROM change_requests cr WHERE cr.org_id = ?`,
		canApprove, actor.UserID, actor.UserID, actor.UserID, bun.In(OpenStatuses), actor.OrgID).Scan(ctx, &out.Review, &out.Mine)
	if err != nil {
		return nil, fmt.Errorf("db: change requests awaiting user %d: %w", actor.UserID, err)
	}
	return out, nil
}
