package db

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// The console's list is the most requested page. Bun scans a row by reflection over
// the model's fields and database/sql converts every value through driver.Value; pgx
// scans straight into typed pointers. So the list's two reads take the pool's
// connection, reach its *pgx.Conn (database/sql's Conn.Raw) and run there in the
// store's statement mode, which pgx's Query takes as its first argument exactly as
// through database/sql: the pool, the prepared-statement cache and the pooler-safe
// modes all stay as they are.

// native runs query (Bun's ? placeholders) on a pool connection with pgx and calls
// scan for each row; the hooks see it as they see prepared reads.
func (s *Store) native(ctx context.Context, query string, args []any, scan func(pgx.Rows) error) (err error) {
	start := time.Now()
	defer func() { s.observe(ctx, query, args, start, err) }()
	conn, err := s.DB.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		rows, err := dc.(*stdlib.Conn).Conn().Query(ctx, toNumbered(query), append([]any{s.execMode}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// summaryRows runs a summary page's query (PageSQL) and scans its rows, all in one
// allocation, in listSummaryColumns' order. Its nullable columns are scanned into
// pgtype values, also one allocation for the page: pgx scans a NULL-able column into
// a **T by reflection and a new T per value.
func (s *Store) summaryRows(ctx context.Context, query string, args []any, perPage int) ([]*Agent, error) {
	buf := make([]Agent, 0, perPage)
	nulls := make([]summaryNullable, 0, perPage)
	out := make([]*Agent, 0, perPage)
	err := s.native(ctx, query, args, func(rows pgx.Rows) error {
		buf, nulls = append(buf, Agent{}), append(nulls, summaryNullable{})
		a, n := &buf[len(buf)-1], &nulls[len(nulls)-1]
		if err := rows.Scan(&a.ID, &a.OrgID, &a.Name, &n.description, &n.logoURL, &n.model, &a.Stage, &a.ShowInChat, &a.AgentType,
			&n.published, &a.CreatedAt, &a.UpdatedAt, &n.deletedAt, &n.deletedBy, &a.UpdatedBy, &a.OpenRequests,
			&a.TagIDs, &n.live, &a.ListTotal); err != nil {
			return err
		}
		n.into(a)
		out = append(out, a)
		return nil
	})
	return out, err
}

// summaryNullable are a summary row's nullable columns.
type summaryNullable struct {
	description, logoURL, model, deletedBy pgtype.Text
	published, live                        pgtype.Int8
	deletedAt                              pgtype.Timestamptz
}

func (n *summaryNullable) into(a *Agent) {
	for _, c := range []struct {
		src *pgtype.Text
		dst **string
	}{{&n.description, &a.Description}, {&n.logoURL, &a.LogoURL}, {&n.model, &a.Model}, {&n.deletedBy, &a.DeletedBy}} {
		if c.src.Valid {
			*c.dst = &c.src.String
		}
	}
	if n.published.Valid {
		a.PublishedVersionID = &n.published.Int64
	}
	if n.deletedAt.Valid {
		a.DeletedAt = &n.deletedAt.Time
	}
	a.LiveVersion = int(n.live.Int64)
}

// listLookupsSQL reads the organisation's tags (in loadTags' order) and the model
// registry (by id) in one statement: the list page needs both, and one round trip
// less is one wait less for a backend on a busy machine.
const listLookupsSQL = `SELECT 't' AS kind, row_number() OVER (ORDER BY lower(t.name), t.id) AS pos, t.id, t.name, t.color AS value
	FROM tags t WHERE t.org_id = ?
	UNION ALL SELECT 'm', row_number() OVER (ORDER BY m.id), 0, m.display_name, m.id FROM models m
	ORDER BY kind DESC, pos`

// listLookups returns the organisation's tags by name and the model registry by id.
func (s *Store) listLookups(ctx context.Context, orgID int64) ([]TagRef, []Model, error) {
	tags, models := []TagRef{}, []Model{}
	err := s.native(ctx, listLookupsSQL, []any{orgID}, func(rows pgx.Rows) error {
		var kind, name, value string
		var pos, id int64
		if err := rows.Scan(&kind, &pos, &id, &name, &value); err != nil {
			return err
		}
		if kind == "t" {
			tags = append(tags, TagRef{ID: id, Name: name, Color: value})
		} else {
			models = append(models, Model{ID: value, DisplayName: name})
		}
		return nil
	})
	return tags, models, err
}

// nameTags fills each row's Tags (and orders its TagIDs) from its tag ids in the
// order of the organisation's tag list, as loadTags does; every row's Tags in one
// allocation.
func nameTags(agents []*Agent, tags []TagRef) {
	pos := make(map[int64]int, len(tags))
	for i, t := range tags {
		pos[t.ID] = i
	}
	n := 0
	for _, a := range agents {
		n += len(a.TagIDs)
	}
	named := make([]TagRef, n)
	for _, a := range agents {
		ids := a.TagIDs[:0]
		for _, id := range a.TagIDs {
			if _, ok := pos[id]; ok { // the tag list was read after the page: a tag deleted since is gone
				ids = append(ids, id)
			}
		}
		if ids == nil {
			ids = []int64{} // as loadTags: no tags is an empty list
		}
		slices.SortFunc(ids, func(x, y int64) int { return pos[x] - pos[y] })
		a.TagIDs, a.Tags, named = ids, named[:len(ids):len(ids)], named[len(ids):]
		for i, id := range ids {
			a.Tags[i] = tags[pos[id]]
		}
	}
}

// fullRows runs a full page's query (PageSQL without Summary: agentColumns, the live
// version, the tags as JSON, the total) and scans its rows natively (agentRows), all in
// one allocation, into exactly what Bun's scan of the Agent model gives
// (TestAgentsFullPageAgreesWithTheAgentRead). JSON columns are decoded as Bun decodes
// them (encoding/json; SQL NULL is the zero value).
func (s *Store) fullRows(ctx context.Context, query string, args []any, perPage int) ([]*Agent, error) {
	buf := make([]Agent, 0, perPage)
	out := make([]*Agent, 0, perPage)
	err := s.agentRows(ctx, query, args, func(r *AgentRow) error {
		buf = append(buf, r.Agent)
		a := &buf[len(buf)-1]
		if r.PromptText != nil {
			prompt := string(r.PromptText)
			a.SystemPrompt = &prompt
		}
		if err := a.scanJSONText(r.ToolsJSON, r.StartersJSON, r.IntegrationsJSON); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// scanJSONText reads the tools and the string lists (most rows have them, and tools are
// the biggest column) without reflection (jsontext.go); SQL NULL leaves them nil.
func (a *Agent) scanJSONText(tools, starters, integrations []byte) (err error) {
	if tools != nil {
		a.Tools, err = rawObject(tools)
	}
	if starters != nil && err == nil {
		a.ConversationStarters, err = stringList(starters)
	}
	if integrations != nil && err == nil {
		a.Integrations, err = stringList(integrations)
	}
	if err != nil {
		return fmt.Errorf("agent %d: %w", a.ID, err)
	}
	return nil
}

// jsonList decodes a JSON list column as Bun does (SQL NULL leaves it nil); an empty
// list, what most rows hold, without encoding/json's setup (a tenth of the list's CPU).
func jsonList[T any](raw []byte, dst *[]T) error {
	switch {
	case raw == nil:
	case string(raw) == "[]":
		*dst = []T{}
	default:
		return json.Unmarshal(raw, dst)
	}
	return nil
}
