package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

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
	Summary bool    // only the columns a list shows (not prompts, tools or configs)
	Sort    string  // updated (default), name, created
	Page    int     // 1-based
	PerPage int
}

// AgentPage is one page of the list.
type AgentPage struct {
	Agents  []*Agent
	Total   int
	Page    int
	PerPage int
}

// Sorts the list accepts.
var AgentSorts = []string{"updated", "name", "created"}

// Normalize clamps paging and drops unknown values.
func (f *AgentFilter) Normalize() {
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 25
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	if f.Stage != "development" && f.Stage != "released" {
		f.Stage = ""
	}
	if f.Type != "native" && f.Type != "external" {
		f.Type = ""
	}
	if f.Sort != "name" && f.Sort != "created" {
		f.Sort = "updated"
	}
	f.Query = strings.TrimSpace(f.Query)
}

// Agents lists a page of the organisation's agents with their tags: three queries
// (page, count, tags of the page) whatever the page size.
func (s *Store) Agents(ctx context.Context, orgID int64, f AgentFilter) (*AgentPage, error) {
	f.Normalize()
	page := &AgentPage{Page: f.Page, PerPage: f.PerPage, Agents: []*Agent{}}
	where := func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("a.org_id = ?", orgID)
		if f.Deleted {
			q = q.Where("a.deleted_at IS NOT NULL")
		} else {
			q = q.Where("a.deleted_at IS NULL")
		}
		if f.Query != "" {
			q = q.Where("a.name ILIKE ?", "%"+escapeLike(f.Query)+"%")
		}
		if f.Stage != "" {
			q = q.Where("a.stage = ?", f.Stage)
		}
		if f.Type != "" {
			q = q.Where("a.agent_type = ?", f.Type)
		}
		if tags := dedupe(f.TagIDs); len(tags) > 0 {
			// A semi-join on agent_tags (tag_id, agent_id): one index scan per tag.
			if f.AllTags && len(tags) > 1 {
				q = q.Where("a.id IN (SELECT at.agent_id FROM agent_tags at WHERE at.tag_id IN (?) GROUP BY at.agent_id HAVING count(*) = ?)", bun.In(tags), len(tags))
			} else {
				q = q.Where("a.id IN (SELECT at.agent_id FROM agent_tags at WHERE at.tag_id IN (?))", bun.In(tags))
			}
		}
		return q
	}
	columns := "a.*"
	if f.Summary {
		columns = "a.id, a.org_id, a.name, a.description, a.logo_url, a.stage, a.show_in_chat, a.agent_type, a.published_version_id, a.created_at, a.updated_at, a.deleted_at"
	}
	q := where(s.DB.NewSelect().Model(&page.Agents).ColumnExpr(columns).ColumnExpr(liveVersionExpr))
	switch f.Sort {
	case "name":
		q = q.OrderExpr("lower(a.name), a.id")
	case "created":
		q = q.OrderExpr("a.created_at DESC, a.id DESC")
	default:
		q = q.OrderExpr("a.updated_at DESC, a.id DESC")
	}
	if err := q.Limit(int64(f.PerPage)).Offset(int64((f.Page - 1) * f.PerPage)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("db: list agents: %w", err)
	}
	total, err := where(s.DB.NewSelect().Model((*Agent)(nil))).Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: count agents: %w", err)
	}
	page.Total = int(total)
	return page, s.loadTags(ctx, s.DB, page.Agents)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Tags lists the organisation's tags by name.
func (s *Store) Tags(ctx context.Context, orgID int64) ([]TagRef, error) {
	var tags []TagRef
	err := s.DB.NewRaw("SELECT id, name, color FROM tags WHERE org_id = ? ORDER BY lower(name), id", orgID).Scan(ctx, &tags)
	return tags, err
}

// CreateTag adds a tag (the tags issue brings the full tag management).
func (s *Store) CreateTag(ctx context.Context, orgID int64, name string) (*TagRef, error) {
	t := &TagRef{Name: strings.TrimSpace(name)}
	err := s.DB.NewRaw("INSERT INTO tags (org_id, name) VALUES (?, ?) RETURNING id, color", orgID, t.Name).Scan(ctx, &t.ID, &t.Color)
	if err != nil {
		return nil, fmt.Errorf("db: create tag: %w", err)
	}
	return t, nil
}

// Model is an entry of the model registry.
type Model struct {
	ID          string `bun:"id" json:"id"`
	DisplayName string `bun:"display_name" json:"name"`
}

// Models lists the registry.
func (s *Store) Models(ctx context.Context) ([]Model, error) {
	var ms []Model
	err := s.DB.NewRaw("SELECT id, display_name FROM models ORDER BY id").Scan(ctx, &ms)
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

// AddModel extends the registry (admins): id must be provider:model.
func (s *Store) AddModel(ctx context.Context, actor *Actor, id, name string) (*Model, error) {
	id, name = strings.TrimSpace(id), strings.TrimSpace(name)
	var issues []Issue
	if provider, model, ok := strings.Cut(id, ":"); !ok || provider == "" || model == "" || len(id) > 200 || strings.ContainsAny(id, " \t\n") {
		issues = append(issues, Issue{Message: "Model id must look like provider:model", Path: []any{"id"}})
	}
	if name == "" || len(name) > maxName {
		issues = append(issues, Issue{Message: "Required", Path: []any{"name"}})
	}
	if len(issues) > 0 {
		return nil, invalid(issues...)
	}
	provider, _, _ := strings.Cut(id, ":")
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("INSERT INTO models (id, display_name, provider) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name",
			id, name, provider).Exec(ctx); err != nil {
			return fmt.Errorf("db: add model: %w", err)
		}
		return s.Audit(ctx, tx, actor, "model.added", "model", 0, id+" ("+name+")")
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
	err := s.DB.NewRaw(`(SELECT id, name FROM agents WHERE org_id = ? AND deleted_at IS NULL ORDER BY lower(name), id LIMIT ?)
		UNION SELECT id, name FROM agents WHERE org_id = ? AND id = ANY(?) ORDER BY 2, 1`,
		orgID, limit, orgID, pgdialect.Array(append([]int64{}, include...))).Scan(ctx, &out)
	return out, err
}

// CatalogTools lists the current catalog without usage counts (cheap: for pickers).
func (s *Store) CatalogTools(ctx context.Context) ([]CatalogTool, error) {
	tools := []CatalogTool{}
	err := s.DB.NewRaw(`SELECT name, kind, category, description, config_schema, version, removed_at, updated_at FROM catalog_tools ORDER BY name`).Scan(ctx, &tools)
	for i := range tools {
		tools[i].dropNulls()
	}
	return tools, err
}
