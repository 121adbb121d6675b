package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
	"agentconsole/db/registry"
)

// AgentFilter is the agents list's query: every field maps to an indexed condition.
type AgentFilter struct {
	Query   string  // name contains (trigram index)
	TagIDs  []int64 // agents carrying these tags
	AllTags bool    // all of TagIDs rather than any
	Stage   string  // development | released
	Type    string  // native | external
	Deleted bool    // the trash: only soft-deleted agents
	// The overview's filters (db/overview.go): agents holding an outdated tool schema,
	// external agents whose card failed or is overdue, drafts changed since release.
	Outdated            bool
	CardStatus          string // "", CardFailed, CardOverdue
	ChangedSinceRelease bool
	Summary             bool   // only the columns a list shows (not prompts, tools or configs)
	Sort                string // updated (default), name, created, model, type, stage
	Dir                 string // asc | desc; "" is the sort's own (agentspec.DefaultSortDir)
	Page                int    // 1-based
	PerPage             int
}

// Narrows says whether any filter (the list's own or the overview's) leaves agents
// out, so an empty page means "none match" rather than "none yet".
func (f AgentFilter) Narrows() bool {
	return f.Query != "" || len(f.TagIDs) > 0 || f.Stage != "" || f.Type != "" ||
		f.Outdated || f.CardStatus != "" || f.ChangedSinceRelease
}

// AgentPage is one page of the list.
type AgentPage struct {
	Agents  []*Agent
	Total   int
	Page    int
	PerPage int
	// A summary page (the console's list) also carries what the page shows beside its
	// rows, read in one more statement: the organisation's tags by name (the filter
	// chips, and the names and colours of each row's tags) and the model registry (the
	// bulk bar's "change model").
	Tags   []TagRef
	Models []Model
}

// The values the list's enum filters accept, and the bounds of its paging and text
// filters (OFFSET = (page-1)·perPage stays far from overflowing).
var (
	ListStages = agentspec.Stages
	ListTypes  = agentspec.AgentTypes
	AgentSorts = agentspec.Sorts
)

const (
	MaxPage       = 100_000
	MaxPerPage    = 100
	MaxFilterText = 200 // a search or filter text
	MaxFilterTags = maxListItems
)

// Normalize clamps paging and drops unknown values.
func (f *AgentFilter) Normalize() {
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 25
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	if !agentspec.OneOf(f.Stage, agentspec.Stages) {
		f.Stage = ""
	}
	if !agentspec.OneOf(f.Type, agentspec.AgentTypes) {
		f.Type = ""
	}
	if !agentspec.OneOf(f.CardStatus, CardStatuses) {
		f.CardStatus = ""
	}
	if !agentspec.OneOf(f.Sort, agentspec.Sorts) {
		f.Sort = agentspec.Sorts[0]
	}
	if !agentspec.OneOf(f.Dir, agentspec.SortDirs) {
		f.Dir = agentspec.DefaultSortDir(f.Sort)
	}
	f.Query = strings.TrimSpace(f.Query)
}

// Agents lists a page of the organisation's agents with their tags and the filter's
// total: one prepared statement (the rows, each row's tags, the count as an
// uncorrelated subquery PostgreSQL runs once) whatever the page size. Under load every
// round trip waits for a PostgreSQL backend and then for the server to be scheduled
// again; three of them per page made the list's tail (make bench, scenario 1).
//
// A summary page (the console's list, its hot path) is scanned by pgx natively (no
// reflection), carries each row's open change requests, and its rows' tag ids are
// named from the organisation's tag list, which the page needs anyway (listLookups):
// two statements for everything the list shows.
func (s *Store) Agents(ctx context.Context, orgID int64, f AgentFilter) (*AgentPage, error) {
	return s.agents(ctx, orgID, f, func() ([]TagRef, []Model, error) { return s.listLookups(ctx, orgID) })
}

// AgentsSeen is Agents for the actor's own organisation, a summary page's tags and
// models taken from the caches its change counters check (TagsSeen, ModelsSeen)
// instead of a statement: the console's list in two statements, the session and its
// page. The page's Tags and Models are then shared: read them, never change them.
func (s *Store) AgentsSeen(ctx context.Context, a *Actor, f AgentFilter) (*AgentPage, error) {
	return s.agents(ctx, a.OrgID, f, func() ([]TagRef, []Model, error) {
		tags, err := s.TagsSeen(ctx, a)
		if err != nil {
			return nil, nil, err
		}
		models, err := s.ModelsSeen(ctx, a)
		return tags, models, err
	})
}

// agents is Agents with a summary page's lookups (the organisation's tags by name, the
// model registry by id) read by lookups.
func (s *Store) agents(ctx context.Context, orgID int64, f AgentFilter, lookups func() ([]TagRef, []Model, error)) (*AgentPage, error) {
	f.Normalize()
	page := &AgentPage{Page: f.Page, PerPage: f.PerPage, Agents: []*Agent{}}
	where, args := agentsWhere(orgID, f)
	query, pageArgs := f.PageSQL(orgID)
	var err error
	if f.Summary {
		page.Agents, err = s.summaryRows(ctx, query, pageArgs, f.PerPage)
	} else {
		page.Agents, err = s.fullRows(ctx, query, pageArgs, f.PerPage)
	}
	if err != nil {
		return nil, fmt.Errorf("db: list agents: %w", err)
	}
	if len(page.Agents) > 0 {
		page.Total = page.Agents[0].ListTotal
	} else if f.Page > 1 { // past the end: the caller needs the total to find the last page
		if err := s.prepared(ctx, s.DB, "SELECT count(*) FROM agents AS a WHERE "+where, args, &page.Total); err != nil {
			return nil, fmt.Errorf("db: count agents: %w", err)
		}
	}
	if f.Summary {
		if page.Tags, page.Models, err = lookups(); err != nil {
			return nil, fmt.Errorf("db: list agents: %w", err)
		}
		nameTags(page.Agents, page.Tags)
	}
	return page, nil
}

// listTagsExpr is a list row's tags as JSON, in the order loadTags gives them.
const listTagsExpr = `(SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color) ORDER BY lower(t.name), t.id), '[]')
	FROM agent_tags at JOIN tags t ON t.id = at.tag_id WHERE at.agent_id = a.id) AS list_tags`

// takeTagsJSON reads a row's tags as JSON (listTagsExpr) into TagIDs and Tags, as
// loadTags fills them.
func (a *Agent) takeTagsJSON(raw []byte) error {
	tags, err := tagsFromJSON(raw)
	if err != nil {
		return fmt.Errorf("db: tags of agent %d: %w", a.ID, err)
	}
	a.TagIDs, a.Tags = make([]int64, len(tags)), make([]TagRef, len(tags))
	for i, t := range tags {
		a.TagIDs[i], a.Tags[i] = t.ID, t
	}
	return nil
}

// listSummaryColumns are what the list shows: no prompts, tools or configs; with who
// made the live version (the list's "updated by"), who deleted the agent, its open
// change requests (the "in review" badge: 50 probes of a partial index that holds only
// open requests) and its tag ids (named in Go from the organisation's tag list). The
// order is summaryRows' scan order.
const listSummaryColumns = `a.id, a.org_id, a.name, a.description, a.logo_url, a.model, a.stage, a.show_in_chat, a.agent_type,
	a.published_version_id, a.created_at, a.updated_at, a.deleted_at, a.deleted_by,
	coalesce((SELECT v.author FROM agent_versions v WHERE v.id = a.published_version_id), '') AS updated_by,
	(SELECT count(*) FROM change_requests cr WHERE cr.agent_id = a.id AND cr.org_id = a.org_id
		AND cr.status IN ('open', 'approved', 'changes_requested')) AS open_requests,
	ARRAY(SELECT at.tag_id FROM agent_tags at WHERE at.agent_id = a.id) AS list_tag_ids`

// sortOrders are the ORDER BY of each sort, every column in one direction (%[1]s) so
// that one btree index (migration 023) serves both directions.
var sortOrders = map[string]string{
	"updated": "a.updated_at %[1]s, a.id %[1]s",
	"name":    "lower(a.name) %[1]s, a.id %[1]s",
	"created": "a.created_at %[1]s, a.id %[1]s",
	"model":   "a.model %[1]s, lower(a.name) %[1]s, a.id %[1]s",
	"type":    "a.agent_type %[1]s, lower(a.name) %[1]s, a.id %[1]s",
	"stage":   "a.stage %[1]s, lower(a.name) %[1]s, a.id %[1]s",
}

// PageSQL is the query of one page of the list, with its arguments (f normalised):
// the store runs it, and tests EXPLAIN it to see each sort read in index order. The
// page size is written in (Normalize keeps it to 1–100, and the list offers four): a
// LIMIT PostgreSQL cannot see is costed as a tenth of the rows, which made the generic
// plan of a slow filter look dear enough to be JIT-compiled (changed since release:
// 32 → 80 ms). The first page, by far the most read, has no OFFSET; a later one's goes
// through an InitPlan like agentsWhere's values.
func (f AgentFilter) PageSQL(orgID int64) (string, []any) {
	f.Normalize()
	where, args := agentsWhere(orgID, f)
	columns := agentColumns + ", " + liveVersionExpr + ", " + listTagsExpr
	if f.Summary {
		columns = listSummaryColumns + ", " + liveVersionExpr
	}
	dir := "ASC"
	if f.Dir == agentspec.SortDesc {
		dir = "DESC"
	}
	order := fmt.Sprintf(sortOrders[f.Sort], dir)
	count := "(SELECT count(*) FROM agents AS a WHERE " + where + ") AS list_total"
	query := "SELECT " + columns + ", " + count + " FROM agents AS a WHERE " + where + " ORDER BY " + order + " LIMIT " + strconv.Itoa(f.PerPage)
	args = append(append([]any{}, args...), args...)
	if f.Page > 1 {
		query, args = query+" OFFSET (SELECT ?::bigint)", append(args, int64((f.Page-1)*f.PerPage))
	}
	return query, args
}

// agentsWhere is the list filter as SQL: every condition has an index behind it.
//
// PostgreSQL keeps one generic plan of a prepared statement only when it costs no more
// than the custom plans it made for the values seen; here it never did (the list's
// page: 9 of 9 executions planned anew, ~1 ms of its CPU each against ~6 running it),
// because with the values visible a custom plan estimates one tag's agents, the
// generic plan "= ANY(unknown array)" as ten tags'. So the values go in through
// InitPlans, "(SELECT $n::type)", which custom plans cannot see into either: both
// estimate alike and after five executions the generic plan is kept
// (TestAgentsPageKeepsAGenericPlan). The vocabulary filters (stage, type; Normalize
// allows nothing else) are written as literals: a handful of statements, each planned
// for its value's share of the rows (200 external agents of 10,200, not half). The
// name search stays a plain parameter: whether its trigram index pays depends on the
// text (no trigram in one or two letters), so that statement is planned per search.
func agentsWhere(orgID int64, f AgentFilter) (string, []any) {
	conds, args := []string{"a.org_id = (SELECT ?::bigint)"}, []any{orgID}
	if f.Deleted {
		conds = append(conds, "a.deleted_at IS NOT NULL")
	} else {
		conds = append(conds, "a.deleted_at IS NULL")
	}
	if f.Query != "" {
		conds, args = append(conds, "a.name ILIKE ?"), append(args, "%"+escapeLike(f.Query)+"%")
	}
	if agentspec.OneOf(f.Stage, agentspec.Stages) {
		conds = append(conds, "a.stage = '"+f.Stage+"'")
	}
	if agentspec.OneOf(f.Type, agentspec.AgentTypes) {
		conds = append(conds, "a.agent_type = '"+f.Type+"'")
	}
	if f.Outdated {
		conds = append(conds, outdatedAgentPredicate)
	}
	switch f.CardStatus {
	case CardFailed:
		conds = append(conds, cardFailedPredicate)
	case CardOverdue:
		conds, args = append(conds, cardOverduePredicate), append(args, CardOverdueAfter.Seconds())
	}
	if f.ChangedSinceRelease {
		conds = append(conds, changedSinceReleasePredicate)
	}
	if tags := dedupe(f.TagIDs); len(tags) > 0 {
		// A semi-join on agent_tags (tag_id, agent_id): one index scan per tag. One tag
		// (the usual filter) is an equality, estimated as one tag's share of the rows.
		switch {
		case f.AllTags && len(tags) > 1:
			conds, args = append(conds, "a.id IN (SELECT at.agent_id FROM agent_tags at WHERE at.tag_id = ANY((SELECT ?::bigint[])::bigint[]) GROUP BY at.agent_id HAVING count(*) = (SELECT ?::bigint))"), append(args, tags, int64(len(tags)))
		case len(tags) > 1: // the cast: ANY of an array, not of a subquery's rows
			conds, args = append(conds, "a.id IN (SELECT at.agent_id FROM agent_tags at WHERE at.tag_id = ANY((SELECT ?::bigint[])::bigint[]))"), append(args, tags)
		default:
			conds, args = append(conds, "a.id IN (SELECT at.agent_id FROM agent_tags at WHERE at.tag_id = (SELECT ?::bigint))"), append(args, tags[0])
		}
	}
	return strings.Join(conds, " AND "), args
}

func escapeLike(s string) string { return likeEscaper.Replace(s) }

// likeEscaper is built once: a Replacer builds a 256-entry table (every editor view
// and text filter escaped through a new one).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Tags lists the organisation's tags by name.
func (s *Store) Tags(ctx context.Context, orgID int64) ([]TagRef, error) {
	var tags []TagRef
	err := s.prepared(ctx, s.DB, "SELECT id, name, color FROM tags WHERE org_id = ? ORDER BY lower(name), id", []any{orgID}, &tags)
	return tags, err
}

// Model is an entry of the model registry.
type Model struct {
	ID          string `bun:"id" json:"id"`
	DisplayName string `bun:"display_name" json:"name"`
}

// Models lists the registry.
func (s *Store) Models(ctx context.Context) ([]Model, error) {
	var ms []Model
	err := s.prepared(ctx, s.DB, "SELECT id, display_name FROM models ORDER BY id", nil, &ms)
	return ms, err
}

// LoadBundledModels upserts the model registry shipped with the product (one statement).
func (s *Store) LoadBundledModels(ctx context.Context) error {
	bundled, err := registry.Models()
	if err != nil {
		return fmt.Errorf("db: bundled models: %w", err)
	}
	models := make([]Model, len(bundled))
	for i, m := range bundled {
		models[i] = Model{ID: m.ID, DisplayName: m.Name}
	}
	return s.LoadModels(ctx, models)
}

// LoadModels upserts models into the registry (one statement).
func (s *Store) LoadModels(ctx context.Context, models []Model) error {
	if len(models) == 0 {
		return nil
	}
	ids, names, providers := make([]string, len(models)), make([]string, len(models)), make([]string, len(models))
	for i, m := range models {
		ids[i], names[i] = m.ID, m.DisplayName
		providers[i], _, _ = strings.Cut(m.ID, ":")
	}
	_, err := s.DB.NewRaw(`INSERT INTO models (id, display_name, provider, builtin)
		SELECT * , true FROM unnest(?::text[], ?::text[], ?::text[])
		ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, builtin = true`,
		pgdialect.Array(ids), pgdialect.Array(names), pgdialect.Array(providers)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("db: load models: %w", err)
	}
	return nil
}

// Model registry limits: the registry is shown in every organisation's editor.
const (
	MaxModels       = 500
	MaxModelIDLen   = 100
	MaxModelNameLen = 100
)

// modelsLockKey serialises additions to the model registry ("models"), so the size
// limit holds with several operators and instances at once.
const modelsLockKey = 0x6d6f64656c73

// AddModel extends the registry: id must be provider:model and new (an existing id is
// refused with "already exists"). The registry is platform
// data: only a platform operator changes it (ErrNotPlatformOperator), at most MaxModels
// models, and every organisation's audit log records the change.
func (s *Store) AddModel(ctx context.Context, actor *Actor, id, name string) (*Model, error) {
	if !actor.IsPlatformOperator() {
		return nil, ErrNotPlatformOperator
	}
	id, name = strings.TrimSpace(id), strings.TrimSpace(name)
	var issues []Issue
	switch provider, model, ok := strings.Cut(id, ":"); {
	case len(id) > MaxModelIDLen: // first: a long paste is told its length, not its shape
		issues = append(issues, Issue{Message: fmt.Sprintf("Model id must be at most %d characters", MaxModelIDLen), Path: []any{"id"}})
	case !ok || provider == "" || model == "" || strings.ContainsAny(id, " \t\n"):
		issues = append(issues, Issue{Message: "Model id must look like provider:model", Path: []any{"id"}})
	}
	switch {
	case name == "":
		issues = append(issues, Issue{Message: "Required", Path: []any{"name"}})
	case len(name) > MaxModelNameLen:
		issues = append(issues, Issue{Message: fmt.Sprintf("Name must be at most %d characters", MaxModelNameLen), Path: []any{"name"}})
	}
	if len(issues) > 0 {
		return nil, invalid(issues...)
	}
	provider, _, _ := strings.Cut(id, ":")
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(modelsLockKey)); err != nil {
			return err
		}
		var count int
		var existing string
		if err := tx.NewRaw("SELECT count(*), coalesce(max(display_name) FILTER (WHERE id = ?), '') FROM models", id).Scan(ctx, &count, &existing); err != nil {
			return err
		}
		// Adding is adding: an existing id is refused, never silently renamed.
		if existing != "" {
			msg := fmt.Sprintf("Model %s already exists (named %q)", id, Shorten(existing))
			return &ValidationError{Message: msg, Details: []Issue{{Message: msg, Path: []any{"id"}}}}
		}
		if count >= MaxModels {
			msg := fmt.Sprintf("The model registry is full: at most %d models", MaxModels)
			return refusal(msg, "id")
		}
		if _, err := tx.NewRaw("INSERT INTO models (id, display_name, provider) VALUES (?, ?, ?)", id, name, provider).Exec(ctx); err != nil {
			return fmt.Errorf("db: add model: %w", err)
		}
		return s.AuditPlatform(ctx, tx, actor, "", "model.added", "model", id, "model "+id+" ("+name+")")
	})
	if err != nil {
		return nil, err
	}
	return &Model{ID: id, DisplayName: name}, nil
}

// AgentChoices lists up to limit live agents of the organisation by name, for pickers
// (callableAgentIds), always including the ids given.
func (s *Store) AgentChoices(ctx context.Context, orgID int64, include []int64, limit int) ([]AgentRef, error) {
	out := []AgentRef{}
	err := s.prepared(ctx, s.DB, `(SELECT id, name FROM agents WHERE org_id = ? AND deleted_at IS NULL ORDER BY lower(name), id LIMIT ?)
		UNION SELECT id, name FROM agents WHERE org_id = ? AND id = ANY(?) ORDER BY 2, 1`,
		[]any{orgID, limit, orgID, append([]int64{}, include...)}, &out)
	return out, err
}

// CatalogTools lists the current catalog without usage counts (cheap: for pickers).
func (s *Store) CatalogTools(ctx context.Context) ([]CatalogTool, error) {
	tools := []CatalogTool{}
	err := s.prepared(ctx, s.DB, `SELECT name, kind, category, description, config_schema, version, removed_at, updated_at FROM catalog_tools ORDER BY name`, nil, &tools)
	for i := range tools {
		tools[i].dropNulls()
	}
	return tools, err
}
