package db

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The editor is read on every view: its agent row is scanned with pgx into the
// fields (agents_list_native.go says why), not by Bun's reflection through
// database/sql. TestAgentForEditorKeepsNamesAndConfigs compares it with Store.Agent.

// agentForEditorSQL is oneAgent's statement over storedToolsColumns.
var agentForEditorSQL = "SELECT " + storedToolsColumns + ", " + liveVersionExpr + ", tg.* FROM agents AS a " + oneAgentTags + " WHERE a.id = ? AND a.org_id = ?"

// AgentForEditor is Agent with each tool as stored — a catalog reference ("$def") and
// its config, or an inline definition — not expanded: the editor shows only the tools'
// names and configs, and expanding costs PostgreSQL a blob lookup per tool and the
// server the scanning of every definition. Only for showing; saves read Agent.
func (s *Store) AgentForEditor(ctx context.Context, orgID, id int64) (*Agent, error) {
	var a *Agent
	err := s.native(ctx, agentForEditorSQL, []any{id, orgID}, func(rows pgx.Rows) (err error) {
		a, err = scanAgentRow(rows)
		return err
	})
	if err == nil && a == nil {
		err = ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: agent %d: %w", id, err)
	}
	return a, nil
}

// AgentForEditorUnless is AgentForEditor for a caller that keeps what it drew from
// the row it read last (known, its print): when the row is that one it is not decoded
// and the agent is nil; otherwise the agent comes with its row's print.
func (s *Store) AgentForEditorUnless(ctx context.Context, orgID, id int64, known RowPrint) (*Agent, RowPrint, error) {
	var a *Agent
	var printed RowPrint
	same := false
	err := s.native(ctx, agentForEditorSQL, []any{id, orgID}, func(rows pgx.Rows) (err error) {
		raw := rows.RawValues()
		if known.matches(raw) {
			same = true
			return nil
		}
		printed = printRow(raw)
		a, err = scanAgentRow(rows)
		return err
	})
	if err == nil && a == nil && !same {
		err = ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("db: agent %d: %w", id, err)
	}
	if same {
		return nil, known, nil
	}
	return a, printed, nil
}

// scanAgentRow reads a row of storedToolsColumns (agentColumns' order), the live
// version and the tags as oneAgent does.
func scanAgentRow(rows pgx.Rows) (*Agent, error) {
	a := new(Agent)
	var health *string
	var live *int64
	var tagIDs []int64
	var tagNames, tagColors []string
	if err := rows.Scan(&a.ID, &a.OrgID, &a.Name, &a.Description, &a.LogoURL, &a.ConversationStarters, &a.Model,
		&a.MaxToolRoundtrips, &a.SystemPrompt, &a.Tools, &a.Integrations, &a.MCPServers, &a.Stage,
		&a.ShowInChat, &a.EmailSlug, &a.PlanningMode, &a.ContextDocs, &a.AgentType, &a.ExternalConfig,
		&a.PublishedVersionID, &a.CreatedAt, &a.UpdatedAt, &a.DeletedAt, &a.UUID, &a.Inputs,
		&a.TinesStoryImportID, &health, &live, &tagIDs, &tagNames, &tagColors); err != nil {
		return nil, err
	}
	if health != nil {
		a.CardHealth = *health
	}
	if live != nil {
		a.LiveVersion = int(*live)
	}
	a.TagIDs, a.Tags = tagIDs, make([]TagRef, len(tagIDs))
	if a.TagIDs == nil {
		a.TagIDs = []int64{} // [] in JSON, never null
	}
	for i, id := range tagIDs {
		a.Tags[i] = TagRef{ID: id, Name: tagNames[i], Color: tagColors[i]}
	}
	return a, nil
}
