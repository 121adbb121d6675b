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
	issues := append(nameIssues(name), urlIssues(url)...)
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

// KnowledgeBase reads one knowledge base of the organisation.
func (s *Store) KnowledgeBase(ctx context.Context, orgID, id int64) (*KnowledgeBase, error) {
	kb := new(KnowledgeBase)
	if err := s.DB.NewRaw("SELECT id, name FROM knowledge_bases WHERE id = ? AND org_id = ?", id, orgID).Scan(ctx, kb); err != nil {
		return nil, fmt.Errorf("db: knowledge base %d: %w", id, notFound(err))
	}
	return kb, nil
}

// MCPServer reads one MCP server of the organisation.
func (s *Store) MCPServer(ctx context.Context, orgID, id int64) (*MCPServer, error) {
	m := new(MCPServer)
	if err := s.DB.NewRaw("SELECT id, name, url FROM mcp_servers WHERE id = ? AND org_id = ?", id, orgID).Scan(ctx, m); err != nil {
		return nil, fmt.Errorf("db: MCP server %d: %w", id, notFound(err))
	}
	return m, nil
}

// RenameKnowledgeBase changes a knowledge base's name. Agents refer to it by id, so
// no agent changes.
func (s *Store) RenameKnowledgeBase(ctx context.Context, actor *Actor, id int64, name string) (*KnowledgeBase, error) {
	name = strings.TrimSpace(name)
	if issues := nameIssues(name); len(issues) > 0 {
		return nil, invalid(issues...)
	}
	kb := &KnowledgeBase{ID: id, Name: name}
	err := s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var old string
		if err := tx.NewRaw("SELECT name FROM knowledge_bases WHERE id = ? AND org_id = ? FOR UPDATE", id, actor.OrgID).Scan(ctx, &old); err != nil {
			return fmt.Errorf("db: rename knowledge base %d: %w", id, notFound(err))
		}
		if _, err := tx.NewRaw("UPDATE knowledge_bases SET name = ? WHERE id = ?", name, id).Exec(ctx); err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "knowledge_base.updated", AuditKnowledgeBase, id, old+" → "+name)
	})
	return kb, err
}

// MCPServerInput changes an MCP server; unset fields keep their value.
type MCPServerInput struct {
	Name Opt[string] `json:"name"`
	URL  Opt[string] `json:"url"`
}

// UpdateMCPServer renames an MCP server or changes its URL.
func (s *Store) UpdateMCPServer(ctx context.Context, actor *Actor, id int64, in MCPServerInput) (*MCPServer, error) {
	m, err := s.MCPServer(ctx, actor.OrgID, id)
	if err != nil {
		return nil, err
	}
	old, oldURL := m.Name, m.URL
	var issues []Issue
	if in.Name.Set {
		m.Name = strings.TrimSpace(in.Name.V)
		issues = nameIssues(m.Name)
	}
	if in.URL.Set {
		m.URL = strings.TrimSpace(in.URL.V)
		issues = append(issues, urlIssues(m.URL)...)
	}
	if len(issues) > 0 {
		return nil, invalid(issues...)
	}
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// A new URL changes what every agent using the server talks to (a rename changes
		// none: agents refer to it by id), so it waits while protected agents use it.
		if m.URL != oldURL {
			if err := s.refuseProtectedUsers(ctx, tx, actor.OrgID, RefMCPServer, id, nil,
				"add an MCP server with the new URL and switch {them} to it one by one from the editor (each change proposes a change request)"); err != nil {
				return err
			}
		}
		if err := tx.NewRaw("UPDATE mcp_servers SET name = ?, url = ? WHERE id = ? AND org_id = ? RETURNING id", m.Name, m.URL, id, actor.OrgID).Scan(ctx, &id); err != nil {
			return fmt.Errorf("db: update MCP server %d: %w", id, notFound(err))
		}
		return s.Audit(ctx, tx, actor, "mcp_server.updated", AuditMCPServer, id, old+" → "+m.Name+" ("+m.URL+")")
	})
	return m, err
}

// urlIssues checks an MCP server's URL.
func urlIssues(url string) []Issue {
	if len(url) > maxURL {
		return []Issue{{Message: tooLong(maxURL), Path: []any{"url"}}}
	}
	if !isHTTPURL(url) {
		return []Issue{{Message: "Invalid url", Path: []any{"url"}}}
	}
	return nil
}

// DeleteKnowledgeBase deletes a knowledge base and takes it out of every agent's
// accessible knowledge bases (one version per agent, deleted agents included, so a
// restored agent never refers to it), in one transaction. It answers the agents changed.
func (s *Store) DeleteKnowledgeBase(ctx context.Context, actor *Actor, id int64) ([]AgentLink, error) {
	return s.deleteResource(ctx, actor, "knowledge_bases", RefKnowledgeBase, AuditKnowledgeBase, "knowledge base", "accessible knowledge bases", id)
}

// DeleteMCPServer deletes an MCP server and takes it out of every agent's MCP servers
// (one version per agent), in one transaction. It answers the agents changed.
func (s *Store) DeleteMCPServer(ctx context.Context, actor *Actor, id int64) ([]AgentLink, error) {
	return s.deleteResource(ctx, actor, "mcp_servers", RefMCPServer, AuditMCPServer, "MCP server", "MCP servers", id)
}

func (s *Store) deleteResource(ctx context.Context, actor *Actor, table, kind, auditType, noun, list string, id int64) (changed []AgentLink, err error) {
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := s.refuseProtectedUsers(ctx, tx, actor.OrgID, kind, id, nil,
			"take the "+noun+" out of {them} one by one from the editor (each change proposes a change request), then delete it"); err != nil {
			return err
		}
		var name string
		if err := tx.NewRaw("DELETE FROM "+table+" WHERE id = ? AND org_id = ? RETURNING name", id, actor.OrgID).Scan(ctx, &name); err != nil {
			return fmt.Errorf("db: delete %s %d: %w", noun, id, notFound(err))
		}
		changed, err = s.removeReferences(ctx, tx, actor, kind, id, "removed deleted "+noun+" “"+name+"” from "+list)
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, strings.ReplaceAll(auditType, " ", "_")+".deleted", auditType, id, name+referencesNote(changed, list))
	})
	return changed, err
}
