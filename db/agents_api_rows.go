package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// The API's list page is the heaviest answer: 50 agents with kilobytes of prompt and
// eight tools with their schemas each. Decoded into a page of Agents (prompt strings,
// tool maps) and then written as JSON, eight such requests at once held the server's
// heap above its memory limit (make bench, scenario 7: peak RSS 66.5 MiB). AgentsEach
// hands each row to the writer as it is read instead, with the big columns left as
// PostgreSQL's text: nothing of a page outlives its row but the answer itself.

// AgentRow is one agent of a full page as read: Agent's fields, except that the system
// prompt (SystemPrompt is nil: PromptText), the tools and the two string lists (Tools,
// ConversationStarters, Integrations are nil) are PostgreSQL's text, JSON for the
// three lists; nil where the column is SQL NULL. The text is the driver's buffer,
// valid only until the next row.
type AgentRow struct {
	Agent
	PromptText, ToolsJSON, StartersJSON, IntegrationsJSON []byte
}

// AgentsEach runs the page of the organisation's agents that Agents would list for a
// full (non-summary) filter and calls fn for each row as it is read, in order. The
// page it answers has everything but the Agents; fn's error ends the read.
func (s *Store) AgentsEach(ctx context.Context, orgID int64, f AgentFilter, fn func(*AgentRow) error) (*AgentPage, error) {
	f.Summary = false
	f.Normalize()
	page := &AgentPage{Page: f.Page, PerPage: f.PerPage}
	query, pageArgs := f.PageSQL(orgID)
	rows := 0
	err := s.agentRows(ctx, query, pageArgs, func(r *AgentRow) error {
		page.Total = r.ListTotal
		rows++
		return fn(r)
	})
	if err != nil {
		return nil, fmt.Errorf("db: list agents: %w", err)
	}
	if rows == 0 && f.Page > 1 { // past the end: the caller needs the total to find the last page
		where, args := agentsWhere(orgID, f)
		if err := s.prepared(ctx, s.DB, "SELECT count(*) FROM agents AS a WHERE "+where, args, &page.Total); err != nil {
			return nil, fmt.Errorf("db: count agents: %w", err)
		}
	}
	return page, nil
}

// agentRows runs a full page's query (PageSQL without Summary: agentColumns, the live
// version, the tags as JSON, the total) with pgx natively and calls fn with each row,
// the same AgentRow every time: what is small (tags, context documents, inputs, the
// external config) decoded as Bun decodes it, the rest as the driver's text.
func (s *Store) agentRows(ctx context.Context, query string, args []any, fn func(*AgentRow) error) error {
	var r AgentRow
	return s.native(ctx, query, args, func(rows pgx.Rows) error {
		r = AgentRow{}
		a := &r.Agent
		var prompt, starters, tools, integrations, docs, external, inputs, tags pgtype.DriverBytes
		var n nullableColumns
		if err := rows.Scan(&a.ID, &a.OrgID, &a.Name, &n.description, &n.logoURL, &starters, &n.model, &n.roundtrips, &prompt,
			&tools, &integrations, &a.MCPServers, &a.Stage, &a.ShowInChat, &n.slug, &n.planning, &docs, &a.AgentType,
			&external, &n.published, &a.CreatedAt, &a.UpdatedAt, &a.DeletedAt, &a.UUID, &inputs, &n.tines,
			&n.health, &n.live, &tags, &a.ListTotal); err != nil {
			return err
		}
		n.into(a)
		if err := errors.Join(jsonList(docs, &a.ContextDocs), jsonList(inputs, &a.Inputs)); err != nil {
			return fmt.Errorf("agent %d: %w", a.ID, err)
		}
		if external != nil {
			if err := json.Unmarshal(external, &a.ExternalConfig); err != nil {
				return fmt.Errorf("agent %d: %w", a.ID, err)
			}
		}
		if err := a.takeTagsJSON(tags); err != nil {
			return err
		}
		r.PromptText, r.ToolsJSON, r.StartersJSON, r.IntegrationsJSON = prompt, tools, starters, integrations
		return fn(&r)
	})
}

// nullableColumns are a full row's nullable scalars, scanned into pgtype values: pgx
// scans a NULL-able column into a **T by reflection (a tenth of the API list's CPU).
// (The prompt is read as text: AgentRow.Prompt.)
type nullableColumns struct {
	description, logoURL, model, slug, planning, tines, health pgtype.Text
	roundtrips                                                 pgtype.Int4
	published, live                                            pgtype.Int8
}

func (n *nullableColumns) into(a *Agent) {
	for _, c := range []struct {
		src *pgtype.Text
		dst **string
	}{{&n.description, &a.Description}, {&n.logoURL, &a.LogoURL}, {&n.model, &a.Model},
		{&n.slug, &a.EmailSlug}, {&n.planning, &a.PlanningMode}, {&n.tines, &a.TinesStoryImportID}} {
		if c.src.Valid {
			*c.dst = &c.src.String
		}
	}
	if n.roundtrips.Valid {
		v := int(n.roundtrips.Int32)
		a.MaxToolRoundtrips = &v
	}
	if n.published.Valid {
		a.PublishedVersionID = &n.published.Int64
	}
	a.CardHealth, a.LiveVersion = n.health.String, int(n.live.Int64)
}
