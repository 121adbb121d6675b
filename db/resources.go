package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// KnowledgeBase is an organisation's knowledge base (minimal: a name to refer to).
type KnowledgeBase struct {
	ID   int64  `bun:"id" json:"id"`
	Name string `bun:"name" json:"name"`
}

// MCPServer is an organisation's MCP server.
type MCPServer struct {
	ID   int64  `bun:"id" json:"id"`
	Name string `bun:"name" json:"name"`
	URL  string `bun:"url" json:"url"`
}

// KnowledgeBases lists the organisation's knowledge bases by name.
func (s *Store) KnowledgeBases(ctx context.Context, orgID int64) ([]KnowledgeBase, error) {
	out := []KnowledgeBase{}
	err := s.prepared(ctx, s.DB, "SELECT id, name FROM knowledge_bases WHERE org_id = ? ORDER BY lower(name), id", []any{orgID}, &out)
	return out, err
}

// MCPServers lists the organisation's MCP servers by name.
func (s *Store) MCPServers(ctx context.Context, orgID int64) ([]MCPServer, error) {
	out := []MCPServer{}
	err := s.prepared(ctx, s.DB, "SELECT id, name, url FROM mcp_servers WHERE org_id = ? ORDER BY lower(name), id", []any{orgID}, &out)
	return out, err
}

func nameIssues(name string) []Issue {
	switch {
	case name == "":
		return []Issue{{Message: "Required", Path: []any{"name"}}}
	case len(name) > maxName:
		return []Issue{{Message: tooLong(maxName), Path: []any{"name"}}}
	}
	return nil
}

// CreateKnowledgeBase adds a knowledge base.
func (s *Store) CreateKnowledgeBase(ctx context.Context, actor *Actor, name string) (*KnowledgeBase, error) {
	name = strings.TrimSpace(name)
	if issues := nameIssues(name); len(issues) > 0 {
		return nil, invalid(issues...)
	}
	kb := &KnowledgeBase{Name: name}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw("INSERT INTO knowledge_bases (org_id, name) VALUES (?, ?) RETURNING id", actor.OrgID, name).Scan(ctx, &kb.ID); err != nil {
			return fmt.Errorf("db: create knowledge base: %w", err)
		}
		return s.Audit(ctx, tx, actor, "knowledge_base.created", "knowledge_base", kb.ID, name)
	})
	return kb, err
}

// CreateMCPServer adds an MCP server.
func (s *Store) CreateMCPServer(ctx context.Context, actor *Actor, name, url string) (*MCPServer, error) {
	name, url = strings.TrimSpace(name), strings.TrimSpace(url)
	issues := nameIssues(name)
	if len(url) > maxURL {
		issues = append(issues, Issue{Message: tooLong(maxURL), Path: []any{"url"}})
	} else if !isHTTPURL(url) {
		issues = append(issues, Issue{Message: "Invalid url", Path: []any{"url"}})
	}
	if len(issues) > 0 {
		return nil, invalid(issues...)
	}
	m := &MCPServer{Name: name, URL: url}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw("INSERT INTO mcp_servers (org_id, name, url) VALUES (?, ?, ?) RETURNING id", actor.OrgID, name, url).Scan(ctx, &m.ID); err != nil {
			return fmt.Errorf("db: create MCP server: %w", err)
		}
		return s.Audit(ctx, tx, actor, "mcp_server.created", "mcp_server", m.ID, name)
	})
	return m, err
}
