package db

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"agentconsole/db/agentspec"
)

// What depends on what (issue 18): the agents whose call_agent may call an agent,
// directly and through others, what an agent uses in turn, and the agents that use a
// knowledge base or an MCP server. Removing a reference appends one version per agent.

// AgentLink names an agent, with its UUID and whether it is deleted.
type AgentLink struct {
	ID      int64  `bun:"id" json:"id"`
	UUID    string `bun:"uuid" json:"uuid"`
	Name    string `bun:"name" json:"name"`
	Deleted bool   `bun:"deleted" json:"deleted"`
}

// Caller is an agent whose call_agent may call the agent asked about: directly (Depth
// 1) or through Depth-1 others. Path runs from the caller to that agent, both included.
type Caller struct {
	AgentLink
	Depth int         `json:"depth"`
	Path  []AgentLink `json:"path"`
}

// Uses is what an agent refers to: callable agents, knowledge bases, MCP servers.
type Uses struct {
	Agents         []AgentLink     `json:"agents"`
	KnowledgeBases []KnowledgeBase `json:"knowledgeBases"`
	MCPServers     []MCPServer     `json:"mcpServers"`
}

// Dependents is GET /api/agents/{id}/dependents: who calls the agent, and what it uses.
type Dependents struct {
	Agent    AgentLink `json:"agent"`
	CalledBy []Caller  `json:"calledBy"`
	Uses     Uses      `json:"uses"`
}

// configIDsExpr is the SQL of r's id list in an agent's stored tools (alias a). The
// expression indexes of migration 025 are on exactly these expressions.
func configIDsExpr(r agentspec.ConfigRef) string {
	return "(a.tools -> '" + r.Tool + "' -> 'config' -> '" + r.IDKey + "')"
}

func callRef() agentspec.ConfigRef {
	r, _ := agentspec.ConfigRefByTool("call_agent")
	return r
}

// callersWalk is one recursive CTE walking callers breadth first: each step finds the
// live agents of the organisation calling any agent of the previous step and not seen
// yet, so cycles end the walk and every caller appears once, at its shortest depth,
// with the agent it calls on that path (via). ?0 is the agent, ?1 the organisation.
func callersWalk() string {
	return `WITH RECURSIVE walk(depth, frontier, vias, seen) AS (
			SELECT 0, ARRAY[?0::bigint], ARRAY[0::bigint], ARRAY[?0::bigint]
		UNION ALL
			SELECT w.depth + 1, n.ids, n.vias, w.seen || n.ids
			FROM walk w
			CROSS JOIN LATERAL (
				SELECT array_agg(c.id ORDER BY c.id) AS ids, array_agg(c.via ORDER BY c.id) AS vias
				FROM (SELECT DISTINCT ON (a.id) a.id, f.id AS via
					FROM unnest(w.frontier) f(id)
					JOIN agents a ON ` + configIDsExpr(callRef()) + ` @> jsonb_build_array(f.id)
					WHERE a.org_id = ?1 AND a.deleted_at IS NULL AND a.id <> ALL (w.seen)
					ORDER BY a.id, f.id) c) n
			WHERE n.ids IS NOT NULL)
		SELECT u.id, a.uuid, a.name, w.depth, u.via
		FROM walk w CROSS JOIN LATERAL unnest(w.frontier, w.vias) u(id, via)
		JOIN agents a ON a.id = u.id
		WHERE w.depth > 0
		ORDER BY w.depth, lower(a.name), a.id`
}

// AgentDependents answers who calls the agent (directly and transitively) and what it
// uses. Another organisation's agent is ErrNotFound; deleted agents may be asked about.
func (s *Store) AgentDependents(ctx context.Context, orgID, id int64) (*Dependents, error) {
	a, err := s.Agent(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	out := &Dependents{Agent: AgentLink{ID: a.ID, UUID: a.UUID, Name: a.Name, Deleted: a.DeletedAt != nil}, CalledBy: []Caller{}}
	var rows []struct {
		ID    int64  `bun:"id"`
		UUID  string `bun:"uuid"`
		Name  string `bun:"name"`
		Depth int    `bun:"depth"`
		Via   int64  `bun:"via"`
	}
	if err := s.DB.NewRaw(callersWalk(), id, orgID).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("db: callers of agent %d: %w", id, err)
	}
	byID := map[int64]AgentLink{id: out.Agent}
	via := map[int64]int64{}
	for _, r := range rows {
		byID[r.ID], via[r.ID] = AgentLink{ID: r.ID, UUID: r.UUID, Name: r.Name}, r.Via
	}
	for _, r := range rows {
		c := Caller{AgentLink: byID[r.ID], Depth: r.Depth}
		for at := r.ID; ; at = via[at] {
			c.Path = append(c.Path, byID[at])
			if at == id || len(c.Path) > r.Depth {
				break
			}
		}
		out.CalledBy = append(out.CalledBy, c)
	}
	out.Uses, err = s.agentUses(ctx, orgID, a)
	return out, err
}

// agentUses names the agents, knowledge bases and MCP servers the agent refers to; ids
// that no longer exist are left out (the agent's next save reports them).
func (s *Store) agentUses(ctx context.Context, orgID int64, a *Agent) (Uses, error) {
	u := Uses{Agents: []AgentLink{}, KnowledgeBases: []KnowledgeBase{}, MCPServers: []MCPServer{}}
	ids := map[string][]int64{}
	for _, def := range a.Tools {
		for key, list := range configRefIDs(def) {
			ids[key] = append(ids[key], list...)
		}
	}
	for _, r := range agentspec.ConfigRefs {
		if len(ids[r.IDKey]) == 0 {
			continue
		}
		var err error
		switch r.Table {
		case "agents":
			err = s.DB.NewRaw("SELECT id, uuid, name, deleted_at IS NOT NULL AS deleted FROM agents WHERE org_id = ? AND id IN (?) ORDER BY lower(name), id",
				orgID, bun.In(ids[r.IDKey])).Scan(ctx, &u.Agents)
		case "knowledge_bases":
			err = s.DB.NewRaw("SELECT id, name FROM knowledge_bases WHERE org_id = ? AND id IN (?) ORDER BY lower(name), id",
				orgID, bun.In(ids[r.IDKey])).Scan(ctx, &u.KnowledgeBases)
		}
		if err != nil {
			return u, fmt.Errorf("db: what agent %d uses: %w", a.ID, err)
		}
	}
	if len(a.MCPServers) > 0 {
		if err := s.DB.NewRaw("SELECT id, name, url FROM mcp_servers WHERE org_id = ? AND id IN (?) ORDER BY lower(name), id",
			orgID, bun.In(a.MCPServers)).Scan(ctx, &u.MCPServers); err != nil {
			return u, fmt.Errorf("db: MCP servers of agent %d: %w", a.ID, err)
		}
	}
	return u, nil
}

// A reference kind: what refers to an agent, a knowledge base or an MCP server.
const (
	RefAgent         = "agent"
	RefKnowledgeBase = "knowledgeBase"
	RefMCPServer     = "mcpServer"
)

// usersWhere is the condition on agents (alias a) that refer to ?0 of the kind.
func usersWhere(kind string) string { return usersWhereID(kind, "?0::bigint") }

// usersWhereID is the condition on agents (alias a) that refer to the id SQL idExpr.
func usersWhereID(kind, idExpr string) string {
	if kind == RefMCPServer {
		return "a.mcp_servers @> ARRAY[" + idExpr + "]"
	}
	var conds []string
	for _, r := range agentspec.ConfigRefs {
		if (kind == RefAgent) == (r.Table == "agents") {
			conds = append(conds, configIDsExpr(r)+" @> jsonb_build_array("+idExpr+")")
		}
	}
	return "(" + strings.Join(conds, " OR ") + ")"
}

// UseCounts counts, per knowledge base (RefKnowledgeBase) or MCP server (RefMCPServer)
// of the organisation, the agents referring to it (deleted agents included: deleting
// it changes them too).
func (s *Store) UseCounts(ctx context.Context, orgID int64, kind string) (map[int64]int, error) {
	table := map[string]string{RefKnowledgeBase: "knowledge_bases", RefMCPServer: "mcp_servers"}[kind]
	var rows []struct {
		ID int64 `bun:"id"`
		N  int   `bun:"n"`
	}
	err := s.DB.NewRaw("SELECT r.id, (SELECT count(*) FROM agents a WHERE a.org_id = r.org_id AND "+usersWhereID(kind, "r.id")+") AS n FROM "+table+" r WHERE r.org_id = ?", orgID).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("db: uses of %s: %w", table, err)
	}
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.ID] = r.N
	}
	return out, nil
}

// usersQuery selects the agents of organisation ?1 referring to ?0: live ones only for
// an agent (a deleted caller waits for a restore like any other deleted agent), every
// agent for a knowledge base or MCP server, which leave for good.
func usersQuery(kind string) string {
	q := "SELECT a.id, a.uuid, a.name, a.deleted_at IS NOT NULL AS deleted FROM agents a WHERE a.org_id = ?1 AND " + usersWhere(kind)
	if kind == RefAgent {
		q += " AND a.deleted_at IS NULL"
	}
	return q
}

// UsedBy lists the agents that refer directly to the agent, knowledge base or MCP
// server id (kind RefAgent, RefKnowledgeBase, RefMCPServer), by name.
func (s *Store) UsedBy(ctx context.Context, orgID int64, kind string, id int64) ([]AgentLink, error) {
	out := []AgentLink{}
	if err := s.DB.NewRaw(usersQuery(kind)+" ORDER BY lower(a.name), a.id", id, orgID).Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("db: agents using %s %d: %w", kind, id, err)
	}
	return out, nil
}

// removeReferences takes id (of the kind) out of every agent of the organisation that
// refers to it, appending one version per agent: set-based, inside the caller's
// transaction, the agents locked first as a save locks them. It answers the agents changed.
func (s *Store) removeReferences(ctx context.Context, tx bun.Tx, actor *Actor, kind string, id int64, summary string) ([]AgentLink, error) {
	var users []AgentLink
	if err := tx.NewRaw(usersQuery(kind)+" ORDER BY a.id FOR UPDATE OF a", id, actor.OrgID).Scan(ctx, &users); err != nil {
		return nil, fmt.Errorf("db: lock agents using %s %d: %w", kind, id, err)
	}
	if len(users) == 0 {
		return users, nil
	}
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	fieldsExpr, toolsExpr := "prev.fields_ref", "agent_tools_put_stored(a.tools, NULL, false)"
	set := ""
	if kind == RefMCPServer {
		set = "mcp_servers = NULLIF(array_remove(a.mcp_servers, ?0::bigint), '{}')"
		fieldsExpr, toolsExpr = "agent_blob_put(jsonb_set(f.body, '{mcpServers}', coalesce(to_jsonb(a.mcp_servers), 'null'::jsonb)))", "prev.tools_ref"
	} else {
		set = "tools = a.tools"
		for _, r := range agentspec.ConfigRefs {
			if (kind == RefAgent) != (r.Table == "agents") {
				continue
			}
			// Only a list that holds the id is rewritten: jsonb_set on a missing tool would add it.
			set = fmt.Sprintf(`jsonb_set_lax(%s, '{%s,config,%s}',
				CASE WHEN %s @> jsonb_build_array(?0::bigint)
				THEN (SELECT coalesce(jsonb_agg(e.v ORDER BY e.n), '[]'::jsonb) FROM jsonb_array_elements(%s) WITH ORDINALITY e(v, n) WHERE e.v <> to_jsonb(?0::bigint))
				ELSE NULL END, false, 'return_target')`,
				strings.TrimPrefix(set, "tools = "), r.Tool, r.IDKey, configIDsExpr(r), configIDsExpr(r))
			set = "tools = " + set
		}
	}
	if _, err := tx.NewRaw("UPDATE agents a SET "+set+" WHERE a.id = ANY(?1)", id, pgdialect.Array(ids)).Exec(ctx); err != nil {
		return nil, fmt.Errorf("db: remove %s %d from agents: %w", kind, id, err)
	}
	if err := s.appendDerivedVersions(ctx, tx, actor, ids, SourceUpdate, summary, fieldsExpr, toolsExpr); err != nil {
		return nil, err
	}
	sort.Slice(users, func(i, j int) bool { return strings.ToLower(users[i].Name) < strings.ToLower(users[j].Name) })
	return users, nil
}

// refuseProtectedUsers refuses removing id (of the kind) from the agents referring to
// it, and the agents also, while the review policy protects any of them (see refuseProtected).
func (s *Store) refuseProtectedUsers(ctx context.Context, tx bun.Tx, orgID int64, kind string, id int64, also []int64, instead string) error {
	var users []AgentLink // locked in id order, as removeReferences locks them next
	if err := tx.NewRaw(usersQuery(kind)+" ORDER BY a.id FOR UPDATE OF a", id, orgID).Scan(ctx, &users); err != nil {
		return fmt.Errorf("db: agents using %s %d: %w", kind, id, err)
	}
	for _, u := range users {
		also = append(also, u.ID)
	}
	return s.refuseProtectedChange(ctx, tx, orgID, also, protectedChange{Instead: instead})
}

// DeleteAgentRemovingReferences soft-deletes an agent and, in the same transaction,
// takes it out of the callable agents of every live agent that calls it (one version
// each). It answers the agents changed; the audit entry names them.
func (s *Store) DeleteAgentRemovingReferences(ctx context.Context, actor *Actor, id int64) (changed []AgentLink, err error) {
	err = s.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// The agent and every caller would change: refused while any is protected.
		if err := s.refuseProtectedUsers(ctx, tx, actor.OrgID, RefAgent, id, []int64{id},
			"change {them} one by one from the editor (each change proposes a change request), then delete the agent without removing references"); err != nil {
			return err
		}
		name, err := softDelete(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		changed, err = s.removeReferences(ctx, tx, actor, RefAgent, id, "removed deleted agent “"+name+"” from callable agents")
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, actor, "agent.deleted", AuditAgent, id, name+referencesNote(changed, "callable agents"))
	})
	return changed, err
}

// referencesNote says in an audit summary which agents lost a reference.
func referencesNote(changed []AgentLink, what string) string {
	if len(changed) == 0 {
		return ""
	}
	names := make([]string, 0, len(changed))
	for i, a := range changed {
		if i == 20 {
			names = append(names, fmt.Sprintf("… and %d more", len(changed)-20))
			break
		}
		names = append(names, a.Name)
	}
	return fmt.Sprintf(" (removed from the %s of %s: %s)", what, count(len(changed), "agent", "agents"), strings.Join(names, ", "))
}
